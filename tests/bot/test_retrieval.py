"""Reading a follow-up in the context of the last answer (bot.retrieval.in_context)."""

from __future__ import annotations

import math

import pytest

from bot.rank import (
    ANSWER,
    CALIBRATION,
    FOLLOW_UP_THRESHOLD,
    NOT_COVERED,
    Answerability,
    Calibration,
    get_answerability,
)
from bot.retrieval import in_context, retrieve, retrieve_each
from bot.understand import understand


def test_a_follow_up_that_names_nothing_new_leans_on_the_last_answer():
    query = in_context(understand("how big was that study?"), ("fm-2007-study",))
    assert query.near == ("fm-2007-study",)


def test_a_question_naming_its_own_drug_is_not_a_follow_up():
    query = in_context(understand("does memantine help pain?"), ("fm-2007-study",))
    assert query.near == ()


def test_the_last_answers_paragraph_ranks_higher(base):
    query = understand("what else did they find?")
    plain = get_answerability().ranker.rank(query)
    near = get_answerability().ranker.rank(in_context(query, ("fm-2007-study",)))
    para = base.by_id("fm-2007-study").para
    position = lambda ranking: next(n for n, s in enumerate(ranking.facts) if s.fact.para == para)  # noqa: E731
    assert position(near) < position(plain)


def calibrated_at(probability: float) -> Answerability:
    """Answerability whose calibrated probability is `probability` for every question (the project's threshold)."""
    fixed = Calibration(math.log(probability / (1 - probability)), (), CALIBRATION.threshold)
    return Answerability(get_answerability().ranker, fixed)


def test_a_follow_up_is_judged_with_its_own_threshold():
    assert FOLLOW_UP_THRESHOLD < CALIBRATION.threshold
    between = calibrated_at((FOLLOW_UP_THRESHOLD + CALIBRATION.threshold) / 2)
    question = understand("what did the researchers find?", carried_drugs=("dextromethorphan",))
    follow = in_context(question, ("dxm-milder-cough-syrup",))
    assert follow.near and follow.near_weight == 1.0
    assert between.decide(between.ranker.rank(follow)).status == ANSWER
    alone = between.decide(between.ranker.rank(question))
    assert alone.status == NOT_COVERED and alone.reason == "score"


def test_a_follow_up_that_points_back_with_few_words_weighs_the_last_answer_more():
    from bot.retrieval import POINTING_NEAR_WEIGHT

    pointing = in_context(understand("who said that?"), ("depression-inflammation-miller",))
    asking = in_context(understand("how much does a course of infusions usually cost?"),
                        ("depression-inflammation-miller",))
    assert pointing.near_weight == POINTING_NEAR_WEIGHT > 1 and asking.near_weight == 1.0
    from dataclasses import replace

    ranker = get_answerability().ranker

    def score(query) -> float:
        return next(s.score for s in ranker.rank(query).facts if s.fact.id == "depression-inflammation-miller")

    bonus = ranker.config.near_paragraph
    gained = score(pointing) - score(replace(pointing, near_weight=1.0))
    assert gained == pytest.approx((POINTING_NEAR_WEIGHT - 1) * bonus)
    assert ranker.rank(pointing).ids()[0] == "depression-inflammation-miller"


def test_a_pointing_follow_up_is_answered_from_next_to_the_last_answer():
    # "what did that study say exactly": two words of its own, so its probability alone says "not covered"; the
    # study next to the last answer (same paragraph) is what it asks about.
    follow = retrieve("what did that study say exactly", carried_drugs=("dextromethorphan",),
                      last_facts=("dxm-milder-cough-syrup",))
    assert follow.answerable and follow.ranking.best.fact.id == "dxm-staud-combination"
    doubtful = calibrated_at(0.05)  # whatever its probability, the fact next to the last answer answers it
    assert doubtful.decide(follow.ranking).status == ANSWER
    # A word the fact base never uses still says it asks about something the article doesn't give.
    assert not retrieve("what did that study cost the taxpayers", carried_drugs=("dextromethorphan",),
                        last_facts=("dxm-milder-cough-syrup",)).answerable


def test_a_follow_up_that_points_back_leans_on_the_last_answer_even_when_it_names_a_condition():
    query = in_context(understand("is it high in fibro?"), ("mechanism-glutamate",))
    assert query.near == ("mechanism-glutamate",)
    assert in_context(understand("does ketamine help fibro?"), ("mechanism-glutamate",)).near == ()


@pytest.mark.parametrize("follow_up, swaps", [
    ("and for fibro?", True), ("what about DXM?", True), ("is it the same for ME/CFS?", True), ("memantine?", True),
    ("does it work for fibro?", False), ("and the 2011 one?", False), ("what about the cost?", False),
    # a remark after a comma that asks nothing is story; a question after it is a question of its own
    ("ok what about memantine, my aunt takes it for memory", True), ("what about dxm, is it safer?", False),
])
def test_a_follow_up_that_only_names_another_drug_or_condition_swaps_the_subject(follow_up, swaps):
    from bot.understand import swaps_subject

    assert swaps_subject(follow_up) is swaps


def test_a_subject_swap_asks_the_last_question_again_about_the_new_subject():
    from bot.understand import asked_about

    assert asked_about("how much does spravato cost?", "what about ketamine infusions?") == (
        "how much does ketamine infusions cost?")
    assert asked_about("how long does it last?", "and for fibro?") == "how long does it last for fibro?"
    # a drug takes the place of a form (and back): both name a treatment
    assert asked_about("roughly how much per infusion?", "and the spray?") == "roughly how much per the spray?"
    after = retrieve_each("and for fibro?", last_facts=("duration-spines-lost",),
                          last_question="how long does it last?")[0]
    assert after.query.question_text == "how long does it last for fibro?"
    assert after.ranking.ids(1) == ["duration-fm-short-lived"]
    remark = retrieve_each("ok what about memantine, my aunt takes it for memory", last_facts=("fm-2011-study",),
                           last_question="does the relief last?")[0]
    assert remark.query.question_text == "does the relief last memantine?"
    alone = retrieve_each("and for fibro?", last_facts=("duration-spines-lost",))[0]
    assert alone.query.question_text == "and for fibro?"  # without the last question: as it was written


def test_which_is_better_after_a_question_about_two_treatments_compares_those_two():
    # the article never compares Spravato and IV ketamine: "is one stronger?" names that gap
    after = retrieve_each("is one stronger", last_facts=("forms-spravato-nasal",),
                          last_question="Whats the difference between spravato and regular ketamine?")[0]
    assert after.query.question_text == "is one stronger: spravato or ketamine?"
    assert after.coverage.reason == "comparison"
    # it does compare how strongly ketamine, DXM and memantine block NMDA receptors
    made = retrieve_each("which one is stronger?", last_facts=("memantine-modest",),
                         last_question="what's the difference between memantine and dxm")[0]
    assert made.answerable and made.ranking.ids(1) == ["nmdar-ketamine-strongest"]
    # a follow-up that names its own treatment, or compares nothing, is left as written
    assert retrieve_each("is spravato stronger?", last_question="memantine or dxm?")[0].query.question_text == (
        "is spravato stronger?")
    assert retrieve_each("how long does it last?", last_question="spravato or ketamine?")[0].query.question_text == (
        "how long does it last?")


@pytest.mark.parametrize("follow_up, last_facts, expected", [
    # the last answer quotes Niciu et al.: "who said that?" asks who, not who is eligible for Spravato
    ("who said that?", ("depression-biggest-discovery",), "depression-biggest-discovery"),
    # the second fact of the last answer is the one with a year
    ("what year was that", ("pain-who-benefits", "fm-2002-review-opioids"), "fm-2002-review-opioids"),
    # acronyms name who: "ASRA, AAPM and ASA ... wrote the first guidelines"
    ("who wrote it?", ("regulation-first-guidelines",), "regulation-first-guidelines"),
    # the last answer names no one ("Dextromethorphan (DXM)" is a drug, not who): the paragraph beside it quotes
    # Staud's 2005 study
    ("who did that study", ("dxm-milder-cough-syrup",), "dxm-staud-combination"),
    # which study: one the last answer dates ("a small 2007 fibromyalgia study"), or the one beside it that names
    # its authors
    ("what study was that?", ("fm-2007-study",), "fm-2007-study"),
    ("which study showed that", ("dxm-milder-cough-syrup",), "dxm-staud-combination"),
])
def test_a_detail_asked_of_the_last_answer_is_answered_from_it(follow_up, last_facts, expected):
    follow = retrieve(follow_up, carried_drugs=("ketamine",), last_facts=last_facts)
    assert follow.answerable and follow.ranking.best.fact.id == expected, follow.ranking.ids(3)


@pytest.mark.parametrize("follow_up, last_facts, gap", [
    ("who did that study?", ("research-small-uncontrolled",), "The article doesn't say who."),
    ("what year did those come out", ("guidelines-evidence-supports",), "The article doesn't give that date."),
    # a year beside the last answer is another study's: a date is asked of the last answer alone
    ("what year did those come out", ("regulation-first-guidelines",), "The article doesn't give that date."),
    # the drug the last answer names is not who; the paragraph beside it is only asked when it holds the
    # question's own words ("who said it?" has none: Staud's quote beside it is not put in anyone's mouth)
    ("who said it?", ("dxm-milder-cough-syrup",), "The article doesn't say who."),
    ("who ran that study?", ("pain-headache-study",), "The article doesn't say who."),
    # the fact says the article doesn't name the study, so it doesn't answer which one it was
    ("which study showed that", ("duration-spines-lost",), "The article doesn't name that study."),
    ("which studies showed that?", ("memantine-modest",), "The article doesn't name that study."),
    # a journal is not who ran the study
    ("who did that study", ("mechanism-dendritic-spines",), "The article doesn't say who."),
    ("was it in humans?", ("mecfs-blood-flow",), "The article doesn't say whether that was done in people or in"),
])
def test_a_detail_the_last_answer_doesnt_give_is_named_as_a_gap(follow_up, last_facts, gap):
    from bot.answer import answer_message

    reply = answer_message(follow_up, carried_drugs=("ketamine",), last_facts=last_facts, shown=last_facts)
    assert reply.kind == "not_covered" and reply.text.startswith(gap), reply.text


def test_which_ones_points_back_without_matching_one_woman():
    from bot.nlp import content_lemmas

    assert content_lemmas("which other ones") == [] and content_lemmas("the iv ones") == ["iv"]
    follow = retrieve("which other ones", carried_drugs=("ketamine",), last_facts=("future-other-pathways",))
    assert follow.ranking.best.fact.id == "future-other-pathways", follow.ranking.ids(3)


def test_he_or_she_in_a_follow_up_points_at_the_last_answers_person():
    from dataclasses import replace

    from bot.rank import FactRanker

    ranker = get_answerability().ranker
    without = FactRanker(ranker.base, replace(ranker.config, near_person=0.0))
    follow = in_context(understand("is she still doing them", carried_drugs=("ketamine",)),
                        ("experience-woman-results",))
    # the woman "simply keeps having the infusions" (refers_to woman-trd) is about her
    assert "duration-keeps-infusing" in ranker.rank(follow).ids(3)
    assert "duration-keeps-infusing" not in without.rank(follow).ids(3)
    # "they" is as often the drug, the studies or the clinics: no person is assumed
    they = in_context(understand("are they still doing them", carried_drugs=("ketamine",)),
                      ("experience-woman-results",))
    assert ranker.rank(they).ids() == without.rank(they).ids()
