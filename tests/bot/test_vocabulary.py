"""Entity tagging from the fact base vocabulary: synonyms, misspellings, longest match, no false countries, and
near-misses (common words and phrases that look like a drug, condition or form but are not) never tagged."""

from __future__ import annotations

import pytest
import yaml

from bot.facts import FACTS_DIR, load_fact_base
from bot.safety import get_resources
from bot.vocabulary import VocabularyTagger, get_tagger


@pytest.mark.parametrize(
    "text, expected",
    [
        ("what is Spravato?", [("drug", "esketamine")]),
        ("is the nasal spray any good", [("drug", "esketamine")]),
        ("dxm for FIBRO", [("drug", "dextromethorphan"), ("condition", "fibromyalgia")]),
        ("special k and CFS", [("drug", "ketamine"), ("condition", "mecfs")]),
        ("ketamine nasal spray", [("drug", "ketamine"), ("form", "nasal_spray")]),
        ("chronic pain after an IV infusion", [("condition", "chronic_pain"), ("form", "iv_infusion")]),
        ("I live in the UK", [("country", "GB")]),
        ("can you tell us about memantin", [("drug", "memantine")]),
    ],
)
def test_tagger_finds_canonical_values(text, expected):
    assert [(entity.label, entity.value) for entity in get_tagger().tag(text)] == expected


def test_offsets_point_at_the_words():
    text = "Does fibromyalgia respond?"
    (entity,) = get_tagger().tag(text)
    assert text[entity.start : entity.end] == "fibromyalgia"


# Near-misses: what each must be tagged as (usually nothing). "ketamine spray" and "nasal ketamine" are ketamine in
# the nasal form (compounded sprays exist), not Spravato; "vitamin k" is a vitamin; "medicare" is not in the article.
NEAR_MISSES = [
    ("do i need vitamin k", []),
    ("vitamin K2 and fibro", [("condition", "fibromyalgia")]),
    ("ketamine spray", [("drug", "ketamine"), ("form", "nasal_spray")]),
    ("nasal ketamine for depression", [("form", "nasal_spray"), ("drug", "ketamine"), ("condition", "depression")]),
    ("is ketamine nasal spray the same as spravato",
     [("drug", "ketamine"), ("form", "nasal_spray"), ("drug", "esketamine")]),
    ("the nasal spray", [("drug", "esketamine")]),
    ("which works better, iv or the spray", [("form", "iv_infusion"), ("drug", "esketamine")]),
    ("does medicare cover it", []),
    ("my son has special needs", []),
    ("i eat special k cereal every morning", []),
    ("i was listening to fm radio", []),
    ("post-nasal drip is driving me mad", []),
    ("post nasal drip", []),
    ("nasal congestion", []),
    ("pepper spray", []),
    ("i had ice cream", []),
    ("i'm on the pill", []),
    ("head trauma", []),
    ("compassion fatigue at work", []),
    ("painkillers", []),
    ("the study was small", []),
    ("tell me about it", []),
    ("us and them", []),
    ("fm patients and pain", [("condition", "fibromyalgia"), ("condition", "chronic_pain")]),
    ("ketamine drip", [("drug", "ketamine"), ("form", "iv_infusion")]),
]


@pytest.mark.parametrize("text, expected", NEAR_MISSES)
def test_near_misses_are_not_tagged_wrongly(text, expected):
    assert [(entity.label, entity.value) for entity in get_tagger().tag(text)] == expected


def test_every_listed_near_miss_tags_nothing():
    near_misses = yaml.safe_load((FACTS_DIR / "vocabulary.yml").read_text(encoding="utf-8"))["near_misses"]
    assert {phrase: get_tagger().tag(phrase) for phrase in near_misses if get_tagger().tag(phrase)} == {}


def test_without_the_near_miss_list_the_near_misses_would_be_tagged():
    """The near-miss list is what keeps "fm radio" and "post-nasal drip" untagged: without it they are tagged."""
    from dataclasses import replace

    bare = VocabularyTagger(replace(load_fact_base(), near_misses=()), get_resources())
    assert bare.tag("i was listening to fm radio") and bare.tag("post-nasal drip")


def test_words_the_article_does_not_use_are_not_vocabulary_or_keywords():
    base = load_fact_base()
    groups = (base.drugs, base.conditions, base.forms)
    words = {word.lower() for names in groups for synonyms in names.values() for word in synonyms}
    words |= {keyword.lower() for fact in base.facts for keyword in fact.keywords}
    assert {"vitamin k", "medicare", "medicaid", "nhs"} & words == set()
    assert {"ketamine nasal spray", "ketamine spray", "nasal ketamine"} & set(base.drugs["esketamine"]) == set()
