"""Swapped roles, crossed claims and opposite directions: terms that name the two sides of a
contrast, whether a sentence pairs a point's ideas with the wrong sides ("Overfitting is
high bias and underfitting high variance"), and whether it says only the opposite of a
direction its point states. Used by detection.py; works on a sentence's stems, its clauses
and the role each word names."""

from functools import lru_cache
from typing import Protocol

from sessions.feedback.sentences import PUNCTUATION, stems

# Words that end the reach of a negation: a new clause starts.
CLAUSE_BREAK_WORDS = ("but", "while", "whereas", "although", "though", "however", "yet")
# Terms that name the two sides of a contrast. When a point's two ideas sit in different
# clauses and one clause names the other side of the contrast, the sentence pairs them the
# other way round ("Overfitting is high bias and underfitting high variance").
CONTRASTS = (
    ("overfit", "underfit"),
    ("varianc", "bias"),
    ("encod", "decod"),
    ("generat", "discrimin"),
    ("lstm", "gru"),
    ("epoch", "batch"),
    ("relu", "sigmoid"),
)
# Contrasts whose sides go together, by their places in CONTRASTS: overfitting is high
# variance, underfitting high bias. One clause that joins a side of one with the other
# side of the other ("Overfitting is a high-bias problem") is a crossed claim.
LINKED_CONTRASTS = frozenset({frozenset({0, 1})})
# Words that start a new clause when roles are paired (besides the clause breaks).
ROLE_BREAK_WORDS = ("and", "or", "whilst", "unlike", "than")
# Words of opposite directions. A key point that says one side of a pair ("maximum
# margin", "reduces overfitting", "insufficient") is not made by a sentence that says only
# the other side ("the minimum margin", "increases overfitting", "sufficient"), whichever
# cue phrases it matches. "Higher"/"lower" are left out: "training accuracy is high but
# test accuracy lower" says "low training error, higher test error" with the metric turned
# round.
OPPOSITE_WORDS = (
    (
        "increase increases increased raise raises grow grows enlarge enlarges widen widens"
        " larger bigger",
        "reduce reduces reduced decrease decreases decreased shrink shrinks narrow narrows smaller",
    ),
    ("more", "less fewer"),
    ("maximum max maximise maximize", "minimum min minimise minimize"),
    ("faster quicker", "slower"),
    ("dynamic eager eagerly", "static"),
    ("local locally", "global globally"),
    ("noisier noisy", "smoother smooth"),
    ("deep deeper depth", "shallow shallower"),
    ("sufficient", "insufficient"),
    ("misleading unreliable", "reliable trustworthy"),
)
OPPOSITES = tuple((stems(one.split()), stems(other.split())) for one, other in OPPOSITE_WORDS)
CLAUSE_BREAKS = stems(list(CLAUSE_BREAK_WORDS))
BREAKS = CLAUSE_BREAKS | PUNCTUATION
_ROLE_BREAKS = BREAKS | stems(list(ROLE_BREAK_WORDS))


class Sentence(Protocol):
    clauses: list[int]
    roles: list[tuple[int, int] | None]


def clauses(words: list[str]) -> list[int]:
    """The clause of each word, counted from 0."""
    found, clause = [], 0
    for word in words:
        if word in _ROLE_BREAKS:
            clause += 1
        found.append(clause)
    return found


@lru_cache(maxsize=20_000)
def role(word: str) -> tuple[int, int] | None:
    for contrast, sides in enumerate(CONTRASTS):
        for side, prefix in enumerate(sides):
            if word.startswith(prefix):
                return contrast, side
    return None


def _spotrole(sentence: Sentence, spot: tuple[int, int]) -> tuple[int, int] | None:
    return next(filter(None, sentence.roles[spot[0] : spot[1] + 1]), None)


def _paired_the_other_way(sentence: Sentence, one: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether two ideas in one clause join sides of linked contrasts that do not go
    together, or, in different clauses, one idea names a side of a contrast and the other
    idea's clause names its opposite side."""
    clauses = sentence.clauses
    roles = (_spotrole(sentence, one), _spotrole(sentence, other))
    if clauses[one[0]] == clauses[other[0]]:
        return _crossed(*roles)
    if roles[0] and roles[1] and roles[0][0] == roles[1][0]:
        return False  # The two ideas are the contrast itself ("bias and variance").
    for role, there in ((roles[0], other), (roles[1], one)):
        if role is None:
            continue
        opposite = (role[0], 1 - role[1])
        clause = clauses[there[0]]
        if any(sentence.roles[i] == opposite for i in range(len(clauses)) if clauses[i] == clause):
            return True
    return False


def _crossed(one: tuple[int, int] | None, other: tuple[int, int] | None) -> bool:
    """Whether two roles come from linked contrasts but from sides that do not go together."""
    if one is None or other is None:
        return False
    return frozenset({one[0], other[0]}) in LINKED_CONTRASTS and one[1] != other[1]


def roles_swapped(sentence: Sentence, places: list[list[tuple[int, int]]]) -> bool:
    """Whether some two of a point's ideas are only ever paired the other way round."""
    if not any(sentence.roles):
        return False
    for i, first in enumerate(places):
        for second in places[i + 1 :]:
            if all(_paired_the_other_way(sentence, a, b) for a in first for b in second):
                return True
    return False


def says_opposite(point: frozenset[str] | set[str], sentence: frozenset[str] | set[str]) -> bool:
    """Whether a sentence's stems say only the other side of a direction that a key point's
    own text says only one side of."""
    for one, other in OPPOSITES:
        for mine, theirs in ((one, other), (other, one)):
            if point & mine and not point & theirs and sentence & theirs and not sentence & mine:
                return True
    return False
