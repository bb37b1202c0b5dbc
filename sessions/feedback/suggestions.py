"""The detector's suggestions stored with each final answer (key points it seems to cover,
misconceptions it seems to state), the evidence they point at, and how often users kept
them."""

import itertools

from django.db.models import Count, F, Q

from sessions.feedback.misconceptions import Feedback, detect_feedback
from sessions.models import ShownKeyPoint, ShownMisconception


def suggest(
    answer: str, key_points: list[ShownKeyPoint], misconceptions: list[ShownMisconception] = ()
) -> Feedback:
    """The detector's feedback on the key points and misconceptions shown with the answer.
    A misconception withholds the point it contradicts only when that point is among
    `key_points`."""
    places = {point.position: index for index, point in enumerate(key_points, start=1)}
    return detect_feedback(
        answer,
        [(point.cues, point.text) for point in key_points],
        [(wrong.cues, places.get(wrong.contradicts, 0)) for wrong in misconceptions],
    )


def record_suggestions(items) -> int:
    """Store the detector's suggestions for the final answers among `items` (a queryset of
    SessionQuestion) that have none yet, and which of their misconceptions each answer
    seems to state; returns how many key points it decided."""
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
    misconceptions: dict[int, list[ShownMisconception]] = {}
    for wrong in ShownMisconception.objects.filter(item_id__in=by_item).order_by(
        "item_id", "position"
    ):
        misconceptions.setdefault(wrong.item_id, []).append(wrong)
    decided: list[ShownMisconception] = []
    for item_id, points in by_item.items():
        wrongs = misconceptions.get(item_id, [])
        feedback = suggest(points[0].item.answer_text, points, wrongs)
        for point, suggestion in zip(points, feedback.key_points, strict=True):
            point.suggested = suggestion.covered
            point.suggestion_score = suggestion.score
            span = suggestion.evidence if suggestion.covered else None
            point.evidence_start, point.evidence_end = span or (None, None)
        for wrong, found in zip(wrongs, feedback.misconceptions, strict=True):
            wrong.stated = found.covered
            span = found.evidence if found.covered else None
            wrong.evidence_start, wrong.evidence_end = span or (None, None)
            decided.append(wrong)
    ShownKeyPoint.objects.bulk_update(
        pending, ["suggested", "suggestion_score", "evidence_start", "evidence_end"]
    )
    ShownMisconception.objects.bulk_update(decided, ["stated", "evidence_start", "evidence_end"])
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


def evidence_segments(
    answer: str, key_points: list[ShownKeyPoint], misconceptions: list[ShownMisconception] = ()
) -> list[tuple[str, str]]:
    """The answer cut at the edges of every piece of evidence: (text, what it is evidence
    of, space-separated: a key point's position, or "m" and a misconception's position),
    so the page can mark them."""
    spans = [
        (point.evidence_start, point.evidence_end, str(point.position))
        for point in key_points
        if point.suggested and point.evidence_start is not None
    ] + [
        (wrong.evidence_start, wrong.evidence_end, f"m{wrong.position}")
        for wrong in misconceptions
        if wrong.stated and wrong.evidence_start is not None
    ]
    edges = sorted({0, len(answer), *(edge for start, end, _ in spans for edge in (start, end))})
    segments = []
    for start, end in itertools.pairwise(edges):
        if start >= end or end > len(answer):
            continue
        owners = " ".join(name for first, last, name in spans if first <= start and end <= last)
        segments.append((answer[start:end], owners))
    return segments
