"""`manage.py suggest_key_points`: JSON Lines of answers in, suggestions out."""

import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from questions.models import KeyPoint
from tests.factories import deck, own_question, question

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


def test_a_line_with_unicode_line_separators_inside_its_text_is_one_answer(seeded, tmp_path):
    path = tmp_path / "answers.jsonl"
    # json.dumps(ensure_ascii=False) writes U+2028 and U+0085 as they are: valid JSON.
    text = ANSWER + "\u2028Next line\x85and another."
    path.write_text(json.dumps({"question": 5, "answer": text}, ensure_ascii=False) + "\r\n")

    assert suggest(str(path))[0]["covered"] == [1, 2]


def test_a_byte_order_mark_is_allowed(seeded, tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_text(json.dumps({"question": 5, "answer": ANSWER}), encoding="utf-8-sig")

    assert suggest(str(path))[0]["covered"] == [1, 2]


def test_numbers_too_long_deep_nesting_and_huge_answers_are_named_not_tracebacks(seeded, tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_text(
        "\n".join(
            [
                '{"question": ' + "5" * 5001 + ', "answer": "x"}',
                "[" * 100_000,
                json.dumps({"question": 5, "answer": "word " * 5_000}),
                json.dumps({"question": 5, "answer": "x" * 1_000_000}),
            ]
        )
    )

    with pytest.raises(CommandError) as refusal:
        suggest(str(path))

    assert str(refusal.value).splitlines() == [
        "Line 1: not JSON this command can read.",
        "Line 2: not JSON this command can read.",
        "Line 3: 'answer' is longer than 20,000 characters.",
        "Line 4: longer than any answer the site takes.",
    ]


def test_question_numbers_name_the_builtin_decks_questions(seeded, alice, tmp_path):
    own_question(deck(alice))  # also numbered 1, in its own deck, with 3 key points
    path = tmp_path / "answers.jsonl"
    path.write_text(json.dumps({"question": 1, "answer": ""}) + "\n")

    (suggestion,) = suggest(str(path))

    assert len(suggestion["scores"]) == KeyPoint.objects.filter(question=question(1)).count() == 6
