"""The history page's filters, read from the query string."""

from django import forms
from django.db.models import Exists, OuterRef

from questions.models import Level, Topic
from sessions.models import InterviewStatus, SessionQuestion


class HistoryFilterForm(forms.Form):
    """Status, level and topic; a value that is not one of the choices is ignored."""

    status = forms.ChoiceField(choices=[("", "Any"), *InterviewStatus.choices], required=False)
    level = forms.ChoiceField(choices=[("", "Any"), *Level.choices], required=False)
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.builtin().order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any",
    )

    def __init__(self, data, **kwargs) -> None:
        # Only the filters' own keys, so that the bound form ignores "page" and the rest.
        super().__init__({name: data.get(name, "") for name in self.base_fields}, **kwargs)

    def chosen(self) -> dict:
        """The valid filters, each a value or None."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or None for name in self.fields}

    def filter(self, interviews):
        chosen = self.chosen()
        if status := chosen["status"]:
            interviews = interviews.filter(status=status)
        if level := chosen["level"]:
            interviews = interviews.filter(
                Exists(SessionQuestion.objects.filter(interview=OuterRef("pk"), level=level))
            )
        if topic := chosen["topic"]:
            interviews = interviews.filter(
                Exists(
                    SessionQuestion.objects.filter(interview=OuterRef("pk"), question__topics=topic)
                )
            )
        return interviews
