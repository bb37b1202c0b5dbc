"""Filtering the question bank, and the admin's import upload."""

from django import forms

from questions.models import Level, Topic


class QuestionFilterForm(forms.Form):
    level = forms.MultipleChoiceField(
        choices=Level.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    topic = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
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
        return questions


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
