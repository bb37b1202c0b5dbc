"""The dashboard's queries compiled once per process (progress/compiled.py) give each user
what the ORM gives them, with the ORM's own conversions."""

from zoneinfo import ZoneInfo

import pytest
from django.db.models.functions import TruncDate
from django.utils import timezone

from progress import compiled, stats
from progress.models import ActivityDay, ReviewCard
from tests.bench.data import make_history


@pytest.fixture
def two_histories(seeded, alice, bob):
    now = timezone.now()
    make_history(alice, 60, days=40, now=now, seed=3)
    make_history(bob, 25, days=10, now=now, seed=4)
    return alice, bob


KOLKATA = ZoneInfo("Asia/Kolkata")


def days_of(user_id: int, zone: ZoneInfo = KOLKATA):
    return (
        ActivityDay.objects.filter(user_id=user_id)
        .order_by("day")
        .values("day", "answers", next_due_day=TruncDate("next_due", tzinfo=zone))
    )


def test_each_user_gets_what_the_orm_gives_them(two_histories):
    built = []

    def build(user_id: int):
        built.append(user_id)
        return days_of(user_id)

    for user in two_histories:
        assert compiled.dicts("test days", build, user.pk) == list(days_of(user.pk))
        rows = compiled.tuples("test days", build, user.pk)
        assert rows == [tuple(row.values()) for row in days_of(user.pk)]
        # Dates stay dates, whatever the database returns for them.
        assert {type(row[0]).__name__ for row in rows} == {"date"}
    assert built == [compiled.STAND_IN]  # written once


def test_the_dashboards_figures_add_up(two_histories):
    alice, _ = two_histories
    cards = ReviewCard.objects.filter(user=alice)
    levels, topics, decks = stats.mastery(alice)

    assert sum(bar.answers for bar in levels) == sum(card.reviews for card in cards)
    assert sum(bar.answers for bar in decks) == sum(card.reviews for card in cards)
    assert [bar.label for bar in topics] == sorted(bar.label for bar in topics)
    assert stats.interviews_completed(alice) == alice.interviews.filter(status="completed").count()


def test_a_query_must_filter_on_its_user(two_histories):
    with pytest.raises(ValueError, match="user"):
        compiled.tuples(
            "test unfiltered",
            lambda user_id: ActivityDay.objects.values("day"),
            two_histories[0].pk,
        )


def test_variants_are_compiled_apart(two_histories):
    alice, _ = two_histories
    for zone in ("UTC", "Pacific/Kiritimati"):
        found = compiled.tuples(
            "test zones",
            lambda user_id, zone=zone: days_of(user_id, ZoneInfo(zone)),
            alice.pk,
            zone,
        )
        assert found == [tuple(row.values()) for row in days_of(alice.pk, ZoneInfo(zone))]
