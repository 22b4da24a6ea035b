"""The fact base: its validator rejects what could mislead, and the real base is complete and traceable."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from bot.compose import EVIDENCE_NOTES
from bot.facts import EVIDENCE_LEVELS, FACTS_DIR, FactBaseError, build, load_fact_base, read_raw, validate
from tests.conftest import ARTICLE, write_yaml


def test_the_real_fact_base_is_valid(raw_base):
    assert validate(raw_base) == []


def test_the_base_covers_the_whole_article(base):
    assert 80 <= len(base.facts) <= 120
    assert set(base.topics) == {fact.topic for fact in base.facts}


def test_every_fact_has_the_questions_it_answers(base):
    from bot.facts import MIN_ASKS

    assert [fact.id for fact in base.facts if len(fact.asks) < MIN_ASKS] == []
    asks = [ask.lower() for fact in base.facts for ask in fact.asks]
    assert len(asks) == len(set(asks)), "the same question is filed under two facts"


def test_every_factual_paragraph_is_behind_a_fact(base):
    index = yaml.safe_load((FACTS_DIR / "paragraphs.yml").read_text(encoding="utf-8"))
    factual = {entry["para"] for entry in index if entry["kind"] == "fact"}
    cited = {fact.para for fact in base.facts}
    assert factual - cited == set(), "paragraphs with no fact"
    assert cited - factual == set(), "facts that point at a paragraph holding no fact"


def test_each_fact_names_the_section_its_paragraph_is_in(base):
    index = yaml.safe_load((FACTS_DIR / "paragraphs.yml").read_text(encoding="utf-8"))
    section_of = {entry["para"]: entry["section"] for entry in index}
    assert [fact.id for fact in base.facts if section_of[fact.para] != fact.section] == []


def test_every_evidence_level_has_a_plain_explanation():
    assert set(EVIDENCE_LEVELS) == set(EVIDENCE_NOTES)


@pytest.mark.skipif(not ARTICLE.exists(), reason="the article is not beside this checkout (../shared/source)")
def test_paragraph_index_matches_the_article():
    from scripts.index_article import index

    on_disk = yaml.safe_load((FACTS_DIR / "paragraphs.yml").read_text(encoding="utf-8"))
    assert index(ARTICLE.read_text(encoding="utf-8")) == on_disk


@pytest.mark.skipif(not ARTICLE.exists(), reason="the article is not beside this checkout (../shared/source)")
def test_facts_are_in_our_own_words(base):
    """No fact repeats a run of eight words from the article: facts carry over, sentences do not."""
    words = re.findall(r"[a-z0-9']+", ARTICLE.read_text(encoding="utf-8").lower().replace("\u2019", "'"))
    article_runs = {tuple(words[i : i + 8]) for i in range(len(words) - 7)}
    copied = []
    for fact in base.facts:
        fact_words = re.findall(r"[a-z0-9']+", fact.text.lower())
        if any(tuple(fact_words[i : i + 8]) in article_runs for i in range(len(fact_words) - 7)):
            copied.append(fact.id)
    assert copied == []


def _first_fact(raw):
    return raw["facts"][0]


@pytest.mark.parametrize(
    "break_it, expected",
    [
        (lambda raw: raw["source"].pop("url"), "source: missing url"),
        (lambda raw: raw["source"].pop("published_text"), "source: missing published_text"),
        (lambda raw: _first_fact(raw).pop("section"), "missing section"),
        (lambda raw: _first_fact(raw).pop("evidence"), "missing evidence"),
        (lambda raw: _first_fact(raw).update(evidence="rumour"), "unknown evidence level 'rumour'"),
        (lambda raw: _first_fact(raw).update(topic="astrology"), "unknown topic 'astrology'"),
        (lambda raw: _first_fact(raw).update(drugs=["aspirin"]), "unknown drug 'aspirin'"),
        (lambda raw: _first_fact(raw).update(conditions=["gout"]), "unknown condition 'gout'"),
        (lambda raw: _first_fact(raw).update(keywords=["fine", False]), "keywords must be a list of words"),
        (lambda raw: raw["facts"].append(copy.deepcopy(_first_fact(raw))), "duplicate id"),
        (lambda raw: raw["topics"].update(unused={"title": "x", "example": "y"}), "topic 'unused' has no fact"),
        (lambda raw: raw.update(facts=[]), "the base holds no facts"),
        (lambda raw: _first_fact(raw).pop("asks"), "missing asks"),
        (lambda raw: _first_fact(raw).update(asks=["what is it", "why", "how"]), "asks needs at least 4"),
        (lambda raw: _first_fact(raw).update(asks=["a?", "b?", "c?", "A?"]), "asks repeats a question"),
        (lambda raw: _first_fact(raw).update(caution=["not", "a sentence"]), "caution must be a sentence"),
        (lambda raw: _first_fact(raw).update(dated="yes"), "dated must be true or false"),
        (lambda raw: _first_fact(raw).update(cautoin="typo"), "unknown field(s) cautoin"),
        (lambda raw: _first_fact(raw).update(evidence="study"), "needs `cites`"),
        (lambda raw: raw["vocabulary"]["near_misses"].append("fibro"), "'fibro' is also a name to tag"),
    ],
)
def test_the_validator_rejects_a_malformed_base(raw_base, break_it, expected):
    break_it(raw_base)
    problems = validate(raw_base)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(FactBaseError, match=re.escape(expected)):
        build(raw_base)


def test_loading_a_broken_file_says_which_file(facts_dir):
    (facts_dir / "facts.yml").write_text("- id: [unclosed", encoding="utf-8")
    with pytest.raises(FactBaseError, match="facts.yml is not valid YAML"):
        load_fact_base(facts_dir)


def test_a_small_base_from_tmp_path_loads(facts_dir):
    raw = read_raw(facts_dir)
    keep = [fact for fact in raw["facts"] if fact["topic"] in {"cost", "spravato"}]
    write_yaml(facts_dir / "facts.yml", keep)
    write_yaml(facts_dir / "topics.yml", {name: raw["topics"][name] for name in ("cost", "spravato")})
    small = load_fact_base(facts_dir)
    assert {fact.topic for fact in small.facts} == {"cost", "spravato"}
