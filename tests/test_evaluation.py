"""The measuring of the detector: its metric arithmetic, the keyword baseline, the report,
and `manage.py evaluate_key_points` (what `make eval` runs)."""

from io import StringIO
from itertools import count
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sessions.feedback.evaluation import (
    BankKeyPoint,
    BankMisconception,
    Counts,
    EvalSetError,
    LabelledAnswer,
    evaluate,
    format_report,
    keyword_baseline,
    load_answers,
)

DEV_SET = Path(__file__).parent / "data" / "dev_answers.json"


def test_precision_recall_f1_and_false_ticks_from_counts():
    counts = Counts(true_positive=6, false_positive=2, false_negative=4, true_negative=8)

    assert counts.decisions == 20
    assert counts.precision == 6 / 8
    assert counts.recall == 6 / 10
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.6 / (0.75 + 0.6))
    assert counts.false_tick_rate == 2 / 10


def test_counts_add_each_decision_to_its_cell():
    counts = Counts()
    for suggested, truth in [(True, True), (True, False), (False, True), (False, False)] * 2:
        counts.add(suggested, truth)

    assert (counts.true_positive, counts.false_positive) == (2, 2)
    assert (counts.false_negative, counts.true_negative) == (2, 2)


def test_undefined_metrics_are_none_not_zero_or_an_error():
    nothing_covered_nothing_ticked = Counts(true_negative=5)

    assert nothing_covered_nothing_ticked.precision is None
    assert nothing_covered_nothing_ticked.recall is None
    assert nothing_covered_nothing_ticked.f1 is None
    assert nothing_covered_nothing_ticked.false_tick_rate == 0
    assert Counts(false_positive=3).f1 == 0
    assert Counts(true_positive=1).false_tick_rate is None


BANK = {
    1: [
        BankKeyPoint("The sigmoid saturates.", ["sigmoid", "saturat*"]),
        BankKeyPoint("ReLU is cheap to compute.", ["relu", "cheap"]),
    ]
}


def test_evaluate_scores_the_detector_and_the_baseline_per_kind():
    answers = [
        LabelledAnswer(1, "strong", "The sigmoid saturates. ReLU is cheap.", frozenset({1, 2})),
        LabelledAnswer(1, "adversarial", "ReLU is not cheap to compute.", frozenset()),
    ]
    ticks = count()

    cpu_ticks = count()
    report = evaluate(
        answers,
        BANK,
        clock=lambda: next(ticks) * 0.001,
        cpu_clock=lambda: next(cpu_ticks) * 0.0005,
    )

    assert report.detector["strong", "both"].true_positive == 2
    assert report.detector["adversarial", "both"].false_tick_rate == 0
    assert report.detector["adversarial", "odd Q"].true_negative == 2
    assert report.detector["adversarial", "even Q"].decisions == 0
    # The keyword baseline does not read negation.
    assert report.baseline["adversarial", "both"].false_positive == 1
    assert report.detector["all", "both"].decisions == 4
    assert report.seconds_per_answer == pytest.approx([0.001, 0.001])
    # Three calls for the one question; the fastest counts.
    assert report.seconds_per_longest_answer == pytest.approx([0.001])
    assert report.cpu_seconds_per_longest_answer == pytest.approx([0.0005])
    assert report.misses == []
    text = format_report(report, memory_mb=1.5)
    assert text.index("Held-out half") < text.index("Tuning half") < text.index("Both halves")
    assert "Memory the detector adds to a process: 1.5 MB." in text
    assert "Targets on the held-out half:" in text


MISCONCEPTIONS = {1: [BankMisconception("ReLU saturates.", ["relu", "saturat*"], 2)]}


def test_misconception_answers_are_counted_as_flagged_and_withhold_their_point():
    answers = [
        LabelledAnswer(2, "misconception", "ReLU is cheap. But ReLU saturates too.", frozenset()),
        LabelledAnswer(2, "misconception", "The sigmoid saturates.", frozenset({1})),
        LabelledAnswer(2, "strong", "The sigmoid saturates. ReLU is cheap.", frozenset({1, 2})),
    ]
    bank = {2: BANK[1]}

    report = evaluate(answers, bank, misconceptions={2: MISCONCEPTIONS[1]})

    # The first answer states the misconception, so "ReLU is cheap" is not ticked.
    assert report.detector["misconception", "even Q"].false_positive == 0
    assert report.detector["misconception", "even Q"].true_negative == 3
    assert report.flagged["misconception", "even Q"] == [1, 2]
    assert report.flagged_share("misconception", "even Q") == 0.5
    assert report.flagged["strong", "even Q"] == [0, 1]
    assert report.detector["strong", "even Q"].recall == 1.0
    targets = {what.split(" ")[0]: (figure, met) for what, figure, met in report.targets()}
    assert targets["misconception"] == ("50.0%", True)
    assert targets["recall"] == ("1.000", True)
    flagged_misses = [miss for miss in report.misses if miss.position == 0]
    assert [miss.answer.answer for miss in flagged_misses] == ["The sigmoid saturates."]


def test_the_keyword_baseline_ticks_half_the_points_own_words():
    suggestions = keyword_baseline("Sigmoid activations tend to be saturated.", BANK[1])

    assert [suggestion.covered for suggestion in suggestions] == [True, False]


def test_a_question_missing_from_the_bank_is_named():
    with pytest.raises(EvalSetError, match="Question 7 is not in the bank"):
        evaluate([LabelledAnswer(7, "weak", "x", frozenset())], BANK)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[]", "not a labelled set"),
        ('{"format": "interviewprep.eval/1", "answers": [{"question": 1}]}', "answer 1 lacks"),
        (
            '{"format": "interviewprep.eval/1", "answers": '
            '[{"question": 1, "kind": "odd", "answer": "", "covers": []}]}',
            "unknown kind 'odd'",
        ),
    ],
)
def test_a_bad_labelled_set_is_refused_with_the_reason(tmp_path, content, problem):
    path = tmp_path / "set.json"
    path.write_text(content)

    with pytest.raises(EvalSetError, match=problem):
        load_answers(path)


def test_the_development_set_is_well_formed():
    answers = load_answers(DEV_SET)

    assert {answer.kind for answer in answers} >= {"strong", "partial", "weak", "adversarial"}


def test_the_command_prints_the_table(db):
    out = StringIO()

    call_command("evaluate_key_points", answers=str(DEV_SET), misses=True, stdout=out)

    text = out.getvalue()
    assert "38 answers, 251 key-point decisions." in text
    for kind in ("all", "strong", "partial", "weak", "adversarial", "misconception"):
        assert f"\n{kind} " in text
    assert "detector P" in text and "keyword F1" in text and "false ticks" in text
    assert "Detector time per answer: median" in text
    assert "For an answer of the maximum length (20,000 characters)" in text
    assert "Memory the detector adds to a process:" in text
    assert "Targets on the held-out half:" in text
    assert "F1 ≥ 0.85:" in text


def test_the_command_names_a_missing_set(db, tmp_path):
    with pytest.raises(CommandError, match=r"missing\.json"):
        call_command("evaluate_key_points", answers=str(tmp_path / "missing.json"))
