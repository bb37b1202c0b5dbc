"""The detector's suggestions stored with each final answer, the evidence they point at, and
how often users kept them."""

import itertools

from django.db.models import Count, F, Q

from sessions.feedback import detection
from sessions.models import ShownKeyPoint


def suggest(answer: str, key_points: list[ShownKeyPoint]) -> list[detection.Suggestion]:
    """The detector's suggestion for each key point shown with the answer."""
    return detection.detect_all(answer, [(point.cues, point.text) for point in key_points])


def record_suggestions(items) -> int:
    """Store the detector's suggestions for the final answers among `items` (a queryset of
    SessionQuestion) that have none yet; returns how many key points it decided."""
    pending = list(
        ShownKeyPoint.objects.filter(
            item__in=items, item__submitted_at__isnull=False, suggested__isnull=True
        )
        .select_related("item")
        .only("pk", "item_id", "position", "text", "cues", "item__answer_text")
        .order_by("item_id", "position")
    )
    by_item: dict[int, list[ShownKeyPoint]] = {}
    for point in pending:
        by_item.setdefault(point.item_id, []).append(point)
    for points in by_item.values():
        for point, suggestion in zip(
            points, suggest(points[0].item.answer_text, points), strict=True
        ):
            point.suggested = suggestion.covered
            point.suggestion_score = suggestion.score
            span = suggestion.evidence if suggestion.covered else None
            point.evidence_start, point.evidence_end = span or (None, None)
    ShownKeyPoint.objects.bulk_update(
        pending, ["suggested", "suggestion_score", "evidence_start", "evidence_end"]
    )
    return len(pending)


# Of the key points suggested or ticked on graded answers: suggested and kept (accepted),
# suggested and unticked (rejected), ticked without a suggestion (missed).
AGREEMENT = {
    "accepted": Count("pk", filter=Q(suggested=True, covered=True)),
    "rejected": Count("pk", filter=Q(suggested=True, covered=False)),
    "missed": Count("pk", filter=Q(suggested=False, covered=True)),
    "agreed": Count("pk", filter=Q(suggested=F("covered"))),
    "decided": Count("pk", filter=Q(suggested__isnull=False)),
}


def evidence_segments(answer: str, key_points: list[ShownKeyPoint]) -> list[tuple[str, str]]:
    """The answer cut at the edges of every suggestion's evidence: (text, the positions of
    the key points whose evidence it is, space-separated), so the page can mark them."""
    spans = [
        (point.evidence_start, point.evidence_end, point.position)
        for point in key_points
        if point.suggested and point.evidence_start is not None
    ]
    edges = sorted({0, len(answer), *(edge for start, end, _ in spans for edge in (start, end))})
    segments = []
    for start, end in itertools.pairwise(edges):
        if start >= end or end > len(answer):
            continue
        owners = " ".join(
            str(position) for first, last, position in spans if first <= start and end <= last
        )
        segments.append((answer[start:end], owners))
    return segments
