"""Which key points an answer seems to cover: cue phrases matched sentence by sentence,
stemmed, and refused when negated, hedged, only listed, overclaimed, or paired with the
wrong side of a contrast.

A key point's cues are concepts; each concept is one or more alternative phrases
separated by "|", and a trailing "*" on a word matches any word that starts with it
("saturat*"). A key point is covered when one sentence of the answer, or two adjacent
sentences, make every concept without negating it. A key point without cues falls back
to its own content words. Pure functions over plain values: no database, no network.
"""

from dataclasses import dataclass
from functools import cached_property, lru_cache

from sessions.feedback import relations
from sessions.feedback.relations import BREAKS, CLAUSE_BREAKS
from sessions.feedback.sentences import (
    STEMMER,
    STOPWORDS,
    Sentence,
    Token,
    content_stems,  # noqa: F401  (the keyword baseline's measure, read through here)
    sentences,
    tokens,
)

_STEMMER = STEMMER

# Words that, just before a concept or inside it, turn it into its opposite.
NEGATION_WORDS = ("not", "no", "never", "neither", "nor", "none", "nothing", "nobody")
# Words that deny what they stand next to ("schedules are unnecessary").
DENIAL_WORDS = ("unnecessary", "needless", "pointless", "irrelevant", "useless")
# Two-word negations of what follows ("rather than token by token").
NEGATION_PAIRS = frozenset({("rather", "than"), ("instead", "of")})
# How many words before a concept a negation still reaches, and after a point's last idea
# ("a test set is not needed").
NEGATION_REACH = 3
POSTPOSED_NEGATION_REACH = 2
# A sentence that says the candidate does not know makes no point.
HEDGES = (
    ("not", "sure"),
    ("no", "idea"),
    ("not", "certain"),
    ("unsure",),
    ("do", "not", "know"),
    ("not", "rememb"),
    ("i", "forget"),
    ("i", "forgot"),
)
# A sentence that claims too much ("X always beats Y", "A is the same thing as B") is how a
# confident wrong answer reads; it makes no point.
OVERCLAIM_VERBS = """need needs be is are better outperform outperforms beat beats win wins
work works fix fixes solve solves help helps improve improves"""
OVERCLAIMS = (
    *(("alway", stem) for stem in sorted(set(_STEMMER.stemWords(OVERCLAIM_VERBS.split())))),
    ("same", "thing"),
    ("same", "as"),
    ("anoth", "name"),
    ("other", "name"),
    ("complet", "independ"),
    ("is", "fine"),
    ("simpl", "fix"),
)
# A sentence that reports a claim as others' or names it as wrong does not state it.
DISOWNING = tuple(
    tuple(_STEMMER.stemWords(phrase.split()))
    for phrase in """people say|people think|people believe|often said|often heard|some say|
    myth|misconception|common mistake|is wrong|is false|not true|used to think|used to say|
    outdated""".replace("\n", "").split("|")
)
# A sentence of at least this many comma-separated items, nearly all short, is a list of terms.
LIST_MIN_ITEMS = 4
LIST_MAX_ITEM_WORDS = 4
LIST_SHORT_SHARE = 0.75
# Concepts spread over two adjacent sentences count a little less than in one, and only
# when the second sentence goes on from the first ("It saturates, ...").
ADJACENT_SENTENCE_FACTOR = 0.9
CONTINUATION_WORDS = frozenset(
    {"it", "its", "this", "that", "these", "those", "they", "their", "them", "so", "such"}
    | {"hence", "therefore", "thus", "which", "then", "also", "because", "here"}
)
# Without cues, this share of the key point's own content words must appear in a sentence.
FALLBACK_SHARE = 0.6

# Compared with stems, so stemmed the same way ("nothing" is "noth").
NEGATIONS = frozenset(_STEMMER.stemWords([*NEGATION_WORDS, *DENIAL_WORDS]))


@dataclass(frozen=True)
class Suggestion:
    """The detector's view of one key point: covered or not, how close, and the evidence,
    as character offsets into the answer (start inclusive, end exclusive)."""

    covered: bool
    score: float
    evidence: tuple[int, int] | None


class _Sentence(Sentence):
    """A sentence with what the rules below ask of it, worked out once per sentence and
    shared by every key point of the question."""

    @cached_property
    def continues(self) -> bool:
        # A leading "and" adds a claim ("And trees are black boxes") unless what follows
        # goes on from the sentence before ("And it saturates").
        words = [token.word for token in self.tokens[:2]]
        if words[:1] == ["and"]:
            words = words[1:]
        return bool(words) and words[0] in CONTINUATION_WORDS

    @cached_property
    def clauses(self) -> list[int]:
        """The clause of each word, counted from 0, for pairing roles."""
        return relations.clauses(self.stems)

    @cached_property
    def roles(self) -> list[tuple[int, int] | None]:
        """For each word, the contrast and side it names, if any."""
        return [relations.role(token.word) for token in self.tokens]

    @cached_property
    def joined(self) -> str:
        """The stems as one string, to look for fixed phrases in."""
        return " " + " ".join(self.stems) + " "

    @cached_property
    def stem_set(self) -> frozenset[str]:
        return frozenset(self.stems)

    @cached_property
    def hedged(self) -> bool:
        return _says_any(self.joined, HEDGES)

    @cached_property
    def overclaims(self) -> bool:
        return _says_any(self.joined, OVERCLAIMS)

    @cached_property
    def disowns(self) -> bool:
        return _says_any(self.joined, DISOWNING)

    @cached_property
    def list_items(self) -> list[tuple[int, int]] | None:
        return _list_items(self.stems)


@lru_cache(maxsize=4096)
def _point_stems(text: str) -> frozenset[str]:
    return frozenset(token.stem for token in tokens(text))


@dataclass(frozen=True)
class _Concept:
    alternatives: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=4096)
def _concept(cue: str) -> _Concept:
    alternatives = []
    for phrase in cue.split("|"):
        stems = tuple(token.stem for token in tokens(phrase) if token.stem not in {",", ";", ":"})
        if stems:
            alternatives.append(stems)
    return _Concept(tuple(alternatives))


def _fallback_concepts(key_point: str) -> tuple[_Concept, ...]:
    stems = []
    for token in tokens(key_point):
        if token.stem.isalnum() and token.stem not in STOPWORDS and token.stem not in stems:
            stems.append(token.stem)
    return tuple(_Concept(((stem,),)) for stem in stems)


def _word_matches(pattern: str, token: Token) -> bool:
    if pattern.endswith("*"):
        return token.word.startswith(pattern[:-1]) or token.stem.startswith(pattern[:-1])
    # Snowball leaves acronyms' plurals alone ("lstms"); a trailing s still matches.
    return token.stem == pattern or token.stem == pattern + "s"


# Filler words allowed between two words of a cue phrase.
MAX_GAP = 2


def _find(phrase: tuple[str, ...], sentence: "_Sentence") -> list[tuple[int, int]]:
    """Every place the phrase occurs, in order, with at most MAX_GAP words between words."""
    found = []
    tokens = sentence.tokens
    for first in sentence.starts(phrase[0]):
        position, ok, wider = first, True, 0
        for pattern in phrase[1:]:
            if pattern == "*":  # a few more words, or none ("less * data": "less data")
                wider += 1 + MAX_GAP
                continue
            window = range(position + 1, min(len(tokens), position + 2 + MAX_GAP + wider))
            position, wider = next((i for i in window if _word_matches(pattern, tokens[i])), -1), 0
            if position < 0:
                ok = False
                break
        if ok:
            found.append((first, position))
    return found


def _negated(stems: list[str], first: int, last: int, phrase: tuple[str, ...]) -> bool:
    if any(word in NEGATIONS or word in {"rather", "instead"} for word in phrase):
        return False  # The cue itself says "not ...": the negation is the point.
    if any(stems[i] in NEGATIONS for i in range(first, last + 1)):
        return True
    reach, i = NEGATION_REACH, first - 1
    while i >= 0 and reach > 0:
        if stems[i] in CLAUSE_BREAKS or stems[i] in {",", ";", ":"}:
            return False
        if stems[i] in NEGATIONS or (i > 0 and (stems[i - 1], stems[i]) in NEGATION_PAIRS):
            return True
        # A negation reaches every item it coordinates ("no derivatives or chain rule").
        reach = NEGATION_REACH if stems[i] in ("or", "nor") else reach - 1
        i -= 1
    return False


def _relation_negated(stems: list[str], places: list[list[tuple[int, int]]]) -> bool:
    """Whether a negation stands between a point's ideas, or just after the last one, in
    the same clause ("the batch size has nothing to do with the learning rate"). Words of
    a cue that says "not" itself are not negations."""
    first_spots = [spots[0] for spots in places]
    low, high = min(a for a, _ in first_spots), max(b for _, b in first_spots)
    inside = {i for spots in places for a, b in spots for i in range(a, b + 1)}
    for position in range(low, high + 1):
        if (
            stems[position] in NEGATIONS
            and position not in inside
            and not any(stems[i] in BREAKS for i in range(position + 1, high + 1))
        ):
            return True
    for position in range(high + 1, min(len(stems), high + 1 + POSTPOSED_NEGATION_REACH)):
        if stems[position] in BREAKS:
            return False
        if stems[position] in NEGATIONS:
            return True
    return False


def _disjoint(places: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """Each idea's matches, less those on words already taken by an earlier idea: one word
    makes one idea ("deep learning" is not also "learns")."""
    taken: set[int] = set()
    kept = []
    for spots in places:
        free = [spot for spot in spots if not taken & set(range(spot[0], spot[1] + 1))]
        if free:
            taken |= set(range(free[0][0], free[0][1] + 1))
        kept.append(free)
    return kept


def _is_hedged(stems: list[str]) -> bool:
    return _says_any(stems, HEDGES)


def _says_any(stems: list[str] | str, phrases: tuple[tuple[str, ...], ...]) -> bool:
    joined = stems if isinstance(stems, str) else " " + " ".join(stems) + " "
    return any(" " + " ".join(phrase) in joined for phrase in phrases)


def _list_items(stems: list[str]) -> list[tuple[int, int]] | None:
    """The items of a sentence that is only a list of terms, or None for a real sentence."""
    items: list[tuple[int, int]] = []
    start = 0
    for i, stem in enumerate([*stems, ","]):
        if stem in {",", ";", ":"}:
            if i > start:
                items.append((start, i - 1))
            start = i + 1
    short = [item for item in items if item[1] - item[0] + 1 <= LIST_MAX_ITEM_WORDS]
    if len(items) >= LIST_MIN_ITEMS and len(short) >= LIST_SHORT_SHARE * len(items):
        return items
    return None


def _made_by_sentence(
    concepts: tuple[_Concept, ...], answer: "Answer", claim: bool
) -> list[list[bool]]:
    """For each sentence, for each concept, whether the sentence makes it: found, within
    the sentence, not negated, in a sentence that is not hedged nor only a list of terms."""
    places: list[list[list[tuple[int, int]]]] = [[[] for _ in concepts] for _ in answer.sentences]
    for k, concept in enumerate(concepts):
        for phrase in concept.alternatives:
            # Looked up once in the whole answer, then each match given to its sentence.
            for first, last in _find(phrase, answer.whole):
                index = answer.sentence_of[first]
                if answer.sentence_of[last] != index:
                    continue
                base = answer.first_token[index]
                spot = (first - base, last - base)
                if not _negated(answer.sentences[index].stems, *spot, phrase):
                    places[index][k].append(spot)
    nothing = [False] * len(concepts)
    return [
        # Most sentences of a long answer make none of a point's ideas: nothing to judge.
        _judge_sentence(sentence, spots, len(concepts), claim) if any(spots) else nothing
        for sentence, spots in zip(answer.sentences, places, strict=True)
    ]


def _judge_sentence(
    sentence: _Sentence, places: list[list[tuple[int, int]]], concepts: int, claim: bool
) -> list[bool]:
    # A misconception is a claim: an overclaim or a swapped pairing may be the very claim,
    # but one attributed to others or called a myth is not the candidate's.
    if sentence.hedged or (sentence.disowns if claim else sentence.overclaims):
        return [False] * concepts
    places = _disjoint(places)
    made = [bool(spots) for spots in places]
    if all(made) and (
        _relation_negated(sentence.stems, places)
        or (not claim and relations.roles_swapped(sentence, places))
    ):
        return [False] * concepts
    items = sentence.list_items
    if items is not None and concepts > 1:
        # A list of terms names things; a point that takes several ideas is made only
        # within one of its longer items, not by naming a term ("shared weights"), or
        # between a lead-in before a colon and one item ("Against underfitting: ...").
        lead = items[0] if sentence.stems[items[0][1] + 1] == ":" else None

        def within(spot: tuple[int, int], item: tuple[int, int]) -> bool:
            return item[0] <= spot[0] and spot[1] <= item[1]

        def makes_point(item: tuple[int, int]) -> bool:
            if item[1] - item[0] + 1 > LIST_MAX_ITEM_WORDS and all(
                any(within(spot, item) for spot in spots) for spots in places
            ):
                return True
            return lead is not None and all(
                any(within(spot, item) or within(spot, lead) for spot in spots) for spots in places
            )

        return [any(makes_point(item) for item in items)] * concepts
    return made


@dataclass(frozen=True)
class Answer:
    """An answer's sentences, and all its words as one sequence to look phrases up in."""

    sentences: list[_Sentence]
    whole: _Sentence
    sentence_of: list[int]  # the sentence of each word of `whole`
    first_token: list[int]  # where each sentence starts in `whole`

    @classmethod
    def read(cls, text: str) -> "Answer":
        found = sentences(text, _Sentence)
        sentence_of: list[int] = []
        first_token: list[int] = []
        for index, sentence in enumerate(found):
            first_token.append(len(sentence_of))
            sentence_of += [index] * len(sentence.tokens)
        whole = _Sentence(0, len(text), tuple(t for part in found for t in part.tokens))
        return cls(found, whole, sentence_of, first_token)


def detect(answer: str, cues: list[str], key_point: str = "") -> Suggestion:
    """Whether the answer makes one key point, given its cues (or, without cues, its text)."""
    return detect_all(answer, [(cues, key_point)])[0]


def detect_all(answer: str, key_points: list[tuple[list[str], str]]) -> list[Suggestion]:
    """detect() for each (cues, text) of a question's key points, sharing the sentence split."""
    read = Answer.read(answer)
    return [judge(read, cues, text) for cues, text in key_points]


def judge(answer: Answer, cues: list[str], text: str = "", claim: bool = False) -> Suggestion:
    """Whether a read answer makes a key point, or, with `claim`, states a misconception
    (which, without cues, is never found)."""
    found = answer.sentences
    concepts = tuple(_concept(cue) for cue in cues) or (() if claim else _fallback_concepts(text))
    concepts = tuple(concept for concept in concepts if concept.alternatives)
    if not concepts or not found:
        return Suggestion(False, 0.0, None)
    needed = len(concepts) if cues else max(1, round(FALLBACK_SHARE * len(concepts)))
    best = Suggestion(False, 0.0, None)
    made_before: list[bool] | None = None
    # A point's own direction words ("maximum margin"), against which a sentence that says
    # only the opposite ("the minimum margin") makes nothing of it.
    directions = _point_stems(text) if text and not claim else frozenset()
    for index, (sentence, made) in enumerate(
        zip(found, _made_by_sentence(concepts, answer, claim), strict=True)
    ):
        if directions and all(made) and relations.says_opposite(directions, sentence.stem_set):
            made = [False] * len(made)
        candidates = [(sum(made), 1.0, (sentence.start, sentence.end))]
        if made_before is not None and len(concepts) > 1 and sentence.continues:
            both = sum(a or b for a, b in zip(made, made_before, strict=True))
            if both > max(sum(made), sum(made_before)):
                span = (found[index - 1].start, sentence.end)
                candidates.append((both, ADJACENT_SENTENCE_FACTOR, span))
        for count, factor, span in candidates:
            score = round(min(1.0, count / needed) * factor, 3)
            covered = count >= needed
            if (covered, score) > (best.covered, best.score):
                best = Suggestion(covered, score, span if count else None)
        made_before = made
    return best
