"""Reading a follow-up in the context of the last answer (bot.retrieval.in_context)."""

from __future__ import annotations

from bot.rank import FOLLOW_UP_THRESHOLD, get_answerability
from bot.retrieval import in_context, retrieve
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


def test_a_follow_up_is_judged_with_its_own_threshold():
    calibration = get_answerability().calibration
    assert FOLLOW_UP_THRESHOLD < calibration.threshold
    follow = retrieve("and the iv ones?", carried_drugs=("ketamine",), last_facts=("cost-spravato-price",))
    alone = retrieve("and the iv ones?")
    assert follow.answerable and not alone.answerable


def test_a_follow_up_that_points_back_with_few_words_weighs_the_last_answer_more():
    from bot.retrieval import POINTING_NEAR_WEIGHT

    pointing = in_context(understand("who said that?"), ("depression-inflammation-miller",))
    asking = in_context(understand("how much does a course of infusions usually cost?"),
                        ("depression-inflammation-miller",))
    assert pointing.near_weight == POINTING_NEAR_WEIGHT > 1 and asking.near_weight == 1.0
    from dataclasses import replace

    ranker = get_answerability().ranker
    weighted = ranker.rank(pointing).ids().index("depression-inflammation-miller")
    plain = ranker.rank(replace(pointing, near_weight=1.0)).ids().index("depression-inflammation-miller")
    assert weighted < plain
