"""Requests racing each other, each thread on its own database connection: two tabs submitting
one answer, a submit against the clock finalising it, autosaves against a submit, and grades
of one user landing on the same day. On PostgreSQL the statements really wait on each
other's row locks; on SQLite writers take turns, and the outcome must be the same."""

import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from progress.models import ActivityDay, ReviewCard, ReviewLogEntry
from progress.scheduling import DAY_TOTALS
from sessions import engine
from tests.factories import item, start
from tests.test_changing_a_grade import assert_card_is_its_log, history_of_question_1

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4
TABS = 10
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def turns() -> threading.Lock | None:
    """None on PostgreSQL, where the threads really race on row locks. SQLite's in-memory
    test database shares one cache between connections, where a writer finding a table
    locked fails at once instead of waiting: a lock makes the threads take turns, as
    writers to a database file do (and the outcome must be the same)."""
    return threading.Lock() if connection.vendor == "sqlite" else None


def race(works: list[Callable[[], object]], turns: threading.Lock | None) -> list[object]:
    """Run each work in its own thread, all released at once; their results in order."""
    barrier = threading.Barrier(len(works))
    results: list[object] = [None] * len(works)
    errors: list[BaseException] = []

    def run(index: int, work: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            if turns is None:
                results[index] = work()
            else:
                with turns:
                    results[index] = work()
        except BaseException as error:  # reported by the test's thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, work)) for index, work in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def post_from_a_tab(owner: Client, target: str, data: dict):
    """A POST from another tab of the owner's browser: same cookies, its own connection."""
    tab = Client()
    tab.cookies = owner.cookies
    return tab.post(target, data, **HTMX)


def test_of_many_concurrent_submits_exactly_one_counts(seeded, alice, turns):
    for round_number in range(ROUNDS):
        interview = start(alice, [round_number + 1], now=timezone.now())
        now = timezone.now()
        engine.show(item(interview, 1), now)
        # Every tab read the answer before any of them wrote it.
        tabs = [item(interview, 1) for _ in range(TABS)]
        texts = [f"Round {round_number}, tab {tab}." for tab in range(TABS)]

        results = race(
            [partial(engine.submit, tab, text, now) for tab, text in zip(tabs, texts, strict=True)],
            turns,
        )

        stored = item(interview, 1)
        accepted = [result for result in results if result.accepted]
        assert len(accepted) == 1, f"round {round_number}: {len(accepted)} submits accepted"
        assert stored.answer_text == texts[results.index(accepted[0])]
        assert stored.draft == stored.answer_text
        assert {result.item.answer_text for result in results} == {stored.answer_text}


def test_a_submit_racing_the_clock_keeps_whichever_came_first(seeded, alice, turns):
    """A late answer within the grace period against the cron job finalising the draft: one
    of them wins, and the other changes nothing."""
    for round_number in range(ROUNDS):
        shown_at = timezone.now() - timedelta(seconds=200)
        interview = start(alice, [round_number + 1], now=shown_at)
        engine.show(item(interview, 1), shown_at)
        engine.autosave(item(interview, 1), "The saved draft.", shown_at)
        deadline = item(interview, 1).deadline
        tab = item(interview, 1)

        results = race(
            [
                partial(engine.submit, tab, "The late answer.", deadline + timedelta(seconds=3)),
                partial(engine.close_expired_interviews, deadline + timedelta(seconds=10)),
                partial(engine.finalise_expired, interview, deadline + timedelta(seconds=10)),
            ],
            turns,
        )

        submitted, closed, finalised = results
        stored = item(interview, 1)
        assert submitted.item.answer_text == stored.answer_text
        if submitted.accepted:
            assert (closed, finalised) == (0, 0)
            assert (stored.answer_text, stored.finish_state) == ("The late answer.", "late")
            assert stored.submitted_at == deadline + timedelta(seconds=3)
        else:
            assert closed + finalised == 1
            assert (stored.answer_text, stored.finish_state) == ("The saved draft.", "timed_out")
            assert stored.submitted_at == deadline


def test_an_autosave_racing_a_submit_never_changes_the_final_answer(seeded, alice, turns):
    for round_number in range(ROUNDS):
        now = timezone.now()
        interview = start(alice, [round_number + 1], now=now)
        engine.show(item(interview, 1), now)
        tabs = [item(interview, 1) for _ in range(TABS)]

        results = race(
            [
                partial(engine.submit, tabs[0], "The final answer.", now),
                *(
                    partial(engine.autosave, tab, f"Draft {number}.", now)
                    for number, tab in enumerate(tabs[1:])
                ),
            ],
            turns,
        )

        assert results[0].accepted
        stored = item(interview, 1)
        assert stored.answer_text == "The final answer."
        # Once final, a later draft is refused; the draft stays the answer.
        assert stored.draft == "The final answer."


def test_concurrent_submits_through_http_each_show_the_stored_answer(seeded, alice, turns):
    owner = Client()
    owner.force_login(alice)
    for round_number in range(ROUNDS):
        interview = start(alice, [round_number + 1], now=timezone.now())
        owner.get(reverse("interviews:play", args=[interview.pk]))  # shows the question
        target = reverse("interviews:submit", args=[interview.pk, 1])
        texts = [f"Round {round_number}, tab {tab}." for tab in range(TABS)]

        responses = race(
            [partial(post_from_a_tab, owner, target, {"answer": text}) for text in texts],
            turns,
        )

        stored = item(interview, 1)
        assert stored.answer_text in texts
        for text, response in zip(texts, responses, strict=True):
            assert response.status_code == 200
            assert stored.answer_text in response.text
            told = "already submitted from another tab or window" in response.text
            assert told == (text != stored.answer_text)


def test_concurrent_grades_of_one_user_keep_the_day_equal_to_the_log(seeded, alice, turns):
    owner = Client()
    owner.force_login(alice)
    numbers = list(range(1, 7))
    interview = start(alice, numbers, now=timezone.now())
    for position in range(1, len(numbers) + 1):
        now = timezone.now()
        engine.submit(engine.show(item(interview, position), now), f"Answer {position}.", now)

    for rating in (3, 1):  # first grades, then every grade changed at once
        responses = race(
            [
                partial(
                    post_from_a_tab,
                    owner,
                    reverse("interviews:grade", args=[interview.pk, position]),
                    {"rating": str(rating), "key_points": ["1"], "next": "summary"},
                )
                for position in range(1, len(numbers) + 1)
            ],
            turns,
        )

        assert [response.status_code for response in responses] == [200] * len(numbers)
        log = ReviewLogEntry.objects.filter(user=alice)
        assert set(log.values_list("rating", flat=True)) == {rating}
        expected = list(log.values("answered_on").annotate(**DAY_TOTALS).order_by("answered_on"))
        days = ActivityDay.objects.filter(user=alice).order_by("day")
        assert [
            {"answered_on": day.day, **{name: getattr(day, name) for name in DAY_TOTALS}}
            for day in days
        ] == expected
        assert sum(day.answers for day in days) == len(numbers)
        for card in ReviewCard.objects.filter(user=alice):
            assert (card.reviews, card.rating_sum) == (1, rating)


def test_concurrent_changes_of_one_card_leave_it_as_its_log_replayed(seeded, alice, turns):
    # Tabs changing the latest grade at once (each waits on the answer's row, then reads the
    # ticks the one before it committed), and one changing an earlier grade of the card.
    owner = Client()
    owner.force_login(alice)
    answered = history_of_question_1(alice)
    latest = reverse("interviews:grade", args=[answered[-1].interview_id, 1])
    earlier = reverse("interviews:grade", args=[answered[1].interview_id, 1])
    card = ReviewCard.objects.get(user=alice)

    for _ in range(ROUNDS):
        responses = race(
            [
                partial(post_from_a_tab, owner, target, {"rating": rating, "key_points": ticks})
                for target, rating, ticks in [
                    (latest, "1", ["1"]),
                    (latest, "4", ["1", "2", "3", "4", "5", "6"]),
                    (latest, "2", ["2", "3"]),
                    (latest, "3", []),
                    (earlier, "4", ["4", "5"]),
                ]
            ],
            turns,
        )

        assert [response.status_code for response in responses] == [200] * 5
        assert_card_is_its_log(card)
