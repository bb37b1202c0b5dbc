"""The progress pages: the dashboard on the home page, history, a question's history, spaced
review, practice sets, settings and exports; each for its owner, another user and anonymous."""

import csv
import html as html_text
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import profile_for
from progress import scheduling, stats
from progress.models import KeyPointMiss, ReviewCard, ReviewLogEntry
from questions.models import Question
from sessions import engine
from sessions.models import (
    MAX_QUESTIONS_PER_INTERVIEW,
    InterviewSession,
    InterviewStatus,
    Rating,
)
from tests.bench.data import make_history
from tests.factories import (
    graded_interview,
    question,
    set_profile,
    start,
)

# Without characters that HTML escapes, so that they can be found in the pages as they are.
ALICE_FIRST = "The first answer of Alice, about weighted sums."
ALICE_SECOND = "The second answer of Alice, with activations."
ALICE_NOTE = "Note of Alice: revise the bias term."
BOB_ANSWER = "The private answer of Bob about perceptrons."
BOB_NOTE = "A private note of Bob."


@dataclass
class History:
    first: InterviewSession  # 3 days ago: Q1 Again 1/6, Q5 Good 5/7, Q15 Easy 7/7
    second: InterviewSession  # 2 days ago: Q1 Hard 3/6, Q2 Good 4/6
    abandoned: InterviewSession  # yesterday: Q3, never answered
    bobs: InterviewSession  # 2 days ago: bob's Q1 Again 0/6


@pytest.fixture
def history(alice, bob, seeded) -> History:
    now = timezone.now()
    first = graded_interview(
        alice,
        [(1, Rating.AGAIN, 1), (5, Rating.GOOD, 5), (15, Rating.EASY, 7)],
        now - timedelta(days=3),
        text=ALICE_FIRST,
        note=ALICE_NOTE,
    )
    second = graded_interview(
        alice,
        [(1, Rating.HARD, 3), (2, Rating.GOOD, 4)],
        now - timedelta(days=2),
        text=ALICE_SECOND,
    )
    abandoned = start(alice, [3], now - timedelta(days=1))
    engine.abandon(abandoned, now - timedelta(days=1))
    bobs = graded_interview(
        bob, [(1, Rating.AGAIN, 0)], now - timedelta(days=2), text=BOB_ANSWER, note=BOB_NOTE
    )
    return History(first, second, abandoned, bobs)


def section(html: str, title_id: str) -> str:
    """The dashboard's <section> labelled by the heading `title_id`."""
    start_at = html.index(f'aria-labelledby="{title_id}"')
    return html[start_at : html.index("</section>", start_at)]


def posted_ids(html: str) -> list[int]:
    """The question ids a "Practise these" form sends, in order."""
    return [int(pk) for pk in re.findall(r'name="question" value="(\d+)"', html)]


def ids_of(*numbers: int) -> list[int]:
    return [question(number).pk for number in numbers]


def summary_links(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/interviews/(\d+)/summary/"', html)]


def list_items(html: str) -> list[str]:
    """The text before the muted detail of each <li>, unescaped."""
    return [html_text.unescape(text) for text in re.findall(r"<li>(.*?) <span", html)]


def long_date(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


# Anonymous visitors


PRIVATE_PAGES = [
    ("progress:history", []),
    ("progress:question_history", ["what-is-a-neuron"]),
    ("progress:review", []),
    ("settings", []),
    ("export_data", []),
    ("export_review_log", []),
]


@pytest.mark.parametrize(("name", "args"), PRIVATE_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, history, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assertRedirects(response, f"{reverse('login')}?next={url}", fetch_redirect_response=False)


def test_anonymous_visitors_cannot_start_a_practice_set(client, history):
    count = InterviewSession.objects.count()
    url = reverse("progress:practise")
    response = client.post(url, {"question": ids_of(1)})
    assertRedirects(response, f"{reverse('login')}?next={url}", fetch_redirect_response=False)
    assert InterviewSession.objects.count() == count


def test_anonymous_visitors_get_the_landing_page_at_home(client, history):
    response = client.get("/")
    assertContains(response, "Rehearse your deep-learning interview")
    assertContains(response, 'href="/accounts/signup/"')
    assertNotContains(response, "Your progress")
    assertNotContains(response, "<svg")


# The dashboard


def test_the_dashboard_shows_the_headline_figures(alice_client, history):
    now = timezone.now()
    assert ReviewCard.objects.filter(user__username="alice", due__lte=now).count() == 3

    response = alice_client.get("/")

    assertContains(response, "Your progress, alice")

    def stat(value, label):
        return f'<div class="stat card"><span class="stat-value">{value}</span><span class="stat-label">{label}</span></div>'

    assertContains(response, stat(2, "interviews completed"), html=True)
    assertContains(response, stat(5, "answers graded"), html=True)
    assertContains(response, stat('<a href="/review/">3</a>', "due for review"), html=True)
    # Answered 3 and 2 days ago: the streak ended, the best was 2 days.
    assertContains(response, stat(0, "day streak (best 2)"), html=True)
    assertContains(response, "Review 3 due questions")


def test_the_dashboard_draws_the_activity_heatmap_with_a_text_summary(alice_client, history):
    busiest = history.first.items.get(position=1).graded_at.date()

    html = alice_client.get("/").content.decode()

    activity = section(html, "activity-title")
    assert '<svg class="chart heatmap"' in activity
    assert 'aria-labelledby="activity-summary"' in activity
    assert (
        f"5 answers on 2 days in the last year; the busiest day was {long_date(busiest)} with 3."
    ) in activity
    assert activity.count('<rect class="heat-') == 365
    assert activity.count('<rect class="heat-0"') == 363
    assert f"{busiest:%a} {busiest.day} {busiest:%b} {busiest.year}: 3 answers" in activity


def test_the_dashboard_draws_the_weekly_trends_with_their_numbers(alice_client, history):
    html = alice_client.get("/").content.decode()

    trend = section(html, "trend-title")
    assert trend.count('<svg class="chart line-chart"') == 2
    assert 'aria-label="Average rating per week, last 12 weeks"' in trend
    assert 'aria-label="Share of key points covered per week, last 12 weeks"' in trend
    assert trend.count('<path class="line" d="M') == 2
    # The same figures as a table, under <details>, one row per week.
    details = trend[trend.index("<details>") : trend.index("</details>")]
    answers = [int(n) for n in re.findall(r'data-label="Answers">(\d+)</td>', details)]
    assert len(answers) == 12
    assert sum(answers) == 5


def bars(html: str, list_id: str) -> dict[str, str]:
    """The mastery bars of a list: the link's query string -> the bar's text."""
    start_at = html.index(f'<ul class="bar-list" id="{list_id}">')
    block = html[start_at : html.index("</ul>", start_at)]
    return {
        link: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
        for link, text in re.findall(r'href="/history/(\?[^"]+)"[^>]*>(.*?)</a>', block, re.S)
    }


def test_the_dashboard_shows_mastery_bars_linking_to_the_filtered_history(alice_client, history):
    html = alice_client.get("/").content.decode()

    levels = bars(html, "levels")
    topics = bars(html, "topics")

    assert list(levels) == ["?level=beginner", "?level=intermediate"]
    # Beginner: Q1 twice (1 + 3 of 6), Q2 (4 of 6), Q5 (5 of 7): 13 of 25.
    assert levels["?level=beginner"].startswith("Beginner 52% ·")
    assert levels["?level=beginner"].endswith("· 4 answers")
    assert levels["?level=intermediate"] == "Intermediate 100% · 4.0 · 1 answer"
    # Q1, Q2, Q5 and Q15's topics; bob's answers add nothing.
    assert set(topics) == {
        "?topic=architectures",
        "?topic=computer-vision",
        "?topic=fundamentals",
        "?topic=training",
    }
    assert topics["?topic=fundamentals"].startswith("Fundamentals 52% ·")
    assert topics["?topic=training"] == "Training 71% · 3.0 · 1 answer"


def test_the_dashboard_lists_the_weakest_questions_to_practise(alice_client, alice, history):
    now = timezone.now()
    by_recall = sorted(
        ReviewCard.objects.filter(user=alice).select_related("question"),
        key=lambda card: scheduling.retrievability(card, now + stats.RECALL_HORIZON),
    )

    weakest = section(alice_client.get("/").content.decode(), "weakest-title")

    links = re.findall(r'href="/history/questions/([^/]+)/"', weakest)
    assert links == [card.question.slug for card in by_recall]
    assert links[0] == question(1).slug  # Again, then Hard: the lowest predicted recall
    assert "Practise these" in weakest
    assert 'action="/practise/"' in weakest
    assert posted_ids(weakest) == [card.question_id for card in by_recall]


def test_the_dashboard_lists_the_most_missed_key_points_to_practise(alice_client, history):
    q1, q2, q5 = (list(question(n).key_points.values_list("text", flat=True)) for n in (1, 2, 5))
    # Missed twice: Q1's points 4-6. Missed once: Q1's 2-3, Q2's 5-6, Q5's 6-7.
    twice = sorted(q1[3:6])
    once = sorted(q1[1:3] + q2[4:6] + q5[5:7])

    missed = section(alice_client.get("/").content.decode(), "missed-title")

    shown = list_items(missed)
    assert shown == twice + once[:2]
    assert missed.count("missed in 2 of 2 answers, Q1") == 3
    assert q1[0] not in missed  # covered both times; bob missed it, but that is bob's
    assert "Practise these" in missed
    questions_of = {text: number for number, texts in ((1, q1), (2, q2), (5, q5)) for text in texts}
    assert posted_ids(missed) == ids_of(*(questions_of[text] for text in shown))


def test_the_dashboard_shows_only_the_users_own_figures(bob_client, history):
    response = bob_client.get("/")

    assertContains(response, "Your progress, bob")
    assertContains(
        response,
        '<div class="stat card"><span class="stat-value">1</span><span class="stat-label">answer graded</span></div>',
        html=True,
    )
    html = response.content.decode()
    assert posted_ids(section(html, "weakest-title")) == ids_of(1)
    assert list(bars(html, "topics")) == ["?topic=fundamentals"]
    assert html_text.escape(question(15).prompt) not in html


def test_a_user_without_graded_answers_gets_the_start_page(alice, alice_client, seeded):
    # An answer not yet graded is not progress.
    interview = start(alice, [1], timezone.now() - timedelta(hours=1))
    engine.submit(engine.show(interview.items.get(), timezone.now()), "Ungraded", timezone.now())

    response = alice_client.get("/")

    assertContains(response, "Hello, alice")
    assertContains(response, "Start a mock interview")
    assertContains(response, f'href="/interviews/{interview.pk}/summary/"')  # recent
    assertNotContains(response, "<svg")
    assertNotContains(response, "Your progress")
    assertNotContains(response, "Weakest questions")


def test_archived_questions_leave_the_dashboards_lists_and_the_review(alice, alice_client, history):
    Question.objects.filter(number=1).update(is_active=False)

    html = alice_client.get("/").content.decode()
    review = alice_client.get(reverse("progress:review")).content.decode()

    assert question(1).pk not in posted_ids(section(html, "weakest-title"))
    assert question(1).pk not in posted_ids(section(html, "missed-title"))
    assert '<a href="/review/">2</a>' in html  # Q2 and Q5 are still due
    assert posted_ids(review) == [
        card.question_id
        for card in ReviewCard.objects.filter(
            user=alice, due__lte=timezone.now(), question__number__in=[2, 5]
        ).order_by("due")
    ]


def test_the_dashboard_offers_to_resume_an_interview_in_progress(alice, alice_client, history):
    current = start(alice, [4], timezone.now())

    response = alice_client.get("/")

    assertContains(response, "Interview in progress")
    assertContains(response, f'href="/interviews/{current.pk}/"')
    assertNotContains(response, "Start a mock interview")


# History


def test_history_lists_the_users_interviews_newest_first(alice_client, history):
    response = alice_client.get(reverse("progress:history"))

    html = response.content.decode()
    assert summary_links(html) == [history.abandoned.pk, history.second.pk, history.first.pk]
    assert f"/interviews/{history.bobs.pk}/summary/" not in html
    rows = html.split('<tr role="row">')[2:]
    assert "Abandoned" in rows[0]
    assert "Completed" in rows[1]
    assert "7 / 12" in rows[1]  # Q1 3 of 6, Q2 4 of 6
    assert "13 / 20" in rows[2]  # Q1 1 of 6, Q5 5 of 7, Q15 7 of 7
    assert "Beginner, Intermediate" in rows[2]


def test_history_shows_another_user_only_their_own(bob_client, history):
    html = bob_client.get(reverse("progress:history")).content.decode()
    assert summary_links(html) == [history.bobs.pk]


def test_each_history_row_opens_the_interviews_summary(alice_client, history):
    html = alice_client.get(reverse("progress:history")).content.decode()
    link = f"/interviews/{history.first.pk}/summary/"
    assert link in html

    summary = alice_client.get(link)

    assertContains(summary, "Interview summary")
    assertContains(summary, question(15).prompt[:40])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=abandoned", ["abandoned"]),
        ("status=completed", ["second", "first"]),
        ("level=intermediate", ["first"]),
        ("level=beginner", ["abandoned", "second", "first"]),
        ("topic=computer-vision", ["first"]),
        ("topic=fundamentals", ["second", "first"]),  # Q3 is not a fundamentals question
        ("status=abandoned&level=intermediate", []),
        ("status=completed&topic=training", ["first"]),
        ("status=nonsense", ["abandoned", "second", "first"]),  # ignored
    ],
)
def test_history_filters_by_status_level_and_topic(alice_client, history, query, expected):
    html = alice_client.get(f"{reverse('progress:history')}?{query}").content.decode()
    assert summary_links(html) == [getattr(history, name).pk for name in expected]
    if not expected:
        assert "No interview matches." in html


def test_history_shows_the_chosen_filters(alice_client, history):
    html = alice_client.get(
        f"{reverse('progress:history')}?status=completed&level=beginner&topic=training"
    ).content.decode()
    assert '<option value="completed" selected>' in html
    assert '<option value="beginner" selected>' in html
    assert '<option value="training" selected>Training</option>' in html


def test_history_offers_every_topic_by_name(alice_client, history):
    html = alice_client.get(reverse("progress:history")).content.decode()

    topic_select = html[
        html.index('<select name="topic"') : html.index(
            "</select>", html.index('<select name="topic"')
        )
    ]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', topic_select)
    assert options[0] == ("", "Any")
    assert ("nlp", "Natural language processing") in options
    assert len(options) == 1 + 17
    assert [name for _, name in options[1:]] == sorted(name for _, name in options[1:])
    assert '<label for="id_topic">Topic</label>' in html


def test_the_dashboards_topic_links_open_the_history_with_the_topic_chosen(alice_client, history):
    dashboard = alice_client.get("/").content.decode()
    link = re.search(r'href="(/history/\?topic=training)"', dashboard)[1]

    html = alice_client.get(html_text.unescape(link)).content.decode()

    assert '<option value="training" selected>Training</option>' in html
    assert summary_links(html) == [history.abandoned.pk, history.first.pk]


def test_history_is_paginated_twenty_at_a_time(alice, alice_client, seeded):
    make_history(alice, 125, days=60, now=timezone.now())  # 25 interviews of 5
    newest_first = [
        interview.pk
        for interview in sorted(
            InterviewSession.objects.filter(user=alice),
            key=lambda interview: interview.started_at,
            reverse=True,
        )
    ]
    assert len(newest_first) == 25
    url = reverse("progress:history")

    first = alice_client.get(url).content.decode()
    second = alice_client.get(f"{url}?page=2").content.decode()

    assert summary_links(first) == newest_first[:20]
    assert summary_links(second) == newest_first[20:]
    assert "Page 1" in first
    assert 'href="?page=2" rel="next"' in first
    assert "Page 2" in second
    assert 'href="?page=1" rel="prev"' in second
    assert 'rel="next"' not in second


def test_history_pages_keep_the_filter(alice, alice_client, seeded):
    make_history(alice, 125, days=60, now=timezone.now())
    html = alice_client.get(f"{reverse('progress:history')}?status=completed").content.decode()
    assert 'href="?status=completed&amp;page=2" rel="next"' in html


def test_history_shows_each_interviews_time_used_and_average_rating(alice, alice_client, seeded):
    # Q1 has 6 key points, Q5 has 7; each answered in 60 seconds.
    graded_interview(alice, [(1, Rating.EASY, 6), (5, Rating.AGAIN, 0)], timezone.now(), seconds=60)

    html = alice_client.get(reverse("progress:history")).content.decode()

    row = html.split('<tr role="row">')[2]
    assert 'data-label="Time used">120 s</td>' in row
    assert 'data-label="Average rating">2.5</td>' in row


# A question's history


def test_question_history_lists_the_users_answers_and_most_missed_points(alice_client, history):
    q1 = question(1)
    texts = list(q1.key_points.values_list("text", flat=True))

    response = alice_client.get(reverse("progress:question_history", args=[q1.slug]))

    html = response.content.decode()
    assert html_text.escape(q1.prompt) in html
    assert "2 graded answers" in html
    # Newest first; bob's answer to the same question is his.
    assert html.index(ALICE_SECOND) < html.index(ALICE_FIRST)
    assert BOB_ANSWER not in html
    assert BOB_NOTE not in html
    assert ALICE_NOTE in html
    assert "Hard" in html
    assert "3 / 6 key points" in html
    misses = section(html, "misses-title")
    assert list_items(misses) == sorted(texts[3:6]) + sorted(texts[1:3])
    assert misses.count("missed 2 times in 2 answers") == 3
    assert html_text.escape(texts[0]) not in html


def test_question_history_shows_another_user_only_their_own_answers(bob_client, history):
    html = bob_client.get(
        reverse("progress:question_history", args=[question(1).slug])
    ).content.decode()
    assert BOB_ANSWER in html
    assert ALICE_FIRST not in html
    assert ALICE_SECOND not in html
    assert "1 graded answer " in html
    assert section(html, "misses-title").count("missed 1 time in 1 answer<") == 5


def test_question_history_of_an_unanswered_question(alice_client, history):
    html = alice_client.get(
        reverse("progress:question_history", args=[question(30).slug])
    ).content.decode()
    assert "You have not answered this question yet." in html
    assert "graded answer" not in html


def test_question_history_is_paginated_twenty_at_a_time(alice, alice_client, seeded):
    now = timezone.now()
    for day in range(21, 0, -1):
        graded_interview(
            alice, [(1, Rating.GOOD, 4)], now - timedelta(days=day), text=f"Answer {day}d ago"
        )
    url = reverse("progress:question_history", args=[question(1).slug])

    first = alice_client.get(url).content.decode()
    second = alice_client.get(f"{url}?page=2").content.decode()

    assert re.findall(r"Answer (\d+)d ago", first) == [str(day) for day in range(1, 21)]
    assert re.findall(r"Answer (\d+)d ago", second) == ["21"]
    assert "21 graded answers" in first
    assert 'href="?page=2" rel="next"' in first
    assert 'href="?page=1" rel="prev"' in second


def test_question_history_of_an_unknown_question_is_404(alice_client, history):
    response = alice_client.get(reverse("progress:question_history", args=["no-such-question"]))
    assert response.status_code == 404


# Spaced review


def test_review_lists_the_due_questions_with_a_form_to_practise_them(alice, alice_client, history):
    due = list(
        ReviewCard.objects.filter(user=alice, due__lte=timezone.now())
        .order_by("due")
        .values_list("question__number", flat=True)
    )
    assert sorted(due) == [1, 2, 5]  # Q15 was Easy: not due for days

    html = alice_client.get(reverse("progress:review")).content.decode()

    listed = html[html.index("<ol>") : html.index("</ol>")]
    slugs = re.findall(r'href="/history/questions/([^/]+)/"', listed)
    assert slugs == [question(number).slug for number in due]
    assert posted_ids(html) == ids_of(*due)
    assert "Start a review interview of 3 questions" in html
    coming_up = html[html.index("Coming up") :]
    assert f"Q15. {question(15).prompt[:40]}" in coming_up

    # The form starts an interview of exactly those questions.
    response = alice_client.post(reverse("progress:practise"), {"question": posted_ids(html)})
    interview = InterviewSession.objects.get(user=alice, status=InterviewStatus.IN_PROGRESS)
    assertRedirects(response, interview.get_absolute_url(), fetch_redirect_response=False)
    assert list(interview.items.values_list("question__number", flat=True)) == due


def test_review_shows_another_user_only_their_own_due_questions(bob_client, history):
    html = bob_client.get(reverse("progress:review")).content.decode()
    assert posted_ids(html) == ids_of(1)
    assert "Start a review interview of 1 question" in html
    assert html_text.escape(question(2).prompt) not in html
    assert "Coming up" not in html


def test_review_offers_the_most_overdue_questions_one_interview_can_hold(
    alice, alice_client, seeded
):
    now = timezone.now()
    Question.objects.create(  # the bank alone holds exactly as many as one interview
        number=999, slug="one-more", level="beginner", prompt="One more?", reference_answer="Yes."
    )
    overdue = list(Question.objects.order_by("number")[: MAX_QUESTIONS_PER_INTERVIEW + 1])
    assert len(overdue) == MAX_QUESTIONS_PER_INTERVIEW + 1
    ReviewCard.objects.bulk_create(
        ReviewCard(user=alice, question=due_question, due=now - timedelta(days=days))
        for days, due_question in enumerate(reversed(overdue), start=1)
    )

    html = alice_client.get(reverse("progress:review")).content.decode()

    assert posted_ids(html) == [due_question.pk for due_question in overdue[:-1]]
    assert f"Start a review interview of {MAX_QUESTIONS_PER_INTERVIEW} questions" in html


def test_review_with_nothing_due(alice_client, seeded):
    html = alice_client.get(reverse("progress:review")).content.decode()
    assert "Nothing is due." in html
    assert posted_ids(html) == []


# Practice sets


def test_practise_starts_an_interview_of_exactly_those_questions(alice, alice_client, history):
    response = alice_client.post(reverse("progress:practise"), {"question": ids_of(15, 2, 1)})

    interview = InterviewSession.objects.get(user=alice, status=InterviewStatus.IN_PROGRESS)
    assertRedirects(response, f"/interviews/{interview.pk}/", fetch_redirect_response=False)
    assert interview.question_count == 3
    assert list(interview.items.values_list("question__number", flat=True)) == [15, 2, 1]
    page = alice_client.get(response.url)
    assertContains(page, "Question 1 of 3")
    assertContains(page, question(15).prompt)


def test_practise_skips_archived_and_unknown_questions(alice, alice_client, history):
    Question.objects.filter(number=2).update(is_active=False)

    alice_client.post(reverse("progress:practise"), {"question": [*ids_of(2, 5), "x", 99999]})

    interview = InterviewSession.objects.get(user=alice, status=InterviewStatus.IN_PROGRESS)
    assert list(interview.items.values_list("question__number", flat=True)) == [5]


def test_practise_skips_digits_that_are_not_numbers(alice, alice_client, history):
    response = alice_client.post(reverse("progress:practise"), {"question": ["²", *ids_of(5)]})

    assert response.status_code == 302
    interview = InterviewSession.objects.get(user=alice, status=InterviewStatus.IN_PROGRESS)
    assert list(interview.items.values_list("question__number", flat=True)) == [5]


def test_practise_with_nothing_to_practise_creates_nothing(alice, alice_client, history):
    count = InterviewSession.objects.count()

    response = alice_client.post(reverse("progress:practise"), {"question": ["x"]}, follow=True)

    assertRedirects(response, "/")
    assertContains(response, "None of those questions can be practised any more.")
    assert InterviewSession.objects.count() == count


def test_practise_refuses_while_an_interview_is_in_progress(alice, alice_client, history):
    current = start(alice, [4], timezone.now())
    count = InterviewSession.objects.count()

    response = alice_client.post(
        reverse("progress:practise"), {"question": ids_of(1, 2)}, follow=True
    )

    assertRedirects(response, reverse("interviews:new"))
    assertContains(response, "You already have an interview in progress")
    assert InterviewSession.objects.count() == count
    assert InterviewSession.objects.get(user=alice, status=InterviewStatus.IN_PROGRESS) == current
    assert list(current.items.values_list("question__number", flat=True)) == [4]


def test_practise_starts_the_interview_for_the_user_who_asks(alice, bob, bob_client, history):
    alices = set(InterviewSession.objects.filter(user=alice))

    bob_client.post(reverse("progress:practise"), {"question": ids_of(15)})

    assert set(InterviewSession.objects.filter(user=alice)) == alices
    mine = InterviewSession.objects.get(user=bob, status=InterviewStatus.IN_PROGRESS)
    assert list(mine.items.values_list("question__number", flat=True)) == [15]


def test_practise_needs_a_post(alice_client, history):
    count = InterviewSession.objects.count()
    assert alice_client.get(reverse("progress:practise")).status_code == 405
    assert InterviewSession.objects.count() == count


# Settings


def test_settings_show_the_users_own_values(alice, alice_client, bob_client, seeded):
    set_profile(alice, time_zone="Asia/Tokyo", rest_days=True)

    mine = alice_client.get(reverse("settings")).content.decode()
    bobs = bob_client.get(reverse("settings")).content.decode()

    assert '<option value="Asia/Tokyo" selected>' in mine
    assert re.search(r'name="rest_days"[^>]*checked', mine)
    assert '<option value="Asia/Tokyo" selected>' not in bobs
    assert '<option value="UTC" selected>' in bobs
    assert not re.search(r'name="rest_days"[^>]*checked', bobs)


def test_saving_settings(alice, bob, alice_client, seeded):
    profile_for(bob)
    response = alice_client.post(
        reverse("settings"),
        {
            "time_zone": "Europe/Paris",
            "rest_days": "on",
            "interview_date": "2031-06-15",
            # show_streaks unticked
        },
        follow=True,
    )

    assertRedirects(response, reverse("settings"))
    assertContains(response, "Your settings are saved.")
    profile = profile_for(alice)
    assert profile.time_zone == "Europe/Paris"
    assert profile.rest_days is True
    assert profile.show_streaks is False
    assert profile.interview_date == date(2031, 6, 15)
    bobs = profile_for(bob)
    assert (bobs.time_zone, bobs.rest_days, bobs.show_streaks) == ("UTC", False, True)


def test_an_unknown_time_zone_is_refused_with_a_message(alice, alice_client, seeded):
    set_profile(alice, time_zone="Europe/London")

    response = alice_client.post(
        reverse("settings"), {"time_zone": "Mars/Olympus", "show_streaks": "on"}
    )

    assert response.status_code == 200
    assertContains(response, "“Mars/Olympus” is not a time zone we know")
    assertNotContains(response, "Your settings are saved.")
    assert profile_for(alice).time_zone == "Europe/London"


def streak_stat(html: str) -> bool:
    return "day streak (best" in html


def test_streaks_are_shown_unless_turned_off(alice, alice_client, history):
    assert streak_stat(alice_client.get("/").content.decode())

    alice_client.post(reverse("settings"), {"time_zone": "UTC"})  # show_streaks unticked

    assert profile_for(alice).show_streaks is False
    assert not streak_stat(alice_client.get("/").content.decode())

    alice_client.post(reverse("settings"), {"time_zone": "UTC", "show_streaks": "on"})
    assert streak_stat(alice_client.get("/").content.decode())


def test_an_interview_date_adds_the_per_topic_forecast(alice, alice_client, history):
    html = alice_client.get("/").content.decode()
    assert "Set the date of your real interview" in html
    assert "On your interview day" not in html
    interview_day = timezone.now().date() + timedelta(days=20)

    alice_client.post(
        reverse("settings"),
        {"time_zone": "UTC", "show_streaks": "on", "interview_date": interview_day.isoformat()},
    )
    html = alice_client.get("/").content.decode()

    forecast = section(html, "forecast-title")
    assert f"On your interview day, {long_date(interview_day)}" in forecast
    rows = re.findall(
        r'<tr role="row"><td role="cell">([^<]+)</td>'
        r'<td role="cell" class="num" data-label="Recall">(\d+)%</td>'
        r'<td role="cell" class="num" data-label="Practised">(\d+)</td></tr>',
        forecast,
    )
    # Fundamentals: Q1, Q2, Q5; Training: Q5; Architectures and Computer vision: Q15.
    assert {(name, int(count)) for name, _, count in rows} == {
        ("Fundamentals", 3),
        ("Training", 1),
        ("Architectures", 1),
        ("Computer vision", 1),
    }
    recall = [int(percent) for _, percent, _ in rows]
    assert recall == sorted(recall)  # weakest topic first
    assert "Set the date of your real interview" not in html


def test_a_past_interview_date_shows_no_forecast(alice, alice_client, history):
    set_profile(alice, interview_date=timezone.now().date() - timedelta(days=1))
    html = alice_client.get("/").content.decode()
    assert "On your interview day" not in html


# Exports


def test_the_json_export_holds_exactly_the_users_data(alice, alice_client, history):
    set_profile(alice, time_zone="Asia/Tokyo", rest_days=True, transcribe_speech=True)

    response = alice_client.get(reverse("export_data"))

    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    data = json.loads(text)
    assert data["user"]["username"] == "alice"
    assert data["settings"] == {
        "time_zone": "Asia/Tokyo",
        "rest_days": True,
        "show_streaks": True,
        "interview_date": None,
        "transcribe_speech": True,
        "read_questions_aloud": False,
    }
    assert {interview["id"] for interview in data["interviews"]} == {
        history.first.pk,
        history.second.pk,
        history.abandoned.pk,
    }
    answers = {
        (interview["id"], item["question_number"]): item
        for interview in data["interviews"]
        for item in interview["questions"]
    }
    assert set(answers) == {
        (history.first.pk, 1),
        (history.first.pk, 5),
        (history.first.pk, 15),
        (history.second.pk, 1),
        (history.second.pk, 2),
        (history.abandoned.pk, 3),
    }
    first_q1 = answers[(history.first.pk, 1)]
    assert first_q1["answer"] == ALICE_FIRST
    assert first_q1["note"] == ALICE_NOTE
    assert first_q1["self_rating"] == Rating.AGAIN
    assert [point["covered"] for point in first_q1["key_points"]] == [True] + [False] * 5
    assert answers[(history.second.pk, 2)]["answer"] == ALICE_SECOND
    # Nothing of bob's.
    assert BOB_ANSWER not in text
    assert BOB_NOTE not in text
    assert "bob" not in text.lower()


def test_the_json_export_holds_the_review_schedule_joined_to_the_csv_by_card_id(
    alice, alice_client, history
):
    data = json.loads(alice_client.get(reverse("export_data")).content)
    csv_text = alice_client.get(reverse("export_review_log")).content.decode()
    rows = list(csv.DictReader(io.StringIO(csv_text)))

    cards = {card["card_id"]: card for card in data["review_schedule"]}
    assert set(cards) == set(ReviewCard.objects.filter(user=alice).values_list("pk", flat=True))
    assert [card["question_number"] for card in data["review_schedule"]] == [1, 2, 5, 15]
    q1 = ReviewCard.objects.get(user=alice, question__number=1)
    exported_q1 = cards[q1.pk]
    assert exported_q1["question_slug"] == question(1).slug
    # Every date of both files in one form: UTC, to the microsecond.
    assert exported_q1["due"] == q1.due.astimezone(UTC).isoformat(timespec="microseconds")
    assert exported_q1["state"] == q1.state
    assert exported_q1["stability"] == pytest.approx(q1.stability)
    assert [entry["rating"] for entry in exported_q1["log"]] == [Rating.AGAIN, Rating.HARD]
    assert [(entry["interview_id"], entry["position"]) for entry in exported_q1["log"]] == [
        (history.first.pk, 1),
        (history.second.pk, 1),
    ]
    # Every row of the CSV is one entry of its card's log in the JSON.
    assert len(rows) == sum(len(card["log"]) for card in cards.values()) == 5
    for row in rows:
        log = cards[int(row["card_id"])]["log"]
        assert row["review_datetime"] in [entry["review_datetime"] for entry in log]
        assert row["review_datetime"].endswith("+00:00")


def test_another_users_json_export_has_none_of_alices_data(bob_client, history):
    text = bob_client.get(reverse("export_data")).content.decode()
    data = json.loads(text)
    assert data["user"]["username"] == "bob"
    assert [interview["id"] for interview in data["interviews"]] == [history.bobs.pk]
    assert BOB_ANSWER in text
    assert ALICE_FIRST not in text
    assert ALICE_NOTE not in text
    assert "alice" not in text.lower()


def test_the_csv_export_is_the_users_review_log(alice, alice_client, history):
    response = alice_client.get(reverse("export_review_log"))

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["card_id", "rating", "review_datetime", "review_duration"]
    entries = list(ReviewLogEntry.objects.filter(user=alice).order_by("review_datetime", "pk"))
    assert len(rows) == len(entries) == 5  # one per graded answer
    assert [int(row["rating"]) for row in rows] == [
        Rating.AGAIN,
        Rating.GOOD,
        Rating.EASY,
        Rating.HARD,
        Rating.GOOD,
    ]
    assert {int(row["card_id"]) for row in rows} == set(
        ReviewCard.objects.filter(user=alice).values_list("pk", flat=True)
    )
    for row, entry in zip(rows, entries, strict=True):
        assert datetime.fromisoformat(row["review_datetime"]) == entry.review_datetime
        assert int(row["review_duration"]) == 60_000


def test_another_users_csv_export_has_only_their_review(bob, bob_client, history):
    rows = list(
        csv.DictReader(io.StringIO(bob_client.get(reverse("export_review_log")).content.decode()))
    )
    assert [int(row["card_id"]) for row in rows] == [ReviewCard.objects.get(user=bob).pk]


# Deleting the account


def test_deleting_the_account_deletes_its_schedule_and_log(alice, alice_client, password, history):
    assert ReviewCard.objects.filter(user=alice).count() == 4
    assert ReviewLogEntry.objects.filter(user=alice).count() == 5
    assert KeyPointMiss.objects.filter(card__user=alice).exists()
    alice_id = alice.pk

    response = alice_client.post(reverse("delete_account"), {"password": password})

    assertRedirects(response, "/", fetch_redirect_response=False)
    assert not get_user_model().objects.filter(pk=alice_id).exists()
    assert ReviewCard.objects.filter(user_id=alice_id).count() == 0
    assert ReviewLogEntry.objects.filter(user_id=alice_id).count() == 0
    assert KeyPointMiss.objects.filter(card__user_id=alice_id).count() == 0
    assert InterviewSession.objects.filter(user_id=alice_id).count() == 0
    # Bob's are untouched.
    assert ReviewCard.objects.filter(user__username="bob").count() == 1
    assert ReviewLogEntry.objects.filter(user__username="bob").count() == 1
    assert KeyPointMiss.objects.filter(card__user__username="bob").count() == 6


# Query counts: the same for 1 graded answer and for 1,000.


@pytest.fixture(params=[1, 1000], ids=["1-answer", "1000-answers"])
def answered(request, alice, seeded) -> str:
    """Alice's history of graded answers; returns the slug of a question she answered."""
    make_history(alice, request.param, days=400, now=timezone.now())
    assert ReviewLogEntry.objects.filter(user=alice).count() == request.param
    return ReviewCard.objects.filter(user=alice).select_related("question").first().question.slug


def test_the_dashboards_query_count_is_fixed(alice_client, answered, django_assert_num_queries):
    # The due figures are cached per minute: the clock stands still, a millisecond before a
    # minute turns, so the warm request cannot land in the next minute and miss the cache.
    edge = timezone.now().replace(second=59, microsecond=999_000)
    with time_machine.travel(edge, tick=False):
        _assert_the_dashboards_query_count_is_fixed(alice_client, django_assert_num_queries)


def _assert_the_dashboards_query_count_is_fixed(alice_client, django_assert_num_queries):
    # The session's row, then, with a cold cache: 1 user, 2 interview in progress,
    # 3 profile with the progress and bank versions, 4 answers per day, 5 mastery per level,
    # per topic and per deck (one UNION ALL), 6 most-missed key points, 7 misconceptions
    # stated most, 8 cards with their questions (due and weakest), 9 interviews completed,
    # 10 pace of spoken answers per week, 11 reviewers' verdicts against the user's ratings
    # (none, so no key points missed are looked for), 12 recent interviews.
    with django_assert_num_queries(1 + 12):
        response = alice_client.get("/")
    assertContains(response, "Your progress, alice")
    # Warm: 1 user, 2 interview in progress (with whether an answer ran out, so no UPDATE),
    # 3 profile with the versions, 4 recent interviews. The figures with the interviews
    # completed, the pace and the reviewers (4-7, 9-11) and the due and weakest questions
    # (8) are cached.
    with django_assert_num_queries(1 + 4):
        again = alice_client.get("/")
    # The same page, up to the forms with their per-response CSRF tokens.
    figures = slice(response.text.index("<h1>"), response.text.index('id="weakest-title"'))
    assert again.text[figures] == response.text[figures]


def test_the_history_query_count_is_fixed(alice_client, answered, django_assert_num_queries):
    # The session's row, then: 1 user, 2 the page's interviews (one more than a
    # page, to tell whether another follows), 3 their figures, 4 their key points, 5 their
    # levels, 6 the topics of the filter.
    with django_assert_num_queries(1 + 6):
        response = alice_client.get(reverse("progress:history"))
    assertContains(response, "/summary/")


def test_the_question_history_query_count_is_fixed(
    alice_client, answered, django_assert_num_queries
):
    # The session's row, then: 1 user, 2 question, 3 the page's answer ids (one more
    # than a page), 4 those answers with their key-point counts, 5 their sent reviews (none,
    # so no ticks or moments), 6 the agreement with the suggestions, 7 the card, 8 its
    # most-missed key points.
    with django_assert_num_queries(1 + 8):
        response = alice_client.get(reverse("progress:question_history", args=[answered]))
    assertContains(response, "graded answer")


def test_the_review_query_count_is_fixed(alice_client, answered, django_assert_num_queries):
    # The session's row, then: 1 user, 2 due cards with their questions,
    # 3 upcoming cards.
    with django_assert_num_queries(1 + 3):
        response = alice_client.get(reverse("progress:review"))
    assertContains(response, "Due for review")


def test_absurd_page_numbers_and_ids_are_not_server_errors(alice, alice_client, seeded):
    huge = "9" * 30
    assert alice_client.get(f"{reverse('progress:history')}?page={huge}").status_code == 200
    question = Question.objects.get(number=1)
    response = alice_client.get(
        f"{reverse('progress:question_history', args=[question.slug])}?page={huge}"
    )
    assert response.status_code == 200
    response = alice_client.post(reverse("progress:practise"), {"question": [huge]})
    assert response.status_code == 302
    assert not InterviewSession.objects.filter(user=alice).exists()


def test_the_activity_calendar_has_its_numbers_per_month(alice, alice_client, seeded):
    make_history(alice, 40, days=20, now=timezone.now())

    html = alice_client.get("/").content.decode()

    calendar = html[html.index('id="activity-title"') : html.index('id="trend-title"')]
    assert "<summary>The numbers</summary>" in calendar
    months = re.findall(r'<td class="num">(\d+)</td><td class="num">\d+</td></tr>', calendar)
    assert sum(int(answers) for answers in months) == 40
