"""Delete the per-address attempt counters whose window has passed (run daily, like
Django's clearsessions)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts import throttling


class Command(BaseCommand):
    help = "Delete the attempt counters of rate limits whose window has passed."

    def handle(self, *args, **options) -> None:
        deleted = throttling.clear_expired(timezone.now())
        self.stdout.write(f"Expired attempt counters deleted: {deleted}")
