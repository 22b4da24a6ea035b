"""Composing what the patient reads: a few plain sentences, an honest evidence note, the source and the disclaimer.

Every reply built here ends with DISCLAIMER, and every reply that states facts carries a line beginning with
`Source:` or `Sources:` that names Health Rising, the date, the section and the cited work. A fact with a
`caution` is never shown without it (a sentence of it that another fact of the same reply says is not repeated):
`fact_sentences()` is the one place a fact's text becomes answer text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from bot.facts import FACTS_DIR, Fact, Source
from bot.safety import normalise

DISCLAIMER = (
    "This is general information from a 2019 article, not medical advice. "
    "Please talk to your doctor about your own situation."
)

NOT_COVERED_OPENING = "The article I draw on doesn't cover that"

DATED_NOTE = "This describes the situation in April 2019, when the article was written; it may have changed since."

# What each evidence level means, said plainly. Honesty matters more than sounding sure.
EVIDENCE_NOTES = {
    "regulatory": "a regulatory decision (the US FDA), as reported in 2019",
    "meta-analysis": "a meta-analysis, which pools the results of many studies",
    "guideline": "guidelines written by medical societies",
    "review": "a review of earlier studies",
    "controlled-trial": "a placebo-controlled trial",
    "ongoing-trial": "a trial that was still running in 2019, with no results yet",
    "study": "a study whose design the article does not describe",
    "small-study": "a small study, which is early and limited evidence",
    "animal-study": "a study in laboratory animals, which may not apply to people",
    "case-report": "a single patient's case, not a study",
    "clinician-report": "one doctor's experience with their own patients, not a controlled study",
    "expert-opinion": "an expert's opinion, not a study result",
    "anecdote": "one person's own account, which does not show the treatment works for others",
    "background": "general background given in the article",
    "commentary": "the article author's own reading of the research",
}

# Plain words for each evidence level, short enough for a badge ("small study", "one person's account").
EVIDENCE_LABELS = {
    "regulatory": "FDA decision",
    "meta-analysis": "review of many studies",
    "guideline": "medical guidelines",
    "review": "review of studies",
    "controlled-trial": "controlled trial",
    "ongoing-trial": "trial under way",
    "study": "a study",
    "small-study": "small study",
    "animal-study": "animal study",
    "case-report": "one patient's case",
    "clinician-report": "one doctor's experience",
    "expert-opinion": "expert opinion",
    "anecdote": "one person's account",
    "background": "background",
    "commentary": "the author's view",
}

# What the one-line evidence tag says of each level: how much weight it can bear.
EVIDENCE_TAGS = {
    "regulatory": "an FDA decision, as reported in 2019",
    "meta-analysis": "a meta-analysis pooling many studies",
    "guideline": "medical societies' guidelines",
    "review": "a review of earlier studies",
    "controlled-trial": "a placebo-controlled trial",
    "ongoing-trial": "a trial still running in 2019, no results yet",
    "study": "a study the article does not describe",
    "small-study": "a small study, early and limited evidence",
    "animal-study": "a study in animals, which may not apply to people",
    "case-report": "one patient's case, not a study",
    "clinician-report": "one doctor's experience, not a controlled study",
    "expert-opinion": "an expert's opinion, not a study result",
    "anecdote": "one person's account, which doesn't show it works for others",
    "background": "background given in the article",
    "commentary": "the article author's own reading of the research",
}

MAX_FACTS_PER_ANSWER = 3
MAX_ANSWER_CHARS = 520  # about 85 words: three short facts, or one or two long ones


# A caution sentence is "said by" another fact of the same answer when this share of its content words is there.
SAID_ELSEWHERE = 0.7
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def fact_sentences(fact: Fact, others: Sequence[str] = ()) -> str:
    """What the patient reads for one fact: its text, then its caution when it has one, less any sentence of the
    caution that one of `others` (the texts of the other facts of the same reply) says anyway."""
    if not fact.caution:
        return fact.text
    kept = [sentence for sentence in SENTENCE_END.split(fact.caution.strip()) if not _said_by(sentence, others)]
    return " ".join([fact.text, *kept])


def _sentences_once(fact: Fact, cautions_shown: set[str], others: Sequence[str] = ()) -> str:
    """A fact's sentences in an answer, its caution left out when the same caution, or one that says it and more,
    was already shown; a sentence of the caution that another fact of the answer says anyway is left out too
    (memantine's "a review found the results not particularly good", beside the review's own fact)."""
    if not fact.caution:
        return fact.text
    caution = fact.caution.rstrip(". ")
    if any(shown.startswith(caution) for shown in cautions_shown):
        return fact.text
    cautions_shown.add(caution)
    return fact_sentences(fact, others)


def _said_by(sentence: str, texts: Sequence[str]) -> bool:
    """Most of the sentence's content words are in one of the texts."""
    from bot.nlp import content_lemmas

    words = set(content_lemmas(sentence))
    return bool(words) and any(
        len(words & set(content_lemmas(text))) >= SAID_ELSEWHERE * len(words) for text in texts
    )


def take_for_answer(ranked: Sequence[Fact], limit: int = MAX_FACTS_PER_ANSWER) -> list[Fact]:
    """The first few ranked facts that fit a short answer (always at least one)."""
    chosen: list[Fact] = []
    length = 0
    for fact in ranked[:limit]:
        if chosen and length + len(fact_sentences(fact)) > MAX_ANSWER_CHARS:
            break
        chosen.append(fact)
        length += len(fact_sentences(fact))
    return chosen


def introduced_first(facts: Sequence[Fact]) -> list[Fact]:
    """The facts in their order, except that a fact introducing a person ("One woman with treatment-resistant
    depression...") moves before the first fact that refers to that person ("the woman said...")."""
    ordered = list(facts)
    for fact in list(ordered):
        if not fact.introduces:
            continue
        referring = [n for n, other in enumerate(ordered) if other.refers_to == fact.introduces]
        if referring and min(referring) < ordered.index(fact):
            ordered.remove(fact)
            ordered.insert(min(referring), fact)
    return ordered


# The article's opening has no heading of its own: the fact base files it under "Introduction", but a citation
# must not name a heading the reader won't find.
UNHEADED = {"Introduction": "its opening paragraphs"}


def section_name(section: str) -> str:
    """How a citation names a section: its heading in quotes, or a description of a part without one."""
    return UNHEADED.get(section, f'section "{section}"')


def _section_part(section: str, cites: list[str]) -> str:
    part = section_name(section)
    if cites:
        part += ", citing " + " and ".join(cites)
    return part


def source_line(facts: Sequence[Fact], source: Source) -> str:
    """`Source: Health Rising ...` naming the date, each section and each cited work of these facts."""
    sections: dict[str, list[str]] = {}
    for fact in facts:
        cites = sections.setdefault(fact.section, [])
        if fact.cites and fact.cites not in cites:
            cites.append(fact.cites)
    parts = "; ".join(_section_part(section, cites) for section, cites in sections.items())
    label = "Source" if len(sections) == 1 else "Sources"
    end = "" if parts.endswith(".") else "."  # "citing Niciu et al." already ends the sentence
    return f"{label}: {source.publisher}, by {source.author}, {source.published_text}, {parts}{end} {source.url}"


def full_citation(facts: Sequence[Fact], source: Source) -> str:
    """The long form for "where is that from?": the article, its date and link, and each fact's origin."""
    lines = [
        f'These facts come from an article on {source.publisher} ({source.description}) by {source.author}, '
        f"published {source.published_text}: {source.url}",
    ]
    for fact in facts:
        origin = section_name(fact.section)
        if fact.cites:
            origin += f", which cites {fact.cites}"
        lines.append(f"- {fact_sentences(fact)} ({origin}; evidence: {EVIDENCE_NOTES[fact.evidence]})")
    lines.append(source_line(facts, source))
    return "\n".join(lines)


def plain_answer(text: str) -> str:
    """A reply without facts (not covered, advice refused): the text and the disclaimer."""
    return f"{text}\n\n{DISCLAIMER}"


# --- answers that lead with the answer (issue 18) -----------------------------------------------------------------

ACKNOWLEDGEMENTS = FACTS_DIR / "acknowledgements.yml"


@functools.lru_cache(maxsize=1)
def _acknowledgements() -> list[tuple[str, re.Pattern[str]]]:
    spec = yaml.safe_load(ACKNOWLEDGEMENTS.read_text(encoding="utf-8"))["kinds"]
    return [(kind["clause"], re.compile("|".join(f"(?:{cue})" for cue in kind["cues"]))) for kind in spec]


def acknowledgement(message: str) -> str:
    """One short clause for a message that carries fear or frustration (data/facts/acknowledgements.yml), or ""."""
    normal = normalise(message)
    return next((clause for clause, cues in _acknowledgements() if cues.search(normal)), "")


# The line a not-covered reply ends with before the disclaimer: who can answer instead.
DOCTOR_LINE = "Your doctor or pharmacist is the right person to ask about that."


@dataclass(frozen=True)
class Part:
    """One question's share of a reply: the facts that answer it, or the sentence naming what the article doesn't
    say (and, rarely, one fact that truly relates)."""

    facts: tuple[Fact, ...] = ()
    gap: str = ""


@dataclass(frozen=True)
class Composed:
    """A reply's complete text (plain channels) and its structure (the widget renders it compactly)."""

    text: str
    custom: dict[str, Any]


def evidence_label(fact: Fact) -> str:
    return EVIDENCE_LABELS[fact.evidence]


def evidence_tag(facts: Sequence[Fact]) -> str:
    """The one-line evidence tag: how strong each kind of evidence behind these facts is, and the date."""
    kinds = list(dict.fromkeys(fact.evidence for fact in facts))
    if not kinds:
        return ""
    tag = "Evidence: " + "; ".join(EVIDENCE_TAGS[kind] for kind in kinds) + "."
    if any(fact.dated for fact in facts):
        tag += " As of April 2019; it may have changed."
    return tag


def _fact_record(fact: Fact, text: str) -> dict[str, Any]:
    return {"id": fact.id, "text": text, "evidence": fact.evidence, "evidence_label": evidence_label(fact),
            "evidence_note": f"This rests on {EVIDENCE_NOTES[fact.evidence]}.", "section": fact.section,
            "cites": fact.cites, "para": fact.para}


def citation(facts: Sequence[Fact], source: Source) -> dict[str, Any]:
    """Where the facts come from, for the widget's source chip and its "read the passage" link."""
    from bot.passages import passage_url

    return {
        "publisher": source.publisher, "author": source.author, "published": source.published_text,
        "sections": list(dict.fromkeys(fact.section for fact in facts)),
        "where": "; ".join(section_name(section) for section in dict.fromkeys(fact.section for fact in facts)),
        "cites": list(dict.fromkeys(fact.cites for fact in facts if fact.cites)),
        "url": source.url, "paras": list(dict.fromkeys(fact.para for fact in facts)),
        "passage_url": passage_url(facts[0].para) if facts else source.url,
    }


def compose_answer(
    kind: str,
    parts: Sequence[Part],
    source: Source,
    acknowledgement: str = "",
    lead: str = "",
    notes: Sequence[str] = (),
) -> Composed:
    """A reply that leads with the answer: an optional one-clause acknowledgement, then the lead (a refusal, or the
    sentence naming what the article doesn't say) or else the best fact, the other facts, the sentences naming
    what the rest of the message asked that the article doesn't cover, and for a gap who to ask instead; then one
    evidence line, one source line, any notes, and the disclaimer. A fact appears once; a person's introduction
    comes before what they said."""
    facts: list[Fact] = []
    for part in parts:
        facts += [fact for fact in part.facts if fact not in facts]
    facts = introduced_first(facts)
    gaps = [part.gap for part in parts if part.gap]
    if not lead and parts and parts[0].gap:
        lead, gaps = parts[0].gap, gaps[1:]  # the first question is not covered: say so first
    cautions_shown: set[str] = set()
    shown = [(fact, _sentences_once(fact, cautions_shown, [other.text for other in facts if other is not fact]))
             for fact in facts]
    body = [lead] if lead else []
    if shown:
        nearby = "What it does say nearby: " if kind == "not_covered" else ""
        body.append(nearby + " ".join(text for _, text in shown))
    body += gaps
    if kind in ("not_covered", "partly_covered"):
        body.append(DOCTOR_LINE)  # beside the gap it answers, before the evidence and source of the facts
    if acknowledgement:
        body[0] = f"{acknowledgement} {body[0]}"
    tail = [evidence_tag(facts), source_line(facts, source)] if facts else []
    tail += [note for note in notes if note]
    custom = {
        "kind": kind, "acknowledgement": acknowledgement, "safety": "", "lead": lead,
        "facts": [_fact_record(fact, text) for fact, text in shown], "gap": " ".join(gaps),
        "evidence": evidence_tag(facts), "dated": DATED_NOTE if any(fact.dated for fact in facts) else "",
        "citation": citation(facts, source) if facts else None, "notes": [note for note in notes if note],
        "disclaimer": DISCLAIMER,
    }
    return Composed("\n\n".join([*body, *tail, DISCLAIMER]), custom)
