"""Forms of the mock interview: configuring it, answering, grading."""

from django import forms

from questions.models import MAX_SECONDS, MIN_SECONDS, Deck, Level, Topic
from sessions.drawing import matching_questions
from sessions.engine import DEFAULT_FOLLOW_UP_SECONDS, InterviewConfig
from sessions.fields import NUL_IN, TextareaField
from sessions.models import (
    MAX_ANSWER_CHARS,
    MAX_DRAFT_CHARS,
    MAX_NOTE_CHARS,
    MAX_QUESTIONS_PER_INTERVIEW,
    FollowUpRating,
    QuestionOrder,
    Rating,
    TimingMode,
)


class InterviewConfigForm(forms.Form):
    decks = forms.ModelMultipleChoiceField(
        queryset=Deck.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for the built-in deck.",
    )
    levels = forms.MultipleChoiceField(
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every level.",
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every topic.",
    )
    question_count = forms.IntegerField(
        label="How many questions", min_value=1, max_value=MAX_QUESTIONS_PER_INTERVIEW, initial=5
    )
    timing_mode = forms.ChoiceField(
        label="Timing",
        choices=TimingMode.choices,
        initial=TimingMode.SUGGESTED,
        widget=forms.RadioSelect,
    )
    fixed_seconds = forms.IntegerField(
        label="Seconds per question",
        min_value=MIN_SECONDS,
        max_value=MAX_SECONDS,
        required=False,
        help_text=f"For a fixed time: {MIN_SECONDS} to {MAX_SECONDS} seconds.",
        error_messages={
            "min_value": f"Give at least {MIN_SECONDS} seconds (at most {MAX_SECONDS}).",
            "max_value": f"Give at most {MAX_SECONDS} seconds (at least {MIN_SECONDS}).",
        },
    )
    order = forms.ChoiceField(
        choices=QuestionOrder.choices, initial=QuestionOrder.RANDOM, widget=forms.RadioSelect
    )
    follow_up_round = forms.BooleanField(
        label="The interviewer asks a follow-up",
        required=False,
        help_text=(
            "After each answer you grade, one of the question's follow-up questions, about a "
            "key point you missed where one fits, with its own short time."
        ),
    )
    follow_up_seconds = forms.IntegerField(
        label="Seconds per follow-up",
        min_value=MIN_SECONDS,
        max_value=MAX_SECONDS,
        initial=DEFAULT_FOLLOW_UP_SECONDS,
        required=False,
        help_text=f"{MIN_SECONDS} to {MAX_SECONDS} seconds; untimed practice has no clock.",
        error_messages={
            "min_value": f"Give at least {MIN_SECONDS} seconds (at most {MAX_SECONDS}).",
            "max_value": f"Give at most {MAX_SECONDS} seconds (at least {MIN_SECONDS}).",
        },
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Only the user's own decks and tags, beside the built-in ones, can be chosen.
        decks = Deck.objects.visible_to(user)
        self.fields["decks"].queryset = decks
        self.fields["decks"].initial = [deck.pk for deck in decks if deck.is_builtin]
        self.fields["topics"].queryset = Topic.objects.visible_to(user).order_by("name")

    def clean(self):
        cleaned = super().clean()
        fixed = cleaned.get("timing_mode") == TimingMode.FIXED
        if not fixed and "fixed_seconds" in self.errors:
            # Only a fixed time uses the seconds: a leftover value is no reason to refuse.
            del self.errors["fixed_seconds"]
        # One message per problem: a value out of range has already said what to give.
        if fixed and not cleaned.get("fixed_seconds") and "fixed_seconds" not in self.errors:
            self.add_error("fixed_seconds", "Choose how many seconds each question gets.")
        if not cleaned.get("follow_up_round") and "follow_up_seconds" in self.errors:
            # As for the fixed time: only the follow-up round uses these seconds.
            del self.errors["follow_up_seconds"]
        if self.errors:
            return cleaned
        levels = cleaned.get("levels") or []
        topics = [topic.slug for topic in cleaned.get("topics") or []]
        decks = [deck.pk for deck in cleaned.get("decks") or []]
        available = matching_questions(self.user, levels, topics, decks).count()
        self.available = available
        wanted = cleaned["question_count"]
        if available == 0:
            raise forms.ValidationError(
                "No question matches these decks, levels and topics. Tick fewer filters."
            )
        if wanted > available:
            self.add_error(
                "question_count",
                f"Only {available} question{'s' if available != 1 else ''} match these levels "
                f"and topics. Ask for {available}, or widen the filters.",
            )
        return cleaned

    def config(self) -> InterviewConfig:
        data = self.cleaned_data
        return InterviewConfig(
            levels=list(data["levels"]),
            topics=[topic.slug for topic in data["topics"]],
            question_count=data["question_count"],
            timing_mode=data["timing_mode"],
            fixed_seconds=data["fixed_seconds"]
            if data["timing_mode"] == TimingMode.FIXED
            else None,
            order=data["order"],
            decks=tuple(deck.pk for deck in data["decks"]),
            follow_up_round=data["follow_up_round"],
            follow_up_seconds=data.get("follow_up_seconds") or DEFAULT_FOLLOW_UP_SECONDS,
        )


class TranscriptField(TextareaField):
    """What speech recognition heard, sent by the page beside the answer; past the limit
    the end is cut rather than the answer refused (the words spoken are only counted)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, strip=False, widget=forms.HiddenInput, **kwargs)

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")[:MAX_ANSWER_CHARS]


class AnswerForm(forms.Form):
    answer = TextareaField(
        required=False,
        strip=False,
        max_length=MAX_ANSWER_CHARS,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
        error_messages={
            "max_length": (
                f"Your answer is longer than {MAX_ANSWER_CHARS:,} characters "
                "(it has %(show_value)s). Shorten it and submit again; your text is kept."
            ),
            "null_characters_not_allowed": NUL_IN.format(
                "Your answer", "submit again; your text is kept"
            ),
        },
    )
    transcript = TranscriptField()


class DraftForm(forms.Form):
    answer = TextareaField(
        required=False,
        strip=False,
        max_length=MAX_DRAFT_CHARS,
        error_messages={
            "max_length": (
                f"This draft is longer than {MAX_DRAFT_CHARS:,} characters "
                "(it has %(show_value)s), too long to keep. Shorten it."
            ),
            "null_characters_not_allowed": NUL_IN.format(
                "This draft", "it is saved again; your text stays in the box"
            ),
        },
    )
    transcript = TranscriptField()


class GradeForm(forms.Form):
    key_points = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Choose {', '.join(Rating.labels[:-1])} or {Rating.labels[-1]}."
        },
    )
    note = TextareaField(
        required=False,
        max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what to remember next time.",
        error_messages={
            "max_length": (
                f"Your note is longer than {MAX_NOTE_CHARS:,} characters "
                "(it has %(show_value)s). Shorten it and save again; the grade is not saved yet."
            ),
            "null_characters_not_allowed": NUL_IN.format(
                "Your note", "save again; the grade is not saved yet"
            ),
        },
    )

    def __init__(self, *args, key_points, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only this question's key points can be ticked.
        self.fields["key_points"].choices = [(point.position, point.text) for point in key_points]


class FollowUpGradeForm(forms.Form):
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=FollowUpRating.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": (
                f"Choose {', '.join(FollowUpRating.labels[:-1])} or {FollowUpRating.labels[-1]}."
            )
        },
    )
