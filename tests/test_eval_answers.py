"""The labelled evaluation set: its format, labels that fit the bank, and answers written in
a candidate's own words rather than copied from the reference answer or the key points."""

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
EVAL_FORMAT = "interviewprep.eval/1"
KINDS = ("strong", "partial", "weak", "adversarial", "misconception")
WORDS_BY_KIND = {
    "strong": (80, 220),
    "partial": (40, 120),
    "weak": (15, 60),
    "adversarial": (40, 120),
    "misconception": (40, 150),
}
# A run of this many words shared with the question's own text counts as copied.
COPIED_RUN = 6


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


EVAL = load("eval_answers.json")
BANK = {question["number"]: question for question in load("questions.json")["questions"]}


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower()).split()


def runs(text: str, length: int = COPIED_RUN) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + length]) for i in range(len(tokens) - length + 1)}


def labelled(index: int) -> str:
    answer = EVAL["answers"][index]
    return f"answer {index + 1} (Q{answer.get('question')}, {answer.get('kind')})"


def test_the_file_has_the_format_and_only_the_known_fields():
    assert set(EVAL) == {"format", "answers"}
    assert EVAL["format"] == EVAL_FORMAT
    for index, answer in enumerate(EVAL["answers"]):
        assert set(answer) == {"question", "kind", "answer", "covers"}, labelled(index)
        assert isinstance(answer["question"], int), labelled(index)
        assert answer["kind"] in KINDS, labelled(index)
        assert isinstance(answer["answer"], str) and answer["answer"].strip(), labelled(index)
        assert isinstance(answer["covers"], list), labelled(index)


def test_every_answer_belongs_to_a_question_of_the_bank():
    for index, answer in enumerate(EVAL["answers"]):
        assert answer["question"] in BANK, labelled(index)


def test_covered_positions_are_key_points_of_the_question_in_order():
    for index, answer in enumerate(EVAL["answers"]):
        point_count = len(BANK[answer["question"]]["key_points"])
        covers = answer["covers"]
        assert all(isinstance(position, int) for position in covers), labelled(index)
        assert all(1 <= position <= point_count for position in covers), labelled(index)
        assert covers == sorted(set(covers)), labelled(index)


def test_every_question_has_every_kind_of_answer():
    kinds = defaultdict(set)
    for answer in EVAL["answers"]:
        kinds[answer["question"]].add(answer["kind"])
    assert set(kinds) == set(BANK)
    for number in BANK:
        assert kinds[number] == set(KINDS), f"Q{number}"
    assert len(EVAL["answers"]) >= len(KINDS) * len(BANK)


def test_at_least_a_hundred_answers_state_a_misconception():
    kinds = [answer["kind"] for answer in EVAL["answers"]]
    assert kinds.count("misconception") >= 100


def test_every_key_point_is_covered_by_at_least_two_answers():
    covered = defaultdict(int)
    for answer in EVAL["answers"]:
        for position in answer["covers"]:
            covered[answer["question"], position] += 1
    for number, question in BANK.items():
        for position in range(1, len(question["key_points"]) + 1):
            assert covered[number, position] >= 2, f"Q{number}, key point {position}"


@pytest.mark.parametrize("kind", KINDS)
def test_answers_have_the_length_of_their_kind(kind):
    shortest, longest = WORDS_BY_KIND[kind]
    for index, answer in enumerate(EVAL["answers"]):
        if answer["kind"] == kind:
            assert shortest <= len(answer["answer"].split()) <= longest, labelled(index)


def test_strong_answers_cover_most_key_points_and_weak_ones_few():
    for index, answer in enumerate(EVAL["answers"]):
        point_count = len(BANK[answer["question"]]["key_points"])
        covered = len(answer["covers"])
        if answer["kind"] == "strong":
            assert covered * 2 > point_count, labelled(index)
        if answer["kind"] in ("weak", "adversarial"):
            assert covered * 2 < point_count, labelled(index)
        if answer["kind"] == "misconception":
            # Confident and in the right words, but wrong about at least one point.
            assert covered < point_count, labelled(index)


def test_no_answer_appears_twice():
    texts = [answer["answer"] for answer in EVAL["answers"]]
    assert len(set(texts)) == len(texts)


def test_no_answer_copies_a_run_of_words_from_its_questions_text():
    for index, answer in enumerate(EVAL["answers"]):
        question = BANK[answer["question"]]
        own_text = set().union(
            runs(question["reference_answer"]),
            # A key point is its text, or an object with its text and cue phrases.
            *(
                runs(point if isinstance(point, str) else point["text"])
                for point in question["key_points"]
            ),
        )
        copied = runs(answer["answer"]) & own_text
        assert not copied, f"{labelled(index)} copies: {[' '.join(run) for run in copied]}"
