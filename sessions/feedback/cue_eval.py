"""`make eval`'s second table: the detector with every key point's hand-written cues replaced
by generated ones (sessions/feedback/cue_generation.py), beside the hand-written."""

from sessions.feedback import evaluation
from sessions.feedback.cue_generation import cues_or_generated
from sessions.feedback.evaluation import BankKeyPoint, Report

# The generator was tuned on the odd-numbered questions; the even ones are held out.
TARGET_HELD_OUT_F1 = 0.75
HELD_OUT = "even Q"


def generated_bank(bank: dict[int, list[BankKeyPoint]]) -> dict[int, list[BankKeyPoint]]:
    """The bank with no hand-written cue: each key point's cues generated from its text."""
    return {
        number: [
            BankKeyPoint(point.text, cues)
            for point, cues in zip(
                points, cues_or_generated([(point.text, []) for point in points]), strict=True
            )
        ]
        for number, points in bank.items()
    }


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def format_comparison(hand: Report, generated: Report) -> str:
    rows = [("all", "F1, all answers"), ("odd Q", "F1, odd questions (tuned on)")]
    rows.append((HELD_OUT, "F1, even questions (held out)"))
    lines = [
        "Cues hand-written against generated from the key point's text:",
        f"{'':<34} {'hand-written':>12} {'generated':>10}",
    ]
    for name, label in rows:
        lines.append(
            f"{label:<34} {_figure(hand.detector[name].f1):>12} "
            f"{_figure(generated.detector[name].f1):>10}"
        )
    for name, label in (
        ("adversarial", "false ticks, adversarial"),
        (f"adversarial, {HELD_OUT}", "false ticks, adversarial held out"),
    ):
        lines.append(
            f"{label:<34} {_figure(hand.detector[name].false_tick_rate):>12} "
            f"{_figure(generated.detector[name].false_tick_rate):>10}"
        )
    held_out = generated.detector[HELD_OUT].f1 or 0.0
    verdict = "meet" if held_out >= TARGET_HELD_OUT_F1 else "miss"
    lines.append(
        f"Generated cues {verdict} the target F1 >= {TARGET_HELD_OUT_F1} on the held-out half "
        f"({held_out:.3f})."
    )
    return "\n".join(lines)


def compare(answers, bank) -> str:
    return format_comparison(
        evaluation.evaluate(answers, bank), evaluation.evaluate(answers, generated_bank(bank))
    )
