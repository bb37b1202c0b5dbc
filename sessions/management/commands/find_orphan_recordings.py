"""For operators: files in the recordings storage that no row names, e.g. left by a crash."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from sessions.recordings import store as recording_store


class Command(BaseCommand):
    help = (
        "List the files in the recordings storage (the disk or the bucket) that no recording "
        "or chunk names, written more than MINUTES minutes ago; with --delete, delete them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=60,
            metavar="MINUTES",
            dest="older_than",
            help="Only files written more than this many minutes ago (default 60).",
        )
        parser.add_argument("--delete", action="store_true", help="Delete the files found.")

    def handle(self, *args, older_than: int, delete: bool, **options) -> None:
        if older_than < 0:
            self.stderr.write("--older-than must be 0 or more minutes.")
            raise SystemExit(2)
        written_before = timezone.now() - timedelta(minutes=older_than)
        found = 0
        for name in recording_store.orphan_files(written_before):
            found += 1
            if delete:
                recording_store.storage().delete(name)
            self.stdout.write(name)
        verb = "Deleted" if delete else "Found"
        self.stdout.write(f"{verb} {found} file(s) that no recording names.")
