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
    transcribed: bool
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


def delivery(duration_ms: int, transcript: str, time_allowed: int | None) -> Delivery:
    """Figures for one spoken answer from its recording's length and its transcript (what
    speech recognition heard). Without a transcript only the speaking time: typed notes are
    not what was said, and their words over the recording's seconds are no pace. Under a
    second of speech has no pace either."""
    seconds = duration_ms / 1000
    words = count_words(transcript)
    found = Counter(_FILLER.findall(" ".join(_WORD.findall(transcript.lower()))))
    return Delivery(
        speaking_seconds=seconds,
        time_allowed=time_allowed,
        transcribed=bool(transcript.strip()),
        words=words,
        words_per_minute=round(words * 60 / seconds) if seconds >= 1 and words else None,
        fillers=dict(found.most_common()),
    )
