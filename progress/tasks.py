"""Progress's periodic work, queued by the schedule (interviewprep/periodic.py)."""

from django.tasks import task
from django.utils import timezone

from progress import reminders


@task
def send_reminders(slot: str) -> int:
    """The reminder pass for the quarter of an hour starting at `slot`."""
    return reminders.send_reminders(timezone.now())
