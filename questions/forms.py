"""Filtering the question bank and a deck, a deck's name, and the admin's follow-up questions
and import upload."""

from collections.abc import Collection

from django import forms
from django.http import QueryDict

from questions.models import MAX_FOLLOW_UPS, Deck, Level, Topic
from questions.search import search


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    level = forms.MultipleChoiceField(
        choices=Level.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    topic = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.builtin(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def filter(self, questions):
        if not self.is_valid():
            return questions
        if levels := self.cleaned_data["level"]:
            questions = questions.filter(level__in=levels)
        if topics := self.cleaned_data["topic"]:
            questions = questions.filter(topics__in=topics).distinct()
        if words := self.cleaned_data["q"]:
            questions = search(questions, words)
        return questions


def chosen_filters(
    query: QueryDict, topic_slugs: Collection[str]
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The levels and topic slugs a query string filters the bank by, sorted and once each,
    when every one of them exists (when QuestionFilterForm accepts them); None otherwise.
    Other parameters are ignored, as the form ignores them."""
    levels = set(query.getlist("level"))
    topics = set(query.getlist("topic"))
    if not levels <= set(Level.values) or not topics <= set(topic_slugs):
        return None
    return tuple(sorted(levels)), tuple(sorted(topics))


class ImportQuestionsForm(forms.Form):
    file = forms.FileField(
        label="JSON file", help_text="A file in the format export_questions writes."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(
                "The file is larger than 5 MB; that is not a question bank."
            )
        return upload


class TextareaField(forms.CharField):
    """Text typed in a <textarea>. Browsers send each line break as CRLF but count it as one
    character against `maxlength`, so line breaks become LF before the length is checked,
    and text saved unchanged stays byte for byte what it was."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


class FollowUpsField(forms.CharField):
    """Follow-up questions edited as text, one per line; the model's validator judges them."""

    widget = forms.Textarea(attrs={"rows": MAX_FOLLOW_UPS + 1, "cols": 90})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("help_text", f"One question per line, at most {MAX_FOLLOW_UPS}.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        return [line.strip() for line in super().to_python(value).splitlines() if line.strip()]


class DeckForm(forms.ModelForm):
    class Meta:
        model = Deck
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DeckQuestionFilterForm(QuestionFilterForm):
    """A deck's questions: words to find, levels, and the topics its questions use."""

    def __init__(self, *args, deck: Deck, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(questions__deck=deck).distinct()


class DeckImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A .csv file, an Anki “Notes in Plain Text” .txt file or an InterviewPrep "
        ".json file.",
    )
