"""What a word means (bot/glossary.py): the question forms, the facts that explain a word, and the replies."""

from __future__ import annotations

import pytest

from bot.answer import answer_message
from bot.facts import load_fact_base
from bot.glossary import explaining_fact, term_asked, uses


@pytest.mark.parametrize("question, term", [
    ("what does executive function mean", "executive function"),
    ("whats glutamate exactly", "glutamate"),
    ("sorry whats rTMS", "rtms"),
    ("whats a meta-analysis?", "meta analysis"),
    ("whats PCP, never heard of it", "pcp"),
    ("what do they mean by subanesthetic", "subanesthetic"),
    ("ok so what are dendritic spines anyway", "dendritic spines"),
    ("neuroplasticity meaning what", "neuroplasticity"),
    # a condition the article names but never explains is a word like any other
    ("what is fibromyalgia?", "fibromyalgia"),
])
def test_a_question_that_asks_what_a_word_means(question, term):
    assert term_asked(question) == term


@pytest.mark.parametrize("question", [
    "what is the dose",  # "the": a detail asked, not a word
    "whats the price of spravato",
    "what are side effects",  # everyday words: "whats X?" asks a meaning only of a specialist's word
    "whats a good clinic",
    "what is it",
    "what is spravato",  # a drug's name asks for the article's basics on it (bot.rank.asks_what_it_is)
    "what does modest mean in numbers",
    "how does ketamine work",
])
def test_other_questions_ask_no_word(question):
    assert term_asked(question) is None


@pytest.mark.parametrize("term, fact_id", [
    ("glutamate", "mechanism-glutamate"),  # "glutamate, a chemical messenger"
    ("rtms", "duration-rtms"),  # "rTMS, a neurostimulation technique,"
    ("executive function", "pfc-executive-function"),  # "Executive function covers ..."
    ("subanesthetic", "dosing-subanesthetic"),  # "below those used for anesthesia (subanesthetic doses)"
    ("dissociative", "dxm-dissociative"),  # "a dissociative drug: at high doses ..."
    ("nmda receptors", "nmdar-pain-target"),  # "NMDA receptors (NMDAR, short for N-methyl-D-aspartate receptors)"
    ("dendritic spine", "mechanism-dendritic-spines"),  # singular asked, plural written
])
def test_the_fact_that_explains_a_word(term, fact_id):
    found = explaining_fact(term, load_fact_base().facts)
    assert found is not None and found.id == fact_id


@pytest.mark.parametrize("term", [
    "pcp",  # "chemically similar to the drug PCP."
    "generic drug",  # "Ketamine is a generic drug, so ..."
    "muscarinic receptors",  # "muscarinic (acetylcholine) receptors": one word in brackets names a family
    "fibromyalgia",  # "the 2011 fibromyalgia study, ..." and the like never explain it
    "microglia",
    # the article uses these without explaining them (its facts add no explanation of their own)
    "meta analysis",
    "neuroplasticity",
    "orthostatic intolerance",
    "mtor",
])
def test_a_word_the_article_uses_without_explaining_it(term):
    facts = load_fact_base().facts
    assert any(uses(fact, term) for fact in facts)
    assert explaining_fact(term, facts) is None


def test_a_follow_up_asking_a_word_of_the_last_answer_is_answered_by_the_fact_that_explains_it():
    # the last answer used "executive function" in passing; the fact beside it explains it
    reply = answer_message("what does executive function mean", last_facts=("pfc-glutamate-restore",),
                           shown=("pfc-glutamate-restore",))
    assert reply.kind == "answer" and reply.fact_ids[0] == "pfc-executive-function", reply.text


@pytest.mark.parametrize("question, gap, using", [
    ("whats PCP, never heard of it", 'The article uses the word "PCP" but doesn\'t explain it.',
     "ketamine-recreational"),
    ("what does generic drug mean", 'The article uses the word "generic drug" but doesn\'t explain it.',
     "regulation-generic"),
])
def test_a_word_used_but_not_explained_gets_an_honest_gap_then_what_the_article_says_with_it(question, gap, using):
    reply = answer_message(question, carried_drugs=("ketamine",))
    assert reply.kind == "not_covered" and reply.text.startswith(gap), reply.text
    # the sentence that uses the word comes after the gap, as what the article does say, never as the answer
    assert reply.fact_ids == [using] and "What it does say nearby: " in reply.text


def test_a_word_the_last_answer_used_is_the_one_shown_beside_the_gap():
    reply = answer_message("whats mTOR", last_facts=("mechanism-mtor-synapses",), shown=("mechanism-mtor-synapses",))
    assert reply.kind == "not_covered" and reply.text.startswith('The article uses the word "mTOR"'), reply.text
    assert reply.fact_ids == ["mechanism-mtor-synapses"]
