"""seed_questions: the bank's content, and seeding that is idempotent and respects admin edits."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count

from questions.models import KeyPoint, Misconception, Question, Topic

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "questions.json"


def seed_questions(*args: str) -> str:
    """Run seed_questions and return what it reported."""
    out = StringIO()
    call_command("seed_questions", *args, stdout=out)
    return out.getvalue()


def bank_counts() -> dict[str, int]:
    return {
        "questions": Question.objects.count(),
        "key points": KeyPoint.objects.count(),
        "topics": Topic.objects.count(),
        "question topics": Question.topics.through.objects.count(),
    }


def key_point_texts(question: Question) -> list[str]:
    return list(question.key_points.values_list("text", flat=True))


def fixture_record(data: dict, number: int) -> dict:
    return next(record for record in data["questions"] if record["number"] == number)


def test_it_seeds_thirty_active_questions_across_the_levels(empty_bank):
    report = seed_questions()

    assert "30 added, 0 updated" in report
    assert Question.objects.active().count() == 30
    by_level = dict(
        Question.objects.active().values_list("level").annotate(n=Count("pk")).order_by()
    )
    assert by_level == {"beginner": 12, "intermediate": 11, "advanced": 5, "bonus": 2}


def test_every_seeded_question_has_three_to_seven_key_points_in_order(seeded):
    for question in Question.objects.prefetch_related("key_points"):
        orders = [point.order for point in question.key_points.all()]
        assert 3 <= len(orders) <= 7, question
        assert orders == list(range(1, len(orders) + 1)), question
        assert all(point.text.strip() for point in question.key_points.all()), question


def test_every_seeded_question_has_a_full_reference_answer_and_a_topic(seeded):
    questions = Question.objects.annotate(topic_count=Count("topics"))
    assert questions.count() == 30
    for question in questions:
        assert len(question.reference_answer.split()) >= 120, question
        assert question.topic_count >= 1, question
        assert question.prompt.strip(), question


def test_seeding_twice_changes_nothing(seeded):
    counts = bank_counts()
    numbers_and_slugs = list(Question.objects.values_list("number", "slug"))
    first_points = list(KeyPoint.objects.values_list("question__number", "order", "text"))

    report = seed_questions()

    assert "0 added, 0 updated, 30 unchanged" in report
    assert bank_counts() == counts
    assert counts["topics"] == 17
    assert list(Question.objects.values_list("number", "slug")) == numbers_and_slugs
    assert list(KeyPoint.objects.values_list("question__number", "order", "text")) == first_points


def test_an_admin_edit_survives_seeding(seeded):
    question = Question.objects.get(number=4)
    question.prompt = "Explain supervised, unsupervised and self-supervised learning."
    question.save()
    point = question.key_points.get(order=2)
    point.text = "Unsupervised learning finds structure in unlabelled data (edited)."
    point.save()

    report = seed_questions()

    assert "1 edited in admin and kept" in report
    question.refresh_from_db()
    assert question.prompt == "Explain supervised, unsupervised and self-supervised learning."
    assert key_point_texts(question)[1] == (
        "Unsupervised learning finds structure in unlabelled data (edited)."
    )


def test_update_lets_the_fixture_win_over_an_admin_edit(seeded):
    original = Question.objects.get(number=4)
    original_prompt, original_points = original.prompt, key_point_texts(original)
    Question.objects.filter(number=4).update(prompt="An edited prompt.")
    KeyPoint.objects.filter(question__number=4, order=2).update(text="An edited key point.")

    report = seed_questions("--update")

    assert "1 updated" in report
    question = Question.objects.get(number=4)
    assert question.prompt == original_prompt
    assert key_point_texts(question) == original_points
    # The fixture's version is the seeded one again: a plain seed now keeps it as it is.
    assert "30 unchanged" in seed_questions()


def test_an_unedited_question_is_refreshed_when_the_fixture_changes(seeded, tmp_path):
    Question.objects.filter(number=4).update(prompt="An edited prompt.")
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    new_answer = fixture_record(data, 3)["reference_answer"] + "\n\nA paragraph added later."
    fixture_record(data, 3)["reference_answer"] = new_answer
    fixture_record(data, 4)["reference_answer"] += "\n\nThis change loses to the admin edit."
    changed_fixture = tmp_path / "questions.json"
    changed_fixture.write_text(json.dumps(data), encoding="utf-8")

    report = seed_questions("--file", str(changed_fixture))

    assert "0 added, 1 updated, 28 unchanged, 1 edited in admin and kept" in report
    assert Question.objects.get(number=3).reference_answer == new_answer
    edited = Question.objects.get(number=4)
    assert edited.prompt == "An edited prompt."
    assert "loses to the admin edit" not in edited.reference_answer


def test_an_edit_after_a_refresh_is_still_recognised_as_an_admin_edit(seeded, tmp_path):
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    fixture_record(data, 3)["prompt"] = "What are epochs, batches and iterations?"
    changed_fixture = tmp_path / "questions.json"
    changed_fixture.write_text(json.dumps(data), encoding="utf-8")
    seed_questions("--file", str(changed_fixture))
    Question.objects.filter(number=3).update(prompt="Edited after the refresh.")

    report = seed_questions("--file", str(changed_fixture))

    assert "1 edited in admin and kept" in report
    assert Question.objects.get(number=3).prompt == "Edited after the refresh."


def test_it_refuses_a_missing_fixture(empty_bank, tmp_path):
    with pytest.raises(CommandError, match="No fixture at"):
        seed_questions("--file", str(tmp_path / "missing.json"))
    assert Question.objects.count() == 0


def test_a_bank_seeded_before_misconceptions_existed_gains_them(empty_bank, tmp_path):
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for record in data["questions"]:
        del record["misconceptions"]
    older = tmp_path / "older.json"
    older.write_text(json.dumps(data), encoding="utf-8")
    seed_questions("--file", str(older))
    assert Misconception.objects.count() == 0
    # An admin edit made since then is still recognised as one.
    Question.objects.filter(number=2).update(prompt="Edited in admin.")

    report = seed_questions()

    assert "0 added, 29 updated, 0 unchanged, 1 edited in admin and kept" in report
    assert Misconception.objects.filter(question__number=1).count() >= 2
    assert not Misconception.objects.filter(question__number=2).exists()
