"""Import questions from a JSON file in the fixture's format, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions import bank, loading


class Command(BaseCommand):
    help = (
        "Check FILE whole, then add its new questions and update the changed ones in one "
        "transaction. A file with any problem changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            plan = bank.check(bank.parse(file.read_bytes()))
            loading.apply(plan)
        except FileNotFoundError:
            raise CommandError(f"No file at {file}.") from None
        except bank.BankError as error:
            raise CommandError(
                f"{file} was refused and nothing was changed:\n" + "\n".join(error.problems)
            ) from None
        self.stdout.write(
            f"Imported {file}: {len(plan.added)} added, {len(plan.changed)} changed, "
            f"{len(plan.unchanged)} unchanged."
        )
