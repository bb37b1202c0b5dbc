"""Hostile query strings on every page that reads one: never a server error.

NUL bytes, numbers far out of range, words where numbers belong, repeated keys and values
longer than any slug, on each page's own parameters and on the ones it does not know."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import Rating
from tests.factories import graded_interview, question

HOSTILE_VALUES = ["\x00", "%00", "a\x00b", str(10**30), "-1", "0", "x", "1e30", "½", "x" * 5000]
# Each page's own parameters, plus one it does not read.
PAGES = {
    "home": ["page", "unknown"],
    "progress:history": ["status", "level", "topic", "page"],
    "progress:review": ["page"],
    "questions:list": ["level", "topic"],
    "interviews:new": ["levels", "topics", "question_count", "timing_mode", "order"],
    "settings": ["next"],
    "account": ["next"],
}


@pytest.fixture
def graded(seeded, alice):
    """Alice has graded answers, so that the home page is her dashboard."""
    graded_interview(
        alice, [(1, Rating.AGAIN, 1), (5, Rating.GOOD, 4)], timezone.now() - timedelta(days=1)
    )


def hostile_queries(parameters: list[str]) -> list[str]:
    queries = []
    for name in parameters:
        queries += [urlencode({name: value}) for value in HOSTILE_VALUES]
        queries.append(urlencode([(name, "1"), (name, "x"), (name, "\x00")]))
    return queries


@pytest.mark.parametrize(("name", "parameters"), PAGES.items(), ids=list(PAGES))
def test_no_query_string_makes_a_list_page_fail(alice_client, graded, name, parameters):
    url = reverse(name)
    for query in hostile_queries(parameters):
        response = alice_client.get(f"{url}?{query}")
        assert response.status_code < 500, query


@pytest.mark.parametrize("view", ["questions:detail", "progress:question_history"])
def test_no_query_string_makes_a_question_page_fail(alice_client, graded, view):
    url = reverse(view, args=[question(1).slug])
    for query in hostile_queries(["page", "reveal"]):
        response = alice_client.get(f"{url}?{query}")
        assert response.status_code < 500, query


def test_no_query_string_makes_an_interview_page_fail(alice_client, alice, graded):
    interview = alice.interviews.get()
    urls = [
        reverse("interviews:summary", args=[interview.pk]),
        reverse("interviews:review", args=[interview.pk, 1]),
    ]
    for url in urls:
        for query in hostile_queries(["from", "page"]):
            response = alice_client.get(f"{url}?{query}")
            assert response.status_code < 500, (url, query)


def test_a_nul_topic_in_the_history_is_ignored_not_an_error(alice_client, graded):
    response = alice_client.get(reverse("progress:history"), {"topic": "\x00"})

    assert response.status_code == 200


ADMIN_QUERIES = [
    "q=%00",
    "level__exact=%00",
    "level__exact=expert",
    "topics__id__exact=%00",
    "topics__id__exact=x",
    "is_active__exact=%00",
    "o=%00",
    "p=" + str(10**30),
    "p=x",
    "q=" + "x" * 5000,
]


@pytest.mark.parametrize("model", ["question", "topic"])
def test_no_query_string_makes_an_admin_list_fail(seeded, admin_client, model):
    url = reverse(f"admin:questions_{model}_changelist")
    for query in ADMIN_QUERIES:
        response = admin_client.get(f"{url}?{query}")
        assert response.status_code < 500, query


def test_a_level_that_is_not_a_choice_is_refused_by_the_admin_list(seeded, admin_client):
    url = reverse("admin:questions_question_changelist")

    response = admin_client.get(f"{url}?level__exact=%00")

    assert response.status_code == 302
    assert response.url.endswith("?e=1")


@pytest.mark.parametrize("name", ["login", "signup", "password_reset", "home"])
def test_no_query_string_makes_a_public_page_fail(client, db, name):
    url = reverse(name)
    for query in hostile_queries(["next", "page"]):
        response = client.get(f"{url}?{query}")
        assert response.status_code < 500, query
