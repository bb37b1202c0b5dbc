"""Load fixtures/questions.json into the bank, idempotently."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions import bank, loading

DEFAULT_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "questions.json"


class Command(BaseCommand):
    help = (
        "Add the fixture's questions that are missing and refresh the ones nobody has edited. "
        "Questions edited in admin are left alone unless --update is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_FIXTURE)
        parser.add_argument(
            "--update", action="store_true", help="Let the fixture win over edits made in admin."
        )

    def handle(self, *args, file: Path, update: bool, **options) -> None:
        try:
            data = bank.parse(file.read_bytes())
            result = loading.seed(data, update=update)
        except FileNotFoundError:
            raise CommandError(f"No fixture at {file}.") from None
        except bank.BankError as error:
            raise CommandError(f"{file} was refused:\n" + "\n".join(error.problems)) from None
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Questions: {result.added} added, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.kept_edited} edited in admin and kept."
        )
