"""The candidate's side of a second opinion through HTTP: asking for one (owner only, the
link shown once, the options, email, the daily limit), revoking, each sent review beside the
candidate's grade on the summary and on the question's history, copying a verdict into the
grade (which reschedules), and "You against your reviewers" on the dashboard."""

import re
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from progress.models import ReviewLogEntry
from sessions.feedback import reviews, second_opinion_views
from sessions.feedback.models import ReviewLink, Verdict
from sessions.models import Rating
from tests.factories import T0, graded_interview, item, review_link, start


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def interview(alice, seeded):
    """Question 1 graded Good with two key points ticked, question 2 Hard with none."""
    interview = graded_interview(alice, [(1, Rating.GOOD, 2), (2, Rating.HARD, 0)], T0)
    return interview


def url(name: str, *args) -> str:
    return reverse(f"interviews:{name}", args=args)


def sent_review(interview, verdicts: dict[int, Verdict], *, name="", covered=None, moments=()):
    """A review of `interview` sent at T0 with these verdicts (and ticks and moments)."""
    link, _ = review_link(interview, T0, reviewer_name=name)
    reviews.mark_opened(link, T0)
    for position, verdict in verdicts.items():
        answer = reviews.reviewed_answer(link, position)
        answer.link = link
        reviews.show_reference(answer, T0)
        reviews.save_answer(answer, verdict, (covered or {}).get(position, set()), "Why.", T0)
        for at_ms, text in moments:
            reviews.add_moment(answer, at_ms, text, T0)
    reviews.send(link, T0)
    return link


# Asking for a second opinion


def test_the_owner_asks_and_sees_the_link_once(alice_client, interview):
    response = alice_client.post(
        url("second_opinion", interview.pk), {"reviewer_name": "Sam", "days": "7"}
    )

    assert response.status_code == 302
    link = ReviewLink.objects.get()
    assert (link.reviewer_name, link.expires_at) == ("Sam", T0 + timedelta(days=7))
    assert (link.show_answers, link.show_recordings, link.show_own_grades) == (False, False, False)
    page = alice_client.get(response["Location"])
    shown = re.search(r'id="new-link-url" type="text" value="([^"]+)"', page.text).group(1)
    token = shown.rstrip("/").rsplit("/", 1)[1]
    assert shown.startswith(f"http://testserver/review/{interview.pk}/")
    assert reviews.token_matches(token, link.token_hash)
    assert "Copy link" in page.text and "data-copy" in page.text
    # Only once: the secret is kept nowhere.
    assert token not in alice_client.get(url("second_opinion", interview.pk)).text


def test_the_form_starts_with_answers_and_recordings_shown_and_own_grades_hidden(
    alice_client, interview
):
    response = alice_client.get(url("second_opinion", interview.pk))

    form = response.context["form"]
    assert form["show_answers"].initial is True
    assert form["show_recordings"].initial is True
    assert form["show_own_grades"].initial is False
    assert form["days"].initial == 14
    assert 'name="email"' not in response.text


@pytest.mark.parametrize("days", ["0", "31", "x"])
def test_the_expiry_is_one_to_thirty_days(alice_client, interview, days):
    response = alice_client.post(url("second_opinion", interview.pk), {"days": days})

    assert response.status_code == 200
    assert not ReviewLink.objects.exists()
    assert "1 to 30 days" in response.text or "Enter a whole number" in response.text


def test_a_name_with_a_nul_is_refused_with_a_message(alice_client, interview):
    response = alice_client.post(
        url("second_opinion", interview.pk), {"days": "14", "reviewer_name": "S\x00m"}
    )

    assert "null character" in response.text
    assert not ReviewLink.objects.exists()


def test_the_daily_limit_says_so(alice_client, interview, settings):
    settings.REVIEW_LINKS_PER_USER_PER_DAY = 1
    alice_client.post(url("second_opinion", interview.pk), {"days": "14"})

    response = alice_client.post(url("second_opinion", interview.pk), {"days": "14"})

    assert response.status_code == 200
    assert "as many as a day allows" in response.text
    assert ReviewLink.objects.count() == 1


def test_with_mail_configured_the_link_can_be_emailed(alice_client, alice, interview, settings):
    settings.REVIEW_LINKS_BY_EMAIL = True
    alice.first_name = "Alice"
    alice.save()

    alice_client.post(
        url("second_opinion", interview.pk), {"days": "3", "email": "coach@example.com"}
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coach@example.com"]
    assert "Alice asks for your opinion" in message.subject
    assert f"/review/{interview.pk}/" in message.body
    assert "alice@example.com" not in message.body


def test_a_mail_server_that_fails_leaves_the_link_to_copy(
    alice_client, interview, settings, monkeypatch
):
    settings.REVIEW_LINKS_BY_EMAIL = True

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(second_opinion_views, "send_mail", refuse)

    response = alice_client.post(
        url("second_opinion", interview.pk),
        {"days": "3", "email": "coach@example.com"},
        follow=True,
    )

    assert "could not be sent: copy the link" in response.text
    assert "Your new link" in response.text
    assert ReviewLink.objects.count() == 1


def test_an_interview_in_progress_cannot_be_reviewed_yet(alice_client, alice, seeded):
    running = start(alice, (3,), T0)

    page = alice_client.get(url("second_opinion", running.pk))
    alice_client.post(url("second_opinion", running.pk), {"days": "14"})

    assert "Only a completed interview can be reviewed" in page.text
    assert not ReviewLink.objects.exists()


def test_another_user_and_anonymous_cannot_ask(client, bob_client, interview):
    assert bob_client.get(url("second_opinion", interview.pk)).status_code == 404
    assert bob_client.post(url("second_opinion", interview.pk), {"days": "1"}).status_code == 404
    anonymous = client.post(url("second_opinion", interview.pk), {"days": "1"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not ReviewLink.objects.exists()


def test_the_page_lists_each_link_with_when_it_was_opened_and_sent(alice_client, interview, clock):
    review_link(interview, T0, reviewer_name="Unopened")
    opened, _ = review_link(interview, T0, reviewer_name="Opened")
    reviews.mark_opened(opened, T0 + timedelta(hours=1))
    sent_review(interview, {1: Verdict.GOOD}, name="Sent")
    revoked, _ = review_link(interview, T0, reviewer_name="Revoked")
    reviews.revoke(revoked, T0)

    text = alice_client.get(url("second_opinion", interview.pk)).text

    assert "not opened yet" in text
    assert "first opened 2 Mar 2026, 10:00" in text
    assert "review sent 2 Mar 2026, 09:00" in text
    assert ">revoked<" in text
    assert text.count(">Revoke<") == 3


# Revoking


def test_the_owner_revokes_a_link(alice_client, interview):
    link, token = review_link(interview, T0)

    response = alice_client.post(url("revoke_review_link", interview.pk, link.pk))

    assert response.status_code == 302
    assert ReviewLink.objects.get().revoked_at == T0
    assert reviews.find_open_link(interview.pk, token, T0) is None


def test_another_user_and_anonymous_cannot_revoke(client, bob_client, interview):
    link, _ = review_link(interview, T0)

    assert bob_client.post(url("revoke_review_link", interview.pk, link.pk)).status_code == 404
    assert client.post(url("revoke_review_link", interview.pk, link.pk)).status_code == 302
    assert ReviewLink.objects.get().revoked_at is None


# The reviews beside the candidate's grades


def test_the_summary_shows_each_sent_review_beside_the_own_grade(alice_client, interview):
    sent_review(
        interview,
        {1: Verdict.HARD, 2: Verdict.HARD},
        name="Sam",
        covered={1: {1}},
        moments=[(42_000, "Here you hesitate.")],
    )
    review_link(interview, T0, reviewer_name="Not yet")

    text = alice_client.get(url("summary", interview.pk)).text

    assert "Second opinions" in text and "Sam" in text and "Not yet" not in text
    assert "<dt>Your grade</dt><dd>Good</dd>" in text
    assert 'Hard <span class="muted">(borderline)</span>' in text
    # Question 1 differs (Good against Hard); question 2 agrees.
    assert text.count('<dd class="differs">') == 1
    assert "1 step lower than yours" in text
    # Alice ticked points 1 and 2; Sam only 1.
    assert "you ticked it" in text
    assert "at 0:42</a>: Here you hesitate." not in text  # no recording: no player to seek
    assert "at 0:42: Here you hesitate." in text
    assert text.count("Copy the reviewer's verdict into my grade") == 1


def test_the_question_history_shows_the_review(alice_client, interview):
    sent_review(interview, {1: Verdict.EASY}, name="Sam")
    slug = item(interview, 1).question.slug

    text = alice_client.get(reverse("progress:question_history", args=[slug])).text

    assert "Sam" in text and "Easy" in text and "1 step higher than yours" in text
    assert 'name="next" value="history"' in text


@pytest.mark.parametrize("size", [1, 30])
def test_the_summary_with_reviews_runs_a_fixed_number_of_queries(
    alice_client, alice, seeded, size, django_assert_num_queries
):
    interview = graded_interview(alice, [(n, Rating.GOOD, 2) for n in range(1, size + 1)], T0)
    verdicts = {position: Verdict.HARD for position in range(1, size + 1)}
    for name in ("One", "Two", "Three"):
        sent_review(interview, verdicts, name=name, moments=[(1000, "Here.")])

    # The session's row, then: 1. the user, 2. the interview, 3. its questions with their
    # key-point counts, 4. their sent reviews with the links, 5. the reviews' ticks with
    # their key points, 6. their moments.
    with django_assert_num_queries(1 + 6):
        response = alice_client.get(url("summary", interview.pk))
    assert response.text.count("Their verdict") == 3 * size


def test_the_question_history_with_reviews_runs_a_fixed_number_of_queries(
    alice_client, interview, django_assert_num_queries
):
    for name in ("One", "Two"):
        sent_review(interview, {1: Verdict.HARD}, name=name, moments=[(1000, "Here.")])
    slug = item(interview, 1).question.slug

    # The session's row, then: 1. the user, 2. the question, 3. the page's answer ids, 4. those
    # answers, 5. their sent reviews, 6. the reviews' ticks, 7. their moments, 8. the
    # agreement with the suggestions, 9. the card, 10. its most-missed key points.
    with django_assert_num_queries(1 + 10):
        response = alice_client.get(reverse("progress:question_history", args=[slug]))
    assert response.text.count("Their verdict") == 2


# Copying a verdict into the grade


def test_copying_a_verdict_regrades_through_the_schedule(alice_client, interview):
    link = sent_review(interview, {1: Verdict.AGAIN})
    review = link.answers.get(item__position=1)
    before = ReviewLogEntry.objects.select_related("card").get(item=item(interview, 1))
    due_before = before.card.due

    response = alice_client.post(url("use_verdict", interview.pk, review.pk))

    assert response.status_code == 302 and response["Location"] == url("summary", interview.pk)
    first = item(interview, 1)
    assert first.self_rating == Rating.AGAIN
    assert first.note == ""  # graded_interview gives no note; the note is kept as it was
    assert set(first.key_points.filter(covered=True).values_list("position", flat=True)) == {
        1,
        2,
    }
    after = ReviewLogEntry.objects.select_related("card").get(item=first)
    assert (before.rating, after.rating) == (Rating.GOOD, Rating.AGAIN)
    # Again brings the question back sooner than Good did.
    assert after.card.due < due_before


def test_copying_from_the_history_goes_back_there(alice_client, interview):
    link = sent_review(interview, {2: Verdict.GOOD})
    review = link.answers.get(item__position=2)

    response = alice_client.post(url("use_verdict", interview.pk, review.pk), {"next": "history"})

    slug = item(interview, 2).question.slug
    assert response["Location"] == reverse("progress:question_history", args=[slug])


def test_an_unsent_review_cannot_be_copied(alice_client, interview):
    link, _ = review_link(interview, T0)
    answer = reviews.reviewed_answer(link, 1)
    answer.link = link
    reviews.save_answer(answer, Verdict.AGAIN, set(), "", T0)

    response = alice_client.post(url("use_verdict", interview.pk, answer.pk))

    assert response.status_code == 404
    assert item(interview, 1).self_rating == Rating.GOOD


def test_another_user_and_anonymous_cannot_copy_a_verdict(client, bob_client, interview):
    review = sent_review(interview, {1: Verdict.AGAIN}).answers.get(item__position=1)

    assert bob_client.post(url("use_verdict", interview.pk, review.pk)).status_code == 404
    assert client.post(url("use_verdict", interview.pk, review.pk)).status_code == 302
    assert item(interview, 1).self_rating == Rating.GOOD


# The dashboard


def test_the_dashboard_sets_you_against_your_reviewers(alice_client, interview):
    before = alice_client.get("/").text
    assert "You against your reviewers" not in before

    # Own Good (3) and Hard (2); reviewer Again (1) and Hard (2): 1.0 higher on average.
    sent_review(interview, {1: Verdict.AGAIN, 2: Verdict.HARD}, covered={1: {1}})
    text = alice_client.get("/").text

    assert "You against your reviewers" in text
    assert "on 2 answers that someone else reviewed" in text
    assert "<strong>1.0 higher than</strong>" in text
    missed = item(interview, 1).key_points.get(position=2).text
    assert missed in text.split("You against your reviewers")[1]


def test_a_review_sent_from_elsewhere_reaches_the_cached_dashboard(alice_client, interview):
    alice_client.get("/")  # the dashboard is cached now
    sent_review(interview, {1: Verdict.EASY})

    assert "1.0 lower than" in alice_client.get("/").text
