"""Cue phrases made from a key point's own words, so that a key point nobody wrote cues for
(a user's own question) still gets suggestions. Plain functions over text; the detector
(sessions/feedback/detection.py) judges the words through its public functions.

Each cue is one concept the answer must make, written as alternatives: some of the key
point's content words (stemmed by the detector, stop words and generic words dropped) and a
few domain synonyms of each. An answer seldom repeats a key point word for word, so a
sentence that says one word of each of two concepts makes the point.
"""

import re

from sessions.feedback import detection

# A key point's cues: this many concepts, made of at most MAX_WORDS of its words; a word
# that SHARED_LIMIT of the question's other key points use too is left out. Chosen on the
# odd-numbered questions of the labelled answers; `make eval` reports the even ones.
CONCEPTS = 2
MAX_WORDS = 8
SHARED_LIMIT = 2
# Words that say little about what a key point is about.
GENERIC_TEXT = """use used uses using make makes made making give gives given giving get gets
take takes way ways thing things kind type types lot lots set sets new well good bad help
helps allow allows let lets need needs needed mean means work works done like often usually
same different other another whole part several single first second usual common typically
instead time times value values number numbers result results step steps term terms strongly
affect affects affected cause causes causing suit suits show shows present comparing compare
against through pass passes full entire best better modern classic form forms produce
produces important importantly key main mainly simply simple just very really quite certain
particular particularly especially generally general specific specifically whether while
within without across along around based called known given rather because since still
even though thus whereas every each all whole overall able unable possible likely unlikely
easy easier hard harder real really true actually """
GENERIC = frozenset(GENERIC_TEXT.split())
# A few domain synonyms: words of one group stand for each other.
SYNONYM_GROUPS = (
    ("reduce", "lower", "decrease", "cut", "shrink", "smaller", "less"),
    ("increase", "raise", "grow", "higher", "larger", "bigger", "more"),
    ("large", "big", "high", "huge"),
    ("small", "little", "low", "tiny"),
    ("fast", "quick", "faster", "speed", "quickly"),
    ("slow", "slower", "slowly"),
    ("error", "loss", "cost", "mistake"),
    ("prevent", "avoid", "stop", "stops"),
    ("improve", "better", "boost", "help"),
    ("weight", "parameter", "weights", "parameters"),
    ("gradient", "derivative", "slope"),
    ("train", "training", "learn", "learning", "fit", "fitting"),
    ("predict", "prediction", "output", "forecast"),
    ("input", "feature", "features"),
    ("memorise", "memorize", "overfit", "overfitting"),
    ("generalise", "generalize", "generalisation", "unseen"),
    ("layer", "layers"),
    ("noise", "noisy", "random"),
    ("combine", "combination", "merge", "mix"),
    ("compute", "computation", "calculate", "cost"),
    ("example", "sample", "instance", "observation"),
    ("probability", "likelihood", "chance"),
    ("update", "adjust", "change", "modify"),
    ("vanish", "vanishing", "shrink", "tiny"),
    ("explode", "exploding", "blow"),
)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9']*|\d+")


def _stem(word: str) -> str | None:
    """The word's stem as the detector sees it, or None when it is not a content word."""
    stems = detection.content_stems(word)
    return next(iter(stems)) if len(stems) == 1 else None


def _synonyms() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for group in SYNONYM_GROUPS:
        for word in group:
            stem = _stem(word)
            if stem is not None:
                table[stem] = table.get(stem, ()) + tuple(other for other in group if other != word)
    return table


SYNONYMS = _synonyms()


def _content_words(text: str) -> list[tuple[str, str]]:
    """The text's content words as (word, stem), each stem once, in the text's order."""
    words: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in _WORD_RE.findall(text):
        word = raw.lower().strip("'")
        if word in GENERIC or len(word) < 3:
            continue
        stem = _stem(word)
        if stem is None or stem in seen:
            continue
        seen.add(stem)
        words.append((word, stem))
    return words


def generate_cues(key_point: str, siblings: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Cues for a key point: its content words, most specific first, dealt into two concepts,
    each word with its synonyms as alternatives: an answer makes the point when a sentence
    says a word of each concept. Words that SHARED_LIMIT or more of the question's other key
    points (`siblings`) also use cannot tell this point from them, and are left out."""
    shared: dict[str, int] = {}
    for sibling in siblings:
        for _, stem in _content_words(sibling):
            shared[stem] = shared.get(stem, 0) + 1
    words = _content_words(key_point)
    telling = [(word, stem) for word, stem in words if shared.get(stem, 0) < SHARED_LIMIT]
    ranked = sorted(telling or words, key=lambda pair: (shared.get(pair[1], 0), -len(pair[0])))
    ranked = ranked[:MAX_WORDS]
    concepts: list[list[str]] = [[] for _ in range(min(CONCEPTS, len(ranked)))]
    for rank, (word, stem) in enumerate(ranked):
        concepts[rank % len(concepts)].extend([word, *SYNONYMS.get(stem, ())])
    return ["|".join(dict.fromkeys(concept)) for concept in concepts]


def cues_or_generated(key_points: list[tuple[str, list[str]]]) -> list[list[str]]:
    """Each of a question's (text, cues) key points' cues: its own, else generated."""
    texts = [text for text, _ in key_points]
    return [
        list(cues) or generate_cues(text, texts[:index] + texts[index + 1 :])
        for index, (text, cues) in enumerate(key_points)
    ]


def with_cues(key_points) -> list:
    """Each of a question's key points (objects with `text` and `cues`) with the cues to
    look for: its own, else generated."""
    points = list(key_points)
    cues = cues_or_generated([(point.text, point.cues) for point in points])
    return list(zip(points, cues, strict=True))
