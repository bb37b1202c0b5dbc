"""Measuring the key-point detector against labelled answers: precision, recall and F1 over
every key-point decision, per kind of answer, beside a plain keyword baseline, with the
share of false ticks on adversarial answers and the time taken per answer."""

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sessions.feedback import detection
from sessions.models import MAX_ANSWER_CHARS

EVAL_FORMAT = "interviewprep.eval/1"
KINDS = ("strong", "partial", "weak", "adversarial")
# The cues of odd-numbered questions were tuned on the evaluation set; the even-numbered
# half was left alone, as a held-out measure. Both halves are reported.
HALVES = ("odd Q", "even Q")
ROWS = ("all", *KINDS, *HALVES)
# Adversarial answers counted per half too, for the false ticks of each half.
ADVERSARIAL_HALVES = tuple(f"adversarial, {half}" for half in HALVES)
# Targets the detector is held to.
TARGET_F1 = 0.85
TARGET_ADVERSARIAL_FALSE_TICKS = 0.10
# The keyword baseline ticks a key point when this share of its content words appears.
BASELINE_SHARE = 0.5


class EvalSetError(Exception):
    """A labelled set or a bank that cannot be read; the message says where."""


@dataclass(frozen=True)
class LabelledAnswer:
    question: int
    kind: str
    answer: str
    covers: frozenset[int]


@dataclass(frozen=True)
class BankKeyPoint:
    text: str
    cues: list[str]


@dataclass
class Counts:
    """Key-point decisions against the labels."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0

    def add(self, suggested: bool, truth: bool) -> None:
        if suggested and truth:
            self.true_positive += 1
        elif suggested:
            self.false_positive += 1
        elif truth:
            self.false_negative += 1
        else:
            self.true_negative += 1

    @property
    def decisions(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    @property
    def precision(self) -> float | None:
        ticked = self.true_positive + self.false_positive
        return self.true_positive / ticked if ticked else None

    @property
    def recall(self) -> float | None:
        covered = self.true_positive + self.false_negative
        return self.true_positive / covered if covered else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; None when neither is defined, 0 when one
        is 0 (nothing right ticked)."""
        wrong = self.false_positive + self.false_negative
        if self.true_positive + wrong == 0:
            return None
        return 2 * self.true_positive / (2 * self.true_positive + wrong)

    @property
    def false_tick_rate(self) -> float | None:
        """Of the key points an answer does not cover, the share ticked anyway."""
        uncovered = self.false_positive + self.true_negative
        return self.false_positive / uncovered if uncovered else None


@dataclass(frozen=True)
class Miss:
    answer: LabelledAnswer
    position: int
    suggested: bool
    evidence: str


@dataclass
class Report:
    answers: int = 0
    detector: dict[str, Counts] = field(default_factory=dict)
    baseline: dict[str, Counts] = field(default_factory=dict)
    seconds_per_answer: list[float] = field(default_factory=list)
    # The time for an answer as long as an answer may be, once per question of the bank.
    seconds_per_longest_answer: list[float] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)

    def meets_targets(self) -> bool:
        f1 = self.detector["all"].f1 or 0.0
        false_ticks = self.detector["adversarial"].false_tick_rate or 0.0
        return f1 >= TARGET_F1 and false_ticks <= TARGET_ADVERSARIAL_FALSE_TICKS


def load_answers(path: Path) -> list[LabelledAnswer]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise EvalSetError(f"{path}: {error}") from None
    if not isinstance(data, dict) or data.get("format") != EVAL_FORMAT:
        raise EvalSetError(f"{path}: not a labelled set in the {EVAL_FORMAT} format.")
    answers = []
    for index, raw in enumerate(data.get("answers", []), start=1):
        try:
            answers.append(
                LabelledAnswer(
                    question=int(raw["question"]),
                    kind=str(raw["kind"]),
                    answer=str(raw["answer"]),
                    covers=frozenset(int(position) for position in raw["covers"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise EvalSetError(
                f"{path}: answer {index} lacks question, kind, answer or covers."
            ) from None
        if answers[-1].kind not in KINDS:
            raise EvalSetError(f"{path}: answer {index} has unknown kind {raw['kind']!r}.")
    return answers


def load_bank(path: Path) -> dict[int, list[BankKeyPoint]]:
    """Each question's key points from a bank file in the fixture's format."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise EvalSetError(f"{path}: {error}") from None
    bank = {}
    for question in data["questions"]:
        bank[question["number"]] = [
            BankKeyPoint(point, [])
            if isinstance(point, str)
            else BankKeyPoint(point["text"], point.get("cues", []))
            for point in question["key_points"]
        ]
    return bank


Decider = Callable[[str, list[BankKeyPoint]], list[detection.Suggestion]]


def detector(answer: str, key_points: list[BankKeyPoint]) -> list[detection.Suggestion]:
    return detection.detect_all(answer, [(point.cues, point.text) for point in key_points])


def keyword_baseline(answer: str, key_points: list[BankKeyPoint]) -> list[detection.Suggestion]:
    """Ticks a key point when half of its own content words appear anywhere in the answer:
    no cues, no sentences, no negation."""
    words = detection.content_stems(answer)
    suggestions = []
    for point in key_points:
        wanted = detection.content_stems(point.text)
        share = len(wanted & words) / len(wanted) if wanted else 0.0
        suggestions.append(detection.Suggestion(share >= BASELINE_SHARE, round(share, 3), None))
    return suggestions


def evaluate(
    answers: list[LabelledAnswer],
    bank: dict[int, list[BankKeyPoint]],
    clock: Callable[[], float] = time.perf_counter,
) -> Report:
    report = Report(answers=len(answers))
    for name in (*ROWS, *ADVERSARIAL_HALVES):
        report.detector[name] = Counts()
        report.baseline[name] = Counts()
    for labelled in answers:
        if labelled.question not in bank:
            raise EvalSetError(f"Question {labelled.question} is not in the bank.")
        key_points = bank[labelled.question]
        started = clock()
        suggestions = detector(labelled.answer, key_points)
        report.seconds_per_answer.append(clock() - started)
        baseline = keyword_baseline(labelled.answer, key_points)
        for position, (suggestion, plain) in enumerate(
            zip(suggestions, baseline, strict=True), start=1
        ):
            truth = position in labelled.covers
            half = HALVES[labelled.question % 2 == 0]
            rows = ["all", labelled.kind, half]
            if labelled.kind == "adversarial":
                rows.append(f"adversarial, {half}")
            for name in rows:
                report.detector[name].add(suggestion.covered, truth)
                report.baseline[name].add(plain.covered, truth)
            if suggestion.covered != truth:
                span = suggestion.evidence
                evidence = labelled.answer[span[0] : span[1]] if span else ""
                report.misses.append(Miss(labelled, position, suggestion.covered, evidence))
    if answers:
        text = " ".join(labelled.answer for labelled in answers)
        longest = (text * (MAX_ANSWER_CHARS // len(text) + 1))[:MAX_ANSWER_CHARS]
        for key_points in bank.values():
            started = clock()
            detector(longest, key_points)
            report.seconds_per_longest_answer.append(clock() - started)
    return report


def _figure(value: float | None) -> str:
    return "  —  " if value is None else f"{value:.3f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def format_report(report: Report, memory_mb: float | None = None) -> str:
    lines = [
        f"{report.answers} answers, {report.detector['all'].decisions} key-point decisions.",
        "",
        f"{'kind':<12} {'decisions':>9}   {'detector P':>10} {'R':>6} {'F1':>6}"
        f"   {'keyword P':>9} {'R':>6} {'F1':>6}",
    ]
    for name in ROWS:
        mine, plain = report.detector[name], report.baseline[name]
        lines.append(
            f"{name:<12} {mine.decisions:>9}   {_figure(mine.precision):>10} "
            f"{_figure(mine.recall):>6} {_figure(mine.f1):>6}   {_figure(plain.precision):>9} "
            f"{_figure(plain.recall):>6} {_figure(plain.f1):>6}"
        )
    mine, plain = report.detector["adversarial"], report.baseline["adversarial"]
    lines += [
        "(odd Q: the questions whose cues were tuned on this set; even Q: held out.)",
        "",
        f"False ticks on adversarial answers: detector {_share(mine.false_tick_rate)} "
        f"({mine.false_positive} of {mine.false_positive + mine.true_negative} key points not "
        f"covered), keyword baseline {_share(plain.false_tick_rate)}.",
        "By half: "
        + ", ".join(
            f"{name.removeprefix('adversarial, ')} detector "
            f"{_share(report.detector[name].false_tick_rate)} "
            f"({report.detector[name].false_positive} of "
            f"{report.detector[name].false_positive + report.detector[name].true_negative})"
            for name in ADVERSARIAL_HALVES
        )
        + ".",
    ]
    if report.seconds_per_answer:
        times = sorted(report.seconds_per_answer)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        lines.append(
            f"Detector time per answer: median {statistics.median(times) * 1000:.2f} ms, "
            f"95th percentile {p95 * 1000:.2f} ms, slowest {times[-1] * 1000:.2f} ms."
        )
    if report.seconds_per_longest_answer:
        times = report.seconds_per_longest_answer
        lines.append(
            f"For an answer of the maximum length ({MAX_ANSWER_CHARS:,} characters): median "
            f"{statistics.median(times) * 1000:.0f} ms, slowest {max(times) * 1000:.0f} ms."
        )
    if memory_mb is not None:
        lines.append(f"Memory the detector adds to a process: {memory_mb:.1f} MB.")
    f1 = report.detector["all"].f1 or 0.0
    false_ticks = report.detector["adversarial"].false_tick_rate or 0.0
    lines.append(
        f"Targets: F1 ≥ {TARGET_F1} overall ({'met' if f1 >= TARGET_F1 else 'missed'}), "
        f"≤ {TARGET_ADVERSARIAL_FALSE_TICKS:.0%} false ticks on adversarial answers "
        f"({'met' if false_ticks <= TARGET_ADVERSARIAL_FALSE_TICKS else 'missed'})."
    )
    return "\n".join(lines)


def format_misses(report: Report) -> str:
    lines = []
    for miss in report.misses:
        what = "ticked but not covered" if miss.suggested else "covered but not ticked"
        lines.append(
            f"Q{miss.answer.question} {miss.answer.kind} key point {miss.position}: {what}."
            + (f" Evidence: {miss.evidence!r}" if miss.evidence else "")
        )
    return "\n".join(lines)
