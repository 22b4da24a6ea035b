"""Recognising drugs, conditions, forms and countries in a message, from the project's vocabulary files.

One PhraseMatcher (case-insensitive) built from data/facts/vocabulary.yml and the country names in
data/safety/crisis_resources.yml. Overlaps resolve to the longest match ("the nasal spray" is esketamine, not a
form; "ketamine nasal spray" is ketamine plus the nasal-spray form, since compounded ketamine sprays are not
Spravato). The vocabulary's `near_misses` ("vitamin k", "post-nasal drip", "fm radio") take part in the longest
match and are then dropped, so the words inside them are never tagged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from bot.facts import FactBase, load_fact_base
from bot.nlp import get_pipeline
from bot.safety import Resources, get_resources

LABELS = {"drugs": "drug", "conditions": "condition", "forms": "form"}
NEAR_MISS = "near_miss"


@dataclass(frozen=True)
class TaggedEntity:
    label: str  # drug | condition | form | country
    value: str  # the canonical name, e.g. esketamine
    start: int  # character offsets in the message
    end: int
    text: str


class VocabularyTagger:
    """Tags entities by phrase match; `tag()` returns them in message order."""

    def __init__(self, base: FactBase, resources: Resources) -> None:
        self.nlp = get_pipeline()
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.values: dict[str, tuple[str, str]] = {}
        groups = {"drugs": base.drugs, "conditions": base.conditions, "forms": base.forms}
        entries = [
            (LABELS[kind], name, (name.replace("_", " "), *words))
            for kind, names in groups.items()
            for name, words in names.items()
        ]
        # Country codes are not phrases: "us" is far more often a pronoun than a country.
        entries += [("country", code, tuple(names)) for code, names in resources.country_names().items()]
        if base.near_misses:
            entries.append((NEAR_MISS, NEAR_MISS, base.near_misses))
        for label, value, words in entries:
            key = f"{label}:{value}"
            self.values[key] = (label, value)
            self.matcher.add(key, [self.nlp.make_doc(word) for word in dict.fromkeys(words)])

        # Several stages tag the same text in one answer: a pure function of the text, remembered for recent ones.
        self._tagged = functools.lru_cache(maxsize=4096)(self._tag)

    def tag(self, text: str) -> list[TaggedEntity]:
        """The entities of `text`, in message order."""
        return list(self._tagged(text))

    def _tag(self, text: str) -> tuple[TaggedEntity, ...]:
        doc = self.nlp.make_doc(text)
        spans = [doc[start:end] for _, start, end in self.matcher(doc)]
        labels = {(start, end): self.nlp.vocab.strings[key] for key, start, end in self.matcher(doc)}
        entities = []
        for span in filter_spans(spans):
            label, value = self.values[labels[(span.start, span.end)]]
            if label == NEAR_MISS:
                continue
            entities.append(TaggedEntity(label, value, span.start_char, span.end_char, span.text))
        return tuple(entities)


@functools.lru_cache(maxsize=1)
def get_tagger() -> VocabularyTagger:
    """The tagger over the project's vocabulary, built once per process."""
    return VocabularyTagger(load_fact_base(), get_resources())
