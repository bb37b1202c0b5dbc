"""The failure classes an outside review found, each as an answer run through the bank's own
cues and misconceptions: a confident misconception must not tick the point written to
correct it, and must be named. The same answers are in the development set
(tests/data/dev_answers.json), which is tuned on."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from sessions.feedback.evaluation import detector, load_questions

BANK = load_questions(Path(settings.BASE_DIR) / "fixtures" / "questions.json")
DEV_SET = Path(__file__).parent / "data" / "dev_answers.json"
# (question, answer, key points that must not be ticked, misconceptions that must be named)
REGRESSIONS = [
    (
        13,
        "TensorFlow still uses static graphs by default: you build the graph and then run it, "
        "whereas PyTorch builds its graph as the code runs.",
        {1},
        {1},
    ),
    (
        13,
        "Keras only runs on TensorFlow; it is just TensorFlow's high-level wrapper.",
        {4},
        {3},
    ),
    (
        13,
        "For production with PyTorch, the recommended path is to export the model with "
        "TorchScript and load it from C++.",
        {6},
        {2},
    ),
    (
        9,
        "Cross-validation prevents overfitting, so once you use k-fold you do not need dropout "
        "or weight decay.",
        {7},
        {1},
    ),
    (
        10,
        "Batch normalisation is mainly a regulariser, which is why it can replace dropout in "
        "most networks.",
        {7},
        {1},
    ),
    (
        26,
        "DQN works directly for continuous actions such as joint torques: the network just "
        "outputs a Q-value for the chosen action.",
        {5},
        {1},
    ),
    (
        29,
        "Deep neural networks are more interpretable than decision trees, because you can "
        "inspect every weight, while trees are black boxes.",
        {7},
        {1},
    ),
]


@pytest.mark.parametrize(("number", "answer", "unticked", "named"), REGRESSIONS)
def test_a_confident_misconception_ticks_nothing_it_contradicts_and_is_named(
    number, answer, unticked, named
):
    points, wrongs = BANK[number]

    feedback = detector(answer, points, wrongs)

    ticked = {position for position, s in enumerate(feedback.key_points, start=1) if s.covered}
    assert not ticked & unticked
    assert named <= set(feedback.stated)


def test_a_content_free_answer_ticks_none_of_the_trend_points():
    points, wrongs = BANK[28]
    answer = (
        "There are many developments, and they are used by many people using computers, "
        "and the future will bring more of them, which is exciting."
    )

    feedback = detector(answer, points, wrongs)

    assert not any(suggestion.covered for suggestion in feedback.key_points)


def test_denying_the_chain_rule_does_not_tick_it():
    points, wrongs = BANK[6]
    answer = (
        "Backpropagation is a simple rule: it does not need derivatives or the chain rule, it "
        "just nudges each weight and keeps the change if the loss went down."
    )

    feedback = detector(answer, points, wrongs)

    assert not feedback.key_points[1].covered  # the backward pass applies the chain rule
    assert not feedback.key_points[6].covered  # derivatives multiplied through the chain rule


def test_a_cue_with_a_standalone_star_accepts_no_word_in_its_place():
    points, wrongs = BANK[21]
    answer = "Starting from a pretrained network means you can get away with less data."

    assert detector(answer, points, wrongs).key_points[1].covered  # fewer examples needed


def test_the_regression_answers_are_in_the_development_set():
    texts = {answer["answer"] for answer in json.loads(DEV_SET.read_text())["answers"]}
    assert {answer for _, answer, _, _ in REGRESSIONS} <= texts
