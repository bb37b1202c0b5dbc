"""A deck's page is served from the cache: every change to its questions shows at once, a
change to one user's questions leaves everyone else's cached pages alone, and the cached
forms carry each visitor's own CSRF token."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interviewprep import cache_versions, fragments
from progress.models import ProgressVersion
from questions import authoring, deck_views
from questions.models import Deck, Question, Topic
from tests.factories import deck, draft, own_question, question


def progress_version(user) -> int:
    return ProgressVersion.objects.filter(user=user).values_list("number", flat=True).first() or 0


@pytest.fixture
def alices_deck(alice):
    return deck(alice, "Company X")


def test_each_change_to_a_decks_questions_shows_at_once(seeded, alice_client, alices_deck):
    first = own_question(alices_deck, prompt="What does a load balancer do?")
    url = alices_deck.get_absolute_url()
    assert "What does a load balancer do?" in alice_client.get(url).text

    authoring.update_question(first, draft(prompt="What does a reverse proxy do?"))
    assert "What does a reverse proxy do?" in alice_client.get(url).text

    alice_client.post(reverse("decks:question_archive", args=[alices_deck.pk, first.number]))
    assert "Archived" in alice_client.get(url).text

    own_question(alices_deck, prompt="What is a health check?")
    assert "2 questions" in alice_client.get(url).text

    first.topics.add(Topic.objects.get(owner=None, slug="ethics"))
    assert "Ethics" in alice_client.get(url, {"topic": "ethics"}).text

    ethics = Topic.objects.get(owner=None, slug="ethics")
    ethics.name = "Ethics and fairness"
    ethics.save()  # as admin saves it
    assert "Ethics and fairness" in alice_client.get(url).text


def test_a_change_to_the_bank_shows_on_the_builtin_decks_page(seeded, alice_client):
    url = Deck.builtin().get_absolute_url()
    alice_client.get(url)

    bank_question = question(1)
    bank_question.prompt = "A question rewritten in admin?"
    bank_question.save()

    assert "A question rewritten in admin?" in alice_client.get(url).text


def test_an_own_question_changes_only_its_deck_and_its_owner(seeded, alice, bob, alices_deck):
    bobs_deck = deck(bob, "Bob's")
    bank, bob_progress = cache_versions.bank_version(), progress_version(bob)
    alice_progress = progress_version(alice)
    alices_version = Deck.objects.get(pk=alices_deck.pk).version

    written = own_question(alices_deck)
    authoring.update_question(written, draft(prompt="Edited?"))

    # Nobody else's cached bank list, dashboard or deck page is thrown away...
    assert cache_versions.bank_version() == bank
    assert progress_version(bob) == bob_progress
    assert Deck.objects.get(pk=bobs_deck.pk).version == 0
    # ...while Alice's deck and dashboard are.
    assert Deck.objects.get(pk=alices_deck.pk).version > alices_version
    assert progress_version(alice) > alice_progress


def test_renaming_a_deck_refreshes_its_owners_cached_pages(seeded, alice, alice_client):
    named = deck(alice, "Before")
    alice_client.get(reverse("interviews:new"))
    before = progress_version(alice)

    alice_client.post(reverse("decks:rename", args=[named.pk]), {"name": "After"})

    assert progress_version(alice) > before
    assert "After" in alice_client.get(reverse("interviews:new")).text


def test_questions_changed_in_bulk_refresh_their_decks(seeded, alice, alice_client, alices_deck):
    written = own_question(alices_deck)
    url = alices_deck.get_absolute_url()
    alice_client.get(url)
    bank = cache_versions.bank_version()

    changed = Question.objects.filter(pk=written.pk)
    changed.update(is_active=False)
    cache_versions.bump_for_questions(changed)

    assert "Archived" in alice_client.get(url).text
    assert cache_versions.bank_version() == bank  # no bank question among them
    cache_versions.bump_for_questions(Question.objects.filter(pk=question(1).pk))
    assert cache_versions.bank_version() == bank + 1


def csrf_token_of(page: str, action: str) -> str:
    """The token of the form that posts to `action`."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)


def test_the_cached_page_carries_each_sessions_own_csrf_token(seeded, alice, alices_deck):
    written = own_question(alices_deck)
    url = alices_deck.get_absolute_url()
    first = Client(enforce_csrf_checks=True)
    first.force_login(alice)
    first_page = first.get(url).text
    # Another session (logging in again makes a new CSRF secret) gets the cached listing.
    second = Client(enforce_csrf_checks=True)
    second.force_login(alice)
    second_page = second.get(url).text

    assert fragments._stand_in() not in first_page + second_page
    archive = reverse("decks:question_archive", args=[alices_deck.pk, written.number])
    token = csrf_token_of(second_page, archive)
    response = second.post(archive, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not Question.objects.get(pk=written.pk).is_active


def test_the_cached_pages_links_keep_only_the_filters(seeded, alice, alice_client, alices_deck):
    authoring.add_questions(alices_deck, [draft(prompt=f"Question {n}?") for n in range(60)])
    url = alices_deck.get_absolute_url()

    first = alice_client.get(url, {"level": "intermediate", "utm_source": "x<y"}).text
    second = alice_client.get(url, {"level": "intermediate"}).text

    assert results(first) == results(second)
    assert 'href="?level=intermediate&amp;page=2"' in second
    assert "utm_source" not in first


def results(page: str) -> str:
    """The listing, with its CSRF tokens (masked afresh for every response) left out."""
    listing = re.search(r'<section id="results".*?</section>', page, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", listing)


@pytest.mark.parametrize(
    "query",
    [
        {"page": "99999999999999999999"},
        {"page": "٣"},  # a digit, but not an ASCII one
        {"page": "-1"},
        {"topic": "no-such-topic"},
        {"level": "expert"},
        {"q": "balancer", "page": "1"},
    ],
)
def test_odd_addresses_are_answered_and_not_cached(
    seeded, alice, alice_client, alices_deck, query, rf
):
    own_question(alices_deck)
    url = alices_deck.get_absolute_url()

    response = alice_client.get(url, query)

    assert response.status_code == 200
    request = rf.get(url, query)
    request.user = alice
    assert deck_views._listing_key(request, alices_deck, True, "listing") is None
    plain = rf.get(url, {"page": "2"})
    assert deck_views._listing_key(plain, alices_deck, True, "listing") is not None


NEW_INTERVIEW = reverse("interviews:new")


def test_the_new_interview_form_shows_each_new_deck_and_tag_at_once(seeded, alice, alice_client):
    alice_client.get(NEW_INTERVIEW)

    made = deck(alice, "Company Y")
    assert "Company Y" in alice_client.get(NEW_INTERVIEW).text

    own_question(made, topics=["Load balancing"])
    assert "Load balancing" in alice_client.get(NEW_INTERVIEW).text

    ethics = Topic.objects.get(owner=None, slug="ethics")
    ethics.name = "Ethics and fairness"
    ethics.save()
    assert "Ethics and fairness" in alice_client.get(NEW_INTERVIEW).text

    alice_client.post(reverse("decks:delete", args=[made.pk]))
    alice_client.get(NEW_INTERVIEW)  # shows the message "Deck “Company Y” deleted."
    assert "Company Y" not in alice_client.get(NEW_INTERVIEW).text


def test_the_cached_new_interview_form_starts_an_interview_in_another_session(seeded, alice):
    first = Client(enforce_csrf_checks=True)
    first.force_login(alice)
    first.get(NEW_INTERVIEW)
    second = Client(enforce_csrf_checks=True)
    second.force_login(alice)
    page = second.get(NEW_INTERVIEW).text

    assert fragments._stand_in() not in page
    data = {
        "csrfmiddlewaretoken": csrf_token_of(page, NEW_INTERVIEW),
        "question_count": "2",
        "timing_mode": "suggested",
        "order": "random",
        "follow_up_seconds": "60",
    }
    response = second.post(NEW_INTERVIEW, data)
    assert response.status_code == 302
    assert alice.interviews.count() == 1


def test_my_decks_shows_each_change_at_once(seeded, alice, alice_client, alices_deck):
    alice_client.get(reverse("decks:list"))

    own_question(alices_deck)
    assert "1 question<" in alice_client.get(reverse("decks:list")).text

    renamed = Deck.objects.get(pk=alices_deck.pk)
    renamed.name = "Company Z"
    renamed.save()
    assert "Company Z" in alice_client.get(reverse("decks:list")).text

    bank_question = question(1)
    bank_question.is_active = False
    bank_question.save()
    assert "29 questions" in alice_client.get(reverse("decks:list")).text


def test_the_versions_are_read_in_one_query(db, alice, django_assert_num_queries):
    bank = cache_versions.bank_version()
    with django_assert_num_queries(1):
        assert cache_versions.versions_for(alice.pk) == (0, bank)
    cache_versions.bump_progress(alice.pk)
    cache_versions.bump_bank()
    cache_versions.bump_bank()
    assert cache_versions.versions_for(alice.pk) == (1, bank + 2)


def test_deleting_a_deck_costs_the_same_queries_whatever_its_size(seeded, alice, alice_client):
    def deletion_queries(size: int) -> int:
        doomed = deck(alice, f"Deck of {size}")
        authoring.add_questions(doomed, [draft(prompt=f"Q{n}?") for n in range(size)])
        with CaptureQueriesContext(connection) as captured:
            alice_client.post(reverse("decks:delete", args=[doomed.pk]))
        assert not Deck.objects.filter(pk=doomed.pk).exists()
        return len(captured.captured_queries)

    assert deletion_queries(12) == deletion_queries(1)


def test_an_import_refreshes_the_deck_once(seeded, alice, alice_client, alices_deck):
    url = alices_deck.get_absolute_url()
    alice_client.get(url)
    version = Deck.objects.get(pk=alices_deck.pk).version

    authoring.add_questions(alices_deck, [draft(prompt=f"Imported {n}?") for n in range(5)])

    assert Deck.objects.get(pk=alices_deck.pk).version == version + 1
    assert "5 questions" in alice_client.get(url).text
