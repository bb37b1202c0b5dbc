"""Run one reminder pass now: the pass the schedule runs every quarter of an hour."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from progress import reminders


class Command(BaseCommand):
    help = (
        "Queue every reminder email that is due now and not yet sent (the workers send them). "
        "Safe to run at any time, as often as you like: no user gets one email twice."
    )

    def handle(self, *args, **options) -> None:
        count = reminders.send_reminders(timezone.now())
        self.stdout.write(f"Queued {count} reminder email(s).")
