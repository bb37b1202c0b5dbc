"""The rows of spoken answers: a recording of one question's answer or of its follow-up's, and
the pieces it arrives in. Imported by sessions/models.py, so the models belong to the sessions
app; the interview's models are named by string to keep the import one way."""

from collections.abc import Callable

from django.db import models
from django.db.models import Q
from django.urls import reverse


class Container(models.TextChoices):
    """The audio containers accepted, recognised from their bytes (sessions/recordings/rules.py)."""

    WEBM = "webm", "WebM/Opus"
    OGG = "ogg", "Ogg/Opus"
    MP4 = "mp4", "MP4/AAC"


# How long each piece the page uploads lasts; the page gets it through a data- attribute.
RECORDING_TIMESLICE_MS = 2_000
# One piece of a few seconds of Opus or AAC is tens of kilobytes; this only stops abuse.
MAX_CHUNK_BYTES = 1_000_000

# The field of Recording that names each kind of answer a recording can belong to.
PARENT_FIELDS = {"sessionquestion": "item", "followupanswer": "follow_up"}


def parent_field(answer) -> str:
    """ "item" for a question's answer (SessionQuestion), "follow_up" for a follow-up's."""
    return PARENT_FIELDS[answer._meta.model_name]


def on_either_parent(condition: Callable[[str], Q]) -> Q:
    """`condition(field)` on a recording's question or on its follow-up, whichever it has.
    Each branch must ask for something of its parent's row (a value, a non-null column): the
    other branch's missing row then never meets it."""
    return condition("item") | condition("follow_up")


class RecordingQuerySet(models.QuerySet):
    def owned_by(self, user) -> "RecordingQuerySet":
        return self.filter(
            on_either_parent(lambda parent: Q(**{f"{parent}__interview__user": user}))
        )


class Recording(models.Model):
    """The spoken answer to one question of an interview, or to the follow-up asked after it,
    uploaded in chunks while it runs. Exactly one of `item` and `follow_up` is set.

    A reload starts a new segment (a new container stream in the browser); when the answer
    is final the segments are joined into one file (`file`), and the chunks are let go. One
    join runs at a time (`join_started_at`); one that ends without a file has failed for good."""

    item = models.OneToOneField(
        "interview_sessions.SessionQuestion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recording",
    )
    follow_up = models.OneToOneField(
        "interview_sessions.FollowUpAnswer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recording",
    )
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

    objects = RecordingQuerySet.as_manager()

    class Meta:
        app_label = "interview_sessions"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False, follow_up__isnull=True)
                | Q(item__isnull=True, follow_up__isnull=False),
                name="recording_answers_one_question_or_one_follow_up",
            ),
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
        return f"Recording of {self.answer}"

    def get_absolute_url(self) -> str:
        return reverse("interviews:recording_audio", args=[self.pk])

    @property
    def answer(self):
        """What was recorded: the question's answer (SessionQuestion) or the follow-up's
        (FollowUpAnswer). Both keep the clock and the text under the same names."""
        return self.item if self.item_id is not None else self.follow_up

    @property
    def question_item(self):
        """The interview's question it belongs to: its own, or the one its follow-up follows."""
        return self.item if self.item_id is not None else self.follow_up.item

    @property
    def answer_page_url(self) -> str:
        """Where the answer is graded: the question's grade step; a follow-up's is the
        interview's page while it is due, then the summary lists it."""
        item = self.question_item
        if self.item_id is not None:
            return reverse("interviews:review", args=[item.interview_id, item.position])
        return reverse("interviews:play", args=[item.interview_id])

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
        app_label = "interview_sessions"
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
