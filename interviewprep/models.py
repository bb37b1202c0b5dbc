"""The runs of periodic work: one row per job and time slot, so that of several workers
checking the schedule at once exactly one queues each slot's run."""

from django.db import models


class PeriodicRun(models.Model):
    job = models.CharField(max_length=64)
    slot = models.DateTimeField(help_text="The start of the period this run is for.")
    queued_at = models.DateTimeField()

    class Meta:
        ordering = ["-slot", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_job_and_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job} at {self.slot:%Y-%m-%d %H:%M}"
