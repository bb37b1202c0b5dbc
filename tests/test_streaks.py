"""Streaks: consecutive days with a graded answer, rest days, and the user's time zone."""

from datetime import UTC, date, datetime, timedelta

import pytest

from progress import stats
from progress.models import ReviewLogEntry
from progress.streaks import Streaks, streaks
from sessions.models import Rating
from tests.factories import T0, answer, grade, graded_interview, set_profile, start

TODAY = date(2026, 3, 10)


def day(offset: int) -> date:
    """`offset` days before TODAY."""
    return TODAY - timedelta(days=offset)


def active(*offsets: int, next_due: date | None = None) -> dict[date, date | None]:
    return {day(offset): next_due for offset in offsets}


# Consecutive days and gaps


def test_it_counts_consecutive_days_up_to_today():
    assert streaks(active(4, 3, 2, 1, 0), TODAY, rest_days=False) == Streaks(current=5, best=5)


def test_it_has_no_streak_without_answers():
    assert streaks({}, TODAY, rest_days=False) == Streaks(current=0, best=0)


def test_a_missed_day_breaks_the_streak():
    # Nothing on day(2): the run before it (day 5-3) is over.
    assert streaks(active(5, 4, 3, 1, 0), TODAY, rest_days=False) == Streaks(current=2, best=3)


def test_today_not_yet_answered_keeps_a_streak_that_reached_yesterday():
    assert streaks(active(3, 2, 1), TODAY, rest_days=False) == Streaks(current=3, best=3)


def test_a_streak_that_ended_before_yesterday_is_not_current():
    assert streaks(active(3, 2), TODAY, rest_days=False) == Streaks(current=0, best=2)


def test_best_is_the_longest_run_and_current_the_latest():
    days = active(12, 11, 10, 9, 8, 1, 0)
    assert streaks(days, TODAY, rest_days=False) == Streaks(current=2, best=5)


def test_a_current_run_longer_than_the_earlier_ones_is_also_the_best():
    days = active(9, 8, 3, 2, 1, 0)
    assert streaks(days, TODAY, rest_days=False) == Streaks(current=4, best=4)


# Rest days: a gap is forgiven only when nothing was due on any day of it.


def rest_gap(next_due: date) -> dict[date, date | None]:
    """Active on day(5) and day(4), nothing on day(3) and day(2), active on day(1) and today;
    after day(4)'s reviews the first thing due is on `next_due`."""
    days = active(5, 1, 0, next_due=TODAY + timedelta(days=5))
    days[day(4)] = next_due
    return days


def test_with_rest_days_a_gap_with_nothing_due_keeps_the_streak():
    # Due again only on day(1), the day the user came back. The streak counts the days
    # answered; the rest days between them only keep it going.
    assert streaks(rest_gap(day(1)), TODAY, rest_days=True) == Streaks(current=4, best=4)


def test_without_rest_days_the_same_gap_breaks_the_streak():
    assert streaks(rest_gap(day(1)), TODAY, rest_days=False) == Streaks(current=2, best=2)


def test_with_rest_days_a_gap_with_something_due_breaks_the_streak():
    # Due on day(2), the second day of the gap: that day was skipped, not a rest day.
    assert streaks(rest_gap(day(2)), TODAY, rest_days=True) == Streaks(current=2, best=2)


def test_with_rest_days_something_due_on_the_first_day_of_the_gap_breaks_it():
    assert streaks(rest_gap(day(3)), TODAY, rest_days=True) == Streaks(current=2, best=2)


def test_with_rest_days_days_before_today_with_nothing_due_keep_the_streak_current():
    days = active(5, 4, next_due=TODAY)
    assert streaks(days, TODAY, rest_days=True) == Streaks(current=2, best=2)


def test_with_rest_days_something_due_before_today_ends_the_current_streak():
    days = active(5, 4, next_due=day(1))
    assert streaks(days, TODAY, rest_days=True) == Streaks(current=0, best=2)


# The real path: grades through the engine, the day in the user's time zone.

LATE_EVENING_UTC = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("time_zone", "expected"),
    [
        ("Asia/Tokyo", date(2026, 3, 2)),  # 08:30 on 2 March in Tokyo
        ("America/Los_Angeles", date(2026, 3, 1)),  # 15:30 on 1 March in Los Angeles
        ("UTC", date(2026, 3, 1)),
    ],
)
def test_a_grade_counts_on_the_day_of_the_users_time_zone(seeded, alice, time_zone, expected):
    set_profile(alice, time_zone=time_zone)
    interview = start(alice, [1], LATE_EVENING_UTC - timedelta(minutes=10))
    grade(answer(interview, 1, LATE_EVENING_UTC, seconds=60), Rating.GOOD, 4, LATE_EVENING_UTC)

    entry = ReviewLogEntry.objects.get(user=alice)
    assert entry.review_datetime == LATE_EVENING_UTC
    assert entry.answered_on == expected


@pytest.mark.parametrize(
    ("time_zone", "expected"),
    [
        # 23:00 on 1 March and 01:00 on 3 March in Tokyo: 2 March was missed.
        ("Asia/Tokyo", Streaks(current=1, best=1)),
        # 14:00 on 1 March and 16:00 on 2 March in UTC: two days in a row.
        ("UTC", Streaks(current=2, best=2)),
    ],
)
def test_the_dashboard_streak_follows_the_users_time_zone(seeded, alice, time_zone, expected):
    profile = set_profile(alice, time_zone=time_zone)
    graded_interview(alice, [(1, Rating.GOOD, 4)], datetime(2026, 3, 1, 14, 0, tzinfo=UTC))
    graded_interview(alice, [(2, Rating.GOOD, 4)], datetime(2026, 3, 2, 16, 0, tzinfo=UTC))

    board = stats.figures(
        alice, profile, (datetime(2026, 3, 2, 16, 30, tzinfo=UTC)).astimezone(profile.zone).date()
    )

    assert board.streaks == expected


@pytest.mark.parametrize(("rest_days", "expected"), [(True, 2), (False, 1)])
def test_the_dashboard_forgives_a_rest_day_only_when_asked(seeded, alice, rest_days, expected):
    profile = set_profile(alice, rest_days=rest_days)
    # Easy on a first answer: not due again for days, so 3 March is a rest day.
    graded_interview(alice, [(1, Rating.EASY, 6)], T0)
    graded_interview(alice, [(2, Rating.GOOD, 5)], T0 + timedelta(days=2))

    board = stats.figures(
        alice, profile, (T0 + timedelta(days=2, hours=1)).astimezone(profile.zone).date()
    )

    assert board.streaks.current == expected


def test_a_question_due_after_the_days_last_review_breaks_a_rest_day_streak(seeded, alice):
    profile = set_profile(alice, rest_days=True)
    graded_interview(alice, [(1, Rating.EASY, 6)], T0)  # Easy: Q1 due in 8 days
    graded_interview(
        alice, [(2, Rating.AGAIN, 0)], T0 + timedelta(hours=6)
    )  # Again: Q2 due in 1 minute
    graded_interview(alice, [(3, Rating.GOOD, 5)], T0 + timedelta(days=2))
    assert ReviewLogEntry.objects.order_by("review_datetime")[1].deck_next_due < T0 + timedelta(
        days=1
    )

    board = stats.figures(
        alice, profile, (T0 + timedelta(days=2, hours=1)).astimezone(profile.zone).date()
    )

    # Q2 was overdue all of 3 March: that day was skipped, not rested.
    assert board.streaks.current == 1
