"""The question bank in Django admin: the changelist, archiving, export, import and deletion."""

import html
import json
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from questions import bank
from questions.models import KeyPoint, Question
from sessions.models import Rating, SessionQuestion
from tests.factories import REFUSED_BANK_FILES, change_form_data, question, record_answer

CHANGELIST = reverse("admin:questions_question_changelist")
IMPORT = reverse("admin:questions_question_import")


def changelist_row(page: str, question: Question) -> str:
    """The changelist's table row for one question."""
    match = re.search(
        rf'<tr>(?:(?!</tr>).)*value="{question.pk}" class="action-select".*?</tr>', page, re.S
    )
    assert match, f"no row for {question}"
    return match.group(0)


def run_action(client: Client, action: str, *questions: Question, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [q.pk for q in questions], **extra},
    )


def upload(name: str, content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="application/json")


def apply_form(page: str) -> dict[str, str]:
    """The "Apply this import" form of the import page, which names the checked file."""
    return {"checked": re.search(r'<input type="hidden" name="checked" value="(\w+)">', page)[1]}


def vanishing_gradients() -> dict:
    return {
        "number": 31,
        "slug": "vanishing-gradients",
        "level": "intermediate",
        "topics": ["training"],
        "prompt": "What are vanishing gradients?",
        "reference_answer": "Gradients shrink as they are multiplied back through many layers.",
        "key_points": [
            "Repeated multiplication by small derivatives shrinks the gradient.",
            "Saturating activations such as sigmoid make it worse.",
            "ReLU, residual connections and normalisation keep gradients alive.",
        ],
        "suggested_seconds": 180,
        "is_active": True,
    }


def test_the_changelist_shows_each_question_with_its_counts(seeded, admin_client, alice, bob):
    neuron = question(1)
    record_answer(alice, neuron, self_rating=Rating.GOOD)
    record_answer(bob, neuron, self_rating=Rating.EASY)
    record_answer(get_user_model().objects.create_user("carol"), neuron, submitted=False)

    page = admin_client.get(CHANGELIST).text

    for column, heading in [
        ("number", "Number"),
        ("short_prompt", "Prompt"),
        ("level", "Level"),
        ("topic_names", "Topics"),
        ("is_active", "Active"),
        ("key_point_count", "Key points"),
        ("times_answered", "Answered"),
        ("average_rating", "Average rating"),
    ]:
        assert re.search(rf'class="[^"]*column-{column}[^"]*">.*?>{heading}<', page, re.S)
    assert page.count('class="action-select"') == 30
    row = changelist_row(page, neuron)
    assert "What is a neuron in a neural network?" in row
    assert '<td class="field-level">Beginner</td>' in row
    assert '<td class="field-topic_names">Fundamentals</td>' in row
    assert 'alt="True"' in row
    assert '<td class="field-key_point_count">6</td>' in row
    # Carol's unsubmitted question is no answer.
    assert '<td class="field-times_answered">2</td>' in row
    assert '<td class="field-average_rating">3.5</td>' in row
    unanswered = changelist_row(page, question(5))
    assert '<td class="field-topic_names">Fundamentals, Training</td>' in unanswered
    assert '<td class="field-times_answered">0</td>' in unanswered
    assert '<td class="field-average_rating">—</td>' in unanswered


def test_search_finds_a_question_by_its_key_point_text(seeded, admin_client):
    KeyPoint.objects.filter(question__number=7, order=3).update(
        text="Adam is a zebracorn among optimisers."
    )

    response = admin_client.get(CHANGELIST, {"q": "zebracorn"})

    assert response.context["cl"].result_count == 1
    assert changelist_row(response.text, question(7))
    assert response.text.count('class="action-select"') == 1


def test_archive_and_restore_flip_is_active(seeded, admin_client):
    selected = [question(3), question(4)]

    response = run_action(admin_client, "archive", *selected)

    assert response.status_code == 302
    assert list(Question.objects.filter(is_active=False).values_list("number", flat=True)) == [
        3,
        4,
    ]
    assert "Archived 2 question(s)." in admin_client.get(CHANGELIST).text

    run_action(admin_client, "restore", question(4))

    assert list(Question.objects.filter(is_active=False).values_list("number", flat=True)) == [3]
    assert Question.objects.active().count() == 29


def test_export_returns_the_selected_questions_in_the_fixture_format(seeded, admin_client):
    fixture = bank.export_bank()

    response = run_action(admin_client, "export_json", question(3), question(26))

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="questions.json"'
    exported = json.loads(response.content)
    assert exported["format"] == "interviewprep.questions/1"
    assert exported["questions"] == [
        record for record in fixture["questions"] if record["number"] in (3, 26)
    ]
    assert [topic["slug"] for topic in exported["topics"]] == [
        "optimisation",
        "reinforcement-learning",
        "training",
    ]
    # The export is itself an importable file.
    assert len(bank.check(exported).unchanged) == 2


def test_the_import_page_shows_the_plan_then_applies_it(seeded, admin_client):
    data = bank.export_bank()
    data["questions"][1]["prompt"] = "Which kinds of data do deep networks learn from?"
    data["questions"].append(vanishing_gradients())
    before = bank.export_bank()

    response = admin_client.post(IMPORT, {"file": upload("bank.json", bank.dumps(data))})

    assert response.status_code == 200
    page = response.text
    assert "1 to add, 1 to change, 29 unchanged." in page
    assert "Q31. What are vanishing gradients?" in page
    assert "Q2. Which kinds of data do deep networks learn from? — prompt" in page
    assert bank.export_bank() == before
    assert not Question.objects.filter(number=31).exists()

    response = admin_client.post(IMPORT, apply_form(page), follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "Imported: 1 added, 1 changed, 29 unchanged." in response.text
    assert question(2).prompt == "Which kinds of data do deep networks learn from?"
    added = question(31)
    assert (
        list(added.key_points.values_list("text", flat=True)) == vanishing_gradients()["key_points"]
    )
    assert list(added.topics.values_list("slug", flat=True)) == ["training"]


def test_the_import_page_refuses_a_malformed_file_and_changes_nothing(seeded, admin_client):
    data = bank.export_bank()
    data["questions"][0]["prompt"] = "A changed prompt that must not be written."
    del data["questions"][4]["prompt"]
    before = bank.export_bank()

    response = admin_client.post(IMPORT, {"file": upload("bank.json", bank.dumps(data))})

    page = response.text
    assert "The file was refused and nothing was changed" in page
    assert html.escape("Question 5: field 'prompt' is missing.") in page
    assert 'name="checked"' not in page
    assert bank.export_bank() == before


def test_the_import_page_refuses_a_file_that_is_not_json(seeded, admin_client):
    before = bank.export_bank()

    page = admin_client.post(IMPORT, {"file": upload("bank.json", "{not json")}).text

    assert "The file is not valid JSON" in page
    assert bank.export_bank() == before


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [(spoil, problem) for _, spoil, problem in REFUSED_BANK_FILES],
    ids=[name for name, _, _ in REFUSED_BANK_FILES],
)
def test_the_import_page_refuses_what_the_database_cannot_store(
    seeded, admin_client, spoil, problem
):
    before = bank.export_bank()
    data = bank.export_bank()
    data["questions"][0]["prompt"] = "A changed prompt that must not be written."

    response = admin_client.post(IMPORT, {"file": upload("bank.json", spoil(data))})

    assert response.status_code == 200
    assert "The file was refused and nothing was changed" in response.text
    assert html.escape(problem) in response.text
    assert 'name="checked"' not in response.text
    assert bank.export_bank() == before


def test_a_three_megabyte_file_that_passes_the_check_applies(seeded, admin_client):
    data = bank.export_bank()
    for record in data["questions"]:
        record["reference_answer"] += "\n\n" + " ".join(["A long worked example."] * 4_500)
    content = bank.dumps(data)
    assert len(content.encode()) > 3_000_000

    page = admin_client.post(IMPORT, {"file": upload("bank.json", content)}).text
    assert "0 to add, 30 to change, 0 unchanged." in page
    response = admin_client.post(IMPORT, apply_form(page), follow=True)

    assert "Imported: 0 added, 30 changed, 0 unchanged." in response.text
    assert question(1).reference_answer.endswith("A long worked example.")
    assert bank.export_bank() == bank.parse(content)


def test_applying_a_file_no_longer_checked_changes_nothing(seeded, admin_client):
    data = bank.export_bank()
    data["questions"].append(vanishing_gradients())
    page = admin_client.post(IMPORT, {"file": upload("bank.json", bank.dumps(data))}).text
    form = apply_form(page)
    admin_client.post(IMPORT, form)  # applied, and forgotten
    Question.objects.filter(number=31).delete()

    response = admin_client.post(IMPORT, form)

    assert "no longer waiting to be applied; upload it again" in response.text
    assert not Question.objects.filter(number=31).exists()


def test_the_import_page_is_for_staff_only(seeded, alice_client):
    data = bank.export_bank()
    data["questions"].append(vanishing_gradients())

    response = alice_client.post(IMPORT, {"file": upload("bank.json", bank.dumps(data))})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not Question.objects.filter(number=31).exists()


def test_an_answered_question_cannot_be_deleted_only_archived(seeded, admin_client, alice):
    answered = question(6)
    point_count = answered.key_points.count()
    record_answer(alice, answered)

    response = admin_client.post(
        reverse("admin:questions_question_delete", args=[answered.pk]), {"post": "yes"}
    )

    assert Question.objects.filter(pk=answered.pk).exists()
    assert answered.key_points.count() == point_count
    assert "cannot be deleted" in response.text
    assert "Archive it instead" in response.text


def test_deleting_an_answered_question_outside_the_admin_keeps_the_answer(seeded, alice):
    # A deleted deck deletes its questions this way: the interview keeps what was shown.
    answered = question(6)
    prompt = answered.prompt
    record_answer(alice, answered)

    answered.delete()

    item = SessionQuestion.objects.get(interview__user=alice)
    assert item.question is None
    assert item.prompt == prompt
    assert item.key_points.count() > 0


def test_bulk_delete_refuses_when_any_selected_question_was_answered(seeded, admin_client, alice):
    record_answer(alice, question(6))

    response = run_action(admin_client, "delete_selected", question(6), question(7), post="yes")

    assert Question.objects.filter(number__in=[6, 7]).count() == 2
    assert "cannot be deleted" in response.text
    assert "Archive them instead" in response.text


def test_a_question_never_answered_can_be_deleted(seeded, admin_client, alice):
    record_answer(alice, question(6))
    unanswered = question(7)

    response = admin_client.post(
        reverse("admin:questions_question_delete", args=[unanswered.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Question.objects.filter(number=7).exists()
    assert not KeyPoint.objects.filter(question_id=unanswered.pk).exists()
    assert Question.objects.count() == 29


def test_the_change_form_shows_the_key_points_inline(seeded, admin_client):
    neuron = question(1)

    response = admin_client.get(reverse("admin:questions_question_change", args=[neuron.pk]))

    assert response.status_code == 200
    page = response.text
    assert 'name="key_points-TOTAL_FORMS" value="6"' in page
    for point in neuron.key_points.all():
        assert html.escape(point.text) in page
    assert html.escape(neuron.prompt) in page


def test_the_change_form_saves_an_edited_key_point(seeded, admin_client):
    neuron = question(1)
    data = change_form_data(neuron)
    data["key_points-1-text"] = "The activation function adds the non-linearity."

    response = admin_client.post(reverse("admin:questions_question_change", args=[neuron.pk]), data)

    assert response.status_code == 302
    assert neuron.key_points.get(order=2).text == "The activation function adds the non-linearity."
    assert neuron.key_points.count() == 6


# KeyPointInline sets validate_min/validate_max, but InlineModelAdmin never passes those
# to the formset factory, so admin saves a question with 2 (or 8) key points, which the
# bank's own rules refuse: its export can then no longer be imported.
def test_the_change_form_refuses_fewer_than_three_key_points(seeded, admin_client):
    neuron = question(1)
    data = change_form_data(neuron)
    for index in range(4):
        data[f"key_points-{index}-DELETE"] = "on"

    response = admin_client.post(reverse("admin:questions_question_change", args=[neuron.pk]), data)

    assert response.status_code == 200
    assert "Please give at least 3 key points." in response.text
    assert neuron.key_points.count() == 6


def test_an_import_file_with_a_byte_order_mark_applies_as_previewed(seeded, admin_client):
    data = bank.export_bank()
    data["questions"].append(vanishing_gradients())
    content = "\ufeff" + bank.dumps(data)

    page = admin_client.post(IMPORT, {"file": upload("bank.json", content)}).text
    assert "1 to add, 0 to change, 30 unchanged." in page
    admin_client.post(IMPORT, apply_form(page))

    assert Question.objects.filter(number=31).exists()


def test_key_points_can_swap_places(admin_client, seeded):
    neuron = Question.objects.get(number=1)
    first, second = list(neuron.key_points.order_by("order"))[:2]
    data = change_form_data(neuron)
    data["key_points-0-order"], data["key_points-1-order"] = second.order, first.order

    response = admin_client.post(reverse("admin:questions_question_change", args=[neuron.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    texts = list(neuron.key_points.order_by("order").values_list("text", flat=True))
    assert texts[:2] == [second.text, first.text]
    assert list(neuron.key_points.order_by("order").values_list("order", flat=True)) == list(
        range(1, len(texts) + 1)
    )


def test_two_key_points_cannot_share_an_order(admin_client, seeded):
    neuron = Question.objects.get(number=1)
    data = change_form_data(neuron)
    data["key_points-1-order"] = data["key_points-0-order"]

    response = admin_client.post(reverse("admin:questions_question_change", args=[neuron.pk]), data)

    assert response.status_code == 200
    assert "Please correct the duplicate data for order." in response.text
    assert list(neuron.key_points.order_by("order").values_list("order", flat=True)) == list(
        range(1, neuron.key_points.count() + 1)
    )


def test_saving_a_question_keeps_its_line_endings(seeded, admin_client):
    neuron = question(1)
    reference_answer = neuron.reference_answer
    assert "\n" in reference_answer
    # A browser sends every line break of a textarea as CRLF.
    data = change_form_data(neuron)
    data["reference_answer"] = reference_answer.replace("\n", "\r\n")
    data["follow_ups"] = data["follow_ups"].replace("\n", "\r\n")

    response = admin_client.post(reverse("admin:questions_question_change", args=[neuron.pk]), data)

    assert response.status_code == 302
    neuron.refresh_from_db()
    assert neuron.reference_answer == reference_answer
    # Nothing changed, so re-importing the bank's file reports no change for it.
    plan = bank.check(json.loads((settings.BASE_DIR / "fixtures" / "questions.json").read_text()))
    assert neuron.number not in [record["number"] for record, _ in plan.changed]
