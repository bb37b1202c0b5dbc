"""Which follow-up the interviewer asks after an answer: of the question's follow-ups, the
one sharing the most words with a key point the answer missed; the first one when none
shares a word (or nothing was missed). Plain values in, a plain value out."""

import re
from dataclasses import dataclass

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
