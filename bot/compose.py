"""Composing what the patient reads: a few plain sentences, an honest evidence note, the source and the disclaimer.

Every reply built here ends with DISCLAIMER, and every reply that states facts carries a line beginning with
`Source:` or `Sources:` that names Health Rising, the date, the section and the cited work. A fact with a
`caution` is never shown without it: `fact_sentences()` is the one place a fact's text becomes answer text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.facts import Fact, Source

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

MAX_FACTS_PER_ANSWER = 3
MAX_ANSWER_CHARS = 520


def fact_sentences(fact: Fact) -> str:
    """What the patient reads for one fact: its text, then its caution when it has one."""
    return f"{fact.text} {fact.caution}" if fact.caution else fact.text


def _sentences_once(fact: Fact, cautions_shown: set[str]) -> str:
    """A fact's sentences in an answer, its caution left out only when the same caution was already shown."""
    if fact.caution and fact.caution in cautions_shown:
        return fact.text
    if fact.caution:
        cautions_shown.add(fact.caution)
    return fact_sentences(fact)


def take_for_answer(ranked: Sequence[Fact]) -> list[Fact]:
    """The first few ranked facts that fit a short answer (always at least one)."""
    chosen: list[Fact] = []
    length = 0
    for fact in ranked[:MAX_FACTS_PER_ANSWER]:
        if chosen and length + len(fact_sentences(fact)) > MAX_ANSWER_CHARS:
            break
        chosen.append(fact)
        length += len(fact_sentences(fact))
    return chosen


def evidence_note(facts: Iterable[Fact]) -> str:
    """One sentence saying how strong the evidence behind these facts is."""
    kinds = list(dict.fromkeys(fact.evidence for fact in facts))
    notes = [EVIDENCE_NOTES[kind] for kind in kinds]
    if not notes:
        return ""
    joined = notes[0] if len(notes) == 1 else "; ".join(notes[:-1]) + "; and " + notes[-1]
    return f"How strong is this? It rests on {joined}."


def _section_part(section: str, cites: list[str]) -> str:
    part = f'section "{section}"'
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
        origin = f'section "{fact.section}"'
        if fact.cites:
            origin += f", which cites {fact.cites}"
        lines.append(f"- {fact_sentences(fact)} ({origin}; evidence: {EVIDENCE_NOTES[fact.evidence]})")
    lines.append(source_line(facts, source))
    return "\n".join(lines)


def facts_answer(facts: Sequence[Fact], source: Source, lead: str = "", closing_note: str = "") -> str:
    """A full answer: optional lead sentence, the facts, the evidence note, the Source line, the disclaimer."""
    return parts_answer([(lead, list(facts))], source, closing_note)


def parts_answer(parts: Sequence[tuple[str, Sequence[Fact]]], source: Source, closing_note: str = "") -> str:
    """An answer in parts (one per question of a message): each part's lead and facts, then one evidence note
    and one Source line over all the facts, an optional closing note, and the disclaimer."""
    paragraphs: list[str] = []
    cautions_shown: set[str] = set()
    for lead, facts in parts:
        if lead:
            paragraphs.append(lead)
        if facts:
            paragraphs.append(" ".join(_sentences_once(fact, cautions_shown) for fact in facts))
    every_fact = list({fact.id: fact for _, facts in parts for fact in facts}.values())
    if every_fact:
        note = evidence_note(every_fact)
        if any(fact.dated for fact in every_fact):
            note += " " + DATED_NOTE
        paragraphs.append(note)
        paragraphs.append(source_line(every_fact, source))
    if closing_note:
        paragraphs.append(closing_note)
    paragraphs.append(DISCLAIMER)
    return "\n\n".join(paragraphs)


def plain_answer(text: str) -> str:
    """A reply without facts (not covered, advice refused): the text and the disclaimer."""
    return f"{text}\n\n{DISCLAIMER}"
