"""The private calendar feed: made, replaced and turned off by its owner in settings; read by a
calendar app without logging in; a wrong or revoked address gets a clear page."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from progress import calendar
from sessions.models import Rating
from tests.factories import T0, graded_interview, set_profile


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(T0, tick=False)


def feed_token(client) -> str:
    client.post(reverse("progress:calendar"), {"action": "new"})
    return Profile.objects.get(user__username="alice").calendar_token


def test_it_makes_replaces_and_turns_off_the_address(alice_client, alice):
    page = alice_client.get(reverse("progress:calendar"))
    assert "Make my calendar address" in page.text

    first = feed_token(alice_client)
    page = alice_client.get(reverse("progress:calendar"))
    assert f"http://testserver/calendar/{first}.ics" in page.text
    assert Client().get(reverse("progress:calendar_feed", args=[first])).status_code == 200

    second = feed_token(alice_client)
    assert second != first
    old = Client().get(reverse("progress:calendar_feed", args=[first]))
    assert old.status_code == 404
    assert "This calendar link does not work" in old.text

    alice_client.post(reverse("progress:calendar"), {"action": "off"})
    assert Profile.objects.get(user=alice).calendar_token == ""
    assert Client().get(reverse("progress:calendar_feed", args=[second])).status_code == 404


def test_only_its_owner_manages_it(client, bob_client, alice_client):
    token = feed_token(alice_client)
    assert client.get(reverse("progress:calendar")).status_code == 302
    assert client.post(reverse("progress:calendar"), {"action": "off"}).status_code == 302
    # Bob's page is about bob's address only.
    assert token not in bob_client.get(reverse("progress:calendar")).text
    bob_client.post(reverse("progress:calendar"), {"action": "off"})
    assert Profile.objects.get(user__username="alice").calendar_token == token


@pytest.mark.parametrize("token", ["x", "a" * 43, "a" * 500, "%00" * 15, "é"])
def test_a_made_up_address_gets_a_clear_page(db, token):
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert "This calendar link does not work" in response.text


def test_the_feed_lists_the_days_reviews_fall_due_and_the_interview(seeded, alice, alice_client):
    graded_interview(alice, [(1, Rating.AGAIN, 0), (2, Rating.AGAIN, 0)], T0 - timedelta(days=2))
    graded_interview(alice, [(3, Rating.EASY, 3)], T0 - timedelta(hours=2))
    set_profile(alice, time_zone="America/New_York", interview_date=date(2026, 3, 20))
    token = feed_token(alice_client)

    response = Client().get(reverse("progress:calendar_feed", args=[token]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    # Overdue questions are due today, in New York (T0 is 04:00 there on 2 March).
    assert "DTSTART;VALUE=DATE:20260302\r\n" in text
    assert "SUMMARY:Review 2 questions\r\n" in text
    assert "SUMMARY:Review 1 question\r\n" in text  # the one graded Easy, days on
    assert (
        "DTSTART;VALUE=DATE:20260320\r\nDTEND;VALUE=DATE:20260321\r\nSUMMARY:Your interview" in text
    )
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_text_is_escaped_and_long_lines_folded():
    event = calendar.CalendarEvent(
        uid="x@y", day=date(2026, 1, 5), summary="A; B, C\\D", description="é" * 60
    )
    text = calendar.ical([event], T0, "Name")
    assert "SUMMARY:A\\; B\\, C\\\\D\r\n" in text
    unfolded = text.replace("\r\n ", "")
    assert f"DESCRIPTION:{'é' * 60}\r\n" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_the_feed_runs_two_queries_whatever_the_number_of_cards(
    seeded, alice, alice_client, django_assert_num_queries
):
    graded_interview(alice, [(n, Rating.AGAIN, 0) for n in range(1, 11)], T0 - timedelta(days=2))
    token = feed_token(alice_client)
    feed = Client()

    with django_assert_num_queries(2):
        # 1. The profile with its user, by the token.
        # 2. The cards due in the next 30 days, counted per day of the user's time zone.
        response = feed.get(reverse("progress:calendar_feed", args=[token]))

    assert "SUMMARY:Review 10 questions" in response.content.decode()
