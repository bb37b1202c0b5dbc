"""Reminder emails: the digest at the hour each user chose in their time zone, at most once a
day and only when something is due; the interview notices; the RFC 8058 headers, read from a
real SMTP server; unsubscribing without logging in; the start-review link."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts import unsubscribe
from accounts.models import Profile
from progress import reminders
from progress.models import ReminderSent
from sessions.models import Rating
from tests.factories import T0, graded_interview, set_profile
from tests.smtp_server import smtp_server

TOKYO = ZoneInfo("Asia/Tokyo")  # UTC+9: 23:00 UTC is 08:00 there, the next day
# 2026-03-03, 07:50 and 08:05 in Tokyo.
BEFORE_EIGHT_IN_TOKYO = datetime(2026, 3, 2, 22, 50, tzinfo=UTC)
AFTER_EIGHT_IN_TOKYO = datetime(2026, 3, 2, 23, 5, tzinfo=UTC)


@pytest.fixture
def due_for_alice(seeded, alice):
    """Two questions graded Again three days before: due now."""
    graded_interview(alice, [(1, Rating.AGAIN, 0), (2, Rating.AGAIN, 0)], T0 - timedelta(days=3))
    return set_profile(alice, time_zone="Asia/Tokyo", remind_due=True, remind_at_hour=8)


def a_pass(time_machine, when: datetime) -> int:
    time_machine.move_to(when, tick=False)
    return reminders.send_reminders(when)


# The rule


def chosen(**values) -> reminders.ReminderSettings:
    defaults = {
        "zone": TOKYO,
        "remind_due": True,
        "hour": 8,
        "remind_interview": False,
        "interview_date": None,
    }
    return reminders.ReminderSettings(**(defaults | values))


def test_it_waits_for_the_chosen_hour_in_the_users_time_zone():
    assert reminders.reminders_due(chosen(), BEFORE_EIGHT_IN_TOKYO) == (date(2026, 3, 3), [])
    assert reminders.reminders_due(chosen(), AFTER_EIGHT_IN_TOKYO) == (date(2026, 3, 3), ["due"])
    # In London it is still the evening before, past 8: that day's digest.
    london = chosen(zone=ZoneInfo("Europe/London"))
    assert reminders.reminders_due(london, AFTER_EIGHT_IN_TOKYO) == (date(2026, 3, 2), ["due"])


def test_the_interview_notices_come_7_days_and_1_day_before():
    on = date(2026, 3, 3)
    for days_left, expected in [(7, ["interview-7"]), (1, ["interview-1"]), (3, []), (0, [])]:
        settings = chosen(
            remind_due=False, remind_interview=True, interview_date=on + timedelta(days=days_left)
        )
        assert reminders.reminders_due(settings, AFTER_EIGHT_IN_TOKYO) == (on, expected)


# The pass


def test_one_digest_a_day_at_the_chosen_hour(due_for_alice, time_machine):
    assert a_pass(time_machine, BEFORE_EIGHT_IN_TOKYO) == 0
    assert a_pass(time_machine, AFTER_EIGHT_IN_TOKYO) == 1
    assert a_pass(time_machine, AFTER_EIGHT_IN_TOKYO + timedelta(minutes=15)) == 0
    assert a_pass(time_machine, AFTER_EIGHT_IN_TOKYO + timedelta(hours=10)) == 0

    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["alice@example.com"]
    assert digest.subject == "2 questions due for review today"
    assert "Q1." in digest.body and "Q2." in digest.body
    assert list(ReminderSent.objects.values_list("kind", "day")) == [("due", date(2026, 3, 3))]

    # The next day in Tokyo, another.
    assert a_pass(time_machine, AFTER_EIGHT_IN_TOKYO + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_a_day_with_nothing_due_is_a_rest_day_without_email(seeded, alice, time_machine):
    # Graded Easy just before: nothing due for days.
    graded_interview(alice, [(1, Rating.EASY, 3)], AFTER_EIGHT_IN_TOKYO - timedelta(hours=1))
    set_profile(alice, time_zone="Asia/Tokyo", remind_due=True, remind_at_hour=8)

    assert a_pass(time_machine, AFTER_EIGHT_IN_TOKYO) == 0
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_users_who_did_not_ask_get_nothing(seeded, alice, bob, time_machine):
    graded_interview(alice, [(1, Rating.AGAIN, 0)], T0 - timedelta(days=3))
    set_profile(alice, remind_due=False, remind_at_hour=0)

    assert a_pass(time_machine, AFTER_EIGHT_IN_TOKYO) == 0
    assert mail.outbox == []


def test_interview_notices_with_the_predicted_recall_per_topic(due_for_alice, time_machine):
    set_profile(
        due_for_alice.user,
        remind_due=False,
        remind_interview_day=True,
        interview_date=date(2026, 3, 10),
    )

    assert a_pass(time_machine, AFTER_EIGHT_IN_TOKYO) == 1  # 7 days before, in Tokyo
    assert a_pass(time_machine, AFTER_EIGHT_IN_TOKYO + timedelta(days=1)) == 0
    assert a_pass(time_machine, AFTER_EIGHT_IN_TOKYO + timedelta(days=6)) == 1  # the day before

    week, tomorrow = mail.outbox
    assert week.subject == "Your interview is in a week"
    assert "Tuesday 10 March 2026" in week.body
    assert "Your predicted recall per topic on the day" in week.body
    assert tomorrow.subject == "Your interview is tomorrow"


def test_the_management_command_runs_one_pass(due_for_alice, time_machine, capsys):
    time_machine.move_to(AFTER_EIGHT_IN_TOKYO, tick=False)
    call_command("send_reminders")
    call_command("send_reminders")

    assert capsys.readouterr().out.splitlines() == [
        "Queued 1 reminder email(s).",
        "Queued 0 reminder email(s).",
    ]
    assert len(mail.outbox) == 1


# A real SMTP server, and unsubscribing from what it received


def test_a_real_smtp_server_receives_the_digest_with_one_click_unsubscribe(
    due_for_alice, time_machine, settings
):
    settings.SITE_URL = "https://prep.example.com"
    with smtp_server() as inbox:
        settings.MAILERS = inbox.mailer()
        a_pass(time_machine, AFTER_EIGHT_IN_TOKYO)

    (received,) = inbox.messages
    assert inbox.recipients == [["alice@example.com"]]
    assert received["Subject"] == "2 questions due for review today"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = received["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith("https://prep.example.com/accounts/unsubscribe/")
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = received.get_body(("html",)).get_content()
    assert "Start a review interview:\nhttps://prep.example.com/review/start/" in text
    assert '<a href="https://prep.example.com/review/start/' in html
    assert unsubscribe_url in text and unsubscribe_url in html

    # The mail provider's one-click unsubscribe: a POST without cookies or CSRF token.
    path = unsubscribe_url.removeprefix("https://prep.example.com")
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "Emails when questions are due for review</strong> are turned off" in response.text
    assert Profile.objects.get(user=due_for_alice.user).remind_due is False


def test_opening_the_unsubscribe_link_asks_first(due_for_alice):
    token = unsubscribe.token_for(due_for_alice.user_id, "due")

    page = Client().get(reverse("unsubscribe", args=[token]))

    assert "Turn them off" in page.text
    assert "emails when questions are due for review" in page.text
    assert Profile.objects.get(pk=due_for_alice.pk).remind_due is True


@pytest.mark.parametrize(
    "token",
    ["nonsense", "a" * 300, "eyJ1c2VyIjoxLCJsaXN0IjoiZHVlIn0:1vSxyz:forged"],
)
def test_a_wrong_or_altered_unsubscribe_link_gets_a_clear_page(due_for_alice, token):
    for response in (
        Client().get(reverse("unsubscribe", args=[token])),
        Client().post(reverse("unsubscribe", args=[token])),
    ):
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.text
    assert Profile.objects.get(pk=due_for_alice.pk).remind_due is True


def test_a_link_for_another_list_turns_off_only_that_one(due_for_alice):
    set_profile(due_for_alice.user, remind_interview_day=True)
    token = unsubscribe.token_for(due_for_alice.user_id, "interview")

    Client().post(reverse("unsubscribe", args=[token]))

    profile = Profile.objects.get(pk=due_for_alice.pk)
    assert (profile.remind_due, profile.remind_interview_day) == (True, False)


def test_unsubscribing_a_deleted_account_says_there_is_nothing_to_turn_off(alice):
    token = unsubscribe.token_for(alice.pk, "due")
    alice.delete()

    response = Client().post(reverse("unsubscribe", args=[token]))

    assert "There is nothing to turn off" in response.text


# The start-review link


def test_the_start_review_link_leads_its_addressee_to_the_due_questions(
    alice, alice_client, bob_client, client, time_machine
):
    time_machine.move_to(T0, tick=False)
    url = reverse("progress:start_review", args=[reminders.start_review_token(alice.pk)])

    assert alice_client.get(url).url == reverse("progress:review")
    # Never a log-in: anonymous visitors log in first, and come back.
    assert client.get(url).url == f"{reverse('login')}?next={quote(url)}"
    other = bob_client.get(url)
    assert other.status_code == 403
    assert "This link was sent to another account" in other.text
    altered = alice_client.get(url.replace(url[-8:-2], "AAAAAA"))
    assert altered.status_code == 400
    assert "This link does not work" in altered.text

    time_machine.move_to(T0 + timedelta(days=8), tick=False)
    expired = alice_client.get(url)
    assert expired.status_code == 400
    assert "This link has expired" in expired.text


def test_settings_turn_the_reminders_on(alice_client, alice):
    response = alice_client.post(
        reverse("settings"),
        {
            "time_zone": "Asia/Tokyo",
            "show_streaks": "on",
            "remind_due": "on",
            "remind_at_hour": "7",
            "remind_interview_day": "on",
        },
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=alice)
    assert (profile.remind_due, profile.remind_at_hour, profile.remind_interview_day) == (
        True,
        7,
        True,
    )
    page = alice_client.get(reverse("settings")).text
    assert "Email me when questions are due" in page
    assert '<option value="7" selected>07:00</option>' in page


def test_a_settings_form_sent_without_the_hour_keeps_the_chosen_one(alice_client, alice):
    set_profile(alice, remind_at_hour=6)

    alice_client.post(reverse("settings"), {"time_zone": "UTC", "show_streaks": "on"})

    assert Profile.objects.get(user=alice).remind_at_hour == 6
