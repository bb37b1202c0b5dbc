"""Delivery of a spoken answer, kept apart from what was known: speaking time against the time
allowed, words per minute and filler words. Nothing here touches the self-grade or FSRS."""

import re
from collections import Counter
from dataclasses import dataclass

# Spoken fillers, longest first so that "you know" is one filler and not two words.
FILLERS = (
    "you know",
    "sort of",
    "kind of",
    "i mean",
    "basically",
    "actually",
    "literally",
    "like",
    "um",
    "uh",
    "erm",
    "er",
    "hmm",
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_FILLER = re.compile(r"\b(" + "|".join(re.escape(f) for f in FILLERS) + r")\b")


def count_words(text: str) -> int:
    return len(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Delivery:
    speaking_seconds: float
    time_allowed: int | None
    words: int
    words_per_minute: int | None
    fillers: dict[str, int]

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    @property
    def share_of_time_allowed(self) -> float | None:
        if not self.time_allowed:
            return None
        return self.speaking_seconds / self.time_allowed


def delivery(duration_ms: int, text: str, time_allowed: int | None) -> Delivery:
    """Figures for one spoken answer from its recording's length and its text (the
    transcript, as edited, or what was typed). Under a second of speech has no pace."""
    seconds = duration_ms / 1000
    words = count_words(text)
    found = Counter(_FILLER.findall(" ".join(_WORD.findall(text.lower()))))
    return Delivery(
        speaking_seconds=seconds,
        time_allowed=time_allowed,
        words=words,
        words_per_minute=round(words * 60 / seconds) if seconds >= 1 and words else None,
        fillers=dict(found.most_common()),
    )
