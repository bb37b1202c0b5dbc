"""The key-point detector on its own: plain strings in, suggestions out."""

import pytest

from sessions.feedback.detection import content_stems, detect, detect_all, sentences
from sessions.feedback.misconceptions import detect_feedback

SATURATES = ["sigmoid|logistic", "saturat*|vanish*"]
RELU_HELPS = ["relu", "not saturat*|avoid* vanish*|help* * vanish*"]


def test_it_covers_a_point_made_in_one_sentence_with_that_sentence_as_evidence():
    answer = "ReLU is cheap. The sigmoid saturates for large inputs. Adam is an optimiser."

    suggestion = detect(answer, SATURATES)

    assert suggestion.covered
    assert suggestion.score == 1.0
    start, end = suggestion.evidence
    assert answer[start:end] == "The sigmoid saturates for large inputs."


def test_it_does_not_cover_a_point_half_made():
    suggestion = detect("The sigmoid squashes values into (0, 1).", SATURATES)

    assert not suggestion.covered
    assert suggestion.score == 0.5


@pytest.mark.parametrize(
    "answer",
    [
        "ReLU does not help with vanishing gradients.",
        "ReLU doesn't avoid vanishing gradients at all.",
        "ReLU never helps against vanishing gradients.",
    ],
)
def test_a_negated_point_is_not_covered(answer):
    assert not detect(answer, RELU_HELPS).covered


@pytest.mark.parametrize(
    ("answer", "cues"),
    [
        (
            "The batch size has nothing to do with the learning rate.",
            ["batch size", "learning rate"],
        ),
        ("A separate test set is not needed.", ["test set", "separate"]),
        ("Sigmoid is never the reason gradients vanish.", SATURATES),
    ],
)
def test_a_negation_between_the_ideas_or_just_after_them_undoes_the_point(answer, cues):
    assert not detect(answer, cues).covered


@pytest.mark.parametrize(
    ("answer", "cues"),
    [
        (
            "Text generation writes the whole output at once rather than token by token.",
            ["generat*", "token by token"],
        ),
        ("Learning-rate schedules are unnecessary with Adam.", ["learning rate", "schedul*"]),
        ("Whereas ReLU is fine, it is not the sigmoid that saturates.", SATURATES),
    ],
)
def test_rather_than_and_words_of_denial_negate_too(answer, cues):
    assert not detect(answer, cues).covered


def test_one_word_makes_one_idea():
    cues = ["deep learning", "learn*|feature*"]

    assert not detect("Deep learning always wins on tabular data.", cues).covered
    assert detect("Deep learning learns its own features.", cues).covered


def test_a_cue_that_says_not_itself_is_the_point():
    assert detect("ReLU does not saturate for positive inputs.", RELU_HELPS).covered


def test_a_negation_in_an_earlier_clause_does_not_reach_the_point():
    answer = "Sigmoid is not zero-centred, but it saturates for large inputs."

    assert detect(answer, SATURATES).covered


def test_a_list_of_terms_makes_no_point_that_takes_several_ideas():
    answer = "Key terms: sigmoid, saturation, ReLU, dropout, vanishing gradients."

    assert not detect(answer, SATURATES).covered
    assert not detect(
        "Hidden state, shared weights, BPTT, forget gate.", ["weight*", "shar*"]
    ).covered


def test_a_list_after_a_colon_makes_points_with_its_lead_in():
    answer = (
        "Against underfitting: use a bigger model, train longer, tune the rate, regularise less."
    )

    assert detect(answer, ["underfit*", "bigger model|train* longer"]).covered


def test_a_list_still_names_things_for_a_point_that_is_one_idea():
    answer = "Other families include RNNs, transformers, autoencoders and GNNs."

    assert detect(answer, ["rnn*|transformer*|autoencoder*"]).covered


def test_a_hedged_sentence_makes_no_point():
    assert not detect("I'm not sure whether the sigmoid saturates.", SATURATES).covered


def test_a_point_spread_over_two_adjacent_sentences_counts_a_little_less():
    answer = "Think of the sigmoid. It saturates, so gradients vanish."

    suggestion = detect(answer, SATURATES)

    assert suggestion.covered
    assert suggestion.score == 0.9
    assert suggestion.evidence == (0, len(answer))


def test_a_next_sentence_that_does_not_go_on_from_the_first_is_not_paired_with_it():
    answer = "Cross-validation prevents overfitting. Underfitting is fixed by dropout."

    assert not detect(answer, ["overfit*", "dropout"]).covered


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("Think of the sigmoid. And it saturates.", True),
        ("Think of the sigmoid. And ReLU saturates too.", False),
    ],
)
def test_a_next_sentence_led_by_and_goes_on_only_when_the_next_word_does(answer, covered):
    assert detect(answer, SATURATES).covered is covered


def test_two_ideas_far_apart_do_not_make_a_point():
    answer = (
        "The sigmoid maps to (0, 1). Adam adapts its steps. Dropout zeroes units. It saturates."
    )

    assert not detect(answer, SATURATES).covered


@pytest.mark.parametrize(
    ("answer", "cues"),
    [
        ("We regularise with weight decay.", ["regulari*", "weight decay"]),
        ("We regularize with weight decay.", ["regulari*", "weight decay"]),
        ("Normalisation of the inputs helps.", ["normalization"]),
        ("LSTMs have a cell state.", ["lstm", "cell"]),
        ("The weights are learned during training.", ["weight", "learn"]),
    ],
)
def test_spelling_plurals_and_endings_do_not_matter(answer, cues):
    assert detect(answer, cues).covered


def test_cue_words_may_have_filler_words_between_them():
    assert detect("the weighted input sum", ["weighted sum"]).covered
    assert not detect("weighted by the norm of the sum", ["weighted sum"]).covered


def test_without_cues_the_points_own_words_are_used():
    point = "A neuron computes a weighted sum of its inputs plus a bias term."

    assert detect("Each neuron computes a weighted sum of inputs and a bias.", [], point).covered
    assert not detect("A neuron is a unit of a network.", [], point).covered


def test_an_empty_answer_covers_nothing():
    assert detect_all("", [(SATURATES, ""), (RELU_HELPS, "")]) == [
        detect("   ", SATURATES),
        detect("", RELU_HELPS),
    ]
    assert not detect("", SATURATES).covered
    assert detect("", SATURATES).evidence is None


def test_sentences_keep_their_offsets_in_the_answer():
    answer = "First point, e.g. this one.  Second: 0.25 is small!\n- a bullet\nlast"

    assert [answer[s.start : s.end] for s in sentences(answer)] == [
        "First point, e.g. this one.",
        "Second: 0.25 is small!",
        "- a bullet",
        "last",
    ]


def test_contractions_keep_offsets_of_the_original_words():
    answer = "ReLU doesn't saturate. The sigmoid saturates, doesn't it?"

    suggestion = detect(answer, SATURATES)

    assert suggestion.covered
    assert answer[slice(*suggestion.evidence)] == "The sigmoid saturates, doesn't it?"


def test_content_stems_drop_common_words():
    assert content_stems("The weights of a network are learned") == {"weight", "network", "learn"}


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("Overfitting is a high-bias problem and underfitting is a high-variance one.", False),
        ("Underfitting is a high-bias problem and overfitting is a high-variance one.", True),
        ("Overfitting means high variance, unlike underfitting.", True),
    ],
)
def test_ideas_paired_with_the_other_side_of_a_contrast_do_not_make_the_point(answer, covered):
    assert detect(answer, ["overfit*", "high variance"]).covered is covered


def test_a_contrast_named_by_the_point_itself_is_not_a_swap():
    answer = "Underfitting comes from high bias and overfitting from high variance."

    assert detect(answer, ["bias", "variance"]).covered


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("You always need to retrain all layers with a high learning rate.", False),
        ("AdamW is the same thing as Adam with weight decay in the loss.", False),
        ("Any update is fine, retraining all layers included.", False),
        ("AdamW is just Adam with weight decay.", True),
        ("Fine-tuning retrains all layers, usually with a lower learning rate.", True),
        ("When inputs are always negative, all layers stop updating.", True),
    ],
)
def test_a_sentence_that_overclaims_makes_no_point(answer, covered):
    cues = ["retrain*|adamw|updat*", "all layers|adam|weight decay"]

    assert detect(answer, cues).covered is covered


def test_relu_and_sigmoid_are_a_contrast_too():
    answer = "ReLU causes vanishing gradients, while sigmoid keeps gradients healthy."

    assert not detect(answer, SATURATES).covered


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("Overfitting is a high-bias problem.", False),
        ("Underfitting is a high-bias problem.", True),
    ],
)
def test_a_clause_that_crosses_linked_contrasts_makes_no_point(answer, covered):
    assert detect(answer, ["bias", "underfit*|overfit*"]).covered is covered


CV_PREVENTS = ["cross valid*", "prevent*", "overfit*"]
CV_ESTIMATES = ["cross valid*", "estimat*|measur*"]


def test_a_misconception_stated_withholds_the_point_it_contradicts():
    answer = "Cross-validation estimates generalisation."
    # The misconception's cues in one sentence: "cross-validation ... prevents overfitting".
    claim = "Cross-validation prevents overfitting, so no other regulariser is needed."

    alone = detect_feedback(answer, [(CV_ESTIMATES, "")], [(CV_PREVENTS, 1)])
    both = detect_feedback(answer + " " + claim, [(CV_ESTIMATES, "")], [(CV_PREVENTS, 1)])

    assert alone.key_points[0].covered and alone.stated == []
    assert both.stated == [1]
    assert not both.key_points[0].covered
    start, end = both.misconceptions[0].evidence
    assert (answer + " " + claim)[start:end] == claim


@pytest.mark.parametrize(
    "answer",
    [
        "People say cross-validation prevents overfitting, but it only measures it.",
        "A common myth is that cross-validation prevents overfitting.",
        "Cross-validation does not prevent overfitting.",
        "I'm not sure whether cross-validation prevents overfitting.",
    ],
)
def test_a_misconception_reported_denied_or_hedged_is_not_stated(answer):
    assert detect_feedback(answer, [], [(CV_PREVENTS, 1)]).stated == []


def test_an_overclaim_can_be_the_misconception_itself():
    answer = "Cross-validation always prevents overfitting."

    assert detect_feedback(answer, [], [(CV_PREVENTS, 1)]).stated == [1]


def test_a_misconception_without_cues_is_never_found():
    assert detect_feedback("Anything at all.", [], [([], 1)]).stated == []


def test_a_negation_reaches_every_item_it_coordinates():
    assert not detect("It does not need derivatives or the chain rule.", ["chain rule"]).covered
    assert not detect("No momentum, nor any chain rule.", ["chain rule"]).covered
    assert detect("It needs derivatives and the chain rule.", ["chain rule"]).covered


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("You need less data.", True),
        ("You need less labelled data.", True),
        ("You need less of the labelled training data.", True),
        ("Less is known about the data.", True),
        ("Less is known, and in the end what we have to study is the data.", False),
    ],
)
def test_a_standalone_star_stands_for_a_few_words_or_none(answer, covered):
    assert detect(answer, ["less * data"]).covered is covered


def test_no_point_is_suggested_from_a_sentence_stating_any_misconception():
    # The misconception contradicts another point (2), but its sentence also makes point 1.
    answer = "Cross-validation estimates nothing useful; cross-validation prevents overfitting."
    sentence = "Cross-validation prevents overfitting, which cross-validation measures."

    plain = detect_feedback(sentence, [(CV_ESTIMATES, "")])
    stated = detect_feedback(sentence, [(CV_ESTIMATES, ""), (["dropout"], "")], [(CV_PREVENTS, 2)])

    assert plain.key_points[0].covered
    assert stated.stated == [1]
    assert not stated.key_points[0].covered
    assert detect_feedback(answer, [], [(CV_PREVENTS, 1)]).stated == [1]


MARGIN = ["svm|support vector", "margin"]
MARGIN_POINT = "SVMs find the maximum-margin boundary between the classes."


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("A support vector machine picks the boundary with the largest possible margin.", True),
        ("The SVM maximises the margin between the two classes.", True),
        ("An SVM chooses the separating line with the minimum margin to the data.", False),
        ("SVMs minimise the margin so that the boundary hugs the points.", False),
        # Both sides said: the sentence may be contrasting them, and is left to the cues.
        ("The SVM wants the maximum margin, not the minimum margin.", True),
    ],
)
def test_a_sentence_saying_only_the_opposite_of_the_points_direction_makes_no_point(
    answer, covered
):
    assert detect(answer, MARGIN, MARGIN_POINT).covered is covered


def test_a_direction_the_point_does_not_state_refuses_nothing():
    # The point says neither side of maximum/minimum: "minimum" in the answer is no reversal.
    answer = "An SVM separates the classes with a margin that is at a minimum one unit wide."

    assert detect(answer, MARGIN, "SVMs separate the classes with a margin.").covered


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("Data augmentation lowers overfitting by showing varied copies.", True),
        ("Augmenting the images reduces overfitting a good deal.", True),
        ("Augmenting the images increases overfitting slightly.", False),
        ("Augmentation makes overfitting grow because copies repeat.", False),
    ],
)
def test_increase_and_reduce_are_opposite_directions(answer, covered):
    cues = ["augment*", "overfit*"]
    point = "Augmentation reduces overfitting."

    assert detect(answer, cues, point).covered is covered


def test_a_misconception_claim_is_not_refused_for_its_direction():
    # A claim is matched by its cues alone: the opposite direction may be the claim itself.
    feedback = detect_feedback(
        "A support vector machine looks for the minimum margin.",
        [(MARGIN, MARGIN_POINT)],
        [(["svm|support vector", "minimum margin"], 1)],
    )

    assert feedback.stated == [1]
    assert not feedback.key_points[0].covered
