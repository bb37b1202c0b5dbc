"""The FSRS schedule: grading logs a review and rebuilds the question's card from its log;
changing a grade rewrites its entry; weakest-first interviews follow predicted recall."""

import importlib
import random
from datetime import UTC, timedelta

import pytest
import time_machine
from django.db.models import Count, Q, Sum
from django.urls import reverse
from fsrs import Card, ReviewLog, Scheduler, State
from fsrs import Rating as FsrsRating

from progress import scheduling, stats
from progress.models import ActivityDay, KeyPointMiss, ReviewCard, ReviewLogEntry
from questions.models import Question
from sessions import engine
from sessions.feedback.suggestions import AGREEMENT
from sessions.models import QuestionOrder, Rating, ShownKeyPoint, TimingMode
from tests.factories import T0, answer, grade, graded_interview, question, start

COUNTED = ("shown", "missed", "accepted", "rejected", "ticked_unsuggested", "agreed", "decided")


def fresh_card(card: ReviewCard) -> Card:
    """The card as a new FSRS scheduler computes it from the card's log, with nothing
    taken from our ReviewCard row."""
    logs = [
        ReviewLog(
            card_id=card.pk,
            rating=FsrsRating(entry.rating),
            review_datetime=entry.review_datetime,
            review_duration=entry.review_duration,
        )
        for entry in ReviewLogEntry.objects.filter(card=card)
    ]
    return Scheduler(enable_fuzzing=False).reschedule_card(Card(card_id=card.pk), logs)


def assert_card_matches(card: ReviewCard, expected: Card) -> None:
    card.refresh_from_db()
    assert card.state == expected.state.value
    assert card.step == expected.step
    assert card.due == expected.due
    assert card.last_review == expected.last_review
    assert card.stability == pytest.approx(expected.stability)
    assert card.difficulty == pytest.approx(expected.difficulty)


def test_grading_an_answer_logs_a_review_and_creates_a_card(alice, seeded):
    interview = start(alice, [1], T0)
    submitted = answer(interview, 1, T0 + timedelta(minutes=2), seconds=95)
    graded_at = T0 + timedelta(minutes=3)

    grade(submitted, Rating.GOOD, 4, graded_at, note="Forgot the bias.")

    card = ReviewCard.objects.get(user=alice)
    entry = ReviewLogEntry.objects.get(user=alice)
    assert card.question == question(1)
    assert entry.card == card
    assert entry.item == submitted
    assert entry.rating == Rating.GOOD
    assert entry.review_datetime == graded_at
    assert entry.review_duration == 95 * 1000  # FSRS counts milliseconds
    assert entry.covered_count == 4
    assert entry.key_point_count == 6
    assert entry.timed_out is False
    assert entry.answered_on == graded_at.date()
    # The card's totals and schedule come from that one review.
    assert (card.reviews, card.rating_sum, card.covered_sum, card.key_point_sum) == (1, 3, 4, 6)
    assert card.last_review == graded_at
    assert card.due > graded_at
    assert_card_matches(card, fresh_card(card))


def test_a_timed_out_answer_is_logged_as_timed_out(alice, seeded):
    interview = start(alice, [1], T0)
    shown = engine.show(interview.items.get(position=1), T0)
    # Long after the deadline and its grace period: the draft counts, marked timed out.
    late = engine.submit(shown, "", T0 + timedelta(hours=1)).item

    grade(late, Rating.AGAIN, 0, T0 + timedelta(hours=1))

    entry = ReviewLogEntry.objects.get(user=alice)
    assert entry.timed_out is True
    assert entry.review_duration == question(1).suggested_seconds * 1000
    assert ReviewCard.objects.get(user=alice).timed_out == 1


def test_grading_an_unsubmitted_answer_is_refused_and_logs_nothing(alice, seeded):
    interview = start(alice, [1], T0)
    with pytest.raises(ValueError):
        engine.grade(interview.items.get(position=1), Rating.GOOD, set(), "", T0)
    assert not ReviewLogEntry.objects.exists()
    assert not ReviewCard.objects.exists()


def test_good_schedules_the_question_later_than_again(alice, seeded):
    graded_interview(alice, [(1, Rating.AGAIN, 0), (2, Rating.GOOD, 5), (3, Rating.EASY, 6)], T0)

    due = dict(ReviewCard.objects.values_list("question__number", "due"))

    assert T0 < due[1] < due[2] < due[3]
    # FSRS's default learning steps: Again in 1 minute, Good in 10; Easy skips to review.
    assert due[1] == T0 + timedelta(minutes=1)
    assert due[2] == T0 + timedelta(minutes=10)
    assert ReviewCard.objects.get(question__number=3).state == State.Review.value


def test_changing_the_grade_rewrites_the_one_entry_and_reschedules(alice, seeded):
    interview = start(alice, [1], T0)
    submitted = answer(interview, 1, T0 + timedelta(minutes=2), seconds=60)
    grade(submitted, Rating.AGAIN, 1, T0 + timedelta(minutes=3))
    card = ReviewCard.objects.get(user=alice)
    due_after_again = card.due

    grade(submitted, Rating.EASY, 6, T0 + timedelta(hours=5))

    entry = ReviewLogEntry.objects.get(user=alice)  # still exactly one
    assert entry.rating == Rating.EASY
    assert (entry.covered_count, entry.key_point_count) == (6, 6)
    # The review happened when the answer was first graded; only its rating changed.
    assert entry.review_datetime == T0 + timedelta(minutes=3)
    card.refresh_from_db()
    assert (card.reviews, card.rating_sum, card.covered_sum) == (1, 4, 6)
    assert card.due > due_after_again
    assert_card_matches(card, fresh_card(card))
    # And that is what grading Easy in the first place would have given.
    easy_first, _ = Scheduler(enable_fuzzing=False).review_card(
        Card(), FsrsRating.Easy, T0 + timedelta(minutes=3)
    )
    assert card.due == easy_first.due


def test_changing_the_grade_on_a_later_day_updates_the_day_it_was_answered(alice, seeded):
    interview = graded_interview(alice, [(1, Rating.AGAIN, 1), (2, Rating.GOOD, 5)], T0)

    grade(interview.items.get(position=1), Rating.EASY, 6, T0 + timedelta(days=2))

    days = stats.daily_activity(alice, UTC)
    assert [(d.day, d.answers, d.rating_sum, d.covered, d.key_points) for d in days] == [
        (T0.date(), 2, Rating.EASY + Rating.GOOD, 6 + 5, 12)
    ]


def test_a_second_answer_in_another_interview_adds_to_the_same_card(alice, seeded):
    graded_interview(alice, [(1, Rating.GOOD, 4)], T0)
    graded_interview(alice, [(1, Rating.HARD, 2)], T0 + timedelta(days=3))

    card = ReviewCard.objects.get(user=alice)  # one card for the question
    ratings = list(card.log.order_by("review_datetime").values_list("rating", flat=True))
    assert ratings == [Rating.GOOD, Rating.HARD]
    assert (card.reviews, card.rating_sum, card.covered_sum, card.key_point_sum) == (2, 5, 6, 12)
    assert card.last_review == T0 + timedelta(days=3)
    assert_card_matches(card, fresh_card(card))
    # The same as reviewing a fresh FSRS card twice, in order.
    scheduler = Scheduler(enable_fuzzing=False)
    expected, _ = scheduler.review_card(Card(), FsrsRating.Good, T0)
    expected, _ = scheduler.review_card(expected, FsrsRating.Hard, T0 + timedelta(days=3))
    assert card.due == expected.due
    assert card.stability == pytest.approx(expected.stability)


def test_a_new_grade_through_the_page_gives_what_replaying_the_whole_log_gives(
    alice, alice_client, seeded
):
    # Earlier answers to question 1 on four days, then one more graded through the page
    # with the clock stopped, so the page's "now" is the moment the replay is checked at.
    for days, rating, covered in [(0, 3, 4), (2, 1, 0), (5, 2, 2), (11, 4, 6)]:
        graded_interview(alice, [(1, rating, covered)], T0 + timedelta(days=days))
    graded_at = T0 + timedelta(days=19, hours=3)
    interview = start(alice, [1], graded_at - timedelta(minutes=5))
    answer(interview, 1, graded_at - timedelta(minutes=1), seconds=70)

    with time_machine.travel(graded_at, tick=False):
        response = alice_client.post(
            reverse("interviews:grade", args=[interview.pk, 1]),
            {"rating": "3", "key_points": ["1", "2", "3"]},
        )

    assert response.status_code == 302
    card = ReviewCard.objects.get(user=alice)
    assert card.last_review == graded_at
    assert card.reviews == 5
    assert_card_matches(card, fresh_card(card))


def test_a_new_grade_steps_the_stored_card_without_reading_the_log(alice, seeded):
    graded_interview(alice, [(1, Rating.GOOD, 4)], T0)
    graded_interview(alice, [(1, Rating.HARD, 2)], T0 + timedelta(days=3))
    card = ReviewCard.objects.get(user=alice)
    # Change the stored card behind the log's back: a new grade starts from the stored card
    # (one FSRS step), so the change carries over, where a replay of the log would drop it.
    ReviewCard.objects.filter(pk=card.pk).update(stability=card.stability * 3, reviews=40)
    card.refresh_from_db()
    stepped, _ = Scheduler(enable_fuzzing=False).review_card(
        scheduling.to_fsrs(card), FsrsRating.Good, T0 + timedelta(days=20)
    )

    graded_interview(alice, [(1, Rating.GOOD, 5)], T0 + timedelta(days=20))

    assert_card_matches(card, stepped)
    assert card.reviews == 41


def test_a_grade_dated_before_the_cards_last_review_replays_the_log(alice, seeded):
    graded_interview(alice, [(1, Rating.GOOD, 4)], T0 + timedelta(days=3))
    # An answer graded with an earlier clock (a second tab, a clock set back): the log in
    # time order decides, as a replay does.
    graded_interview(alice, [(1, Rating.AGAIN, 0)], T0)

    card = ReviewCard.objects.get(user=alice)
    assert card.last_review == T0 + timedelta(days=3)
    assert card.reviews == 2
    assert_card_matches(card, fresh_card(card))


def test_changing_an_earlier_grade_replays_the_later_reviews(alice, seeded):
    first = graded_interview(alice, [(1, Rating.GOOD, 4)], T0)
    graded_interview(alice, [(1, Rating.GOOD, 4)], T0 + timedelta(days=3))
    card = ReviewCard.objects.get(user=alice)
    before = (card.due, card.stability)

    grade(first.items.get(position=1), Rating.AGAIN, 0, T0 + timedelta(days=4))

    card.refresh_from_db()
    assert ReviewLogEntry.objects.filter(card=card).count() == 2
    assert (card.due, card.stability) != before
    # The latest review is still the second one: its rating stays as it was.
    assert card.log.order_by("review_datetime").last().rating == Rating.GOOD
    assert_card_matches(card, fresh_card(card))


def test_each_entry_records_the_earliest_due_date_of_the_users_deck(alice, bob, seeded):
    graded_interview(
        bob, [(4, Rating.AGAIN, 0)], T0 - timedelta(days=5)
    )  # bob's card is not alice's
    graded_interview(alice, [(1, Rating.EASY, 6)], T0)
    graded_interview(alice, [(2, Rating.GOOD, 5)], T0 + timedelta(hours=1))

    first, second = ReviewLogEntry.objects.filter(user=alice).order_by("review_datetime")

    assert first.deck_next_due == ReviewCard.objects.get(user=alice, question__number=1).due
    assert second.deck_next_due == T0 + timedelta(hours=1, minutes=10)  # Q2, Good: 10 minutes


def test_key_point_misses_count_how_often_each_point_was_shown_and_missed(alice, bob, seeded):
    first = graded_interview(alice, [(1, Rating.HARD, 2)], T0)
    graded_interview(alice, [(1, Rating.GOOD, 4)], T0 + timedelta(days=2))
    graded_interview(bob, [(1, Rating.AGAIN, 0)], T0)
    texts = list(question(1).key_points.values_list("text", flat=True))

    def misses(user) -> dict[str, tuple[int, int]]:
        return {
            miss.text: (miss.shown, miss.missed)
            for miss in KeyPointMiss.objects.filter(card__user=user)
        }

    # Covered: points 1-2, then 1-4.
    assert misses(alice) == {
        texts[0]: (2, 0),
        texts[1]: (2, 0),
        texts[2]: (2, 1),
        texts[3]: (2, 1),
        texts[4]: (2, 2),
        texts[5]: (2, 2),
    }
    assert misses(bob) == {text: (1, 1) for text in texts}

    # Regrading the first answer with every point covered recounts.
    grade(first.items.get(position=1), Rating.GOOD, 6, T0 + timedelta(days=3))
    assert misses(alice)[texts[3]] == (2, 0)
    assert misses(alice)[texts[5]] == (2, 1)


def test_retrievability_is_zero_for_a_card_never_reviewed(alice, seeded):
    card = ReviewCard(user=alice, question=question(1), due=T0)
    assert scheduling.retrievability(card, T0) == 0.0


def test_retrievability_falls_over_time_and_faster_after_again(alice, seeded):
    graded_interview(alice, [(1, Rating.AGAIN, 0), (2, Rating.EASY, 6)], T0)
    again = ReviewCard.objects.get(question__number=1)
    easy = ReviewCard.objects.get(question__number=2)

    def recall(card, days):
        return scheduling.retrievability(card, T0 + timedelta(days=days))

    assert recall(again, 1) > recall(again, 5) > recall(again, 20)
    assert recall(again, 3) < recall(easy, 3)


def weakest_first(count: int):
    return engine.InterviewConfig(
        levels=[],
        topics=[],
        question_count=count,
        timing_mode=TimingMode.SUGGESTED,
        order=QuestionOrder.WEAKEST_FIRST,
    )


def test_weakest_first_draws_the_lowest_predicted_recall_first(alice, bob, seeded):
    # Bob's Q4, forgotten longest ago, is weakest of all, but only for bob.
    graded_interview(bob, [(4, Rating.AGAIN, 0)], T0 - timedelta(days=10))
    graded_interview(alice, [(3, Rating.EASY, 6), (1, Rating.AGAIN, 0), (2, Rating.GOOD, 5)], T0)
    when = T0 + timedelta(days=2)

    for seed_value in range(5):
        drawn = engine.draw_questions(
            alice, weakest_first(5), rng=random.Random(seed_value), now=when
        )

        numbers = [q.number for q in drawn]
        assert numbers[:3] == [1, 2, 3], numbers
        # Then questions alice has never answered (bob's Q4 is one of them for her).
        assert not {1, 2, 3} & set(numbers[3:])
        assert len(numbers) == 5
    recall = [
        scheduling.retrievability(ReviewCard.objects.get(user=alice, question__number=n), when)
        for n in (1, 2, 3)
    ]
    assert recall == sorted(recall)
    assert len(set(recall)) == 3


def test_weakest_first_leaves_out_archived_questions(alice, seeded):
    graded_interview(alice, [(1, Rating.AGAIN, 0), (2, Rating.GOOD, 5)], T0)
    Question.objects.filter(number=1).update(is_active=False)

    drawn = engine.draw_questions(
        alice, weakest_first(3), rng=random.Random(1), now=T0 + timedelta(days=2)
    )

    numbers = [q.number for q in drawn]
    assert numbers[0] == 2
    assert 1 not in numbers


def test_refreshing_days_rewrites_their_totals_from_the_log_and_drops_empty_days(alice, seeded):
    graded_interview(alice, [(1, Rating.AGAIN, 1), (2, Rating.GOOD, 5)], T0)
    graded_interview(alice, [(3, Rating.EASY, 3)], T0 + timedelta(days=1))
    expected = list(ActivityDay.objects.filter(user=alice).values())
    ActivityDay.objects.filter(user=alice, day=T0.date()).update(answers=9, next_due=None)
    ActivityDay.objects.filter(user=alice, day=T0.date() + timedelta(days=1)).delete()
    stale = ActivityDay.objects.create(
        user=alice,
        day=T0.date() - timedelta(days=5),
        answers=1,
        rating_sum=3,
        covered=1,
        key_points=2,
        mismatched=0,
    )

    scheduling.refresh_activity(alice, [T0.date() + timedelta(days=n) for n in (-5, 0, 1)])

    assert not ActivityDay.objects.filter(pk=stale.pk).exists()
    fields = ["day", "answers", "rating_sum", "covered", "key_points", "mismatched", "next_due"]
    assert list(ActivityDay.objects.filter(user=alice).values(*fields)) == [
        {name: row[name] for name in fields} for row in expected
    ]


def test_a_cards_totals_and_missed_key_points_match_its_log(alice, seeded):
    graded_interview(alice, [(1, Rating.GOOD, 4), (2, Rating.AGAIN, 0)], T0)
    graded_interview(alice, [(1, Rating.HARD, 2)], T0 + timedelta(days=3))
    interview = graded_interview(alice, [(1, Rating.EASY, 6)], T0 + timedelta(days=9))
    grade(interview.items.get(position=1), Rating.AGAIN, 1, T0 + timedelta(days=10))

    for card in ReviewCard.objects.filter(user=alice):
        assert {
            "reviews": card.reviews,
            "rating_sum": card.rating_sum,
            "covered_sum": card.covered_sum,
            "key_point_sum": card.key_point_sum,
            "timed_out": card.timed_out,
        } == card.log.aggregate(
            reviews=Count("pk"),
            rating_sum=Sum("rating"),
            covered_sum=Sum("covered_count"),
            key_point_sum=Sum("key_point_count"),
            timed_out=Count("pk", filter=Q(timed_out=True)),
        )
        shown = ShownKeyPoint.objects.filter(item__review__card=card)
        assert sorted(card.key_point_misses.values_list("text", "shown", "missed")) == sorted(
            shown.values("text")
            .annotate(shown=Count("pk"), missed=Count("pk", filter=Q(covered=False)))
            .values_list("text", "shown", "missed")
        )


def test_a_cards_key_points_count_the_suggestions_kept_as_the_answers_show(alice, seeded):
    # Suggestions of every kind: kept, unticked, ticked without one, and none at all (an
    # answer from before the detector); then a changed grade, which moves the counts.
    first = start(alice, [1], T0)
    answer(first, 1, T0 + timedelta(minutes=1))
    points = ShownKeyPoint.objects.filter(item__interview=first).order_by("position")
    for point, suggested in zip(points, [True, True, False, None, False, True], strict=True):
        ShownKeyPoint.objects.filter(pk=point.pk).update(suggested=suggested)
    grade(first.items.get(position=1), Rating.GOOD, 3, T0 + timedelta(minutes=2))
    second = start(alice, [1], T0 + timedelta(days=2))
    answer(second, 1, T0 + timedelta(days=2, minutes=1))
    ShownKeyPoint.objects.filter(item__interview=second, position__lte=4).update(suggested=True)
    grade(second.items.get(position=1), Rating.HARD, 2, T0 + timedelta(days=2, minutes=2))
    grade(first.items.get(position=1), Rating.EASY, 5, T0 + timedelta(days=3))
    third = start(alice, [1], T0 + timedelta(days=4))
    answer(third, 1, T0 + timedelta(days=4, minutes=1))
    grade(third.items.get(position=1), Rating.AGAIN, 1, T0 + timedelta(days=4, minutes=2))

    card = ReviewCard.objects.get(user=alice)
    graded = ShownKeyPoint.objects.filter(item__interview__user=alice)
    expected = {
        row["text"]: (
            row["accepted"],
            row["rejected"],
            row["missed"],
            row["agreed"],
            row["decided"],
        )
        for row in graded.values("text").annotate(**AGREEMENT)
    }
    kept = {
        miss.text: (
            miss.accepted,
            miss.rejected,
            miss.ticked_unsuggested,
            miss.agreed,
            miss.decided,
        )
        for miss in card.key_point_misses.all()
    }
    assert kept == expected
    assert sum(counts[4] for counts in kept.values()) > 0


def test_the_migration_counts_the_suggestions_kept_on_answers_graded_before_it(alice, seeded):
    from django.apps import apps

    migration = importlib.import_module("progress.migrations.0004_key_point_agreement")
    interview = start(alice, [1, 2], T0)
    for position in (1, 2):
        answer(interview, position, T0 + timedelta(minutes=position))
    ShownKeyPoint.objects.filter(item__interview=interview, position__lte=3).update(suggested=True)
    ShownKeyPoint.objects.filter(item__interview=interview, position=4).update(suggested=False)
    for position in (1, 2):
        grade(interview.items.get(position=position), Rating.GOOD, 2, T0 + timedelta(minutes=5))
    expected = sorted(KeyPointMiss.objects.values_list("card", "text", *COUNTED))
    # As the table was before the migration: the new counts at their default.
    KeyPointMiss.objects.update(**dict.fromkeys(COUNTED[2:], 0))

    migration.count_agreement(apps, None)

    assert sorted(KeyPointMiss.objects.values_list("card", "text", *COUNTED)) == expected
    assert sum(row[-1] for row in expected) > 0  # some key points had a suggestion
