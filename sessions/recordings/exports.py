"""The zip of all of one user's recordings, built by a task (sessions/recordings/tasks.py)
and kept for a limited time: its row, one per build."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class RecordingsExport(models.Model):
    """A zip of all of one user's recordings, built by a task and kept for a limited time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recordings_exports"
    )
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    requested_at = models.DateTimeField()
    recordings_total = models.PositiveIntegerField(default=0)
    recordings_done = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "interview_sessions"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="recordings_export_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(expires_at__isnull=False)),
                name="recordings_export_ready_has_file_and_expiry",
            ),
            # One build at a time per user: asking again while one runs shows that one.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["queued", "building"]),
                name="one_recordings_export_building_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"Recordings zip of {self.user} ({self.status})"

    @property
    def percent_done(self) -> int:
        if not self.recordings_total:
            return 0
        return self.recordings_done * 100 // self.recordings_total
