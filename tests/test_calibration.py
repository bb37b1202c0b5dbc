"""Whether a self-rating agrees with the key points covered: the hint, the rating the grade
form suggests, and the dashboard's count of disagreeing grades."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from progress import stats
from progress.models import ReviewLogEntry
from sessions.grading import calibration_hint, suggested_rating
from sessions.models import Rating
from tests.factories import T0, graded_interview, question, set_profile


@pytest.mark.parametrize(
    ("rating", "covered", "total"),
    [(Rating.GOOD, 2, 5), (Rating.EASY, 0, 6), (Rating.GOOD, 3, 7), (Rating.EASY, 1, 3)],
)
def test_it_hints_at_good_or_easy_with_under_half_the_key_points(rating, covered, total):
    hint = calibration_hint(rating, covered, total)
    assert hint is not None
    assert "Good or Easy" in hint
    assert "under half" in hint


@pytest.mark.parametrize(("rating", "covered", "total"), [(Rating.GOOD, 3, 6), (Rating.EASY, 2, 4)])
def test_it_says_nothing_about_good_or_easy_with_exactly_half(rating, covered, total):
    assert calibration_hint(rating, covered, total) is None


@pytest.mark.parametrize(("rating", "covered", "total"), [(Rating.GOOD, 4, 7), (Rating.EASY, 6, 6)])
def test_it_says_nothing_about_good_or_easy_with_over_half(rating, covered, total):
    assert calibration_hint(rating, covered, total) is None


@pytest.mark.parametrize("total", [1, 6, 7])
def test_it_hints_at_again_with_every_key_point(total):
    hint = calibration_hint(Rating.AGAIN, total, total)
    assert hint is not None
    assert "Again" in hint
    assert "every key point" in hint


@pytest.mark.parametrize("covered", [0, 3, 5])
def test_it_says_nothing_about_again_with_some_key_points(covered):
    assert calibration_hint(Rating.AGAIN, covered, 6) is None


@pytest.mark.parametrize(("covered", "total"), [(0, 6), (6, 6)])
def test_it_says_nothing_about_hard(covered, total):
    assert calibration_hint(Rating.HARD, covered, total) is None


def test_it_says_nothing_without_a_rating_or_without_key_points():
    assert calibration_hint(None, 0, 6) is None
    assert calibration_hint(Rating.AGAIN, 0, 0) is None
    assert calibration_hint(Rating.EASY, 0, 0) is None


@pytest.mark.parametrize(
    ("covered", "total", "expected"),
    [
        (0, 0, Rating.GOOD),  # nothing to go by
        (0, 6, Rating.AGAIN),
        (2, 6, Rating.AGAIN),  # 33%
        (3, 7, Rating.AGAIN),  # 43%
        (3, 6, Rating.HARD),  # exactly half
        (5, 7, Rating.HARD),  # 71%
        (3, 4, Rating.GOOD),  # exactly three quarters
        (6, 7, Rating.GOOD),  # 86%
        (6, 6, Rating.EASY),
        (7, 7, Rating.EASY),
    ],
)
def test_the_suggested_rating_follows_the_share_of_key_points(covered, total, expected):
    assert suggested_rating(covered, total) == expected


def test_a_suggested_rating_never_draws_a_hint():
    for total in range(1, 9):
        for covered in range(total + 1):
            assert calibration_hint(suggested_rating(covered, total), covered, total) is None


# The dashboard counts disagreeing grades in SQL; it must agree with the hint.

CASES = [
    # (question number, key points, rating, covered)
    (1, 6, Rating.EASY, 2),  # hint: under half
    (2, 6, Rating.GOOD, 3),  # exactly half: none
    (5, 7, Rating.GOOD, 3),  # hint: 3 of 7
    (8, 7, Rating.AGAIN, 7),  # hint: Again with all
    (9, 7, Rating.AGAIN, 5),  # none
    (10, 7, Rating.HARD, 0),  # none
]


def test_the_dashboard_counts_the_grades_the_hint_flags(seeded, alice):
    profile = set_profile(alice)
    for number, key_points, _, _ in CASES:
        assert question(number).key_points.count() == key_points
    graded_interview(alice, [(number, rating, covered) for number, _, rating, covered in CASES], T0)
    flagged = sum(
        calibration_hint(rating, covered, key_points) is not None
        for _, key_points, rating, covered in CASES
    )

    board = stats.figures(alice, profile, (T0 + timedelta(days=1)).astimezone(profile.zone).date())

    assert flagged == 3
    assert board.mismatched_last_30 == 3
    assert board.days[0].mismatched == 3


def test_disagreeing_grades_older_than_30_days_are_not_counted(seeded, alice):
    profile = set_profile(alice)
    graded_interview(alice, [(1, Rating.EASY, 0)], T0)
    graded_interview(alice, [(2, Rating.EASY, 0), (5, Rating.GOOD, 7)], T0 + timedelta(days=31))

    board = stats.figures(
        alice, profile, (T0 + timedelta(days=31, hours=1)).astimezone(profile.zone).date()
    )

    assert board.mismatched_last_30 == 1


def test_the_dashboard_and_question_history_show_the_hint(seeded, alice, alice_client):
    now = timezone.now()
    graded_interview(alice, [(1, Rating.EASY, 1), (2, Rating.GOOD, 6)], now - timedelta(days=1))
    assert ReviewLogEntry.objects.filter(user=alice).count() == 2

    dashboard = alice_client.get("/").content.decode()
    flagged = alice_client.get(reverse("progress:question_history", args=[question(1).slug]))
    agreed = alice_client.get(reverse("progress:question_history", args=[question(2).slug]))

    assert "In the last 30 days, 1 of your grades disagreed" in dashboard
    assert "You rated this Good or Easy but covered under half" in flagged.content.decode()
    assert "You rated this" not in agreed.content.decode()
