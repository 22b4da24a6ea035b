"""The nearest examples (bot.rank.NearestExamples): which known question a new one sits next to, and that answerability
listens to it."""

from __future__ import annotations

import pytest

from bot.rank import (
    ANSWER,
    CALIBRATION,
    NOT_COVERED,
    Answerability,
    NearestExamples,
    get_nearest_examples,
    get_ranker,
    load_coverage_examples,
)
from bot.understand import understand
from scripts.compare_retrieval import hybrid_predictions, load_items, out_of_author_signals
from tests.conftest import ROOT

COST_EXAMPLES = [
    {"text": "how much does spravato cost", "covered": True, "set": "a"},
    {"text": "how much does one ketamine infusion cost at a clinic", "covered": False, "set": "b"},
]


def nearest(examples: list[dict]) -> NearestExamples:
    return NearestExamples.from_examples(get_ranker().chars, examples)


def test_a_question_is_closer_to_the_known_question_of_its_own_kind():
    examples = nearest(COST_EXAMPLES)
    assert examples.closeness("how much does Spravato cost a month?") > 0
    assert examples.closeness("what does a ketamine infusion cost at those clinics") < 0
    assert examples.closeness("") == 0.0


def test_leaving_an_author_out_leaves_out_their_questions():
    examples = nearest(COST_EXAMPLES)
    # Without author "a" nothing answered is left to be near: only the unanswered example counts.
    assert examples.closeness("how much does spravato cost", without_set="a") < 0
    assert examples.closeness("how much does spravato cost") > 0


def test_the_projects_examples_sit_next_to_themselves():
    examples = load_coverage_examples()
    index = get_nearest_examples(get_ranker().chars)
    agree = sum(1 for example in examples if (index.closeness(example["text"]) > 0) == example["covered"])
    # An example's nearest neighbour is itself, unless the same words were asked with the other answer.
    assert agree / len(examples) >= 0.95


# questions that no rule settles: the probability decides
@pytest.mark.parametrize("question", ["does ketamine act fast",
                                      "is memantine any use for fibro pain"])
def test_the_nearest_examples_can_tip_an_open_decision(question):
    ranker = get_ranker()
    answered = Answerability(ranker, examples=nearest([{"text": question, "covered": True, "set": "a"}]))
    unanswered = Answerability(ranker, examples=nearest([{"text": question, "covered": False, "set": "a"}]))
    assert answered.decide(ranker.rank(question)).status == ANSWER
    decided = unanswered.decide(ranker.rank(question))
    assert decided.status == NOT_COVERED and decided.reason == "score"
    assert dict(CALIBRATION.weights)["neighbours"] > 0


def test_the_calibration_is_fitted_without_a_questions_own_author():
    # In-sample, a tune question's nearest example is itself (similarity 1): the calibration would trust the
    # signal far more than it deserves on a new author's question.
    # (tune questions that an evaluation set also asks are not examples: scripts/coverage_examples.py)
    examples = {example["text"] for example in load_coverage_examples()}
    items = [item for item in load_items(ROOT / "tests" / "realistic" / "tune8.yml")
             if item.facts and item.text in examples][:5]
    assert len(items) == 5
    understood = {item.id: understand(item.text) for item in items}
    ranker = get_ranker()
    _, signals = hybrid_predictions(items, Answerability(ranker), understood)
    honest = out_of_author_signals(items, signals, understood, ranker.chars)
    assert all(signals[item.id].neighbours > honest[item.id].neighbours for item in items)


def test_the_bot_loads_the_stored_vectors_and_refuses_them_over_other_facts(base, tmp_path):
    from bot.rank import NEAREST_EXAMPLES, CharIndex

    chars = get_ranker().chars
    stored = NearestExamples.load(chars, NEAREST_EXAMPLES)
    assert stored is not None and stored.same_as(NearestExamples.from_examples(chars, load_coverage_examples()))
    assert get_nearest_examples(chars).same_as(stored)
    # Vectors over another fact base's n-grams mean nothing here: built afresh instead.
    other = CharIndex(base.facts[:3])
    assert NearestExamples.load(other, NEAREST_EXAMPLES) is None
    stored.save(tmp_path / "copy.npz")
    assert NearestExamples.load(chars, tmp_path / "copy.npz").same_as(stored)
