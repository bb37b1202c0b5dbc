"""Follow-up questions: in the fixture, through import and export, in admin, kept with each
interview as shown, and displayed after the reference answer."""

import hashlib
import html
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from questions import bank
from questions.models import MAX_FOLLOW_UP_LENGTH, MAX_FOLLOW_UPS, Question
from tests.factories import T0, answer, change_form_data, item, question, start

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "questions.json"
HEADING = "The interviewer might ask next"


def fixture_data() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def record(data: dict, number: int) -> dict:
    return next(entry for entry in data["questions"] if entry["number"] == number)


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def follow_ups_section(page: str) -> str:
    """The page's "might ask next" section, or "" when there is none."""
    start_at = page.find('<section class="follow-ups"')
    return "" if start_at == -1 else page[start_at : page.index("</section>", start_at)]


def test_every_question_in_the_fixture_has_one_to_three_follow_ups():
    for entry in fixture_data()["questions"]:
        follow_ups = entry["follow_ups"]
        assert 1 <= len(follow_ups) <= MAX_FOLLOW_UPS, entry["number"]
        assert all(text.strip() and text.endswith("?") for text in follow_ups), entry["number"]


def test_seeding_stores_the_follow_ups(seeded):
    assert question(1).follow_ups == record(fixture_data(), 1)["follow_ups"]


def test_export_then_import_round_trips_follow_ups(seeded, tmp_path):
    exported = tmp_path / "bank.json"
    call_command("export_questions", str(exported), stderr=StringIO())
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert record(data, 1)["follow_ups"] == question(1).follow_ups
    record(data, 1)["follow_ups"] = ["What is a perceptron?", "  Why not a step function?  "]
    record(data, 2)["follow_ups"] = []

    call_command("import_questions", str(write(tmp_path / "edited.json", data)), stdout=StringIO())

    assert question(1).follow_ups == ["What is a perceptron?", "Why not a step function?"]
    assert question(2).follow_ups == []
    again = json.loads(bank.dumps(bank.export_bank()))
    assert record(again, 1)["follow_ups"] == ["What is a perceptron?", "Why not a step function?"]
    assert record(again, 2)["follow_ups"] == []


def test_a_file_without_follow_ups_imports_questions_without_them(db, tmp_path):
    data = fixture_data()
    for entry in data["questions"]:
        del entry["follow_ups"]

    call_command("import_questions", str(write(tmp_path / "old.json", data)), stdout=StringIO())

    assert Question.objects.count() == 30
    assert not Question.objects.exclude(follow_ups=[]).exists()


@pytest.mark.parametrize(
    ("follow_ups", "problem"),
    [
        ("Why?", "Follow-up questions must be a list of texts"),
        (["One?", 2], "Follow-up questions must be a list of texts"),
        (["A?", "B?", "C?", "D?"], f"At most {MAX_FOLLOW_UPS} follow-up questions; there are 4"),
        (["Fine?", "   "], "Follow-up question 2 has no text"),
        (["x" * (MAX_FOLLOW_UP_LENGTH + 1)], "Follow-up question 1 is longer than"),
    ],
)
def test_import_refuses_bad_follow_ups_and_changes_nothing(seeded, tmp_path, follow_ups, problem):
    data = fixture_data()
    record(data, 5)["follow_ups"] = follow_ups
    record(data, 6)["prompt"] = "A change that must not be applied."

    with pytest.raises(CommandError) as refused:
        call_command("import_questions", str(write(tmp_path / "bad.json", data)))

    assert f"Question 5: field 'follow_ups': {problem}" in str(refused.value)
    assert question(5).follow_ups == record(fixture_data(), 5)["follow_ups"]
    assert question(6).prompt != "A change that must not be applied."


def checksum_before_follow_ups(entry: dict) -> str:
    """bank.checksum as it was before the format had follow-ups."""
    canonical = {name: value for name, value in entry.items() if name != "follow_ups"}
    canonical["topics"] = sorted(canonical["topics"])
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def test_questions_seeded_before_follow_ups_existed_are_refreshed(db, tmp_path):
    # The bank as an earlier fixture left it: no follow-ups, checksums of the old format.
    data = fixture_data()
    for entry in data["questions"]:
        del entry["follow_ups"]
    call_command("seed_questions", "--file", str(write(tmp_path / "old.json", data)), verbosity=0)
    for seeded_question in Question.objects.prefetch_related("topics", "key_points"):
        old_checksum = checksum_before_follow_ups(bank.question_record(seeded_question))
        Question.objects.filter(pk=seeded_question.pk).update(seed_checksum=old_checksum)
    Question.objects.filter(number=7).update(prompt="Edited in admin.")
    out = StringIO()

    call_command("seed_questions", stdout=out)

    assert "29 updated, 0 unchanged, 1 edited in admin and kept" in out.getvalue()
    assert question(1).follow_ups == record(fixture_data(), 1)["follow_ups"]
    assert question(7).follow_ups == []


def test_admin_shows_follow_ups_one_per_line(seeded, admin_client):
    neuron = question(1)

    page = admin_client.get(reverse("admin:questions_question_change", args=[neuron.pk])).text

    assert html.escape("\n".join(neuron.follow_ups)) in page


def test_admin_saves_follow_ups_one_per_line(seeded, admin_client):
    neuron = question(1)
    data = change_form_data(neuron) | {
        "follow_ups": "What is a perceptron?\r\n\r\n  Why not a step function?  \r\n"
    }

    response = admin_client.post(reverse("admin:questions_question_change", args=[neuron.pk]), data)

    assert response.status_code == 302
    neuron.refresh_from_db()
    assert neuron.follow_ups == ["What is a perceptron?", "Why not a step function?"]


def test_admin_refuses_too_many_follow_ups(seeded, admin_client):
    neuron = question(1)
    before = neuron.follow_ups
    data = change_form_data(neuron) | {"follow_ups": "A?\nB?\nC?\nD?"}

    response = admin_client.post(reverse("admin:questions_question_change", args=[neuron.pk]), data)

    assert response.status_code == 200
    assert f"At most {MAX_FOLLOW_UPS} follow-up questions; there are 4." in response.text
    neuron.refresh_from_db()
    assert neuron.follow_ups == before


def test_the_grade_step_shows_the_follow_ups_after_the_reference_answer(
    seeded, alice, alice_client
):
    interview = start(alice, [1], now=T0)
    play = reverse("interviews:play", args=[interview.pk])
    assert HEADING not in alice_client.get(play).text
    answer(interview, 1, T0, text="A weighted sum and an activation.")

    page = alice_client.get(play).text

    section = follow_ups_section(page)
    assert HEADING in section
    for text in question(1).follow_ups:
        assert html.escape(text) in section
    # Inside the reference answer's disclosure, after the answer itself.
    reference = page[page.index('<details class="reference') :]
    reference = reference[: reference.index("</details>")]
    assert reference.index("Reference answer") < reference.index(HEADING)


def test_an_interview_keeps_the_follow_ups_it_was_started_with(seeded, alice, alice_client):
    shown = question(1).follow_ups
    interview = start(alice, [1], now=T0)
    Question.objects.filter(number=1).update(follow_ups=["A question added later?"])
    answer(interview, 1, T0, text="A weighted sum and an activation.")

    page = alice_client.get(reverse("interviews:play", args=[interview.pk])).text

    assert item(interview, 1).follow_ups == shown
    assert html.escape(shown[0]) in follow_ups_section(page)
    assert "A question added later?" not in page


def test_a_question_without_follow_ups_shows_no_heading(seeded, alice, alice_client):
    Question.objects.filter(number=1).update(follow_ups=[])
    interview = start(alice, [1], now=T0)
    answer(interview, 1, T0, text="A weighted sum and an activation.")

    page = alice_client.get(reverse("interviews:play", args=[interview.pk])).text

    assert HEADING not in page


def test_the_question_page_shows_follow_ups_only_with_the_answer(seeded, alice_client):
    neuron = question(1)

    hidden = alice_client.get(neuron.get_absolute_url()).text
    revealed = alice_client.get(neuron.get_absolute_url(), {"reveal": "1"}).text

    assert HEADING not in hidden
    assert html.escape(neuron.follow_ups[0]) not in hidden
    assert html.escape(neuron.follow_ups[0]) in follow_ups_section(revealed)
