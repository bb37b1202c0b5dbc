"""The follow-up round: which follow-up the interviewer asks after an answer (of the
question's follow-ups, the one sharing the most words with a key point the answer missed;
the first one when none shares a word or nothing was missed), and the row of its answer.
The clock that times it is the engine's (sessions/engine.py)."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Q

from questions.models import MAX_KEY_POINT_CHARS
from sessions.timed_answers import TimedAnswer, timed_answer_constraints

# Seconds a follow-up gets when the configuration does not say.
DEFAULT_FOLLOW_UP_SECONDS = 60

_WORD = re.compile(r"[a-z0-9]+")
# Words too common to tie a follow-up to a key point.
_COMMON = frozenset(
    [
        "about",
        "after",
        "also",
        "and",
        "are",
        "because",
        "been",
        "before",
        "but",
        "can",
        "could",
        "does",
        "each",
        "for",
        "from",
        "has",
        "have",
        "how",
        "into",
        "its",
        "more",
        "not",
        "one",
        "only",
        "other",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "used",
        "using",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


def _words(text: str) -> set[str]:
    """Content words, a plural's final "s" dropped, so "features" meets "feature"."""
    words = (word for word in _WORD.findall(text.lower()) if len(word) > 2)
    return {
        word[:-1] if word.endswith("s") and len(word) > 3 else word
        for word in words
        if word not in _COMMON
    }


@dataclass(frozen=True)
class FollowUpChoice:
    prompt: str
    key_point: str  # the missed key point it asks about; "" when none


def choose_follow_up(follow_ups: list[str], missed_key_points: list[str]) -> FollowUpChoice | None:
    """None when the question has no follow-up. Ties go to the earlier follow-up, then to
    the earlier key point."""
    if not follow_ups:
        return None
    best, best_shared = None, 0
    for follow_up in follow_ups:
        for key_point in missed_key_points:
            shared = len(_words(follow_up) & _words(key_point))
            if shared > best_shared:
                best, best_shared = FollowUpChoice(follow_up, key_point), shared
    return best or FollowUpChoice(follow_ups[0], "")


class FollowUpRating(models.IntegerChoices):
    MISSED = 1, "Missed it"
    PARTLY = 2, "Partly"
    WELL = 3, "Answered it well"


class FollowUpAnswer(TimedAnswer):
    """The interviewer's follow-up to one answer, in the follow-up round: chosen when the
    answer is graded, then answered against the same clock as a question (sessions.engine)
    and graded with a simple rating. Apart from the review schedule and the statistics."""

    interview = models.ForeignKey(
        "interview_sessions.InterviewSession",
        on_delete=models.CASCADE,
        related_name="follow_up_answers",
    )
    item = models.OneToOneField(
        "interview_sessions.SessionQuestion", on_delete=models.CASCADE, related_name="follow_up"
    )
    prompt = models.TextField(blank=True, help_text="Chosen when the answer is graded.")
    # The key point the answer missed that the follow-up asks about; empty when none did.
    key_point = models.CharField(max_length=MAX_KEY_POINT_CHARS, blank=True)
    self_rating = models.PositiveSmallIntegerField(
        choices=FollowUpRating.choices, null=True, blank=True
    )

    class Meta:
        app_label = "interview_sessions"
        ordering = ["interview", "item"]
        constraints = [
            models.CheckConstraint(
                condition=Q(self_rating__isnull=True) | Q(self_rating__gte=1, self_rating__lte=3),
                name="follow_up_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(shown_at__isnull=True) | ~Q(prompt=""),
                name="follow_up_shown_only_once_chosen",
            ),
            *timed_answer_constraints("follow_up"),
        ]

    def __str__(self) -> str:
        return f"Follow-up to {self.item}"

    @property
    def position(self) -> int:
        return self.item.position


def grade_follow_up(follow_up: FollowUpAnswer, rating: int, now: datetime) -> None:
    """The follow-up's simple rating; may be changed later. Apart from the review schedule."""
    if not follow_up.is_finalised:
        raise ValueError("Only a submitted follow-up can be graded.")
    FollowUpAnswer.objects.filter(pk=follow_up.pk).update(self_rating=rating, graded_at=now)
    follow_up.self_rating, follow_up.graded_at = rating, now


def create_for(interview, items) -> None:
    """The follow-ups' rows of a new interview in the follow-up round, one per question that
    has follow-ups; each is chosen when its answer is graded (choose_for)."""
    FollowUpAnswer.objects.bulk_create(
        FollowUpAnswer(interview=interview, item=item, time_allowed=interview.follow_up_seconds)
        for item in items
        if item.follow_ups
    )


def choose_for(item, covered_positions: set[int]) -> None:
    """In the follow-up round: the follow-up to ask, about a key point the grade says was
    missed. Chosen again when the grade changes, until the follow-up is shown."""
    missed = list(
        item.key_points.exclude(position__in=covered_positions)
        .order_by("position")
        .values_list("text", flat=True)
    )
    choice = choose_follow_up(item.follow_ups, missed)
    if choice is not None:
        FollowUpAnswer.objects.filter(item=item, shown_at__isnull=True).update(
            prompt=choice.prompt, key_point=choice.key_point
        )
