"""`manage.py suggest_key_points`: JSON Lines of answers in, suggestions out."""

import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from questions.models import KeyPoint

ANSWER = "ReLU is max(0, x). The sigmoid saturates, so its gradients vanish."


def suggest(source: str) -> list[dict]:
    out = StringIO()
    call_command("suggest_key_points", source, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_it_writes_one_line_per_answer_in_key_point_order(seeded, tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_text(
        json.dumps({"question": 5, "answer": ANSWER})
        + "\n\n"
        + json.dumps({"question": 1, "answer": ""})
        + "\n"
    )

    first, second = suggest(str(path))

    assert first["question"] == 5
    assert first["covered"] == [1, 2]
    assert len(first["scores"]) == KeyPoint.objects.filter(question__number=5).count() == 7
    assert first["scores"][:2] == [1.0, 1.0]
    assert all(0 <= score <= 1 for score in first["scores"])
    assert first["misconceptions"] == []
    assert second == {"question": 1, "covered": [], "scores": [0.0] * 6, "misconceptions": []}


def test_it_names_the_misconceptions_an_answer_states_and_withholds_their_point(seeded):
    # Q9's first misconception, "cross-validation prevents overfitting", contradicts its
    # seventh key point (cross-validation estimates generalisation, it prevents nothing).
    answer = (
        "Cross-validation estimates how well the model generalises and guides tuning. "
        "Cross-validation prevents overfitting, so with k folds you need no other regulariser."
    )
    (line,) = suggest_lines([{"question": 9, "answer": answer}])

    assert line["misconceptions"] == [1]
    assert 7 not in line["covered"]
    (plain,) = suggest_lines([{"question": 9, "answer": answer.split(". ")[0] + "."}])
    assert plain["misconceptions"] == []
    assert 7 in plain["covered"]


def suggest_lines(records: list[dict]) -> list[dict]:
    stdin = io.StringIO("\n".join(json.dumps(record) for record in records))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", stdin)
        return suggest("-")


def test_a_dash_reads_standard_input(seeded, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"question": 5, "answer": ANSWER})))

    assert suggest("-")[0]["covered"] == [1, 2]


def test_bad_lines_are_named_and_nothing_is_written(seeded, tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"question": 5, "answer": ANSWER}),
                "{not json",
                json.dumps({"question": 99, "answer": "x"}),
                json.dumps(["a list"]),
                json.dumps({"question": "5", "answer": "x"}),
                json.dumps({"question": 5}),
            ]
        )
    )
    out = StringIO()

    with pytest.raises(CommandError) as refusal:
        call_command("suggest_key_points", str(path), stdout=out)

    assert str(refusal.value).splitlines() == [
        "Line 2: not valid JSON (Expecting property name enclosed in double quotes).",
        "Line 3: unknown question 99.",
        "Line 4: must be an object with 'question' and 'answer'.",
        "Line 5: 'question' must be a question number.",
        "Line 6: 'answer' must be text.",
    ]
    assert out.getvalue() == ""


def test_a_missing_file_is_named(seeded, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.jsonl"):
        suggest(str(tmp_path / "missing.jsonl"))
