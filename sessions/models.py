"""A mock interview: its configuration, its ordered questions as they were shown, and the answers."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, prefetch_related_objects
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from questions.models import (
    MAX_CLAIM_CHARS,
    MAX_KEY_POINT_CHARS,
    MAX_SECONDS,
    MIN_SECONDS,
    KeyPoint,
    Level,
    Question,
)
from sessions.choices import (  # noqa: F401 (also imported from here)
    MAX_ANSWER_CHARS,
    MAX_DRAFT_CHARS,
    MAX_NOTE_CHARS,
    MAX_QUESTIONS_PER_INTERVIEW,
    FinishState,
    InterviewStatus,
    QuestionOrder,
    Rating,
    TimingMode,
)
from sessions.feedback.cue_generation import with_cues
from sessions.timed_answers import TimedAnswer, timed_answer_constraints


class InterviewSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews"
    )
    status = models.CharField(
        max_length=12, choices=InterviewStatus.choices, default=InterviewStatus.IN_PROGRESS
    )
    levels = models.JSONField(default=list, help_text="The levels chosen, empty for any.")
    topics = models.JSONField(default=list, help_text="The topic slugs chosen, empty for any.")
    timing_mode = models.CharField(max_length=10, choices=TimingMode.choices)
    fixed_seconds = models.PositiveIntegerField(null=True, blank=True)
    order = models.CharField(max_length=10, choices=QuestionOrder.choices)
    # After each graded answer, a follow-up with this many seconds (none when untimed).
    follow_up_round = models.BooleanField(default=False)
    follow_up_seconds = models.PositiveIntegerField(null=True, blank=True)
    question_count = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="interview_user_started"),
            # The dashboard counts a user's completed interviews from this index alone.
            models.Index(fields=["user", "status"], name="interview_user_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="in_progress"),
                name="one_interview_in_progress_per_user",
                violation_error_message="You already have an interview in progress.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InterviewStatus.values), name="interview_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(question_count__gte=1, question_count__lte=MAX_QUESTIONS_PER_INTERVIEW),
                name="interview_question_count_range",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        timing_mode="fixed",
                        fixed_seconds__gte=MIN_SECONDS,
                        fixed_seconds__lte=MAX_SECONDS,
                    )
                    | Q(timing_mode__in=["suggested", "untimed"], fixed_seconds__isnull=True)
                ),
                name="interview_fixed_seconds_matches_mode",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_seconds__isnull=True)
                | Q(
                    follow_up_round=True,
                    follow_up_seconds__gte=MIN_SECONDS,
                    follow_up_seconds__lte=MAX_SECONDS,
                ),
                name="interview_follow_up_seconds_only_with_the_round",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview {self.pk} of {self.user} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("interviews:play", args=[self.pk])

    @property
    def is_timed(self) -> bool:
        return self.timing_mode != TimingMode.UNTIMED


class SessionQuestion(TimedAnswer):
    """One question of an interview: what was shown, the clock, the answer and its grade."""

    interview = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="session_questions"
    )
    # What was shown, kept as it was: no later edit, nor deleting the deck, rewrites history.
    prompt = models.TextField()
    reference_answer = models.TextField()
    follow_ups = models.JSONField(default=list, blank=True)
    level = models.CharField(max_length=12, choices=Level.choices)
    # The self-grade, apart from the clock: being slow is not the same as not knowing.
    self_rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["interview", "position"]
        indexes = [
            models.Index(fields=["question", "interview"], name="item_question_interview"),
            models.Index(fields=["graded_at"], name="item_graded_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["interview", "position"], name="item_position_unique"),
            models.UniqueConstraint(fields=["interview", "question"], name="item_question_unique"),
            models.CheckConstraint(
                condition=Q(self_rating__isnull=True) | Q(self_rating__gte=1, self_rating__lte=4),
                name="item_self_rating_range",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), MAX_NOTE_CHARS),
                name="item_note_length",
            ),
            *timed_answer_constraints("item"),
        ]

    def __str__(self) -> str:
        return f"Question {self.position} of interview {self.interview_id}"


def evidence_is_a_span_of(flag: str, name: str) -> models.CheckConstraint:
    """No evidence, or a span of the answer that backs a detection marked by `flag`."""
    return models.CheckConstraint(
        condition=Q(evidence_start__isnull=True, evidence_end__isnull=True)
        | Q(
            evidence_start__isnull=False,
            evidence_end__isnull=False,
            evidence_start__lte=F("evidence_end"),
            **{flag: True},
        ),
        name=name,
    )


class AnswerEvidence(models.Model):
    """The sentence of the answer that made the detector decide: a span of its text."""

    evidence_start = models.PositiveIntegerField(null=True, blank=True)
    evidence_end = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def evidence(self) -> str:
        if self.evidence_start is None:
            return ""
        return self.item.answer_text[self.evidence_start : self.evidence_end]


class ShownKeyPoint(AnswerEvidence):
    """A key point as it was shown with one answer, and whether the user covered it."""

    item = models.ForeignKey(SessionQuestion, on_delete=models.CASCADE, related_name="key_points")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=MAX_KEY_POINT_CHARS)
    # The cue phrases as they were when the interview started: later bank edits change nothing.
    cues = models.JSONField(default=list, blank=True)
    # The user's tick: the truth for the rating, the schedule and every statistic.
    covered = models.BooleanField(default=False)
    # What the detector suggested once the answer was final; empty before then.
    suggested = models.BooleanField(null=True, blank=True)
    suggestion_score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="shown_keypoint_unique"),
            models.CheckConstraint(
                condition=Q(suggestion_score__isnull=True)
                | Q(suggestion_score__gte=0, suggestion_score__lte=1),
                name="shown_keypoint_score_is_a_share",
            ),
            evidence_is_a_span_of("suggested", "shown_keypoint_evidence_is_a_span_of_a_suggestion"),
        ]

    def __str__(self) -> str:
        return self.text


class ShownMisconception(AnswerEvidence):
    """A common misconception of the question as it was when the interview started, and
    whether the detector found the answer stating it (with the sentence that does)."""

    item = models.ForeignKey(
        SessionQuestion, on_delete=models.CASCADE, related_name="misconceptions"
    )
    position = models.PositiveSmallIntegerField()
    claim = models.CharField(max_length=MAX_CLAIM_CHARS)
    why_wrong = models.TextField()
    correction = models.TextField()
    # The position of the ShownKeyPoint it contradicts.
    contradicts = models.PositiveSmallIntegerField()
    cues = models.JSONField(default=list, blank=True)
    # Set once the answer is final, as the key points' suggestions are.
    stated = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="shown_misconception_unique"),
            evidence_is_a_span_of(
                "stated", "shown_misconception_evidence_is_a_span_of_a_stated_one"
            ),
        ]

    def __str__(self) -> str:
        return self.claim


# What snapshot_questions reads from each question, to be prefetched.
SHOWN_WITH_QUESTION = ("key_points", "misconceptions")


def snapshot_questions(items: list[SessionQuestion], questions: list[Question]) -> None:
    """Copy each question's key points and misconceptions to its item of the interview as
    they are now: later edits to the bank rewrite no history. Reads them in one query each
    (none when they come prefetched)."""
    prefetch_related_objects(questions, *SHOWN_WITH_QUESTION)
    pairs = list(zip(items, questions, strict=True))
    ShownKeyPoint.objects.bulk_create(
        ShownKeyPoint(item=item, position=position, text=point.text, cues=cues)
        for item, question in pairs
        for position, (point, cues) in enumerate(with_cues(question.key_points.all()), start=1)
    )
    ShownMisconception.objects.bulk_create(
        ShownMisconception(
            item=item,
            position=position,
            claim=wrong.claim,
            why_wrong=wrong.why_wrong,
            correction=wrong.correction,
            contradicts=wrong.contradicts,
            cues=wrong.cues,
        )
        for item, question in pairs
        for position, wrong in enumerate(question.misconceptions.all(), start=1)
    )


class KeyPointSuggestions(KeyPoint):
    """A bank key point seen through how its suggestions fared in graded answers (admin)."""

    class Meta:
        proxy = True
        verbose_name = "key-point suggestion"
        verbose_name_plural = "key-point suggestions"


# Rows kept in the rooms that own them (spoken answers and their zip, a second opinion's, the
# follow-ups), loaded here.
import sessions.feedback.models  # noqa: E402, F401
from sessions.follow_ups import FollowUpAnswer, FollowUpRating  # noqa: E402, F401
from sessions.recordings.exports import ExportStatus, RecordingsExport  # noqa: E402, F401
from sessions.recordings.models import (  # noqa: E402, F401
    MAX_CHUNK_BYTES,
    RECORDING_TIMESLICE_MS,
    Container,
    Recording,
    RecordingChunk,
)
