"""Searching the bank and a deck (full-text on PostgreSQL, substrings on SQLite), flagging
questions and practising them, and suspending a question out of reviews and weakest-first."""

import html
import re

import pytest
from django.db import connection
from django.urls import reverse

from progress.models import ReviewCard
from questions.models import Question, QuestionMark
from questions.search import search
from sessions import engine
from sessions.models import InterviewSession, QuestionOrder, Rating
from tests.factories import T0, config, deck, graded_interview, own_question, question

LIST = reverse("questions:list")
POSTGRES = connection.vendor == "postgresql"


def prompts(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'<span class="muted">Q(\d+)\.</span>', page)}


def bank_search(text: str) -> set[int]:
    return set(search(Question.objects.builtin(), text).values_list("number", flat=True))


def test_the_bank_finds_questions_by_their_words(seeded, alice_client):
    expected = bank_search("dropout")

    page = alice_client.get(LIST, {"q": "dropout"}).text

    assert expected and prompts(page) == expected
    mention = {
        q.number
        for q in Question.objects.builtin().prefetch_related("key_points")
        if re.search(
            r"\bdropouts?\b",
            " ".join([q.prompt, q.reference_answer, *(p.text for p in q.key_points.all())]),
            re.IGNORECASE,
        )
    }
    assert expected == mention


def test_every_word_must_be_found(seeded):
    assert bank_search("dropout overfitting") <= bank_search("dropout")
    assert bank_search("zzzunheardofword") == set()
    assert bank_search("   ") == set(range(1, 31))


def test_a_key_points_words_are_searched_too(seeded):
    point = question(7).key_points.order_by("order").first()
    word = max(re.findall(r"[A-Za-z]{6,}", point.text), key=len)

    assert 7 in bank_search(word)


def test_a_search_is_not_served_from_the_banks_cache(seeded, alice_client):
    everything = alice_client.get(LIST).text
    found = alice_client.get(LIST, {"q": "dropout"}).text

    assert prompts(everything) == set(range(1, 31))
    assert prompts(found) == bank_search("dropout")


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's full-text search stems English words")
def test_on_postgresql_the_search_is_full_text_and_stemmed(seeded):
    # "regularising" and "regularisation" share a stem; a substring search would miss them.
    assert bank_search("regularising") == bank_search("regularisation")
    assert bank_search("regularising")


@pytest.mark.skipif(POSTGRES, reason="the portable search of other databases")
def test_elsewhere_the_search_matches_substrings_ignoring_case(seeded):
    assert bank_search("DROPOUT") == bank_search("dropout")
    assert bank_search("regularis") >= bank_search("regularisation")


def test_a_deck_search_never_finds_another_users_questions(seeded, alice, bob_client, bob):
    own_question(deck(alice), prompt="Alice's secret kubernetes question?")
    bobs = deck(bob)

    page = bob_client.get(bobs.get_absolute_url(), {"q": "kubernetes"}).text

    assert "secret" not in page
    assert "0 questions" in page


# Flag


def test_flagging_lists_the_question_and_offers_to_practise_it(seeded, alice, alice_client):
    flagged = question(4)

    response = alice_client.post(reverse("questions:flag", args=[flagged.slug]), {"flagged": "1"})

    assert response.url == flagged.get_absolute_url()
    page = alice_client.get(reverse("questions:flagged")).text
    assert html.escape(flagged.prompt) in page
    assert f'name="question" value="{flagged.pk}"' in page
    assert "Unflag" in alice_client.get(flagged.get_absolute_url()).text
    alice_client.post(reverse("progress:practise"), {"question": [flagged.pk]})
    interview = InterviewSession.objects.get(user=alice)
    assert [item.question_id for item in interview.items.all()] == [flagged.pk]


def test_unflagging_takes_it_off_the_list(seeded, alice_client):
    flagged = question(4)
    url = reverse("questions:flag", args=[flagged.slug])
    alice_client.post(url, {"flagged": "1"})

    alice_client.post(url)

    assert "No flagged question yet" in alice_client.get(reverse("questions:flagged")).text


def test_flags_and_suspensions_are_each_users_own(seeded, alice_client, bob_client, alice):
    own = own_question(deck(alice))
    alice_client.post(reverse("questions:flag", args=[question(4).slug]), {"flagged": "1"})

    assert "No flagged question yet" in bob_client.get(reverse("questions:flagged")).text
    for name in ("questions:flag", "questions:suspend"):
        assert bob_client.post(reverse(name, args=[own.slug]), {"flagged": "1"}).status_code == 404
    assert not QuestionMark.objects.filter(question=own).exists()


def test_the_mark_pages_send_visitors_to_log_in(seeded, client):
    assert client.get(reverse("questions:flagged")).status_code == 302
    for name in ("questions:flag", "questions:suspend"):
        assert client.post(reverse(name, args=[question(4).slug])).status_code == 302
    assert not QuestionMark.objects.exists()


# Suspend


@pytest.fixture
def reviewed(alice):
    graded_interview(alice, [(1, Rating.AGAIN, 0), (2, Rating.AGAIN, 0), (3, Rating.EASY, 6)], T0)
    ReviewCard.objects.filter(user=alice).update(due=T0)


def test_a_suspended_question_leaves_the_review_until_unsuspended(seeded, alice_client, reviewed):
    suspended = question(1)
    url = reverse("questions:suspend", args=[suspended.slug])

    alice_client.post(url, {"suspended": "1"})

    review = alice_client.get(reverse("progress:review")).text
    assert html.escape(suspended.prompt) not in review
    assert html.escape(question(2).prompt) in review
    assert "Suspended" in alice_client.get(suspended.get_absolute_url()).text
    dashboard = alice_client.get("/").text
    assert reverse("progress:question_history", args=[suspended.slug]) not in dashboard

    alice_client.post(url)

    assert html.escape(suspended.prompt) in alice_client.get(reverse("progress:review")).text


def test_a_suspended_question_is_not_drawn_weakest_first(seeded, alice, alice_client, reviewed):
    alice_client.post(reverse("questions:suspend", args=[question(1).slug]), {"suspended": "1"})

    drawn = engine.draw_questions(
        alice,
        config(levels=[question(1).level], question_count=30, order=QuestionOrder.WEAKEST_FIRST),
        now=T0,
    )

    assert question(1) not in drawn
    random_order = engine.draw_questions(
        alice, config(levels=[question(1).level], question_count=30), now=T0
    )
    assert question(1) in random_order
