"""`make eval`: the key-point detector measured on the labelled answers, with hand-written
cues and with generated ones."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions.feedback import cue_eval, evaluation

# Run in a fresh interpreter, so that what the detector adds is all that is measured: the
# resident memory after reading the data, then after importing and running the detector.
MEMORY_PROBE = """
import json, os, sys
def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
answers = json.load(open(sys.argv[1]))["answers"]
bank = json.load(open(sys.argv[2]))["questions"]
points = {q["number"]: [(p, []) if isinstance(p, str) else (p.get("cues", []), p["text"])
          for p in q["key_points"]] for q in bank}
points = {n: [(c, t) if isinstance(t, str) else ([], c) for c, t in kps] for n, kps in points.items()}
before = resident()
from sessions.feedback import detection
for answer in answers:
    detection.detect_all(answer["answer"], points[answer["question"]])
print((resident() - before) / 1e6)
"""


class Command(BaseCommand):
    help = (
        "Measure the key-point detector on labelled answers, for the held-out and the tuning "
        "half of the questions: precision, recall and F1 per kind of answer beside a keyword "
        "baseline, false ticks, how often a misconception is found, time per answer and memory."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--answers",
            default=str(Path(settings.BASE_DIR) / "fixtures" / "eval_answers.json"),
            help="The labelled answers (default: fixtures/eval_answers.json).",
        )
        parser.add_argument(
            "--bank",
            default=str(Path(settings.BASE_DIR) / "fixtures" / "questions.json"),
            help="The questions with their key points and cues (default: the fixture).",
        )
        parser.add_argument("--misses", action="store_true", help="Also list every wrong decision.")

    def handle(self, *args, **options) -> None:
        try:
            answers = evaluation.load_answers(Path(options["answers"]))
            questions = evaluation.load_questions(Path(options["bank"]))
            bank = {number: points for number, (points, _) in questions.items()}
            wrongs = {number: wrongs for number, (_, wrongs) in questions.items()}
            report = evaluation.evaluate(answers, bank, misconceptions=wrongs)
            generated = evaluation.evaluate(
                answers, cue_eval.generated_bank(bank), misconceptions=wrongs
            )
        except evaluation.EvalSetError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Key-point suggestions measured on {options['answers']}:")
        self.stdout.write(evaluation.format_report(report, self._memory_mb(options)))
        self.stdout.write("")
        self.stdout.write(cue_eval.format_comparison(report, generated))
        if options["misses"]:
            self.stdout.write("")
            self.stdout.write(evaluation.format_misses(report))

    def _memory_mb(self, options) -> float | None:
        if not Path("/proc/self/statm").exists():
            return None
        probe = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, options["answers"], options["bank"]],
            capture_output=True,
            text=True,
            cwd=settings.BASE_DIR,
            check=False,
        )
        try:
            return float(probe.stdout.strip())
        except ValueError:
            return None
