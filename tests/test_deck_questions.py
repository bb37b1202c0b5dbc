"""Questions of one's own deck: new, edit, archive, the key-point rows without JavaScript, and
the live preview of the reference answer."""

import html

import pytest
from django.urls import reverse

from questions.models import Deck, KeyPoint, Question, Topic
from sessions.models import SessionQuestion
from tests.factories import T0, answer, deck, own_question, start_questions

PREVIEW = reverse("decks:question_preview")


@pytest.fixture
def alices_deck(alice):
    return deck(alice)


def question_data(points=None, **overrides) -> dict:
    """The question form as a browser posts it: `points` as (text, cues, order, remove)."""
    if points is None:
        points = [
            ("Spreads requests across servers", "", "1", False),
            ("Checks each server's health", "health check*", "2", False),
            ("Drops a failing server", "", "3", False),
        ]
    data = {
        "prompt": "What does a load balancer do?",
        "reference_answer": "It **spreads** requests.",
        "level": "advanced",
        "topics": "Architectures, Systems design",
        "suggested_seconds": "150",
        "follow_ups": "What about sticky sessions?\nAnd health checks?",
        "points-TOTAL_FORMS": str(len(points)),
        "points-INITIAL_FORMS": str(len(points)),
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "8",
    }
    for index, (text, cues, order, remove) in enumerate(points):
        data[f"points-{index}-text"] = text
        data[f"points-{index}-cues"] = cues
        data[f"points-{index}-ORDER"] = order
        if remove:
            data[f"points-{index}-DELETE"] = "on"
    return data | overrides


def new_url(pk: int) -> str:
    return reverse("decks:question_new", args=[pk])


def test_the_question_pages_are_the_owners_alone(seeded, client, bob_client, alices_deck):
    asked = own_question(alices_deck)
    urls = [
        new_url(alices_deck.pk),
        reverse("decks:question_edit", args=[alices_deck.pk, asked.number]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
        assert bob_client.get(url).status_code == 404
        assert bob_client.post(url, question_data()).status_code == 404
    archive = reverse("decks:question_archive", args=[alices_deck.pk, asked.number])
    assert bob_client.post(archive).status_code == 404
    assert client.post(archive).status_code == 302
    assert bob_client.get(new_url(Deck.builtin().pk)).status_code == 404
    assert Question.objects.filter(deck=alices_deck).count() == 1
    asked.refresh_from_db()
    assert asked.is_active and asked.prompt == "What does a load balancer do?"


def test_it_adds_a_question_with_its_key_points_topics_and_follow_ups(
    seeded, alice, alice_client, alices_deck
):
    response = alice_client.post(new_url(alices_deck.pk), question_data())

    assert response.status_code == 302 and response.url == alices_deck.get_absolute_url()
    added = Question.objects.get(deck=alices_deck)
    assert (added.number, added.level, added.suggested_seconds) == (1, "advanced", 150)
    assert added.follow_ups == ["What about sticky sessions?", "And health checks?"]
    assert [(p.order, p.text, p.cues) for p in added.key_points.all()] == [
        (1, "Spreads requests across servers", []),
        (2, "Checks each server's health", ["health check*"]),
        (3, "Drops a failing server", []),
    ]
    topics = {(topic.name, topic.owner_id) for topic in added.topics.all()}
    assert topics == {("Architectures", None), ("Systems design", alice.pk)}
    assert alice_client.get(added.get_absolute_url()).status_code == 200


def test_key_points_are_reordered_and_removed_as_numbered(seeded, alice_client, alices_deck):
    points = [
        ("First", "", "3", False),
        ("Second", "", "1", False),
        ("Gone", "", "2", True),
        ("Third", "", "2", False),
        ("", "", "", False),  # a blank row is no key point
    ]

    alice_client.post(new_url(alices_deck.pk), question_data(points))

    added = Question.objects.get(deck=alices_deck)
    assert [point.text for point in added.key_points.all()] == ["Second", "Third", "First"]


def test_add_a_key_point_shows_one_more_row_and_saves_nothing(seeded, alice_client, alices_deck):
    data = question_data() | {"add_key_point": "1"}

    page = alice_client.post(new_url(alices_deck.pk), data).text

    assert page.count('name="points-3-text"') == 1
    assert 'name="points-4-text"' not in page
    assert 'value="Checks each server&#x27;s health"' in page
    assert not Question.objects.filter(deck=alices_deck).exists()


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([("One", "", "1", False), ("Two", "", "2", False)], "Give at least 3 key points."),
        ([(f"Point {n}", "", str(n), False) for n in range(1, 9)], "Give at most 7 key points."),
        (
            [("One", "", "1", False), ("Two", "", "2", False), ("", "orphan cue", "3", False)],
            "Write the key point its cue phrases belong to.",
        ),
        (
            [("One", "a||b", "1", False), ("Two", "", "2", False), ("Three", "", "3", False)],
            "empty alternative",
        ),
        (
            [("x" * 301, "", "1", False), ("Two", "", "2", False), ("Three", "", "3", False)],
            "at most 300 characters",
        ),
    ],
)
def test_it_refuses_bad_key_points_and_saves_nothing(
    seeded, alice_client, alices_deck, points, message
):
    response = alice_client.post(new_url(alices_deck.pk), question_data(points))

    assert response.status_code == 200
    assert message in html.unescape(response.text)
    assert not Question.objects.filter(deck=alices_deck).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("prompt", "", "This field is required."),
        ("prompt", "a\x00b", "Null characters are not allowed."),
        ("prompt", "x" * 1001, "at most 1000 characters"),
        ("suggested_seconds", "5", "greater than or equal to 30"),
        ("follow_ups", "1?\n2?\n3?\n4?", "At most 3 follow-up questions"),
        ("topics", ",".join(f"t{n}" for n in range(11)), "At most 10 topics"),
    ],
)
def test_it_refuses_bad_fields_and_saves_nothing(
    seeded, alice_client, alices_deck, field, value, message
):
    response = alice_client.post(new_url(alices_deck.pk), question_data(**{field: value}))

    assert message in html.unescape(response.text)
    assert not Question.objects.filter(deck=alices_deck).exists()


def test_a_deck_holds_at_most_the_settings_number_of_questions(
    seeded, alice_client, alices_deck, settings
):
    settings.QUESTIONS_PER_DECK = 1
    own_question(alices_deck)

    response = alice_client.post(new_url(alices_deck.pk), question_data())

    assert "A deck holds at most 1 questions" in response.text
    assert Question.objects.filter(deck=alices_deck).count() == 1


def test_editing_a_question_never_rewrites_an_answer_already_given(
    seeded, alice, alice_client, alices_deck
):
    asked = own_question(alices_deck)
    interview = start_questions(alice, [asked], T0)
    answer(interview, 1, T0, text="Round robin.")
    edit = reverse("decks:question_edit", args=[alices_deck.pk, asked.number])
    assert "What does a load balancer do?" in alice_client.get(edit).text

    alice_client.post(edit, question_data(prompt="Edited prompt?"))

    asked.refresh_from_db()
    assert asked.prompt == "Edited prompt?"
    assert [point.text for point in asked.key_points.all()][1] == "Checks each server's health"
    item = SessionQuestion.objects.get(interview=interview)
    assert item.prompt == "What does a load balancer do?"
    assert [point.text for point in item.key_points.all()] == [
        "Spreads requests across servers",
        "Checks the health of each server",
        "Removes a failing server from rotation",
    ]


def test_archiving_hides_a_question_from_new_interviews_and_restoring_brings_it_back(
    seeded, alice_client, alices_deck
):
    asked = own_question(alices_deck)
    archive = reverse("decks:question_archive", args=[alices_deck.pk, asked.number])

    alice_client.post(archive)
    asked.refresh_from_db()
    assert not asked.is_active
    assert "Archived" in alice_client.get(alices_deck.get_absolute_url()).text

    alice_client.post(archive, {"restore": "1"})
    asked.refresh_from_db()
    assert asked.is_active


def test_the_preview_sanitises_the_reference_answer_as_the_bank_does(seeded, alice_client, client):
    text = "**Bold** <script>alert(1)</script> <img src=x onerror=alert(1)>"

    response = alice_client.post(PREVIEW, {"reference_answer": text}, headers={"HX-Request": "1"})

    assert response.text.lstrip().startswith('<section id="preview"')
    assert "<strong>Bold</strong>" in response.text
    assert "<script" not in response.text and "<img" not in response.text
    assert client.post(PREVIEW, {"reference_answer": text}).status_code == 302


def test_the_preview_works_without_javascript_and_saves_nothing(seeded, alice_client, alices_deck):
    data = question_data(reference_answer="A *preview*.") | {"preview": "1"}

    page = alice_client.post(new_url(alices_deck.pk), data).text

    assert "A <em>preview</em>." in page
    assert not Question.objects.filter(deck=alices_deck).exists()


def test_an_own_prompt_shows_as_text(seeded, alice_client, alices_deck):
    alice_client.post(new_url(alices_deck.pk), question_data(prompt="<img src=x onerror=alert(1)>"))
    added = Question.objects.get(deck=alices_deck)

    page = alice_client.get(added.get_absolute_url()).text

    assert "<img src=x" not in page
    assert html.escape("<img src=x onerror=alert(1)>") in page


def test_tags_are_the_owners_own(seeded, alice_client, bob, alices_deck):
    alice_client.post(new_url(alices_deck.pk), question_data(topics="Secret project"))

    tag = Topic.objects.get(name="Secret project")
    assert tag.owner == alices_deck.owner
    bob_deck = deck(bob)
    bobs = own_question(bob_deck, topics=["Secret project"])
    assert bobs.topics.get().owner == bob
    assert KeyPoint.objects.filter(question=bobs).count() == 3
