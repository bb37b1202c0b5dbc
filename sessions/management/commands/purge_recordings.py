"""For cron: a retention policy for spoken answers."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from sessions.models import Recording
from sessions.recordings import store as recording_store


class Command(BaseCommand):
    help = (
        "Delete the recordings (rows and files) made more than DAYS days ago. The written "
        "answers, grades and notes are kept."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than", type=int, required=True, metavar="DAYS", dest="older_than"
        )

    def handle(self, *args, older_than: int, **options) -> None:
        if older_than < 0:
            self.stderr.write("--older-than must be 0 or more days.")
            raise SystemExit(2)
        cutoff = timezone.now() - timedelta(days=older_than)
        # Rows one by one through the ORM, so each one's files are deleted with it.
        count = recording_store.delete(Recording.objects.filter(created_at__lt=cutoff))
        self.stdout.write(f"Deleted {count} recording(s) made more than {older_than} days ago.")
