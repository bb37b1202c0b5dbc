"""`make eval`'s second table: the detector with every key point's hand-written cues replaced
by generated ones (sessions/feedback/cue_generation.py), beside the hand-written."""

from sessions.feedback import evaluation
from sessions.feedback.cue_generation import cues_or_generated
from sessions.feedback.evaluation import HELD_OUT, TUNING, BankKeyPoint, Report

# The generator was tuned on the odd-numbered questions; the even ones are held out.
TARGET_HELD_OUT_F1 = 0.75


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
    rows = [
        ("F1, all answers", "all", "both", "f1"),
        ("F1, odd questions (tuned on)", "all", TUNING, "f1"),
        ("F1, even questions (held out)", "all", HELD_OUT, "f1"),
        ("false ticks, adversarial", "adversarial", "both", "false_tick_rate"),
        ("false ticks, adversarial held out", "adversarial", HELD_OUT, "false_tick_rate"),
    ]
    lines = [
        "Cues hand-written against generated from the key point's text:",
        f"{'':<34} {'hand-written':>12} {'generated':>10}",
    ]
    for label, kind, scope, measure in rows:
        mine = getattr(hand.detector[kind, scope], measure)
        made = getattr(generated.detector[kind, scope], measure)
        lines.append(f"{label:<34} {_figure(mine):>12} {_figure(made):>10}")
    held_out = generated.detector["all", HELD_OUT].f1 or 0.0
    verdict = "meet" if held_out >= TARGET_HELD_OUT_F1 else "miss"
    lines.append(
        f"Generated cues {verdict} the target F1 >= {TARGET_HELD_OUT_F1} on the held-out half "
        f"({held_out:.3f})."
    )
    return "\n".join(lines)


def compare(answers, bank, misconceptions=None) -> str:
    return format_comparison(
        evaluation.evaluate(answers, bank, misconceptions=misconceptions),
        evaluation.evaluate(answers, generated_bank(bank), misconceptions=misconceptions),
    )
