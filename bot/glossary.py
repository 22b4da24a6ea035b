"""What a word means: "what does executive function mean?", "sorry whats rTMS", "whats a meta analysis".

Such a question, often a follow-up to a reply full of the article's words, is answered by the fact that explains
the word. A fact explains it when a gloss follows the word ("glutamate, a chemical messenger"; "rTMS, a
neurostimulation technique"; "Executive function covers ...") or stands before it with the word in brackets ("doses
below those used for anesthesia (subanesthetic doses)"). Facts explain a word only in the article's own terms, so
the article stays the only source. When the article only uses the word ("the
drug PCP", "a generic drug"), the honest reply is that it doesn't explain it, not the fact that merely uses it.
The question forms live in data/facts/definitions.yml (`meaning`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

from bot.facts import FACTS_DIR, Fact
from bot.rarity import zipf_frequency
from bot.safety import normalise
from bot.understand import DRUG
from bot.vocabulary import get_tagger

MAX_TERM_WORDS = 4
# "whats X?" asks what a word means when a word of X is at most this common (wordfreq's Zipf scale: "glutamate"
# 2.9, "meta" 3.7, "generic" 4.1, "side" 5.5).
JARGON_ZIPF = 4.0
# What follows a word to explain it: a bracket of two words or more ("muscarinic (acetylcholine) receptors" names a
# family, it doesn't explain the word), a colon ("a dissociative drug: at high doses it ..."), an apposition
# ("glutamate, a chemical messenger") or a verb that defines ("Executive function covers ...").
# A head noun may stand between the word and its apposition ("NMDA receptors, the ..."); any other word may not
# ("the 2011 fibromyalgia study, the ..." doesn't explain fibromyalgia).
HEAD_NOUNS = r"(?:pathways?|receptors?|systems?|cells?|drugs?|molecules?)"
GLOSS_AFTER = "|".join([
    r"\s*\([^)]*\w\s+\w[^)]*\)",
    r"(?:\s+\w+)?\s*:\s",
    rf"(?:\s+{HEAD_NOUNS})?,\s+(?:a|an|the|short for)\s",
    r"\s+(?:covers|means|refers to)\s",
])


@dataclass(frozen=True)
class MeaningCues:
    asks: tuple[re.Pattern[str], ...]
    asks_what_is: tuple[re.Pattern[str], ...]
    openers: re.Pattern[str]
    trailing: re.Pattern[str]
    not_a_term: frozenset[str]


@functools.lru_cache(maxsize=1)
def meaning_cues() -> MeaningCues:
    with (FACTS_DIR / "definitions.yml").open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)["meaning"]
    return MeaningCues(
        tuple(re.compile(pattern) for pattern in spec["asks"]),
        tuple(re.compile(pattern) for pattern in spec["asks_what_is"]),
        re.compile(rf"^(?:(?:{alternatives(spec['openers'])})\s+)+"),
        re.compile(rf"(?:\s+(?:{alternatives(spec['trailing'])}))+$"),
        frozenset(spec["not_a_term"]),
    )


def alternatives(phrases: list[str]) -> str:
    """A regular expression alternation of the phrases, longest first (so "sorry but" wins over "sorry")."""
    return "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))


def plain(text: str) -> str:
    """Normalised (bot.safety.normalise), hyphens as spaces: "meta-analysis" and "meta analysis" alike."""
    return re.sub(r"\s+", " ", normalise(text).replace("-", " ")).strip()


def term_asked(question: str) -> str | None:
    """The word or short phrase whose meaning the question asks ("executive function"), or None. Not a drug's
    name: "what is spravato?" asks for the article's basics on it (bot.rank.asks_what_it_is)."""
    cues = meaning_cues()
    for clause in re.split(r"[,;:.!?]+", plain(question)):
        clause = cues.trailing.sub("", cues.openers.sub("", clause.strip()))
        asked = [(pattern, False) for pattern in cues.asks] + [(pattern, True) for pattern in cues.asks_what_is]
        found, jargon_only = next(((pattern.match(clause), jargon) for pattern, jargon in asked
                                   if pattern.match(clause)), (None, False))
        if found is None:
            continue
        term = re.sub(r"^an?\s+", "", found.group("term").strip())
        words = term.split()
        if not 0 < len(words) <= MAX_TERM_WORDS or set(words) & cues.not_a_term:
            continue
        if jargon_only and min(zipf_frequency(word) for word in words) > JARGON_ZIPF:
            continue
        if any(entity.label == DRUG for entity in get_tagger().tag(term)):
            continue
        return term
    return None


def _term_pattern(term: str) -> str:
    """The term's words in order, each in the singular or plural ("dendritic spine" finds "dendritic spines")."""
    return r"\b" + r"\s+".join(re.escape(word.removesuffix("s")) + r"(?:s|es)?" for word in term.split()) + r"\b"


def explains(fact: Fact, term: str) -> bool:
    """The fact explains the term: a gloss follows it, or it stands in brackets after its gloss."""
    text, words = plain(fact.text), _term_pattern(term)
    return bool(re.search(words + f"(?:{GLOSS_AFTER})", text) or re.search(r"\(\s*" + words + r"(?:\s+\w+)?\s*\)", text)
                or re.search(r"(?:^|[.]\s+)" + words + r"\s+(?:is|are)\s+(?:a|an|the)\b", text))


def uses(fact: Fact, term: str) -> bool:
    """Every word of the term is in the fact (singular or plural)."""
    text = plain(fact.text)
    return all(re.search(_term_pattern(word), text) for word in term.split())


def explaining_fact(term: str, facts: Iterable[Fact]) -> Fact | None:
    """The first of `facts` that explains the term."""
    return next((fact for fact in facts if explains(fact, term)), None)


def as_written(term: str, question: str) -> str:
    """The term as the question wrote it ("rTMS", "meta-analysis"), else as found."""
    found = re.search(_term_pattern(term).replace(r"\s+", r"[\s-]+"), question, re.IGNORECASE)
    return found.group() if found else term
