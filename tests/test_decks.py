"""Decks: My decks, a new deck, one deck's page with its search and filters, renaming and
deleting; the built-in deck for everyone, an own deck for its owner alone."""

import html

import pytest
from django.urls import reverse

from progress.models import ReviewCard
from questions.models import BUILTIN_DECK_NAME, Deck, Question, Topic
from sessions.models import Rating, SessionQuestion
from tests.factories import T0, answer, deck, grade, own_question, start_questions

LIST = reverse("decks:list")
NEW = reverse("decks:new")


def deck_urls(pk: int) -> list[str]:
    return [
        reverse("decks:detail", args=[pk]),
        reverse("decks:rename", args=[pk]),
        reverse("decks:delete", args=[pk]),
    ]


@pytest.fixture
def alices_deck(alice):
    return deck(alice, "Company X", "What they asked last year.")


def test_it_lists_the_builtin_deck_and_the_users_own_only(seeded, alice_client, alices_deck, bob):
    deck(bob, "Bob's secrets")
    own_question(alices_deck)

    page = alice_client.get(LIST).text

    assert BUILTIN_DECK_NAME in page
    assert "30 questions" in page
    assert "Company X" in page and "1 question<" in page
    assert "Bob&#x27;s secrets" not in page and "Bob's secrets" not in page
    assert f'href="{LIST}"' in page  # the nav link "Decks"


def test_every_deck_page_sends_visitors_to_log_in(seeded, client, alices_deck):
    for path in [LIST, NEW, *deck_urls(alices_deck.pk)]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={path}"
    assert client.post(reverse("decks:delete", args=[alices_deck.pk])).status_code == 302
    assert Deck.objects.filter(pk=alices_deck.pk).exists()


def test_another_users_deck_is_a_404_like_a_missing_one(seeded, bob_client, alices_deck):
    missing = Deck.objects.order_by("-pk").first().pk + 1
    for pk in (alices_deck.pk, missing):
        for path in deck_urls(pk):
            assert bob_client.get(path).status_code == 404
        assert bob_client.post(reverse("decks:delete", args=[pk])).status_code == 404
        assert (
            bob_client.post(reverse("decks:rename", args=[pk]), {"name": "Mine"}).status_code == 404
        )
    alices_deck.refresh_from_db()
    assert alices_deck.name == "Company X"


def test_the_builtin_deck_is_read_by_all_and_changed_by_none(seeded, bob_client):
    builtin = Deck.builtin()

    page = bob_client.get(builtin.get_absolute_url()).text

    assert "30 questions" in page
    assert reverse("decks:rename", args=[builtin.pk]) not in page
    assert bob_client.get(reverse("decks:rename", args=[builtin.pk])).status_code == 404
    assert bob_client.post(reverse("decks:delete", args=[builtin.pk])).status_code == 404
    assert Question.objects.builtin().count() == 30


def test_it_creates_a_deck(seeded, alice_client, alice):
    response = alice_client.post(NEW, {"name": "Company X", "description": "Onsite"})

    created = Deck.objects.get(owner=alice)
    assert response.status_code == 302 and response.url == created.get_absolute_url()
    assert (created.name, created.description, created.is_builtin) == ("Company X", "Onsite", False)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("x" * 121, "at most 120 characters"),
        ("a\x00b", "Null characters"),
    ],
)
def test_it_refuses_a_bad_name_and_creates_nothing(seeded, alice_client, alice, name, message):
    response = alice_client.post(NEW, {"name": name})

    assert response.status_code == 200
    assert message in response.text
    assert not Deck.objects.filter(owner=alice).exists()


def test_a_user_has_at_most_the_settings_number_of_decks(seeded, alice_client, alice, settings):
    settings.DECKS_PER_USER = 2
    deck(alice, "One")
    deck(alice, "Two")

    response = alice_client.post(NEW, {"name": "Three"})

    assert "You have 2 decks, as many as one account may have" in response.text
    assert Deck.objects.filter(owner=alice).count() == 2


def test_a_deck_page_escapes_what_its_owner_wrote(seeded, alice_client, alices_deck):
    Deck.objects.filter(pk=alices_deck.pk).update(name="<b>bold</b>")
    own_question(alices_deck, prompt="<img src=x onerror=alert(1)>")

    page = alice_client.get(alices_deck.get_absolute_url()).text

    assert "<img src=x" not in page
    assert html.escape("<img src=x onerror=alert(1)>") in page
    assert "<b>bold</b>" not in page


def test_a_deck_page_searches_and_filters_its_questions(seeded, alice_client, alices_deck):
    balancer = own_question(alices_deck)
    cache = own_question(
        alices_deck,
        prompt="Why put a cache in front of a database?",
        level="beginner",
        topics=["Caching"],
        key_points=[
            ("Reads are faster", []),
            ("Load moves off the database", []),
            ("Stale data", []),
        ],
    )
    url = alices_deck.get_absolute_url()

    def listed(**query) -> set[str]:
        page = alice_client.get(url, query).text
        return {q.prompt for q in (balancer, cache) if html.escape(q.prompt) in page}

    assert listed() == {balancer.prompt, cache.prompt}
    assert listed(q="CACHE database") == {cache.prompt}
    assert listed(q="health") == {balancer.prompt}  # a key point's words
    assert listed(level="beginner") == {cache.prompt}
    caching = Topic.objects.get(owner=alices_deck.owner, name="Caching")
    assert listed(topic=caching.slug) == {cache.prompt}
    assert listed(q="nothing like this") == set()


def test_a_deck_page_answers_htmx_with_its_results_only(seeded, alice_client, alices_deck):
    own_question(alices_deck)

    response = alice_client.get(
        alices_deck.get_absolute_url(), {"q": "balancer"}, headers={"HX-Request": "true"}
    )

    assert response.text.lstrip().startswith('<section id="results"')
    assert "1 question" in response.text
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_it_renames_a_deck(seeded, alice_client, alices_deck):
    response = alice_client.post(
        reverse("decks:rename", args=[alices_deck.pk]), {"name": "Company Y", "description": ""}
    )

    alices_deck.refresh_from_db()
    assert response.status_code == 302
    assert (alices_deck.name, alices_deck.description) == ("Company Y", "")


def test_deleting_a_deck_asks_first(seeded, alice_client, alices_deck):
    own_question(alices_deck)

    page = alice_client.get(reverse("decks:delete", args=[alices_deck.pk])).text

    assert "Delete this deck?" in page
    assert "its 1 question will be deleted" in page
    assert Deck.objects.filter(pk=alices_deck.pk).exists()


def test_deleting_a_deck_keeps_the_interviews_that_asked_its_questions(
    seeded, alice, alice_client, alices_deck
):
    asked = own_question(alices_deck)
    interview = start_questions(alice, [asked], T0)
    grade(answer(interview, 1, T0, text="Round robin."), Rating.GOOD, 2, T0)
    assert ReviewCard.objects.filter(user=alice, question=asked).exists()

    response = alice_client.post(reverse("decks:delete", args=[alices_deck.pk]))

    assert response.status_code == 302 and response.url == LIST
    assert not Deck.objects.filter(pk=alices_deck.pk).exists()
    assert not Question.objects.filter(pk=asked.pk).exists()
    item = SessionQuestion.objects.get(interview=interview)
    assert (item.question, item.prompt, item.answer_text) == (None, asked.prompt, "Round robin.")
    assert [point.covered for point in item.key_points.all()] == [True, True, False]
    assert not ReviewCard.objects.filter(user=alice).exists()
    history = alice_client.get(reverse("interviews:summary", args=[interview.pk])).text
    assert html.escape(asked.prompt) in history
    assert Question.objects.builtin().count() == 30


def test_an_own_question_is_seen_by_its_owner_only(
    seeded, alice, alice_client, bob_client, alices_deck
):
    asked = own_question(alices_deck)
    interview = start_questions(alice, [asked], T0)
    answer(interview, 1, T0)

    for path in (
        asked.get_absolute_url(),
        reverse("progress:question_history", args=[asked.slug]),
    ):
        assert alice_client.get(path).status_code == 200
        assert bob_client.get(path).status_code == 404
    assert bob_client.get("/questions/no-such-question/").status_code == 404


def test_practising_another_users_question_by_its_id_starts_nothing(
    seeded, bob, bob_client, alices_deck
):
    asked = own_question(alices_deck)

    response = bob_client.post(reverse("progress:practise"), {"question": [asked.pk]})

    assert response.status_code == 302
    assert not SessionQuestion.objects.filter(question=asked).exists()


def test_the_bank_lists_the_builtin_deck_only(seeded, alice_client, alices_deck):
    own_question(alices_deck)

    page = alice_client.get(reverse("questions:list")).text

    assert "30 questions" in page
    assert "load balancer" not in page


def test_a_large_deck_is_shown_a_page_at_a_time_in_fixed_queries(
    seeded, alice, alice_client, django_assert_num_queries
):
    big = deck(alice, "Big")
    Question.objects.bulk_create(
        Question(
            deck=big,
            number=n,
            slug=f"deck-{big.pk}-q{n}",
            level="beginner",
            prompt=f"Question number {n}?",
            reference_answer="An answer.",
        )
        for n in range(1, 121)
    )

    # 1 the session, 2 the user, 3 the deck, 4 the bank's version, 5 the topics its
    # questions use (for the cache key), 6 the same for the form, 7 how many questions match,
    # 8 the page's questions, 9 their topics.
    with django_assert_num_queries(9):
        first = alice_client.get(big.get_absolute_url(), {"level": "beginner"}).text
    # Then from the cache: the session, the user, the deck and the bank's version.
    with django_assert_num_queries(4):
        again = alice_client.get(big.get_absolute_url(), {"level": "beginner"}).text
    assert "120 questions, 1–50 shown" in again
    third = alice_client.get(big.get_absolute_url(), {"level": "beginner", "page": "3"}).text

    assert "120 questions, 1–50 shown" in first
    assert "Question number 50?" in first and "Question number 51?" not in first
    assert 'href="?level=beginner&amp;page=2"' in first
    assert "120 questions, 101–120 shown" in third
    assert "Question number 120?" in third
