"""Every rule of the self-grade, in one place: counting the key points covered, the rating
suggested from them, when a rating and the key points disagree (in Python and in SQL), and
which boxes the grade form opens with. What the answer itself seems to cover is feedback's
(sessions/feedback/suggestions.py)."""

from django.db.models import Count, F, Q

from sessions.models import Rating, SessionQuestion, ShownKeyPoint

# Coverage: the key points the user ticked, of those shown with the answer.


def coverage_counts(relation: str = "key_points") -> dict:
    """SQL for "covered of total": annotations `covered_count` and `key_point_count` over
    the shown key points reached through `relation` ("" when aggregating them directly)."""
    prefix = f"{relation}__" if relation else ""
    return {
        "covered_count": Count(relation or "pk", filter=Q(**{f"{prefix}covered": True})),
        "key_point_count": Count(relation or "pk"),
    }


# The suggested rating: Again under half of the key points, Hard under three quarters,
# Good under all of them, Easy with all of them; Good when there are none to count.


def suggested_rating(covered: int, total: int) -> Rating:
    if total == 0:
        return Rating.GOOD
    share = covered / total
    if share < 0.5:
        return Rating.AGAIN
    if share < 0.75:
        return Rating.HARD
    if share < 1:
        return Rating.GOOD
    return Rating.EASY


def rating_table(total: int) -> list[str]:
    """The suggested rating's label for 0, 1, ... `total` key points ticked: the page reads
    this table from a data- attribute instead of repeating the rule."""
    return [suggested_rating(covered, total).label for covered in range(total + 1)]


# Calibration: a grade disagrees with the key points ticked when it is Good or Easy with
# under half of them, or Again with all of them.

CALIBRATION_RULE = "Good or Easy with under half of them, or Again with all of them"

MISMATCH = Q(rating__gte=Rating.GOOD, key_point_count__gt=F("covered_count") * 2) | Q(
    rating=Rating.AGAIN, covered_count=F("key_point_count"), key_point_count__gt=0
)


def calibration_hint(rating: int | None, covered: int, total: int) -> str | None:
    """The Python form of MISMATCH, worded for the user."""
    if rating is None or total == 0:
        return None
    if rating >= Rating.GOOD and covered * 2 < total:
        return (
            "You rated this Good or Easy but covered under half of its key points. "
            "A rating that follows the key points makes your schedule more useful."
        )
    if rating == Rating.AGAIN and covered == total:
        return (
            "You rated this Again but covered every key point. "
            "If the answer was complete, Good or Easy will bring it back less often."
        )
    return None


def initial_ticks(item: SessionQuestion, key_points: list[ShownKeyPoint]) -> list[int]:
    """The boxes ticked when the grade form opens: the user's own ticks once graded, the
    suggestions before that."""
    if item.is_graded:
        return [point.position for point in key_points if point.covered]
    return [point.position for point in key_points if point.suggested]


# Missed: an answer worth retrying, rated Again or Hard, or with under half of its key points
# ticked.


def missed(rating: int | None, covered: int, total: int) -> bool:
    if rating is None:
        return False
    return rating <= Rating.HARD or covered * 2 < total
