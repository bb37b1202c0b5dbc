"""For cron: finalise the questions whose time ran out while nobody was there."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from sessions import engine


class Command(BaseCommand):
    help = (
        "Finalise every shown question whose deadline and grace period have passed, with the "
        "deadline as its finishing time; interviews whose questions are all final complete."
    )

    def handle(self, *args, **options) -> None:
        count = engine.close_expired_interviews(timezone.now())
        self.stdout.write(f"Finalised {count} question(s) that ran out of time.")
