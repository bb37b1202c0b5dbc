"""The pace trend of spoken answers: words per minute per week, computed in SQL."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, FloatField, Sum
from django.db.models.functions import Cast, TruncWeek

from sessions.models import Recording

WEEKS = 12
# Under a second of speech says nothing about pace (as in sessions.recordings.delivery).
MIN_DURATION_MS = 1000


def weekly_pace(user, zone: ZoneInfo, today: date) -> list[dict]:
    """For each of the last WEEKS weeks up to `today` (in `zone`) with a spoken answer: the
    week's first day, how many spoken answers, and their words per minute (all their words
    over all their time). A function of the day, so that it can be cached for the day."""
    return list(weekly_pace_query(user.pk, zone, today))


def weekly_pace_query(user_id: int, zone: ZoneInfo, today: date):
    """The query of weekly_pace, for callers that run it their own way."""
    since = datetime.combine(today - timedelta(weeks=WEEKS), time.min, tzinfo=zone)
    return (
        Recording.objects.filter(
            item__interview__user_id=user_id,
            duration_ms__gte=MIN_DURATION_MS,
            word_count__gt=0,
            created_at__gte=since,
        )
        .annotate(week=TruncWeek("created_at", tzinfo=zone))
        .values("week")
        .annotate(
            answers=Count("pk"),
            words_per_minute=Cast(Sum("word_count"), FloatField())
            * 60_000
            / Cast(Sum(F("duration_ms")), FloatField()),
        )
        .order_by("week")
    )
