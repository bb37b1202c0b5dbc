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


class SessionQuestion(models.Model):
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
    # The self-grade, apart from the clock: being slow is not the same as not knowing.
    self_rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    note = models.TextField(blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)

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
                condition=Q(self_rating__isnull=True) | Q(submitted_at__isnull=False),
                name="item_graded_only_when_answered",
            ),
            models.CheckConstraint(
                condition=Q(finish_state__in=["", *FinishState.values]),
                name="item_finish_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | ~Q(finish_state=""),
                name="item_finished_has_state",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=F("shown_at")),
                name="item_deadline_after_shown",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("answer_text"), MAX_ANSWER_CHARS),
                name="item_answer_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), MAX_NOTE_CHARS),
                name="item_note_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("transcript"), MAX_ANSWER_CHARS),
                name="item_transcript_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Question {self.position} of interview {self.interview_id}"

    @property
    def is_finalised(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_graded(self) -> bool:
        return self.self_rating is not None


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


# Spoken answers


class Container(models.TextChoices):
    """The audio containers accepted, recognised from their bytes (sessions/recordings/rules.py)."""

    WEBM = "webm", "WebM/Opus"
    OGG = "ogg", "Ogg/Opus"
    MP4 = "mp4", "MP4/AAC"


# How long each piece the page uploads lasts; the page gets it through a data- attribute.
RECORDING_TIMESLICE_MS = 2_000
# One piece of a few seconds of Opus or AAC is tens of kilobytes; this only stops abuse.
MAX_CHUNK_BYTES = 1_000_000


class Recording(models.Model):
    """The spoken answer to one question of an interview, uploaded in chunks while it runs.

    A reload starts a new segment (a new container stream in the browser); when the answer
    is final the segments are joined into one file (`file`), and the chunks are let go. One
    join runs at a time (`join_started_at`); one that ends without a file has failed for good."""

    item = models.OneToOneField(SessionQuestion, on_delete=models.CASCADE, related_name="recording")
    created_at = models.DateTimeField()
    container = models.CharField(max_length=4, choices=Container.choices, blank=True)
    # Bytes held for this answer: its chunks while recording, then the joined file.
    size_bytes = models.PositiveBigIntegerField(default=0)
    segments = models.PositiveSmallIntegerField(default=0, help_text="Segments started.")
    chunk_count = models.PositiveIntegerField(default=0, help_text="Chunks kept.")
    # What the page said it had recorded so far, to stop it early at the limit; the length
    # of the joined file is the authority (duration_ms).
    recorded_ms = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=255, blank=True, help_text="The joined recording.")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    word_count = models.PositiveIntegerField(null=True, blank=True)
    assembled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the join ended: with a file, or without one."
    )
    join_queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When joining the final answer's pieces was queued."
    )
    join_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a join claimed the pieces (one at a time)."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(container__in=["", *Container.values]),
                name="recording_container_valid",
            ),
            models.CheckConstraint(
                condition=Q(file="") | Q(duration_ms__isnull=False, assembled_at__isnull=False),
                name="recording_file_has_duration",
            ),
        ]

    def __str__(self) -> str:
        return f"Recording of {self.item}"

    def get_absolute_url(self) -> str:
        return reverse("interviews:recording_audio", args=[self.pk])

    @property
    def duration_seconds(self) -> float | None:
        return None if self.duration_ms is None else self.duration_ms / 1000

    @property
    def media_type(self) -> str:
        return {"webm": "audio/webm", "ogg": "audio/ogg", "mp4": "audio/mp4"}.get(
            self.container, "application/octet-stream"
        )

    @property
    def join_failed(self) -> bool:
        return not self.file and self.assembled_at is not None  # its pieces are kept

    @property
    def is_being_prepared(self) -> bool:
        """The pieces wait to be joined: no file yet, and no join has ended without one."""
        return not self.file and self.segments > 0 and self.assembled_at is None


class RecordingChunk(models.Model):
    """One piece of a recording as the page sent it; numbered so that a retried or
    reordered upload lands in its place exactly once."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="chunks")
    segment = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    file = models.CharField(max_length=255)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["recording", "segment", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "segment", "sequence"],
                name="recording_chunk_once_per_place",
            ),
            models.CheckConstraint(
                condition=Q(size_bytes__gt=0, size_bytes__lte=MAX_CHUNK_BYTES),
                name="recording_chunk_size_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Chunk {self.segment}.{self.sequence} of recording {self.recording_id}"


# Rows kept in the rooms that own them (the recordings zip, a second opinion's), loaded here.
import sessions.feedback.models  # noqa: E402, F401
from sessions.follow_ups import FollowUpAnswer, FollowUpRating  # noqa: E402, F401
from sessions.recordings.exports import ExportStatus, RecordingsExport  # noqa: E402, F401
