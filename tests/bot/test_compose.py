"""Answer composition: every answer carries its source and ends with the disclaimer; evidence is described honestly."""

from __future__ import annotations

import pytest

from bot import compose
from bot.compose import Part


def answer_text(facts, source, kind="answer") -> str:
    return compose.compose_answer(kind, [Part(tuple(facts))], source).text


@pytest.mark.parametrize("topic", ["spravato", "cost", "pain", "fibromyalgia", "dextromethorphan", "memantine"])
def test_a_facts_answer_has_source_and_ends_with_disclaimer(base, topic):
    facts = base.in_topic(topic)[:2]
    text = answer_text(facts, base.source)
    source_lines = [line for line in text.splitlines() if line.startswith(("Source:", "Sources:"))]
    assert len(source_lines) == 1
    assert "Health Rising" in source_lines[0] and "20 April 2019" in source_lines[0]
    for fact in facts:
        assert f'"{fact.section}"' in source_lines[0]
        if fact.cites:
            assert fact.cites in source_lines[0]
    assert text.endswith(compose.DISCLAIMER)


def test_the_unheaded_opening_is_cited_as_the_opening_not_as_a_heading_nobody_will_find(base):
    opening = [fact for fact in base.facts if fact.section == "Introduction"][:1]
    line = compose.source_line(opening, base.source)
    assert "its opening paragraphs" in line and '"Introduction"' not in line, line
    assert compose.citation(opening, base.source)["where"] == "its opening paragraphs"  # what the widget shows


def test_disclaimer_says_general_2019_not_advice_and_see_your_doctor():
    assert "2019" in compose.DISCLAIMER
    assert "not medical advice" in compose.DISCLAIMER
    assert "doctor" in compose.DISCLAIMER


@pytest.mark.parametrize(
    "fact_id, honest_words, badge",
    [
        ("experience-woman-results", "one person's account", "one person's account"),
        ("future-metabolite-2019-animals", "animals", "animal study"),
        ("fm-2007-study", "small study", "small study"),
        ("fm-podell", "one doctor's experience", "one doctor's experience"),
        ("pain-meta-analysis", "meta-analysis", "review of many studies"),
        ("dxm-younger-trial", "no results yet", "trial under way"),
    ],
)
def test_evidence_is_described_honestly(base, fact_id, honest_words, badge):
    fact = base.by_id(fact_id)
    assert honest_words in compose.evidence_tag([fact])
    assert compose.evidence_label(fact) == badge
    assert set(compose.EVIDENCE_LABELS) == set(compose.EVIDENCE_TAGS) == set(compose.EVIDENCE_NOTES)


def test_dated_facts_say_they_describe_2019(base):
    text = answer_text([base.by_id("spravato-eligibility")], base.source)
    assert "As of April 2019; it may have changed." in text


def test_answers_stay_short(base):
    for topic in base.topics:
        chosen = compose.take_for_answer(base.in_topic(topic))
        assert 1 <= len(chosen) <= compose.MAX_FACTS_PER_ANSWER
        assert sum(len(fact.text) for fact in chosen) <= compose.MAX_ANSWER_CHARS + 400


def test_full_citation_lists_each_fact_with_its_origin(base):
    facts = [base.by_id("dxm-staud-combination"), base.by_id("memantine-modest")]
    text = compose.full_citation(facts, base.source)
    assert "Staud 2005" in text and base.source.url in text and "Other NMDAR-Affecting Drugs" in text


def test_a_caution_is_shown_right_after_its_fact(base):
    fact = base.by_id("dxm-opioid-safe")
    text = answer_text([fact], base.source)
    assert f"{fact.text} {fact.caution}" in text
    assert "pharmacist" in text and text.endswith(compose.DISCLAIMER)


def test_a_fact_without_a_caution_is_shown_as_it_is(base):
    fact = base.by_id("pain-mixed-evidence")
    assert fact.caution is None and compose.fact_sentences(fact) == fact.text


def test_cautions_count_towards_an_answers_length(base):
    cautioned = [fact for fact in base.facts if fact.caution]
    chosen = compose.take_for_answer(cautioned)
    assert sum(len(compose.fact_sentences(fact)) for fact in chosen[1:]) <= compose.MAX_ANSWER_CHARS


def test_a_caution_shared_by_two_facts_is_shown_once_and_the_source_line_has_one_full_stop(base):
    shared = [fact for fact in base.facts if fact.caution]
    by_caution: dict[str, list] = {}
    for fact in shared:
        by_caution.setdefault(fact.caution, []).append(fact)
    pair = next(facts for facts in by_caution.values() if len(facts) >= 2)[:2]
    text = answer_text(pair, base.source)
    assert text.count(pair[0].caution) == 1
    assert ".." not in text


def test_a_caution_said_again_in_a_longer_one_is_shown_once_and_nothing_is_lost(base):
    cautioned = [fact for fact in base.facts if fact.caution]
    short, long = next((a, b) for a in cautioned for b in cautioned
                       if a.caution != b.caution and b.caution.startswith(a.caution.rstrip(". ")))
    assert answer_text([long, short], base.source).count(short.caution.rstrip(". ")) == 1
    assert long.caution in answer_text([short, long], base.source)  # the longer one still says its part


def test_a_person_is_introduced_before_what_they_said(base):
    said, introduced = base.by_id("experience-woman-during-infusion"), base.by_id("experience-woman-trd")
    text = answer_text([said, introduced], base.source)
    assert text.index(introduced.text) < text.index(said.text)
    assert compose.introduced_first([said, introduced]) == [introduced, said]
