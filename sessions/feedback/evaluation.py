"""Measuring the key-point detector against labelled answers: precision, recall and F1 over
every key-point decision, per kind of answer, beside a plain keyword baseline, with the
share of false ticks on adversarial answers and the time taken per answer."""

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sessions.feedback import detection
from sessions.feedback.misconceptions import detect_feedback
from sessions.models import MAX_ANSWER_CHARS

EVAL_FORMAT = "interviewprep.eval/1"
KINDS = ("strong", "partial", "weak", "adversarial", "misconception")
# Cues and misconceptions are tuned on the odd-numbered questions only; the even-numbered
# half is held out, and its figures are the headline. Both halves are reported.
TUNING, HELD_OUT = HALVES = ("odd Q", "even Q")
SCOPES = (HELD_OUT, TUNING, "both")
SCOPE_TITLES = {
    HELD_OUT: "Held-out half (even-numbered questions; never tuned on)",
    TUNING: "Tuning half (odd-numbered questions; cues and misconceptions tuned on these)",
    "both": "Both halves",
}
ROWS = ("all", *KINDS)
# Targets, judged on the held-out half.
TARGET_F1 = 0.85
TARGET_MISCONCEPTION_FALSE_TICKS = 0.15
TARGET_FLAGGED = 0.5
TARGET_STRONG_RECALL = 0.85
TARGET_LONGEST_SECONDS = 0.050
# The keyword baseline ticks a key point when this share of its content words appears.
BASELINE_SHARE = 0.5
# Calls per question for the maximum-length answer; the fastest counts, so that waiting
# for a core on a shared machine is not counted as the detector's work.
LONGEST_ANSWER_RUNS = 3


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


@dataclass(frozen=True)
class BankMisconception:
    claim: str
    cues: list[str]
    contradicts: int


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
    position: int  # of the key point, or 0 for the answer's misconception flags
    suggested: bool
    evidence: str


@dataclass
class Report:
    """Counts per (kind or "all", half or "both"), misconception flags per answer as
    [answers that flag one, answers], and times."""

    answers: int = 0
    detector: dict[tuple[str, str], Counts] = field(default_factory=dict)
    baseline: dict[tuple[str, str], Counts] = field(default_factory=dict)
    flagged: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    seconds_per_answer: list[float] = field(default_factory=list)
    # The time for an answer as long as an answer may be, per question of the bank: wall
    # time, and the processor time of this process (which leaves out waiting for a core
    # on a shared machine).
    seconds_per_longest_answer: list[float] = field(default_factory=list)
    cpu_seconds_per_longest_answer: list[float] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)

    def flagged_share(self, kind: str, scope: str) -> float | None:
        flagged, answers = self.flagged[kind, scope]
        return flagged / answers if answers else None

    def targets(self) -> list[tuple[str, str, bool]]:
        """Each target on the held-out half: what it is, the figure, and whether it is met."""
        f1 = self.detector["all", HELD_OUT].f1 or 0.0
        false_ticks = self.detector["misconception", HELD_OUT].false_tick_rate or 0.0
        flagged = self.flagged_share("misconception", HELD_OUT) or 0.0
        recall = self.detector["strong", HELD_OUT].recall or 0.0
        longest = max(self.cpu_seconds_per_longest_answer, default=0.0)
        return [
            (f"F1 ≥ {TARGET_F1}", f"{f1:.3f}", f1 >= TARGET_F1),
            (
                f"false ticks on misconception answers ≤ {TARGET_MISCONCEPTION_FALSE_TICKS:.0%}",
                f"{false_ticks:.1%}",
                false_ticks <= TARGET_MISCONCEPTION_FALSE_TICKS,
            ),
            (
                f"misconception answers flagging a misconception ≥ {TARGET_FLAGGED:.0%}",
                f"{flagged:.1%}",
                flagged >= TARGET_FLAGGED,
            ),
            (
                f"recall on strong answers ≥ {TARGET_STRONG_RECALL}",
                f"{recall:.3f}",
                recall >= TARGET_STRONG_RECALL,
            ),
            (
                f"maximum-length answer < {TARGET_LONGEST_SECONDS * 1000:.0f} ms "
                "(processor time, slowest question)",
                f"{longest * 1000:.0f} ms",
                longest < TARGET_LONGEST_SECONDS,
            ),
        ]

    def meets_targets(self) -> bool:
        return all(met for _, _, met in self.targets())


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
    return {number: points for number, (points, _) in load_questions(path).items()}


def load_questions(
    path: Path,
) -> dict[int, tuple[list[BankKeyPoint], list[BankMisconception]]]:
    """Each question's key points and misconceptions from a bank file."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise EvalSetError(f"{path}: {error}") from None
    bank = {}
    for question in data["questions"]:
        points = [
            BankKeyPoint(point, [])
            if isinstance(point, str)
            else BankKeyPoint(point["text"], point.get("cues", []))
            for point in question["key_points"]
        ]
        misconceptions = [
            BankMisconception(wrong["claim"], wrong.get("cues", []), wrong["contradicts"])
            for wrong in question.get("misconceptions", [])
        ]
        bank[question["number"]] = (points, misconceptions)
    return bank


Decider = Callable[[str, list[BankKeyPoint]], list[detection.Suggestion]]


def detector(
    answer: str, key_points: list[BankKeyPoint], misconceptions: list[BankMisconception] = ()
):
    """The feedback on an answer: its key points' suggestions and misconceptions found."""
    return detect_feedback(
        answer,
        [(point.cues, point.text) for point in key_points],
        [(wrong.cues, wrong.contradicts) for wrong in misconceptions],
    )


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


def half_of(question: int) -> str:
    return HALVES[question % 2 == 0]


def evaluate(
    answers: list[LabelledAnswer],
    bank: dict[int, list[BankKeyPoint]],
    clock: Callable[[], float] = time.perf_counter,
    misconceptions: dict[int, list[BankMisconception]] | None = None,
    cpu_clock: Callable[[], float] = time.process_time,
) -> Report:
    misconceptions = misconceptions or {}
    report = Report(answers=len(answers))
    for kind in ROWS:
        for scope in SCOPES:
            report.detector[kind, scope] = Counts()
            report.baseline[kind, scope] = Counts()
            report.flagged[kind, scope] = [0, 0]
    for labelled in answers:
        if labelled.question not in bank:
            raise EvalSetError(f"Question {labelled.question} is not in the bank.")
        key_points = bank[labelled.question]
        wrongs = misconceptions.get(labelled.question, [])
        started = clock()
        feedback = detector(labelled.answer, key_points, wrongs)
        report.seconds_per_answer.append(clock() - started)
        baseline = keyword_baseline(labelled.answer, key_points)
        cells = [
            (kind, scope)
            for kind in ("all", labelled.kind)
            for scope in ("both", half_of(labelled.question))
        ]
        stated = feedback.stated
        for cell in cells:
            report.flagged[cell][0] += bool(stated)
            report.flagged[cell][1] += 1
        if (stated and labelled.kind in ("strong", "partial")) or (
            not stated and labelled.kind == "misconception"
        ):
            claims = "; ".join(wrongs[position - 1].claim for position in stated)
            report.misses.append(Miss(labelled, 0, bool(stated), claims))
        for position, (suggestion, plain) in enumerate(
            zip(feedback.key_points, baseline, strict=True), start=1
        ):
            truth = position in labelled.covers
            for cell in cells:
                report.detector[cell].add(suggestion.covered, truth)
                report.baseline[cell].add(plain.covered, truth)
            if suggestion.covered != truth:
                span = suggestion.evidence
                evidence = labelled.answer[span[0] : span[1]] if span else ""
                report.misses.append(Miss(labelled, position, suggestion.covered, evidence))
    if answers:
        text = " ".join(labelled.answer for labelled in answers)
        longest = (text * (MAX_ANSWER_CHARS // len(text) + 1))[:MAX_ANSWER_CHARS]
        for number, key_points in bank.items():
            runs, cpu_runs = [], []
            for _ in range(LONGEST_ANSWER_RUNS):
                started, cpu_started = clock(), cpu_clock()
                detector(longest, key_points, misconceptions.get(number, []))
                runs.append(clock() - started)
                cpu_runs.append(cpu_clock() - cpu_started)
            report.seconds_per_longest_answer.append(min(runs))
            report.cpu_seconds_per_longest_answer.append(min(cpu_runs))
    return report


def _figure(value: float | None) -> str:
    return "  —  " if value is None else f"{value:.3f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def format_report(report: Report, memory_mb: float | None = None) -> str:
    both = report.detector["all", "both"]
    lines = [f"{report.answers} answers, {both.decisions} key-point decisions."]
    for scope in SCOPES:
        lines += [
            "",
            SCOPE_TITLES[scope] + ":",
            f"{'kind':<14} {'decisions':>9}   {'detector P':>10} {'R':>6} {'F1':>6}"
            f" {'false ticks':>11} {'flags':>6}   {'keyword F1':>10}",
        ]
        for kind in ROWS:
            mine, plain = report.detector[kind, scope], report.baseline[kind, scope]
            lines.append(
                f"{kind:<14} {mine.decisions:>9}   {_figure(mine.precision):>10} "
                f"{_figure(mine.recall):>6} {_figure(mine.f1):>6} "
                f"{_share(mine.false_tick_rate):>11} {_share(report.flagged_share(kind, scope)):>6}"
                f"   {_figure(plain.f1):>10}"
            )
    lines += [
        "",
        "False ticks: of the key points an answer does not cover, the share ticked anyway. "
        "Flags: the share of answers in which a misconception was found.",
    ]
    if report.seconds_per_answer:
        times = sorted(report.seconds_per_answer)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        lines.append(
            f"Detector time per answer: median {statistics.median(times) * 1000:.2f} ms, "
            f"95th percentile {p95 * 1000:.2f} ms, slowest {times[-1] * 1000:.2f} ms."
        )
    if report.seconds_per_longest_answer:
        wall, cpu = report.seconds_per_longest_answer, report.cpu_seconds_per_longest_answer
        lines.append(
            f"For an answer of the maximum length ({MAX_ANSWER_CHARS:,} characters), fastest "
            f"of {LONGEST_ANSWER_RUNS} calls per question: processor time median "
            f"{statistics.median(cpu) * 1000:.0f} ms, slowest question {max(cpu) * 1000:.0f} ms; "
            f"wall time median {statistics.median(wall) * 1000:.0f} ms, slowest question "
            f"{max(wall) * 1000:.0f} ms (os.getloadavg: "
            + " ".join(f"{load:.1f}" for load in os.getloadavg())
            + ")."
        )
    if memory_mb is not None:
        lines.append(f"Memory the detector adds to a process: {memory_mb:.1f} MB.")
    lines.append("Targets on the held-out half:")
    lines += [
        f"  {what}: {figure} ({'met' if met else 'missed'})"
        for what, figure, met in report.targets()
    ]
    return "\n".join(lines)


def format_misses(report: Report) -> str:
    lines = []
    for miss in report.misses:
        where = f"Q{miss.answer.question} {miss.answer.kind}"
        if miss.position == 0:
            lines.append(
                f"{where}: flags {miss.evidence!r}."
                if miss.suggested
                else f"{where}: no misconception flagged. Answer: {miss.answer.answer!r}"
            )
            continue
        what = "ticked but not covered" if miss.suggested else "covered but not ticked"
        lines.append(
            f"{where} key point {miss.position}: {what}."
            + (f" Evidence: {miss.evidence!r}" if miss.evidence else "")
        )
    return "\n".join(lines)
