"""Changing a grade replays the log only from the changed review on, from the card each log
entry keeps, and moves the card's totals and key-point counts by the answer's old and new
figures: the outcome is always what a full replay of the log and a full recount give."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from fsrs import Card, Scheduler
from fsrs import Rating as FsrsRating

from progress import scheduling
from progress.models import KeyPointMiss, ReviewCard, ReviewLogEntry
from sessions.models import Rating, ShownKeyPoint
from tests.factories import T0, answer, grade, graded_interview, item, start

AFTER = scheduling.AFTER_FIELDS


def replayed_log(card: ReviewCard) -> tuple[Card, list[dict]]:
    """The card as a fresh FSRS scheduler computes it from the log, one step per entry in
    the log's order, and the card after each entry, taken from nothing we stored."""
    scheduler = Scheduler(enable_fuzzing=False)
    fresh, after = Card(card_id=card.pk), []
    for entry in ReviewLogEntry.objects.filter(card=card).order_by("review_datetime", "pk"):
        fresh, _ = scheduler.review_card(fresh, FsrsRating(entry.rating), entry.review_datetime)
        after.append(
            {
                "state_after": fresh.state.value,
                "step_after": fresh.step,
                "stability_after": pytest.approx(fresh.stability),
                "difficulty_after": pytest.approx(fresh.difficulty),
                "due_after": fresh.due,
            }
        )
    return fresh, after


def assert_card_is_its_log(card: ReviewCard) -> None:
    """The card's schedule, the card kept in each entry, the totals and the key-point counts
    are what a full replay of the log and a full recount of the answers give."""
    card.refresh_from_db()
    fresh, after = replayed_log(card)
    assert {
        "state": card.state,
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
    } == {
        "state": fresh.state.value,
        "step": fresh.step,
        "stability": pytest.approx(fresh.stability),
        "difficulty": pytest.approx(fresh.difficulty),
        "due": fresh.due,
        "last_review": fresh.last_review,
    }
    kept = card.log.order_by("review_datetime", "pk").values(*AFTER)
    assert list(kept) == after
    assert {name: getattr(card, name) for name in scheduling.CARD_FIELDS[6:]} == card.log.aggregate(
        reviews=Count("pk"),
        rating_sum=Sum("rating"),
        covered_sum=Sum("covered_count"),
        key_point_sum=Sum("key_point_count"),
        timed_out=Count("pk", filter=Q(timed_out=True)),
    )
    recounted = (
        ShownKeyPoint.objects.filter(item__review__card=card)
        .values("text")
        .annotate(**scheduling.KEY_POINT_COUNTS)
    )
    counts = list(scheduling.KEY_POINT_COUNTS)
    assert sorted(card.key_point_misses.values_list("text", *counts)) == sorted(
        recounted.values_list("text", *counts)
    )


def history_of_question_1(alice) -> list:
    """Five answers to question 1 on five days, each with the detector's suggestions of
    every kind (kept, unticked, ticked without one, none), graded as they came."""
    answered = []
    for days, rating, covered in [(0, 3, 4), (2, 1, 0), (5, 2, 2), (11, 4, 6), (19, 3, 3)]:
        now = T0 + timedelta(days=days)
        interview = start(alice, [1], now - timedelta(minutes=5))
        done = answer(interview, 1, now - timedelta(minutes=1), seconds=70)
        points = ShownKeyPoint.objects.filter(item=done).order_by("position")
        for point, suggested in zip(points, [True, False, None, True, False, True], strict=True):
            ShownKeyPoint.objects.filter(pk=point.pk).update(suggested=suggested)
        answered.append(grade(done, rating, covered, now))
    return answered


def change_through_the_page(client, answered, when, rating: int, ticks: list[int]):
    with time_machine.travel(when, tick=False):
        response = client.post(
            reverse("interviews:grade", args=[answered.interview_id, answered.position]),
            {"rating": str(rating), "key_points": [str(tick) for tick in ticks]},
        )
    assert response.status_code == 302
    return item(answered.interview, answered.position)


def test_changing_the_latest_grade_through_the_page_gives_a_full_replay(
    alice, alice_client, seeded
):
    answered = history_of_question_1(alice)
    card = ReviewCard.objects.get(user=alice)
    assert_card_is_its_log(card)

    change_through_the_page(
        alice_client, answered[-1], T0 + timedelta(days=19, hours=2), Rating.AGAIN, [2, 3, 5]
    )

    card.refresh_from_db()
    assert card.last_review == T0 + timedelta(days=19)  # the entry keeps its time
    assert card.log.get(item=answered[-1]).rating == Rating.AGAIN
    assert_card_is_its_log(card)


def test_changing_an_earlier_grade_through_the_page_replays_the_later_ones(
    alice, alice_client, seeded
):
    answered = history_of_question_1(alice)
    card = ReviewCard.objects.get(user=alice)
    before = list(card.log.order_by("review_datetime").values_list(*AFTER))

    change_through_the_page(
        alice_client, answered[1], T0 + timedelta(days=25), Rating.EASY, [1, 2, 3, 4, 5, 6]
    )

    after = list(card.log.order_by("review_datetime").values_list(*AFTER))
    assert after[0] == before[0]  # the review before the changed one stays as it was
    assert all(new != old for new, old in zip(after[1:], before[1:], strict=True))
    assert_card_is_its_log(card)


def test_several_changes_in_a_row_give_a_full_replay_after_each(alice, alice_client, seeded):
    answered = history_of_question_1(alice)
    graded_interview(alice, [(2, Rating.GOOD, 3)], T0 + timedelta(days=4))  # another card
    card = ReviewCard.objects.get(user=alice, question__number=1)
    changes = [
        (answered[-1], Rating.HARD, [1]),
        (answered[-1], Rating.HARD, [1]),  # the same grade again: nothing moves
        (answered[0], Rating.AGAIN, []),
        (answered[2], Rating.EASY, [1, 2, 3, 4, 5, 6]),
        (answered[-1], Rating.GOOD, [4, 5, 6]),
        (answered[0], Rating.GOOD, [1, 6]),
    ]
    for number, (changed, rating, ticks) in enumerate(changes, start=1):
        change_through_the_page(
            alice_client, changed, T0 + timedelta(days=20, hours=number), rating, ticks
        )
        assert_card_is_its_log(card)
    assert_card_is_its_log(ReviewCard.objects.get(user=alice, question__number=2))


def test_a_grade_dated_before_the_cards_last_review_replays_from_the_entry_before_it(alice, seeded):
    history_of_question_1(alice)
    # An answer graded with an earlier clock lands between the second and third reviews.
    graded_interview(alice, [(1, Rating.EASY, 6)], T0 + timedelta(days=3))

    card = ReviewCard.objects.get(user=alice)
    assert card.reviews == 6
    assert_card_is_its_log(card)


def test_a_log_with_no_cards_kept_yet_is_replayed_from_the_start_and_kept(alice, seeded):
    answered = history_of_question_1(alice)
    card = ReviewCard.objects.get(user=alice)
    # As the log was before the migration that keeps the card after each entry.
    ReviewLogEntry.objects.update(**dict.fromkeys(AFTER))

    grade(answered[-1], Rating.AGAIN, 1, T0 + timedelta(days=20))

    assert not card.log.filter(state_after__isnull=True).exists()
    assert_card_is_its_log(card)


def test_a_grade_changed_by_a_request_that_saw_it_ungraded_recounts_the_key_points(alice, seeded):
    answered = history_of_question_1(alice)
    stale = item(answered[-1].interview, 1)
    stale.self_rating = None  # loaded before the first grade committed

    grade(stale, Rating.AGAIN, 1, T0 + timedelta(days=20))

    assert_card_is_its_log(ReviewCard.objects.get(user=alice))


def test_rebuilding_a_card_from_its_log_keeps_the_card_after_each_entry(alice, seeded):
    history_of_question_1(alice)
    card = ReviewCard.objects.get(user=alice)
    ReviewLogEntry.objects.update(**dict.fromkeys(AFTER))
    ReviewCard.objects.filter(pk=card.pk).update(stability=99.0, reviews=40)

    scheduling.rebuild_card(card)

    assert_card_is_its_log(card)


def test_the_migration_keeps_the_card_after_each_entry_of_every_log(alice, bob, seeded):
    from django.apps import apps

    migration = importlib.import_module("progress.migrations.0005_review_log_keeps_the_card")
    history_of_question_1(alice)
    graded_interview(alice, [(2, Rating.GOOD, 3), (3, Rating.AGAIN, 0)], T0 + timedelta(days=1))
    graded_interview(bob, [(1, Rating.HARD, 2)], T0 + timedelta(days=2))
    ReviewLogEntry.objects.update(**dict.fromkeys(AFTER))

    migration.keep_the_card_after_each_review(apps, SimpleNamespace(connection=connection))

    for card in ReviewCard.objects.all():
        assert_card_is_its_log(card)


def test_the_migrations_batches_hold_whole_cards(seeded):
    migration = importlib.import_module("progress.migrations.0005_review_log_keeps_the_card")
    big = migration.BATCH

    assert list(migration._batches([(1, 2), (2, big - 2), (3, 1), (4, big * 3), (5, 1)])) == [
        [1, 2],
        [3],
        [4],
        [5],
    ]


@pytest.mark.parametrize(
    "kept",
    [
        {"state_after": 2},  # the rest missing
        {"state_after": 4, "step_after": None},  # no such state
        {"state_after": 2, "step_after": 0},  # a card in review is at no step
        {"state_after": 1, "step_after": None},  # a learning card is at one
        {"stability_after": 0},
        {"difficulty_after": 10.5},
        {"due_after": T0 - timedelta(days=1)},  # due before the review
    ],
)
def test_the_database_refuses_a_card_after_a_review_that_fsrs_cannot_leave(alice, seeded, kept):
    graded_interview(alice, [(1, Rating.GOOD, 4)], T0)
    entry = ReviewLogEntry.objects.get(user=alice)
    assert entry.state_after == 1 and entry.step_after == 1  # Good on a new card: step 1

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewLogEntry.objects.filter(pk=entry.pk).update(**kept)

    ReviewLogEntry.objects.filter(pk=entry.pk).update(**dict.fromkeys(AFTER))  # unknown: allowed
    assert KeyPointMiss.objects.filter(card__user=alice).exists()
