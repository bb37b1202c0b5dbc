"""What a question's answer and a follow-up's answer share: the clock the server keeps, the
answer written against it, and the rules the database holds them to. The engine's clock rules
(sessions/engine.py) serve both."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from sessions.choices import MAX_ANSWER_CHARS, FinishState


class TimedAnswer(models.Model):
    time_allowed = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds; empty when untimed."
    )
    # The clock, kept by the server.
    shown_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    # The answer.
    draft = models.TextField(blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    answer_text = models.TextField(blank=True)
    # What speech recognition heard, as it heard it: the words of the delivery figures (the
    # answer box gets them to edit, beside typed text, which is not speech).
    transcript = models.TextField(blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the answer was finalised."
    )
    finish_state = models.CharField(max_length=10, choices=FinishState.choices, blank=True)
    time_used = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds.")
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finalised(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_graded(self) -> bool:
        return self.self_rating is not None


def timed_answer_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The database's rules for a TimedAnswer, named after `prefix`."""
    return [
        models.CheckConstraint(
            condition=Q(self_rating__isnull=True) | Q(submitted_at__isnull=False),
            name=f"{prefix}_graded_only_when_answered",
        ),
        models.CheckConstraint(
            condition=Q(finish_state__in=["", *FinishState.values]),
            name=f"{prefix}_finish_state_valid",
        ),
        models.CheckConstraint(
            condition=Q(submitted_at__isnull=True) | ~Q(finish_state=""),
            name=f"{prefix}_finished_has_state",
        ),
        models.CheckConstraint(
            condition=Q(deadline__isnull=True) | Q(deadline__gte=F("shown_at")),
            name=f"{prefix}_deadline_after_shown",
        ),
        models.CheckConstraint(
            condition=LessThanOrEqual(Length("answer_text"), MAX_ANSWER_CHARS),
            name=f"{prefix}_answer_length",
        ),
        models.CheckConstraint(
            condition=LessThanOrEqual(Length("transcript"), MAX_ANSWER_CHARS),
            name=f"{prefix}_transcript_length",
        ),
    ]
