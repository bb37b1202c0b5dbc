"""Forms of a second opinion: the candidate's link, and the reviewer's grade of one answer
and their comments on moments of its recording."""

from django import forms

from sessions.feedback import reviews
from sessions.feedback.models import (
    MAX_MOMENT_CHARS,
    MAX_REVIEW_COMMENT_CHARS,
    MAX_REVIEWER_NAME_CHARS,
    Verdict,
)
from sessions.fields import NUL_IN, TextareaField
from sessions.models import Rating
from sessions.templatetags.recordings import recording_length


class ReviewLinkForm(forms.Form):
    reviewer_name = forms.CharField(
        label="Reviewer's name (optional)",
        required=False,
        max_length=MAX_REVIEWER_NAME_CHARS,
        help_text="Only for you, to tell the links apart.",
        error_messages={"null_characters_not_allowed": NUL_IN.format("The name", "try again")},
    )
    show_answers = forms.BooleanField(label="Show my written answers", required=False, initial=True)
    show_recordings = forms.BooleanField(
        label="Let them play my recordings", required=False, initial=True
    )
    show_own_grades = forms.BooleanField(
        label="Show my own grades",
        required=False,
        initial=False,
        help_text="Hidden by default, so that your grades do not sway theirs.",
    )
    days = forms.IntegerField(
        label="The link works for (days)",
        min_value=reviews.MIN_DAYS,
        max_value=reviews.MAX_DAYS,
        initial=reviews.DEFAULT_DAYS,
        error_messages={
            "min_value": f"Choose {reviews.MIN_DAYS} to {reviews.MAX_DAYS} days.",
            "max_value": f"Choose {reviews.MIN_DAYS} to {reviews.MAX_DAYS} days.",
        },
    )
    email = forms.EmailField(
        label="Email the link to (optional)",
        required=False,
        help_text="Sent once; the address is not kept.",
    )

    def __init__(self, *args, by_email: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not by_email:
            del self.fields["email"]

    def options(self) -> reviews.LinkOptions:
        data = self.cleaned_data
        return reviews.LinkOptions(
            reviewer_name=data["reviewer_name"],
            show_answers=data["show_answers"],
            show_recordings=data["show_recordings"],
            show_own_grades=data["show_own_grades"],
            days=data["days"],
        )


def verdict_choices() -> list[tuple[int, str]]:
    """ "Again: would not pass" ... "Easy: strong": the candidate's scale in an interviewer's
    words."""
    return [
        (verdict.value, f"{Rating(verdict.value).label}: {verdict.label.lower()}")
        for verdict in Verdict
    ]


class ReviewAnswerForm(forms.Form):
    verdict = forms.TypedChoiceField(
        label="Your verdict",
        coerce=int,
        empty_value=None,
        required=False,
        choices=verdict_choices,
        widget=forms.RadioSelect,
    )
    key_points = forms.TypedMultipleChoiceField(
        label="Key points the answer covered",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = TextareaField(
        label="Your comments",
        required=False,
        max_length=MAX_REVIEW_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": (
                f"Your comments are longer than {MAX_REVIEW_COMMENT_CHARS:,} characters "
                "(they have %(show_value)s). Shorten them and save again."
            ),
            "null_characters_not_allowed": NUL_IN.format("Your comment", "save again"),
        },
    )

    def __init__(self, *args, key_points, prefix_position: int, **kwargs) -> None:
        super().__init__(*args, prefix=f"q{prefix_position}", **kwargs)
        self.fields["key_points"].choices = [(point.position, point.text) for point in key_points]


class MomentForm(forms.Form):
    at = forms.CharField(
        label="At (minutes:seconds)",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8}),
        error_messages={"required": "Say when: a time such as 0:42."},
    )
    text = forms.CharField(
        label="Comment on that moment",
        max_length=MAX_MOMENT_CHARS,
        error_messages={
            "required": "Write the comment.",
            "max_length": (
                f"A comment on a moment holds at most {MAX_MOMENT_CHARS} characters "
                "(this one has %(show_value)s)."
            ),
            "null_characters_not_allowed": NUL_IN.format("The comment", "add it again"),
        },
    )

    def __init__(self, *args, prefix_position: int, length_ms: int | None = None, **kwargs) -> None:
        super().__init__(*args, prefix=f"m{prefix_position}", **kwargs)
        self.length_ms = length_ms

    def clean_at(self) -> int:
        at_ms = reviews.parse_moment(self.cleaned_data["at"])
        if at_ms is None:
            raise forms.ValidationError("Write the time as minutes and seconds, such as 0:42.")
        # The player shows whole seconds: the last one it shows is still within.
        if self.length_ms is not None and at_ms > self.length_ms + 999:
            raise forms.ValidationError(
                f"The recording lasts {recording_length(self.length_ms)}: "
                "choose a moment within it."
            )
        return at_ms
