"""export_questions and import_questions: a faithful round trip, and all-or-nothing imports."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from questions.models import KeyPoint, Misconception, Question, Topic
from tests.factories import REFUSED_BANK_FILES


def export(path: Path) -> dict:
    call_command("export_questions", str(path), stderr=StringIO())
    return json.loads(path.read_text(encoding="utf-8"))


def import_file(path: Path) -> str:
    out = StringIO()
    call_command("import_questions", str(path), stdout=out)
    return out.getvalue()


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def record(data: dict, number: int) -> dict:
    return next(question for question in data["questions"] if question["number"] == number)


def new_question(number: int) -> dict:
    return {
        "number": number,
        "slug": "vanishing-gradients",
        "level": "intermediate",
        "topics": ["training", "sequence-models"],
        "prompt": "What are vanishing gradients, and how do modern networks avoid them?",
        "reference_answer": "Gradients shrink as they are multiplied back through many layers.",
        "key_points": [
            "Repeated multiplication by small derivatives shrinks the gradient.",
            "Saturating activations such as sigmoid make it worse.",
            "ReLU, residual connections and normalisation keep gradients alive.",
        ],
        "suggested_seconds": 180,
        "is_active": True,
    }


def bank_counts() -> tuple[int, int, int]:
    return Question.objects.count(), KeyPoint.objects.count(), Topic.objects.count()


def test_export_then_import_into_an_empty_bank_reproduces_it(seeded, tmp_path):
    exported = export(tmp_path / "first.json")
    assert len(exported["questions"]) == 30
    Question.objects.all().delete()
    Topic.objects.all().delete()
    assert bank_counts() == (0, 0, 0)

    report = import_file(tmp_path / "first.json")

    assert "30 added, 0 changed, 0 unchanged" in report
    assert export(tmp_path / "second.json") == exported
    assert bank_counts() == (30, sum(len(q["key_points"]) for q in exported["questions"]), 17)


def test_importing_the_bank_as_it_is_changes_nothing(seeded, tmp_path):
    path = tmp_path / "bank.json"
    exported = export(path)

    assert "0 added, 0 changed, 30 unchanged" in import_file(path)
    assert export(tmp_path / "again.json") == exported


def _bad_json(data: dict) -> str:
    return json.dumps(data)[:-20]


def _without_prompt(data: dict) -> str:
    del record(data, 5)["prompt"]
    return json.dumps(data)


def _unknown_level(data: dict) -> str:
    record(data, 7)["level"] = "expert"
    return json.dumps(data)


def _duplicate_number(data: dict) -> str:
    record(data, 9)["number"] = 8
    return json.dumps(data)


def _empty_key_point(data: dict) -> str:
    record(data, 11)["key_points"][1] = ""
    return json.dumps(data)


def _unknown_topic(data: dict) -> str:
    record(data, 12)["topics"].append("quantum-computing")
    return json.dumps(data)


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (_bad_json, "The file is not valid JSON"),
        (_without_prompt, "Question 5: field 'prompt' is missing."),
        (
            _unknown_level,
            "Question 7: field 'level' is 'expert'; "
            "it must be one of beginner, intermediate, advanced, bonus.",
        ),
        (_duplicate_number, "Question 8: number 8 appears twice."),
        (_empty_key_point, "Question 11: key point 2 has no text."),
        (_unknown_topic, "Question 12: field 'topics' names an unknown topic 'quantum-computing'."),
    ],
    ids=[
        "bad-json",
        "missing-field",
        "unknown-level",
        "duplicate-number",
        "empty-key-point",
        "unknown-topic",
    ],
)
def test_it_refuses_a_malformed_file_and_changes_nothing(seeded, tmp_path, spoil, problem):
    before = export(tmp_path / "before.json")
    counts = bank_counts()
    data = json.loads(json.dumps(before))
    # Valid changes in the same file, which must not be applied either.
    record(data, 1)["prompt"] = "A changed prompt that must not be written."
    data["questions"].append(new_question(31))
    spoiled = tmp_path / "spoiled.json"
    spoiled.write_text(spoil(data), encoding="utf-8")

    with pytest.raises(CommandError) as refusal:
        import_file(spoiled)

    assert problem in str(refusal.value)
    assert "nothing was changed" in str(refusal.value)
    assert bank_counts() == counts
    assert export(tmp_path / "after.json") == before


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [(spoil, problem) for _, spoil, problem in REFUSED_BANK_FILES],
    ids=[name for name, _, _ in REFUSED_BANK_FILES],
)
def test_it_refuses_what_the_database_cannot_store_and_changes_nothing(
    seeded, tmp_path, spoil, problem
):
    before = export(tmp_path / "before.json")
    data = json.loads(json.dumps(before))
    record(data, 1)["prompt"] = "A changed prompt that must not be written."
    spoiled = tmp_path / "spoiled.json"
    spoiled.write_text(spoil(data), encoding="utf-8")

    with pytest.raises(CommandError) as refusal:
        import_file(spoiled)

    assert problem in str(refusal.value).splitlines()
    assert "nothing was changed" in str(refusal.value)
    assert export(tmp_path / "after.json") == before


def test_it_refuses_a_missing_file(seeded, tmp_path):
    with pytest.raises(CommandError, match="No file at"):
        import_file(tmp_path / "missing.json")


def test_an_import_changes_one_question_and_adds_another(seeded, tmp_path):
    data = export(tmp_path / "bank.json")
    record(data, 2)["prompt"] = "Which kinds of data do deep networks learn from?"
    record(data, 2)["key_points"] = record(data, 2)["key_points"][:3]
    # A misconception must contradict a key point the question still has.
    record(data, 2)["misconceptions"] = [
        wrong for wrong in record(data, 2)["misconceptions"] if wrong["contradicts"] <= 3
    ]
    data["questions"].append(new_question(31))

    report = import_file(write(tmp_path / "changed.json", data))

    assert "1 added, 1 changed, 29 unchanged" in report
    changed = Question.objects.get(number=2)
    assert changed.prompt == "Which kinds of data do deep networks learn from?"
    assert list(changed.key_points.values_list("order", flat=True)) == [1, 2, 3]
    added = Question.objects.get(number=31)
    assert added.slug == "vanishing-gradients"
    assert added.level == "intermediate"
    assert added.suggested_seconds == 180
    assert sorted(added.topics.values_list("slug", flat=True)) == ["sequence-models", "training"]
    assert list(added.key_points.values_list("order", "text")) == [
        (1, "Repeated multiplication by small derivatives shrinks the gradient."),
        (2, "Saturating activations such as sigmoid make it worse."),
        (3, "ReLU, residual connections and normalisation keep gradients alive."),
    ]
    assert Question.objects.count() == 31


def test_misconceptions_round_trip_with_their_question(seeded, tmp_path):
    exported = export(tmp_path / "first.json")
    dropout = record(exported, 8)
    assert len(dropout["misconceptions"]) >= 2
    assert set(dropout["misconceptions"][0]) == {
        "claim",
        "why_wrong",
        "correction",
        "contradicts",
        "cues",
    }
    dropout["misconceptions"][0]["claim"] = "Dropout makes the final network smaller."
    dropout["misconceptions"] = dropout["misconceptions"][:2]

    report = import_file(write(tmp_path / "changed.json", exported))

    assert "0 added, 1 changed, 29 unchanged" in report
    stored = Misconception.objects.filter(question__number=8)
    assert list(stored.values_list("order", flat=True)) == [1, 2]
    assert stored.get(order=1).claim == "Dropout makes the final network smaller."
    assert export(tmp_path / "again.json") == exported


def test_a_file_without_misconceptions_still_imports(seeded, tmp_path):
    data = export(tmp_path / "bank.json")
    for question in data["questions"]:
        del question["misconceptions"]

    import_file(write(tmp_path / "plain.json", data))

    assert Misconception.objects.count() == 0
