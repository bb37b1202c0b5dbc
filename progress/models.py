"""The spaced-repetition schedule: one FSRS card per user and question, and the review log
that is its source of truth (and the table the dashboard's figures are computed from)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from questions.models import MAX_KEY_POINT_CHARS, Question
from sessions.models import SessionQuestion


class ReviewCard(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="review_cards")
    # FSRS state, rebuilt from the log by progress.scheduling.
    state = models.PositiveSmallIntegerField(default=1)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    # Totals of the log, recomputed in SQL with the schedule, so the dashboard reads ~30 rows.
    reviews = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    covered_sum = models.PositiveIntegerField(default=0)
    key_point_sum = models.PositiveIntegerField(default=0)
    timed_out = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="card_user_question_unique"),
        ]
        indexes = [models.Index(fields=["user", "due"], name="card_user_due")]

    def __str__(self) -> str:
        return f"Card {self.pk}: {self.user} / Q{self.question_id}"

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.reviews if self.reviews else None


class ReviewLogEntry(models.Model):
    """One graded answer, in FSRS's terms, with the card's FSRS state right after it. Changing
    the grade changes the entry, and the card is replayed from the entry before it on."""

    card = models.ForeignKey(ReviewCard, on_delete=models.CASCADE, related_name="log")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_log"
    )
    item = models.OneToOneField(SessionQuestion, on_delete=models.CASCADE, related_name="review")
    rating = models.PositiveSmallIntegerField()
    review_datetime = models.DateTimeField()
    review_duration = models.PositiveIntegerField(
        null=True, blank=True, help_text="Milliseconds, as FSRS counts them."
    )
    answered_on = models.DateField(help_text="The day of the review in the user's time zone.")
    covered_count = models.PositiveSmallIntegerField()
    key_point_count = models.PositiveSmallIntegerField()
    timed_out = models.BooleanField(default=False)
    deck_next_due = models.DateTimeField(
        help_text="The earliest due date of the user's cards right after this review."
    )
    # The card as FSRS left it after this review (its last_review being review_datetime), so
    # that a changed grade replays the log from the entry before it instead of from the
    # start. Written by progress.scheduling; empty only on rows no replay has reached yet
    # (a replay reaching one starts from the beginning and fills it).
    state_after = models.PositiveSmallIntegerField(null=True, blank=True)
    step_after = models.PositiveSmallIntegerField(null=True, blank=True)
    stability_after = models.FloatField(null=True, blank=True)
    difficulty_after = models.FloatField(null=True, blank=True)
    due_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_datetime"]
        indexes = [
            models.Index(fields=["user", "answered_on"], name="log_user_day"),
            models.Index(fields=["card", "review_datetime"], name="log_card_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=4), name="log_rating_range"
            ),
            models.CheckConstraint(
                condition=Q(covered_count__lte=models.F("key_point_count")),
                name="log_covered_within_key_points",
            ),
            # FSRS's states: Learning 1 and Relearning 3 are at a step, Review 2 is not.
            models.CheckConstraint(
                condition=Q(
                    state_after__isnull=True,
                    step_after__isnull=True,
                    stability_after__isnull=True,
                    difficulty_after__isnull=True,
                    due_after__isnull=True,
                )
                | Q(
                    state_after__in=[1, 3],
                    step_after__isnull=False,
                    stability_after__gt=0,
                    difficulty_after__gte=1,
                    difficulty_after__lte=10,
                    due_after__gt=models.F("review_datetime"),
                )
                | Q(
                    state_after=2,
                    step_after__isnull=True,
                    stability_after__gt=0,
                    difficulty_after__gte=1,
                    difficulty_after__lte=10,
                    due_after__gt=models.F("review_datetime"),
                ),
                name="log_card_after_is_an_fsrs_state_or_unknown",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of card {self.card_id} at {self.review_datetime:%Y-%m-%d %H:%M}"


class KeyPointMiss(models.Model):
    """How often a key point of a card's question was shown and not covered, and how the
    detector's suggestions for it fared on graded answers (see sessions.feedback.suggestions'
    AGREEMENT), kept with the log so that a question's history reads a few rows."""

    card = models.ForeignKey(ReviewCard, on_delete=models.CASCADE, related_name="key_point_misses")
    text = models.CharField(max_length=MAX_KEY_POINT_CHARS)
    shown = models.PositiveIntegerField()
    missed = models.PositiveIntegerField()
    accepted = models.PositiveIntegerField(default=0, help_text="Suggested and ticked.")
    rejected = models.PositiveIntegerField(default=0, help_text="Suggested and left unticked.")
    ticked_unsuggested = models.PositiveIntegerField(
        default=0, help_text="Ticked without a suggestion."
    )
    agreed = models.PositiveIntegerField(default=0, help_text="Ticked as suggested, or not.")
    decided = models.PositiveIntegerField(default=0, help_text="With a suggestion either way.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "text"], name="keypoint_miss_unique"),
        ]
        indexes = [models.Index(fields=["card", "-missed"], name="keypoint_miss_card")]

    def __str__(self) -> str:
        return self.text


class ActivityDay(models.Model):
    """The log summed per user and day, recomputed from the log for the day a review lands
    on, so the dashboard reads one row per active day instead of every answer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_days"
    )
    day = models.DateField()
    answers = models.PositiveIntegerField()
    rating_sum = models.PositiveIntegerField()
    covered = models.PositiveIntegerField()
    key_points = models.PositiveIntegerField()
    mismatched = models.PositiveIntegerField(
        help_text="Grades that disagree with the key points ticked."
    )
    next_due = models.DateTimeField(
        null=True, help_text="The earliest due date of the user's cards after that day."
    )

    class Meta:
        ordering = ["user", "day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="activity_user_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.day}: {self.answers}"


class ProgressVersion(models.Model):
    """Counts the changes to what a user's dashboard shows; the cached dashboard is keyed by
    it (interviewprep/cache_versions.py), so a change shows on the next request."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="progress_version",
    )
    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Progress of {self.user_id}: version {self.number}"


class BankVersion(models.Model):
    """Counts the changes to the question bank (one row); the cached bank list and the
    dashboard's topic figures are keyed by it."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="bank_version_single_row")]

    def __str__(self) -> str:
        return f"Question bank version {self.number}"


class ReminderKind(models.TextChoices):
    DUE = "due", "Questions due"
    INTERVIEW_IN_7_DAYS = "interview-7", "Interview in 7 days"
    INTERVIEW_TOMORROW = "interview-1", "Interview tomorrow"


class ReminderSent(models.Model):
    """A reminder email claimed for one user, kind and day of theirs. The row is written in
    the transaction that queues the email, so a second pass (another worker, or one
    restarted mid-way) finds it and sends nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders_sent"
    )
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    day = models.DateField(help_text="The user's day, in their time zone.")
    queued_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "day"], name="one_reminder_of_a_kind_per_user_per_day"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id} on {self.day}"
