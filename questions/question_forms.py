"""The form of a question of one's own: its fields, and its 3–7 key points as rows that can be
added, removed and reordered with plain form buttons (no JavaScript needed)."""

from django import forms

from questions.authoring import QuestionDraft
from questions.forms import FollowUpsField
from questions.models import (
    MAX_KEY_POINT_CHARS,
    MAX_KEY_POINTS,
    MAX_PROMPT_CHARS,
    MAX_REFERENCE_ANSWER_CHARS,
    MAX_SECONDS,
    MIN_KEY_POINTS,
    MIN_SECONDS,
    Level,
    Question,
    cue_problem,
    validate_follow_ups,
)
from questions.tags import MAX_TAG_CHARS, MAX_TAGS, tag_names


class QuestionForm(forms.Form):
    prompt = forms.CharField(max_length=MAX_PROMPT_CHARS, widget=forms.Textarea(attrs={"rows": 3}))
    reference_answer = forms.CharField(
        max_length=MAX_REFERENCE_ANSWER_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Markdown: **bold**, *italic*, lists, `code`, tables.",
    )
    level = forms.ChoiceField(choices=Level.choices, initial=Level.INTERMEDIATE)
    topics = forms.CharField(
        required=False,
        max_length=MAX_TAGS * (MAX_TAG_CHARS + 2),
        help_text=f"Up to {MAX_TAGS}, separated by commas.",
    )
    suggested_seconds = forms.IntegerField(
        label="Suggested time (seconds)", min_value=MIN_SECONDS, max_value=MAX_SECONDS, initial=120
    )
    follow_ups = FollowUpsField(label="Follow-up questions")

    def clean_topics(self) -> list[str]:
        names = tag_names(self.cleaned_data["topics"])
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(f"At most {MAX_TAGS} topics; there are {len(names)}.")
        if long := [name for name in names if len(name) > MAX_TAG_CHARS]:
            raise forms.ValidationError(
                f"A topic is at most {MAX_TAG_CHARS} characters: “{long[0][:40]}…” is longer."
            )
        return names

    def clean_follow_ups(self) -> list[str]:
        follow_ups = self.cleaned_data["follow_ups"]
        validate_follow_ups(follow_ups)
        return follow_ups

    @staticmethod
    def initial_for(question: Question) -> dict:
        return {
            "prompt": question.prompt,
            "reference_answer": question.reference_answer,
            "level": question.level,
            "topics": ", ".join(topic.name for topic in question.topics.all()),
            "suggested_seconds": question.suggested_seconds,
            "follow_ups": question.follow_ups,
        }


class CuePhrasesField(forms.CharField):
    """Cue phrases typed one per line; the model's rule judges them."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        return [line.strip() for line in super().to_python(value).splitlines() if line.strip()]

    def validate(self, value) -> None:
        super().validate(value)
        if problem := cue_problem(value):
            raise forms.ValidationError(f"The cue phrases: {problem}.")


class KeyPointForm(forms.Form):
    text = forms.CharField(label="Key point", max_length=MAX_KEY_POINT_CHARS, required=False)
    cues = CuePhrasesField(
        label="Cue phrases (optional)",
        required=False,
        help_text=(
            "One per line, alternatives separated by |. Empty: made from the key point's "
            "words; cues you write give better suggestions."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cues") and not (cleaned.get("text") or "").strip():
            self.add_error("text", "Write the key point its cue phrases belong to.")
        return cleaned


class BaseKeyPointFormSet(forms.BaseFormSet):
    """Blank rows are dropped; what is left must be 3 to 7 key points, in the order given."""

    def clean(self) -> None:
        if any(self.errors):
            return
        count = len(self.key_points())
        if count < MIN_KEY_POINTS:
            raise forms.ValidationError(f"Give at least {MIN_KEY_POINTS} key points.")
        if count > MAX_KEY_POINTS:
            raise forms.ValidationError(f"Give at most {MAX_KEY_POINTS} key points.")

    def _in_order(self, forms_and_rows):
        """Rows sorted by the order typed (a row without one keeps its place), the removed
        ones left out."""
        placed = []
        for index, (form, row) in enumerate(forms_and_rows):
            if form["DELETE"].value():
                continue
            try:
                position = int(form["ORDER"].value())
            except (TypeError, ValueError):
                position = index + 1
            placed.append((position, index, row))
        return [row for _, _, row in sorted(placed, key=lambda placed_row: placed_row[:2])]

    def rows(self) -> list[dict]:
        """The rows as typed, in their chosen order, for a form shown again unchecked (a row
        added, a preview)."""
        return self._in_order(
            (form, {"text": form["text"].value() or "", "cues": form["cues"].value() or ""})
            for form in self.forms
        )

    def key_points(self) -> list[tuple[str, list[str]]]:
        """The checked key points as (text, cue phrases), in their chosen order."""
        rows = self._in_order((form, form.cleaned_data) for form in self.forms)
        return [(row["text"].strip(), row["cues"]) for row in rows if row.get("text", "").strip()]


KeyPointFormSet = forms.formset_factory(
    KeyPointForm,
    formset=BaseKeyPointFormSet,
    extra=0,
    can_order=True,
    can_delete=True,
    max_num=MAX_KEY_POINTS + 1,
    absolute_max=MAX_KEY_POINTS + 1,
)


def key_point_formset(data=None, initial=None) -> BaseKeyPointFormSet:
    return KeyPointFormSet(data, initial=initial, prefix="points")


def draft_from(form: QuestionForm, points: BaseKeyPointFormSet) -> QuestionDraft:
    data = form.cleaned_data
    return QuestionDraft(
        prompt=data["prompt"].strip(),
        reference_answer=data["reference_answer"].strip(),
        key_points=points.key_points(),
        level=data["level"],
        topics=data["topics"],
        suggested_seconds=data["suggested_seconds"],
        follow_ups=data["follow_ups"],
    )
