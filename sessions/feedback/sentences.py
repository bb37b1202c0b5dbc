"""An answer as the detector reads it: cut into sentences and lines, each word lower-cased,
in American spelling, with contractions opened, and stemmed (Snowball). Pure functions over
strings; the rules that judge what a sentence says are in detection.py."""

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

import snowballstemmer

STEMMER = snowballstemmer.stemmer("english")

# Words too common to count when a key point without cues is matched by its own words.
STOPWORD_TEXT = """a an the and or of to in on for with by as at from into is are was were
be been being it its this that these those which who whom than then such e g eg i ie so
can may might do does did has have had more most less many much each every any some their
there they them we you your our one two per via also not only often usually rather instead
about over under between both either vs"""
STOPWORDS = frozenset(STOPWORD_TEXT.split())
# Words ending in -ise that are not British spellings of -ize.
NOT_BRITISH_TEXT = """advertise comprise compromise concise despise enterprise exercise
expertise franchise improvise merchandise otherwise precise premise promise revise supervise
surmise surprise televise wise noise rise arise raise praise poise"""
_NOT_BRITISH = frozenset(NOT_BRITISH_TEXT.split())
_CONTRACTIONS = (
    (re.compile(r"\bcan't\b|\bcannot\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"n't\b"), " not"),
)
_WORD_RE = re.compile(r"[a-z0-9]+\*?|\*|[,;:]")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9•*-])|\n\s*")
_BRITISH_RE = re.compile(r"^(\w{3,}?)is(e|es|ed|ing|ation|ations|er|ers)$")
PUNCTUATION = frozenset({",", ";", ":"})
_NOT_ASCII_RE = re.compile(r"[^\x00-\x7f]+")


def _drop_combining(match: re.Match) -> str:
    return "".join(char for char in match.group() if not unicodedata.combining(char))


class Token(NamedTuple):  # A named tuple: an answer has thousands, made fast.
    word: str  # lower case, American spelling
    stem: str


@dataclass(frozen=True)
class Sentence:
    """A sentence's offsets in the answer (start inclusive, end exclusive) and its words."""

    start: int
    end: int
    tokens: tuple[Token, ...]

    # Worked out once per sentence and shared by every key point of the question.
    @cached_property
    def stems(self) -> list[str]:
        return [token.stem for token in self.tokens]

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        """Where each stem occurs, so that a phrase is looked up instead of scanned for."""
        index: dict[str, list[int]] = {}
        for position, stem in enumerate(self.stems):
            index.setdefault(stem, []).append(position)
        return index

    @cached_property
    def word_positions(self) -> dict[str, list[int]]:
        """Where each word and each stem occurs."""
        index: dict[str, list[int]] = {}
        for position, (word, stem) in enumerate(self.tokens):
            index.setdefault(word, []).append(position)
            if stem != word:
                index.setdefault(stem, []).append(position)
        return index

    @cached_property
    def vocabulary(self) -> list[str]:
        """Every word and stem once, sorted, to find a prefix by bisection."""
        return sorted(self.word_positions)

    def starts(self, pattern: str) -> list[int]:
        """The positions whose word matches a phrase's first word."""
        if pattern.endswith("*"):
            prefix, words = pattern[:-1], self.vocabulary
            found: set[int] = set()
            for index in range(bisect.bisect_left(words, prefix), len(words)):
                if not words[index].startswith(prefix):
                    break
                found.update(self.word_positions[words[index]])
            return sorted(found)
        return sorted(self.positions.get(pattern, []) + self.positions.get(pattern + "s", []))


def normalise(text: str) -> str:
    if text.isascii() and "'" not in text:
        return text.lower()  # The common case, without the work below.
    # Accents go ("ŷ" is "y"); letters of other scripts (δ, σ) are dropped by _WORD_RE.
    text = unicodedata.normalize("NFKD", text).lower().replace("’", "'")
    if not text.isascii():
        text = _NOT_ASCII_RE.sub(_drop_combining, text)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def american(word: str) -> str:
    if word in _NOT_BRITISH:
        return word
    return _BRITISH_RE.sub(r"\1iz\2", word).replace("colour", "color")


def stem(word: str) -> str:
    """The word's stem; a cue word ending in "*" stays a prefix, unstemmed."""
    if word.endswith("*"):
        return word
    return STEMMER.stemWord(word)


def stems(words: list[str]) -> frozenset[str]:
    return frozenset(STEMMER.stemWords(words))


@lru_cache(maxsize=20_000)
def _token(word: str) -> Token:
    """The word in American spelling and its stem, cached as a new vocabulary is met."""
    spelled = american(word)
    return Token(spelled, stem(spelled))


def tokens(text: str) -> tuple[Token, ...]:
    return tuple(map(_token, _WORD_RE.findall(normalise(text))))


def sentences[S: Sentence](answer: str, kind: type[S] = Sentence) -> list[S]:
    """The answer cut into sentences and lines, each with its offsets and stemmed words."""
    found = []
    start = 0
    for boundary in [*_SENTENCE_END_RE.finditer(answer), None]:
        end = boundary.start() if boundary else len(answer)
        chunk = answer[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = start + chunk.index(stripped)
            found.append(kind(lead, lead + len(stripped), tokens(stripped)))
        if boundary:
            start = boundary.end()
    return found


def content_stems(text: str) -> set[str]:
    """The stems of a text's words, less the common ones."""
    return {
        token.stem for token in tokens(text) if token.stem.isalnum() and token.stem not in STOPWORDS
    }
