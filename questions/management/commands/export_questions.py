"""Write the question bank as JSON in the fixture's format."""

from pathlib import Path

from django.core.management.base import BaseCommand

from questions import bank


class Command(BaseCommand):
    help = "Export every question, its topics and key points as JSON (to FILE, or standard output)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", type=Path)

    def handle(self, *args, file: Path | None, **options) -> None:
        text = bank.dumps(bank.export_bank())
        if file is None:
            self.stdout.write(text, ending="")
        else:
            file.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {file}.")
