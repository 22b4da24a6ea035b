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
    ("rtms", "duration-rtms"),  # "rTMS (repetitive transcranial magnetic stimulation, ...)"
    ("executive function", "pfc-executive-function"),  # "Executive function covers ..."
    ("meta analysis", "pain-meta-analysis"),  # "... before the article, which pools the results of many studies"
    ("neuroplasticity", "mechanism-neuroplasticity-parkinsons"),  # "... more adaptable (neuroplasticity)"
    ("dissociative", "dxm-dissociative"),  # "a dissociative drug: at high doses ..."
    ("kynurenine", "mecfs-kynurenine-miller"),  # "the kynurenine pathway, a chemical pathway"
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


@pytest.mark.parametrize("question, gap", [
    ("whats PCP, never heard of it", 'The article uses the word "PCP" but doesn\'t explain it.'),
    ("what does generic drug mean", 'The article uses the word "generic drug" but doesn\'t explain it.'),
])
def test_a_word_used_but_not_explained_gets_an_honest_gap_not_the_fact_that_uses_it(question, gap):
    reply = answer_message(question, carried_drugs=("ketamine",))
    assert reply.kind == "not_covered" and reply.text.startswith(gap), reply.text
    assert not reply.fact_ids
