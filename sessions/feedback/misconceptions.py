"""Which common misconceptions an answer seems to state, and the key points they keep from
being suggested: a key point is not suggested when the answer states one of the
misconceptions that contradict it, nor from a sentence that states any misconception of the
question. Pure functions over plain values, like detection.py."""

from dataclasses import dataclass

from sessions.feedback import detection
from sessions.feedback.detection import Suggestion


@dataclass(frozen=True)
class Feedback:
    """The suggestion for each key point and, for each misconception, whether the answer
    seems to state it (`covered`), with the sentence that does as its evidence."""

    key_points: list[Suggestion]
    misconceptions: list[Suggestion]

    @property
    def stated(self) -> list[int]:
        """The 1-based positions of the misconceptions the answer seems to state."""
        return [
            position for position, found in enumerate(self.misconceptions, start=1) if found.covered
        ]


def detect_feedback(
    answer: str,
    key_points: list[tuple[list[str], str]],
    misconceptions: list[tuple[list[str], int]] = (),
) -> Feedback:
    """The suggestions for a question's key points, each (cues, text), and its
    misconceptions, each (cues, the 1-based position of the key point it contradicts)."""
    read = detection.Answer.read(answer)
    stated = [detection.judge(read, cues, claim=True) for cues, _ in misconceptions]
    refused = {
        contradicts
        for (_, contradicts), found in zip(misconceptions, stated, strict=True)
        if found.covered
    }
    # The sentences that state a misconception, whichever point it contradicts.
    wrong = [found.evidence for found in stated if found.covered]
    suggestions = []
    for position, (cues, text) in enumerate(key_points, start=1):
        suggestion = detection.judge(read, cues, text)
        if suggestion.covered and (
            position in refused or any(_overlap(suggestion.evidence, span) for span in wrong)
        ):
            suggestion = Suggestion(False, suggestion.score, None)
        suggestions.append(suggestion)
    return Feedback(suggestions, stated)


def _overlap(one: tuple[int, int] | None, other: tuple[int, int] | None) -> bool:
    return bool(one and other) and one[0] < other[1] and other[0] < one[1]
