"""Sharing a deck by link: Share, Stop sharing, the shared page for logged-in users, Add to my
decks, and the same 404 for a stopped link, a made-up one or another user's private deck."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from questions.models import Deck, Question
from sessions.models import InterviewSession
from tests.factories import deck, own_question


@pytest.fixture
def alices_deck(alice):
    company = deck(alice, "Company X", "Onsite, 2026")
    own_question(company, reference_answer="The secret **reference** answer.")
    own_question(company, prompt="<img src=x onerror=alert(1)>", topics=["Own tag"])
    return company


def share(client, target: Deck) -> str:
    client.post(reverse("decks:share", args=[target.pk]))
    target.refresh_from_db()
    return reverse("decks:shared", args=[target.share_token])


def test_sharing_makes_an_unguessable_link(seeded, alice_client, alices_deck):
    link = share(alice_client, alices_deck)

    assert len(alices_deck.share_token) >= 43  # 32 random bytes, 256 bits
    assert link in alice_client.get(alices_deck.get_absolute_url()).text
    other = deck(alices_deck.owner, "Other")
    share(alice_client, other)
    assert other.share_token != alices_deck.share_token


def test_only_the_owner_shares_or_stops_sharing(seeded, client, bob_client, alices_deck):
    for name in ("decks:share", "decks:stop_sharing"):
        assert client.post(reverse(name, args=[alices_deck.pk])).status_code == 302
        assert bob_client.post(reverse(name, args=[alices_deck.pk])).status_code == 404
        assert bob_client.post(reverse(name, args=[Deck.builtin().pk])).status_code == 404
    alices_deck.refresh_from_db()
    assert alices_deck.share_token is None


def test_a_shared_deck_shows_prompts_levels_and_topics_not_answers(
    seeded, alice_client, bob_client, client, alices_deck
):
    link = share(alice_client, alices_deck)

    response = bob_client.get(link)

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert "What does a load balancer do?" in response.text
    assert "Own tag" in response.text and "Intermediate" in response.text
    assert "secret" not in response.text and "Spreads requests" not in response.text
    assert html.escape("<img src=x onerror=alert(1)>") in response.text
    assert "<img src=x" not in response.text
    assert client.get(link).status_code == 302  # visitors log in first


def test_add_to_my_decks_copies_the_deck_with_its_answers(
    seeded, alice_client, bob, bob_client, alices_deck
):
    link = share(alice_client, alices_deck)

    response = bob_client.post(link + "add/")

    copy = Deck.objects.get(owner=bob)
    assert response.url == copy.get_absolute_url()
    assert (copy.name, copy.description) == ("Company X", "Onsite, 2026")
    first = copy.questions.get(number=1)
    assert first.reference_answer == "The secret **reference** answer."
    assert [p.text for p in first.key_points.all()] == [
        p.text for p in alices_deck.questions.get(number=1).key_points.all()
    ]
    tag = copy.questions.get(number=2).topics.get(name="Own tag")
    assert tag.owner == bob
    assert bob_client.get(first.get_absolute_url()).status_code == 200
    # Bob practises his copy.
    bob_client.post(
        reverse("interviews:new"),
        {"decks": [copy.pk], "question_count": "2", "timing_mode": "untimed", "order": "random"},
    )
    interview = InterviewSession.objects.get(user=bob)
    assert {item.question.deck_id for item in interview.items.all()} == {copy.pk}


def test_the_copy_outlives_the_original_and_its_link(
    seeded, alice_client, bob, bob_client, alices_deck
):
    link = share(alice_client, alices_deck)
    bob_client.post(link + "add/")

    alice_client.post(reverse("decks:delete", args=[alices_deck.pk]))

    copy = Deck.objects.get(owner=bob)
    assert copy.questions.count() == 2
    assert bob_client.get(link).status_code == 404


def test_a_stopped_link_a_made_up_one_and_a_private_deck_are_the_same_404(
    seeded, alice_client, bob_client, alices_deck
):
    link = share(alice_client, alices_deck)
    alice_client.post(reverse("decks:stop_sharing", args=[alices_deck.pk]))

    stopped = bob_client.get(link)
    made_up = bob_client.get(reverse("decks:shared", args=["x" * 43]))
    private = bob_client.get(alices_deck.get_absolute_url())

    assert stopped.status_code == made_up.status_code == private.status_code == 404

    def page(response) -> str:  # less what differs per response: the CSP nonce, the CSRF token
        return re.sub(
            r'(nonce="|X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', "", response.text
        )

    assert page(stopped) == page(made_up) == page(private)
    assert bob_client.post(link + "add/").status_code == 404
    assert not Deck.objects.filter(owner__username="bob").exists()


def test_a_third_user_gets_404_on_every_url_of_a_users_deck(
    seeded, alice_client, password, alices_deck
):
    from django.contrib.auth import get_user_model

    carol = get_user_model().objects.create_user("carol", "carol@example.com", password)
    third = Client()
    third.force_login(carol)
    asked = alices_deck.questions.get(number=1)
    urls = [
        reverse(name, args=[alices_deck.pk])
        for name in (
            "decks:detail",
            "decks:rename",
            "decks:delete",
            "decks:question_new",
            "decks:import",
        )
    ]
    urls += [
        reverse("decks:export", args=[alices_deck.pk, kind]) for kind in ("csv", "json", "apkg")
    ]
    urls += [
        reverse("decks:question_edit", args=[alices_deck.pk, asked.number]),
        asked.get_absolute_url(),
        reverse("progress:question_history", args=[asked.slug]),
    ]
    for url in urls:
        assert third.get(url).status_code == 404, url
    for name in ("decks:delete", "decks:share", "decks:stop_sharing", "decks:import_apply"):
        assert third.post(reverse(name, args=[alices_deck.pk])).status_code == 404, name
    assert (
        third.post(reverse("decks:question_archive", args=[alices_deck.pk, 1])).status_code == 404
    )
    assert Question.objects.filter(deck=alices_deck).count() == 2


def test_the_copy_counts_against_the_deck_limit(
    seeded, alice_client, bob, bob_client, alices_deck, settings
):
    settings.DECKS_PER_USER = 1
    deck(bob, "Bob's only deck")
    link = share(alice_client, alices_deck)

    response = bob_client.post(link + "add/", follow=True)

    assert "You have 1 decks, as many as one account may have" in response.text
    assert Deck.objects.filter(owner=bob).count() == 1
