"""Entity tagging from the fact base vocabulary: synonyms, misspellings, longest match, no false countries."""

from __future__ import annotations

import pytest

from bot.vocabulary import get_tagger


@pytest.mark.parametrize(
    "text, expected",
    [
        ("what is Spravato?", [("drug", "esketamine")]),
        ("is the nasal spray any good", [("drug", "esketamine")]),
        ("dxm for FIBRO", [("drug", "dextromethorphan"), ("condition", "fibromyalgia")]),
        ("special k and CFS", [("drug", "ketamine"), ("condition", "mecfs")]),
        ("ketamine nasal spray", [("drug", "esketamine")]),
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
