"""Cue phrases on key points: validation, import and export, seeding, and admin editing."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from questions import bank
from questions.models import MAX_CUES, KeyPoint, Question, validate_cues
from tests.factories import change_form_data


def export(path: Path) -> dict:
    call_command("export_questions", str(path), stderr=StringIO())
    return json.loads(path.read_text(encoding="utf-8"))


def record(data: dict, number: int) -> dict:
    return next(question for question in data["questions"] if question["number"] == number)


def test_every_key_point_of_the_fixture_has_cues(seeded):
    assert not KeyPoint.objects.filter(cues=[]).exists()


@pytest.mark.parametrize(
    ("cues", "problem"),
    [
        ("relu", "Must be a list of texts."),
        ([""], "Cue 1 is empty or not text."),
        (["relu", 3], "Cue 2 is empty or not text."),
        (["relu||sigmoid"], "Cue 1 has an empty alternative"),
        (["x" * 501], "Cue 1 is longer than 500 characters."),
        (["relu"] * (MAX_CUES + 1), f"at most {MAX_CUES}"),
    ],
)
def test_bad_cues_are_refused_with_a_reason(cues, problem):
    with pytest.raises(ValidationError, match=re.escape(problem)):
        validate_cues(cues)


def test_export_carries_cues_and_import_restores_them(seeded, tmp_path):
    exported = export(tmp_path / "bank.json")
    point = record(exported, 5)["key_points"][1]
    assert point["text"].startswith("Sigmoid saturates")
    assert point["cues"] == list(Question.objects.get(number=5).key_points.all()[1].cues)
    KeyPoint.objects.update(cues=[])

    call_command("import_questions", str(tmp_path / "bank.json"), stdout=StringIO())

    assert export(tmp_path / "again.json") == exported


def test_a_key_point_without_cues_is_plain_text_both_ways(seeded, tmp_path):
    data = export(tmp_path / "bank.json")
    record(data, 3)["key_points"][0] = "An epoch is one full pass over the training data."
    (tmp_path / "edited.json").write_text(json.dumps(data), encoding="utf-8")

    call_command("import_questions", str(tmp_path / "edited.json"), stdout=StringIO())

    first = Question.objects.get(number=3).key_points.first()
    assert (first.text, first.cues) == ("An epoch is one full pass over the training data.", [])
    assert record(export(tmp_path / "after.json"), 3)["key_points"][0] == first.text


@pytest.mark.parametrize(
    ("point", "problem"),
    [
        (
            {"text": "A point.", "cues": "relu"},
            "Question 4, key point 2: field 'cues': Must be a list of texts.",
        ),
        ({"text": "A point.", "cues": ["a|"]}, "Question 4, key point 2: field 'cues': Cue 1 has"),
        ({"text": "", "cues": ["relu"]}, "Question 4: key point 2 has no text."),
        ({"text": "A point.", "hint": "x"}, "Question 4: key point 2 has unknown fields: hint."),
    ],
)
def test_an_import_with_bad_cues_is_refused_whole(seeded, tmp_path, point, problem):
    data = export(tmp_path / "bank.json")
    record(data, 4)["key_points"][1] = point
    (tmp_path / "bad.json").write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError) as refusal:
        call_command("import_questions", str(tmp_path / "bad.json"), stdout=StringIO())

    assert problem in str(refusal.value)
    assert export(tmp_path / "after.json") == json.loads((tmp_path / "bank.json").read_text())


def test_a_bank_seeded_before_cues_existed_takes_them_from_the_fixture(seeded):
    # Seeded by a version without cues: no cues, and the checksum of that record.
    KeyPoint.objects.update(cues=[])
    for question in Question.objects.prefetch_related("topics", "key_points"):
        old = bank.checksum(bank.question_record(question))
        Question.objects.filter(pk=question.pk).update(seed_checksum=old)

    out = StringIO()
    call_command("seed_questions", stdout=out)

    assert "30 updated" in out.getvalue()
    assert not KeyPoint.objects.filter(cues=[]).exists()


def test_admin_edits_cues_one_per_line(admin_client, seeded):
    question = Question.objects.get(number=3)
    before = [point.cues for point in question.key_points.all()]
    change = reverse("admin:questions_question_change", args=[question.pk])
    page = admin_client.get(change).text
    assert "\n".join(before[0]) in page
    data = change_form_data(question) | {"key_points-0-cues": "epoch\n\n  full pass|whole data  \n"}

    response = admin_client.post(change, data)

    assert response.status_code == 302
    after = [point.cues for point in question.key_points.all()]
    assert after[0] == ["epoch", "full pass|whole data"]
    # The other points' cues were posted back as shown and stay as they were.
    assert after[1:] == before[1:]


def test_admin_refuses_a_bad_cue_with_a_message(admin_client, seeded):
    question = Question.objects.get(number=3)
    before = [point.cues for point in question.key_points.all()]
    change = reverse("admin:questions_question_change", args=[question.pk])
    data = change_form_data(question) | {"key_points-0-cues": "epoch\n|full pass"}

    response = admin_client.post(change, data)

    assert response.status_code == 200
    assert "Cue 2 has an empty alternative" in response.text
    assert [point.cues for point in question.key_points.all()] == before
