"""Cues generated from a key point's own words, for key points without hand-written cues, and
their measurement beside the hand-written ones."""

import json
from pathlib import Path

from django.conf import settings

from questions.models import cue_problem
from sessions.feedback import cue_eval, detection, evaluation
from sessions.feedback.cue_generation import cues_or_generated, generate_cues
from sessions.models import ShownKeyPoint
from tests.factories import T0, deck, own_question, start_questions

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def test_it_makes_two_concepts_of_the_points_specific_words_with_synonyms():
    cues = generate_cues("Dropout randomly disables neurons to reduce overfitting.")

    assert len(cues) == 2
    words = {word for cue in cues for word in cue.split("|")}
    # Specific words in, stop words and generic words out, synonyms added.
    assert {"dropout", "overfitting", "neurons", "disables"} <= words
    assert "memorise" in words  # a synonym of overfitting
    assert not {"to", "the"} & words


def test_words_the_questions_other_points_share_are_left_out():
    siblings = ["Batches split the data.", "Batch size sets memory use.", "Each batch updates."]

    cues = generate_cues("A batch is processed before one weight update.", siblings)

    assert "batch" not in {word for cue in cues for word in cue.split("|")}


def test_a_generated_cue_is_matched_by_the_detector_as_a_written_one():
    cues = generate_cues("Dropout randomly disables neurons during training.")

    said = detection.detect("We use dropout, which switches off random neurons.", cues)
    unsaid = detection.detect("Weight decay penalises large weights.", cues)

    assert said.covered and not unsaid.covered


def test_hand_written_cues_are_kept():
    assert cues_or_generated([("A point", ["hand|written"]), ("Another point here", [])]) == [
        ["hand|written"],
        generate_cues("Another point here", ["A point"]),
    ]


def test_every_generated_cue_of_the_bank_is_a_cue_the_model_accepts():
    bank = json.loads((FIXTURES / "questions.json").read_text())
    for question in bank["questions"]:
        texts = [p if isinstance(p, str) else p["text"] for p in question["key_points"]]
        for cues in cues_or_generated([(text, []) for text in texts]):
            assert cues and cue_problem(cues) is None, cues


def test_an_own_question_without_cues_is_shown_with_generated_ones(seeded, alice):
    asked = own_question(
        deck(alice),
        key_points=[
            ("Spreads requests across servers", []),
            ("Checks each server's health", ["health check*"]),
            ("Drops a failing server", []),
        ],
    )

    start_questions(alice, [asked], T0)

    shown = [point.cues for point in ShownKeyPoint.objects.order_by("position")]
    texts = [point.text for point in asked.key_points.all()]
    assert shown[0] == generate_cues(texts[0], texts[1:])
    assert shown[1] == ["health check*"]
    assert shown[2] == generate_cues(texts[2], texts[:2])


def test_make_eval_reports_generated_cues_beside_hand_written_on_the_held_out_half():
    answers = evaluation.load_answers(FIXTURES / "eval_answers.json")
    bank = evaluation.load_bank(FIXTURES / "questions.json")

    table = cue_eval.compare(answers, bank)

    assert "F1, even questions (held out)" in table
    held_out = evaluation.evaluate(answers, cue_eval.generated_bank(bank)).detector[
        "all", evaluation.HELD_OUT
    ]
    assert held_out.f1 >= cue_eval.TARGET_HELD_OUT_F1
    assert f"({held_out.f1:.3f})" in table
    assert "Generated cues meet the target" in table
