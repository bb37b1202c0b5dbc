"""Batch key-point suggestions: JSON Lines of answers in, one JSON line of suggestions out."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from questions.models import Question
from sessions.feedback.misconceptions import detect_feedback
from sessions.models import MAX_ANSWER_CHARS

# An answer the site would take, with every character escaped (\uXXXX) and room for the rest.
MAX_LINE_CHARS = 6 * MAX_ANSWER_CHARS + 1_000


def _read(path: str) -> list[str]:
    """The file's lines, split on line feeds only: U+2028 or U+0085 inside a JSON string
    is text, not the end of a line. A byte-order mark at the start is allowed."""
    if path == "-":
        return sys.stdin.read().removeprefix("\ufeff").split("\n")
    try:
        with open(path, encoding="utf-8-sig", newline="") as lines:
            return lines.read().split("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from None


def _parse(number: int, line: str, problems: list[str]) -> dict | None:
    if len(line) > MAX_LINE_CHARS:
        problems.append(f"Line {number}: longer than any answer the site takes.")
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        problems.append(f"Line {number}: not valid JSON ({error.msg}).")
        return None
    except (ValueError, RecursionError):
        # A number of more than 4,300 digits, or arrays nested past Python's stack.
        problems.append(f"Line {number}: not JSON this command can read.")
        return None
    if not isinstance(record, dict):
        problems.append(f"Line {number}: must be an object with 'question' and 'answer'.")
        return None
    question, answer = record.get("question"), record.get("answer")
    if not isinstance(question, int) or isinstance(question, bool):
        problems.append(f"Line {number}: 'question' must be a question number.")
        return None
    if not isinstance(answer, str):
        problems.append(f"Line {number}: 'answer' must be text.")
        return None
    if len(answer) > MAX_ANSWER_CHARS:
        problems.append(f"Line {number}: 'answer' is longer than {MAX_ANSWER_CHARS:,} characters.")
        return None
    return {"line": number, "question": question, "answer": answer}


class Command(BaseCommand):
    help = (
        'Read JSON Lines of {"question": <number>, "answer": "<text>"} from FILE ("-" for '
        'standard input) and write, per line, {"question": n, "covered": [1-based '
        'positions], "scores": [one per key point], "misconceptions": [1-based positions of '
        "the misconceptions it seems to state]}. Nothing is written if any line is bad."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help='A JSON Lines file, or "-" for standard input.')

    def handle(self, *args, **options) -> None:
        problems: list[str] = []
        records = [
            record
            for number, line in enumerate(_read(options["file"]), start=1)
            if line.strip() and (record := _parse(number, line, problems)) is not None
        ]
        questions = {
            question.number: question
            for question in Question.objects.builtin()
            .filter(number__in={record["question"] for record in records})
            .prefetch_related("key_points", "misconceptions")
        }
        for record in records:
            if record["question"] not in questions:
                problems.append(f"Line {record['line']}: unknown question {record['question']}.")
        if problems:
            raise CommandError("\n".join(sorted(problems, key=_line_number)))
        for record in records:
            question = questions[record["question"]]
            feedback = detect_feedback(
                record["answer"],
                [(point.cues, point.text) for point in question.key_points.all()],
                [(wrong.cues, wrong.contradicts) for wrong in question.misconceptions.all()],
            )
            self.stdout.write(
                json.dumps(
                    {
                        "question": record["question"],
                        "covered": [
                            position
                            for position, suggestion in enumerate(feedback.key_points, start=1)
                            if suggestion.covered
                        ],
                        "scores": [suggestion.score for suggestion in feedback.key_points],
                        "misconceptions": feedback.stated,
                    }
                )
            )


def _line_number(problem: str) -> int:
    return int(problem.split()[1].rstrip(":"))
