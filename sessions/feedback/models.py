"""A second opinion: a private link through which someone else grades a completed interview,
and what they wrote. Imported by sessions/models.py, so the models belong to the sessions app;
the interview's models are named by string to keep the import one way."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

MAX_REVIEWER_NAME_CHARS = 80
MAX_REVIEW_COMMENT_CHARS = 5_000
MAX_MOMENT_CHARS = 500
# A recording lasts at most the time allowed plus grace, or RECORDINGS_UNTIMED_MAX_SECONDS;
# a moment past a day is nonsense whatever the settings.
MAX_MOMENT_MS = 24 * 60 * 60 * 1000


class Verdict(models.IntegerChoices):
    """The reviewer's grade, on the self-grade's scale (sessions.models.Rating), in the words
    an interviewer would use."""

    AGAIN = 1, "Would not pass"
    HARD = 2, "Borderline"
    GOOD = 3, "Pass"
    EASY = 4, "Strong"


class ReviewLink(models.Model):
    """One reviewer's link to one interview, and the state of their review. Only a hash of
    the link's secret is kept: the link itself is shown to the candidate once."""

    interview = models.ForeignKey(
        "interview_sessions.InterviewSession",
        on_delete=models.CASCADE,
        related_name="review_links",
    )
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256, hex.")
    reviewer_name = models.CharField(max_length=MAX_REVIEWER_NAME_CHARS, blank=True)
    # What the reviewer sees; the candidate's own grades are hidden unless asked for, so
    # that the reviewer is not anchored by them.
    show_answers = models.BooleanField(default=True)
    show_recordings = models.BooleanField(default=True)
    show_own_grades = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the review was sent.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["interview", "-created_at"], name="review_link_interview")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="review_link_expires_after_it_is_made",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(first_opened_at__isnull=False),
                name="review_link_is_sent_only_once_opened",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reviewer_name"), MAX_REVIEWER_NAME_CHARS),
                name="review_link_reviewer_name_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Review link {self.pk} to interview {self.interview_id}"


class ReviewedAnswer(models.Model):
    """The reviewer's grade of one answer of the interview."""

    link = models.ForeignKey(ReviewLink, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(
        "interview_sessions.SessionQuestion",
        on_delete=models.CASCADE,
        related_name="second_opinions",
    )
    verdict = models.PositiveSmallIntegerField(choices=Verdict.choices, null=True, blank=True)
    comment = models.TextField(blank=True)
    # When the reviewer asked for the reference answer: before it they judged on their own.
    reference_shown_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["link", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["link", "item"], name="review_answer_once_per_link"),
            models.CheckConstraint(
                condition=Q(verdict__isnull=True) | Q(verdict__gte=1, verdict__lte=4),
                name="review_answer_verdict_range",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), MAX_REVIEW_COMMENT_CHARS),
                name="review_answer_comment_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.item} through link {self.link_id}"

    @property
    def gap(self) -> int | None:
        """The candidate's own rating minus this verdict: above 0, the reviewer was harder."""
        if self.verdict is None or self.item.self_rating is None:
            return None
        return self.item.self_rating - self.verdict

    @property
    def gap_size(self) -> int:
        return abs(self.gap or 0)

    @property
    def differs(self) -> bool:
        return bool(self.gap)


class ReviewTick(models.Model):
    """Whether the reviewer says one key point shown with the answer was covered."""

    answer = models.ForeignKey(ReviewedAnswer, on_delete=models.CASCADE, related_name="ticks")
    key_point = models.ForeignKey(
        "interview_sessions.ShownKeyPoint", on_delete=models.CASCADE, related_name="review_ticks"
    )
    covered = models.BooleanField(default=False)

    class Meta:
        ordering = ["answer", "key_point__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "key_point"], name="review_tick_once_per_key_point"
            ),
        ]

    def __str__(self) -> str:
        return f"{'Covered' if self.covered else 'Missed'}: {self.key_point_id}"


class ReviewMoment(models.Model):
    """A comment on one moment of the answer's recording ("at 0:42: ...")."""

    answer = models.ForeignKey(ReviewedAnswer, on_delete=models.CASCADE, related_name="moments")
    at_ms = models.PositiveIntegerField()
    text = models.CharField(max_length=MAX_MOMENT_CHARS)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["answer", "at_ms", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_ms__lte=MAX_MOMENT_MS), name="review_moment_within_a_day"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), MAX_MOMENT_CHARS) & ~Q(text=""),
                name="review_moment_text_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Moment at {self.at_ms} ms of {self.answer_id}"
