"""Practising one's own decks: the Decks choice of a new interview, drawing across decks, and
the review schedule, the dashboard, a question's history and the export for own questions."""

import json
import random
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from progress.models import ReviewCard
from questions.models import Deck, Question
from sessions import engine
from sessions.models import InterviewSession, QuestionOrder, Rating
from tests.factories import T0, answer, config, deck, grade, own_question, start_questions

NEW = reverse("interviews:new")


def configure(**overrides) -> dict:
    return {
        "question_count": "2",
        "timing_mode": "suggested",
        "order": "random",
    } | overrides


@pytest.fixture
def alices_deck(alice):
    company = deck(alice, "Company X")
    own_question(company, prompt="What does a load balancer do?")
    own_question(company, prompt="What is a CDN for?", level="beginner")
    return company


def test_the_form_offers_the_builtin_deck_ticked_and_the_users_own(
    seeded, alice_client, bob, alices_deck
):
    deck(bob, "Bob's private deck")

    page = alice_client.get(NEW).text

    builtin = Deck.builtin()
    boxes = re.findall(r'<input type="checkbox" name="decks"[^>]*>', page)
    assert boxes == [
        f'<input type="checkbox" name="decks" value="{builtin.pk}" id="id_decks_0" checked>',
        f'<input type="checkbox" name="decks" value="{alices_deck.pk}" id="id_decks_1">',
    ]
    assert "Company X" in page
    assert "Bob" not in page


def test_an_interview_of_ones_own_deck_asks_its_questions_only(
    seeded, alice, alice_client, alices_deck
):
    response = alice_client.post(NEW, configure(decks=[alices_deck.pk]))

    interview = InterviewSession.objects.get(user=alice)
    assert response.url == interview.get_absolute_url()
    assert {item.question.deck_id for item in interview.items.all()} == {alices_deck.pk}
    assert interview.items.count() == 2


def test_levels_and_counts_work_across_the_chosen_decks(seeded, alice, alice_client, alices_deck):
    builtin = Deck.builtin()
    beginner = Question.objects.filter(level="beginner", deck__in=[builtin, alices_deck]).count()

    too_many = alice_client.post(
        NEW,
        configure(decks=[builtin.pk, alices_deck.pk], levels=["beginner"], question_count="30"),
    )

    assert f"Only {beginner} questions match" in too_many.text
    alice_client.post(
        NEW,
        configure(decks=[builtin.pk, alices_deck.pk], levels=["beginner"], question_count=beginner),
    )
    interview = InterviewSession.objects.get(user=alice)
    assert {item.question.deck_id for item in interview.items.all()} == {builtin.pk, alices_deck.pk}


def test_another_users_deck_cannot_be_chosen(seeded, bob, bob_client, alices_deck):
    response = bob_client.post(NEW, configure(decks=[alices_deck.pk]))

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not InterviewSession.objects.filter(user=bob).exists()


def test_the_engine_never_draws_another_users_questions(seeded, bob, alices_deck):
    drawn = engine.draw_questions(bob, config(question_count=30, decks=(alices_deck.pk,)))

    assert drawn == []


def test_no_deck_chosen_means_the_builtin_deck(seeded, alice, alices_deck):
    drawn = engine.draw_questions(alice, config(question_count=30), rng=random.Random(1))

    assert len(drawn) == 30
    assert {question.deck_id for question in drawn} == {Deck.builtin().pk}


def test_own_questions_are_scheduled_reviewed_and_counted_like_the_banks(
    seeded, alice, alice_client, alices_deck
):
    asked = list(alices_deck.questions.all())
    interview = start_questions(alice, asked, T0)
    grade(answer(interview, 1, T0, text="It spreads requests."), Rating.AGAIN, 1, T0)
    grade(answer(interview, 2, T0, text="Caching near users."), Rating.GOOD, 3, T0)

    cards = ReviewCard.objects.filter(user=alice)
    assert {card.question_id for card in cards} == {question.pk for question in asked}
    review = alice_client.get(reverse("progress:review")).text
    assert "What does a load balancer do?" in review
    dashboard = alice_client.get("/").text
    assert "By deck" in dashboard
    assert f'href="{alices_deck.get_absolute_url()}"' in dashboard
    history = alice_client.get(reverse("progress:question_history", args=[asked[0].slug])).text
    assert "It spreads requests." in history
    exported = json.loads(alice_client.get(reverse("export_data")).content)
    assert {item["deck"] for i in exported["interviews"] for item in i["questions"]} == {
        "Company X"
    }


def test_weakest_first_orders_own_questions_by_their_schedule(seeded, alice, alices_deck):
    first, second = alices_deck.questions.all()
    interview = start_questions(alice, [first, second], T0)
    grade(answer(interview, 1, T0), Rating.EASY, 3, T0)
    grade(answer(interview, 2, T0), Rating.AGAIN, 0, T0)

    drawn = engine.draw_questions(
        alice,
        config(question_count=2, decks=(alices_deck.pk,), order=QuestionOrder.WEAKEST_FIRST),
        now=T0 + timedelta(days=1),  # right after the grades both would be recalled for sure
    )

    assert drawn == [second, first]


def test_own_questions_get_suggestions_from_their_key_points(seeded, alice, alices_deck):
    asked = alices_deck.questions.get(number=1)
    interview = start_questions(alice, [asked], T0)

    answered = answer(
        interview, 1, T0, text="A load balancer spreads incoming requests across many servers."
    )

    suggested = [point.suggested for point in answered.key_points.all()]
    assert suggested[0] is True
    assert suggested[1:] == [False, False]
