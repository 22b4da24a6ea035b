"""Selecting facts by topic, drug and condition, and ranking them against the question's words."""

from __future__ import annotations

import pytest


def test_selection_stays_inside_the_topic(retriever):
    selection = retriever.select("cost", "how much is it?")
    assert selection.facts and all(fact.topic == "cost" for fact in selection.facts)


@pytest.mark.parametrize(
    "question, expected_first",
    [
        ("how much does spravato cost?", "cost-spravato-price"),
        ("will my insurance cover it?", "cost-insurance-spravato"),
        ("who is eligible for spravato?", "spravato-eligibility"),
        ("what did the meta-analysis find?", "pain-meta-analysis"),
        ("what did Dr Podell see in his patients?", "fm-podell"),
        ("what happened in the 2011 study?", "fm-2011-study"),
    ],
)
def test_ranking_puts_the_fact_that_answers_the_words_first(retriever, base, question, expected_first):
    topic = base.by_id(expected_first).topic
    assert retriever.select(topic, question).facts[0].id == expected_first


def test_facts_about_the_asked_drug_come_first(retriever):
    facts = retriever.select("side_effects", "is it risky?", drugs=("dextromethorphan",)).facts
    assert "dextromethorphan" in facts[0].drugs


def test_a_drug_the_topic_is_silent_on_is_reported(retriever):
    selection = retriever.select("fibromyalgia", "does it help?", drugs=("memantine",))
    assert selection.unmatched_drugs == ("memantine",)
    assert selection.facts, "the topic's facts are still offered"


def test_esketamine_falls_back_to_what_is_said_about_ketamine(retriever):
    selection = retriever.select("side_effects", "side effects", drugs=("esketamine",))
    assert selection.unmatched_drugs == ("esketamine",)
    assert "ketamine" in selection.facts[0].drugs


def test_condition_filter_prefers_matching_facts(retriever):
    facts = retriever.select("duration", "how long does it last", conditions=("fibromyalgia",)).facts
    assert "fibromyalgia" in facts[0].conditions


def test_exclude_skips_facts_already_shown(retriever, base):
    all_ids = [fact.id for fact in base.in_topic("spravato")]
    rest = retriever.select("spravato", exclude=tuple(all_ids[:2])).facts
    assert {fact.id for fact in rest} == set(all_ids[2:])


def test_best_topics_follow_the_words(retriever):
    assert retriever.best_topics("insurance price dollars")[0] == "cost"
