"""What the bot says: one function per kind of turn, each returning a Reply that a channel can render.

`answer_message()` is the way of a message (../shared/DESIGN.md): understand and retrieve (bot/understand.py,
bot/retrieval.py: the fact, not the topic, is the unit), decide (personal advice is refused before anything is
said; each question is answered, or the gap named, from calibrated scores and the named not-covered subjects),
compose (bot/compose.py: the answer first, at most three facts, one evidence line, one source line, the
disclaimer; `text` for plain channels and a structured `custom` object for the widget). Crisis and emergency are
caught earlier still, in the NLU guard, and answered by `crisis_help()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot import compose
from bot.compose import Part
from bot.facts import Fact, FactBase, load_fact_base
from bot.rank import get_ranker
from bot.retrieval import Retrieval, retrieve_each
from bot.safety import (
    CHECK_IN,
    CHECK_IN_DECLINED,
    CHECK_IN_QUESTION,
    CLASSIFIER_EMERGENCY,
    DISTRESS,
    DISTRESS_HELP,
    DISTRESS_LINE,
    SUICIDE_MENTION_NOTE,
    Assessment,
    get_advice_guard,
    get_resources,
    mentions_suicide,
)
from bot.understand import QUESTION_OPENING, Query, is_question, sentences
from bot.vocabulary import get_tagger

MORE_BUTTON = ("Tell me more", "/more")
SOURCE_BUTTON = ("Where is that from?", "/ask_source")

MAX_QUESTIONS = 3  # a post asking more gets the first three answered
MAX_FACTS = compose.MAX_FACTS_PER_ANSWER
# A not-covered question gets one nearby fact only when it truly relates: it is about the drug or condition named,
# and holds at least this share of the question's weight (its rarer words: "side effects", "insurance"...). A
# question about a named not-covered subject (drug tests, addiction), or a drug with a condition or aspect the
# article never puts together, gets none: by construction nothing the article says answers it.
RELATED_COVERAGE = 0.6
# A fact after the best one joins the answer only when it scores at least this share of the best (retrieval).
CLOSE_TO_BEST = 0.75
# A question quoted back in a gap sentence is cut to this many words.
QUOTED_WORDS = 14
MIN_QUOTED_WORDS = 3  # "what dose?", "Is true?": too short to quote back
POINTING_AT_WHAT_WAS_SAID = re.compile(r"\b(?:that|this|those|these)\b", re.IGNORECASE)

READABLE = {"esketamine": "Spravato (esketamine)", "mecfs": "ME/CFS", "chronic_pain": "chronic pain",
            "bipolar_depression": "bipolar depression", "ptsd": "PTSD", "parkinsons": "Parkinson's disease",
            "orthostatic_intolerance": "orthostatic intolerance", "dextromethorphan": "dextromethorphan (DXM)"}
# A form named in a comparison: ketamine given that way.
FORM_AS_KETAMINE = {"iv_infusion": "IV ketamine", "nasal_spray": "ketamine nasal spray", "pill": "ketamine pills",
              "gel": "ketamine gel"}
# What an aspect question asks for, in a gap sentence ("The article doesn't cover the side effects of memantine.",
# "... how long the effects of memantine last.").
ASPECTS = {"cost": "the cost of {drug}", "regulation": "the approval of {drug}",
           "side_effects": "the side effects of {drug}", "dosing": "the doses of {drug}",
           "duration": "how long the effects of {drug} last", "forms": "the forms of {drug}",
           "experiences": "people's experiences of {drug}", "research_quality": "the research on {drug}"}


@dataclass
class Reply:
    """One bot turn: the text, quick-reply buttons, what it showed (for "more" and "where is that from?") and,
    for answers, the structure a widget renders (`custom`)."""

    text: str
    kind: str  # answer | partly_covered | not_covered | advice | more | more_none | source | help | ...
    topic: str | None = None
    fact_ids: list[str] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None
    asked_check_in: bool = False  # the reply asks "Are you having thoughts of ending your life?"
    question: str = ""  # the question an answer or gap replied to, as understood (a follow-up may ask it again)
    # A reply that showed no fact ("The article doesn't say...", a refusal): the fact its question ranked first,
    # which a follow-up leans on as it would on an answer ("which ones are the good ones?" after a question about
    # clinics that the article doesn't answer). Never shown, never cited.
    about: list[str] = field(default_factory=list)


def readable(name: str) -> str:
    return READABLE.get(name, name)


def gap_sentence(retrieval: Retrieval) -> str:
    """One honest sentence naming what the article doesn't say for this question."""
    coverage, query = retrieval.coverage, retrieval.query
    if coverage.uncovered is not None:
        return f"The article doesn't say anything about {coverage.uncovered.what}."
    if coverage.reason == "pair" and query.drugs and query.conditions:
        return (f"The article doesn't say anything about {readable(query.drugs[0])} for "
                f"{readable(query.conditions[0])}.")
    if coverage.reason == "aspect" and query.all_drugs:
        from bot.rank import query_aspect

        aspect = ASPECTS.get(query_aspect(query.question_text) or "", "that side of {drug}")
        return f"The article doesn't cover {aspect.format(drug=readable(query.all_drugs[0]))}."
    if coverage.reason == "comparison":
        from bot.rank import compared_treatments

        return f"The article doesn't compare {and_list(treatment_names(compared_treatments(query)))} head to head."
    if coverage.reason == "term":
        from bot.glossary import as_written

        return f'The article uses the word "{as_written(coverage.term, query.question_text)}" but doesn\'t explain it.'
    question = " ".join(query.questions).strip(" .!?")
    # Only a question is quoted as one: "I just need to know what's realistic" is not turned into one; nor one
    # that means nothing on its own ("how does that work?", "Is true?").
    words = question.split() if asks_plainly(query) and stands_alone(question) else []
    if coverage.reason == "figure":
        from bot.rank import missing_figure

        kind = missing_figure(query.question_text, retrieval.ranking.best.fact) if retrieval.ranking.best else None
        if kind is not None and kind.gap:
            return kind.gap  # "The article doesn't say whether that was done in people or in animals."
        if not words or len(words) > QUOTED_WORDS:
            return "The article doesn't give a figure for that."
        return f'The article doesn\'t give a figure for "{question}?"'
    if not words or len(words) > QUOTED_WORDS:
        return "The article doesn't answer that question."
    return f'The article doesn\'t answer "{question}?"'


def stands_alone(question: str) -> bool:
    """Quoted back, the question would make sense: three words or more, and no "that" or "those" pointing at
    something said before ("how does that work?"; "is it covered?" reads well enough)."""
    return len(question.split()) >= MIN_QUOTED_WORDS and not POINTING_AT_WHAT_WAS_SAID.search(question)


def treatment_names(named: tuple[str, ...]) -> list[str]:
    """How a gap sentence names compared treatments: a form is ketamine given that way ("IV ketamine")."""
    return [FORM_AS_KETAMINE.get(name, readable(name)) for name in named]


def and_list(names: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def asks_plainly(query: Query) -> bool:
    """The question has a question mark or opens with a question word (not only "I need to know...")."""
    return any(asked.rstrip().endswith("?") or QUESTION_OPENING.match(asked) for asked in query.questions)


def related_fact(retrieval: Retrieval) -> Fact | None:
    """The one fact worth giving beside a gap: about what was named, and close to answering."""
    best, coverage = retrieval.ranking.best, retrieval.coverage
    if coverage.reason == "comparison":
        # a fact that names both treatments is near ("ketamine vs TMS": rTMS may sustain what ketamine began)
        from bot.rank import as_drugs, compared_treatments, treatments_named

        compared = as_drugs(compared_treatments(retrieval.query))
        return next((scored.fact for scored in retrieval.ranking.facts[:3]
                     if len(compared & as_drugs(treatments_named(scored.fact.text))) >= 2), None)
    if coverage.uncovered is not None and coverage.uncovered.related:
        # a named subject may name its one related fact ("does ketamine damage the brain?": the long-term concern)
        return load_fact_base().by_id(coverage.uncovered.related)
    if coverage.reason == "term":
        # "whats mTOR?": the article uses the word without explaining it; the sentence that uses it is what it says
        from bot.glossary import uses

        near = set(retrieval.query.near)
        using = [scored.fact for scored in retrieval.ranking.facts if uses(scored.fact, coverage.term)]
        return next((fact for fact in using if fact.id in near), using[0] if using else None)
    if best is None or coverage.reason not in ("score", "figure"):
        return None  # a named subject, or a pair or aspect the article never puts together: nothing is near
    named = retrieval.query.drugs or retrieval.query.conditions
    # About what was named, or of the very aspect asked about what was named ("once the infusions stop, how long
    # does the relief last": no duration, but what happens when they stop)
    about_it = (named and best.entities >= 1) or coverage.signals.aspect_given
    return best.fact if about_it and coverage.signals.coverage >= RELATED_COVERAGE else None


def _facts_for(retrieval: Retrieval, shown: tuple[str, ...], limit: int) -> list[Fact]:
    """A question's facts: the best (even when shown before: it was asked again), then close ones not yet shown."""
    facts = retrieval.facts(limit=MAX_FACTS, close=CLOSE_TO_BEST)
    return (facts[:1] + [fact for fact in facts[1:] if fact.id not in shown])[:limit]


def _notes(message: str) -> list[str]:
    return [SUICIDE_MENTION_NOTE] if mentions_suicide(message) else []


def answer_message(
    message: str,
    topic: str | None = None,
    carried_drugs: tuple[str, ...] = (),
    carried_conditions: tuple[str, ...] = (),
    last_facts: tuple[str, ...] = (),
    shown: tuple[str, ...] = (),
    intent: str = "",
    last_question: str = "",
) -> Reply:
    """Answer a whole message: each of its questions (up to three) from the facts that answer it, or a sentence
    naming what the article doesn't say; a personal-advice request is refused first.

    `topic` is the NLU topic intent (a prior only); `carried_*` the drug and condition of earlier turns;
    `last_facts` the last answer, which a follow-up leans on, and `last_question` the question it answered
    (Reply.question); `shown` every fact shown in this conversation (not repeated unless asked again); `intent` is
    passed on to the structured reply (feedback)."""
    base = load_fact_base()
    retrievals = retrieve_each(message, topic, carried_drugs, carried_conditions, last_facts,
                               last_question)[:MAX_QUESTIONS]
    advice = get_advice_guard().check(message)
    if advice is not None:
        refused = advice_reply(message, advice.what, retrievals if advice.covered else [], base, intent,
                               topic=advice.topic, ask=advice.ask)
        return replace(refused, about=[] if refused.fact_ids else about(retrievals))
    parts: list[Part] = []
    budget = MAX_FACTS if len(retrievals) == 1 else max(1, MAX_FACTS // len(retrievals) + 1)
    plainly = [asks_plainly(retrieval.query) for retrieval in retrievals]
    for retrieval, plain in zip(retrievals, plainly, strict=True):
        if not retrieval.answerable and not plain and any(plainly):
            continue  # "I just need to know what's realistic." leads up to the post's real question
        if retrieval.answerable:
            parts.append(Part(tuple(_facts_for(retrieval, shown, budget))))
        else:
            related = related_fact(retrieval) if len(retrievals) == 1 else None
            parts.append(Part((related,) if related else (), gap_sentence(retrieval)))
    parts = _fit(_without_repeated_gaps(parts))
    answered = [part for part in parts if not part.gap]  # (its facts may be shared with an earlier question)
    kind = "answer" if len(answered) == len(parts) else ("partly_covered" if answered else "not_covered")
    composed = compose.compose_answer(kind, parts, base.source, compose.acknowledgement(message),
                                      notes=_notes(message))
    reply = _reply(composed, kind, intent)
    return replace(reply, question=retrievals[0].query.question_text if retrievals else "",
                   about=[] if reply.fact_ids else about(retrievals))


def _without_repeated_gaps(parts: list[Part]) -> list[Part]:
    """A gap sentence said once: two questions of a post that the article leaves open in the same words ("The article
    doesn't answer that question.") get it once, with the facts of either."""
    kept: list[Part] = []
    for part in parts:
        earlier = next((number for number, other in enumerate(kept) if part.gap and other.gap == part.gap), None)
        if earlier is None:
            kept.append(part)
        elif part.facts and not kept[earlier].facts:
            kept[earlier] = part
    return kept


def about(retrievals: list[Retrieval]) -> list[str]:
    """The fact the first question ranked first (what a reply without facts was about), or nothing."""
    best = retrievals[0].ranking.best if retrievals else None
    return [best.fact.id] if best else []


def on_subject(reply: Reply, message: str) -> bool:
    """Whether to send the answer to a message the classifier called off-topic or unclear: it answers (a
    follow-up the last answer makes clear, a question the facts answer), or the message names one of the drugs or
    conditions (then "the article doesn't say" is the honest reply, never "outside what I can help with")."""
    if reply.kind in ("answer", "partly_covered", "advice"):
        return True
    return any(entity.label in ("drug", "condition") for entity in get_tagger().tag(message))


def _fit(parts: list[Part]) -> list[Part]:
    """At most MAX_FACTS facts and about MAX_ANSWER_CHARS of them: each part keeps its best fact, then the
    others in order while they fit; a fact already used by an earlier part is not repeated."""
    used: set[str] = set()
    length = 0
    kept: list[list[Fact]] = [[] for _ in parts]
    for rank in range(MAX_FACTS):
        for number, part in enumerate(parts):
            if rank >= len(part.facts):
                continue
            fact = part.facts[rank]
            size = len(compose.fact_sentences(fact))
            if fact.id in used or (used and (len(used) >= MAX_FACTS or length + size > compose.MAX_ANSWER_CHARS)):
                continue
            kept[number].append(fact)
            used.add(fact.id)
            length += size
    return [replace(part, facts=tuple(facts)) for part, facts in zip(parts, kept, strict=True)]


def _reply(composed: compose.Composed, kind: str, intent: str) -> Reply:
    custom = dict(composed.custom, intent=intent)
    fact_ids = [fact["id"] for fact in custom["facts"]]
    topic = load_fact_base().by_id(fact_ids[0]).topic if fact_ids else None
    buttons = [MORE_BUTTON, SOURCE_BUTTON] if fact_ids else []
    return Reply(composed.text, kind, topic, fact_ids, buttons, custom)


ASK_DOCTOR = "Your doctor or pharmacist is the right person to ask: they know your health and your other medicines."


def advice_reply(
    message: str, what: str, retrievals: list[Retrieval], base: FactBase | None = None, intent: str = "",
    topic: str | None = None, ask: str | None = None,
) -> Reply:
    """Refuse personal medical advice first (`ask`: who to ask instead, if not the doctor or pharmacist); then what
    the article says in general, when it answers the question behind the request (a drug's general facts are no
    answer to "should I take it with my Suboxone?"). A request of a kind the article speaks to in general (`topic`:
    dosing for "how much should I take?") gets that topic's best-ranked facts about the drug asked, however the
    question is worded."""
    base = base or load_fact_base()
    refusal = f"I can't give personal medical advice about {what}. " + (ask or ASK_DOCTOR)
    def about_the_drug(fact: Fact, drugs: tuple[str, ...]) -> bool:
        return not drugs or not fact.drugs or any(
            drug in fact.drugs or base.related_drugs.get(drug) in fact.drugs for drug in drugs)

    on_topic = [scored.fact for retrieval in retrievals for scored in retrieval.ranking.facts
                if topic and scored.fact.topic == topic and scored.entities >= 0
                and about_the_drug(scored.fact, retrieval.query.all_drugs)]
    facts = list(dict.fromkeys(on_topic))[:2] or [
        fact for retrieval in retrievals if retrieval.answerable for fact in retrieval.facts(limit=2)][:2]
    lead = f"{refusal} What the article says in general:" if facts else refusal
    composed = compose.compose_answer("advice", [Part(tuple(facts))], base.source, lead=lead,
                                      notes=_notes(message))
    return _reply(composed, "advice", intent)


def more(last_facts: tuple[str, ...], shown: tuple[str, ...], intent: str = "") -> Reply:
    """"Tell me more": the next best facts for the same question, never one already shown: those of the last
    answer's first fact's topic (so that "more" and "more" again stay on the subject), ranked against the last
    answer with its paragraphs first."""
    base = load_fact_base()
    last = [fact for fact in (base.by_id(fact_id) for fact_id in last_facts) if fact is not None]
    if not last:
        return Reply(compose.plain_answer(
            "Tell me more about what? Ask me a question first, for example \"What is Spravato?\""), "more_none")
    lead = last[0]
    query = Query(lead.text, (lead.text,), drugs=lead.drugs, conditions=lead.conditions, near=tuple(last_facts))
    ranking = get_ranker().rank(query, exclude=tuple(dict.fromkeys((*shown, *last_facts))))
    facts = [scored.fact for scored in ranking.facts if scored.fact.topic == lead.topic]
    facts = compose.take_for_answer(facts)
    if not facts:
        text = compose.plain_answer(
            "That's everything the article says on this. You can ask about something else, or type \"help\" to "
            "see what I cover."
        )
        return Reply(text, "more_none", lead.topic, [], [("What can you do?", "/help")])
    return _reply(compose.compose_answer("more", [Part(tuple(facts))], base.source), "more", intent)


def source_of(fact_ids: tuple[str, ...], base: FactBase | None = None) -> Reply:
    """The full citation of the facts of the last answer."""
    base = base or load_fact_base()
    facts = [fact for fact in (base.by_id(fact_id) for fact_id in fact_ids) if fact is not None]
    if not facts:
        source = base.source
        text = compose.plain_answer(
            f"Everything I say comes from one article on {source.publisher} by {source.author}, "
            f"published {source.published_text}: {source.url}. Ask me a question and I'll show where each "
            "part of the answer comes from."
        )
        return Reply(text, "source")
    text = compose.plain_answer(compose.full_citation(facts, base.source))
    return Reply(text, "source", facts[0].topic, list(fact_ids))


def topic_buttons(base: FactBase, topics: list[str]) -> list[tuple[str, str]]:
    return [(base.topics[topic].example, f"/ask_{topic}") for topic in topics if topic in base.topics]


def help_reply(base: FactBase | None = None) -> Reply:
    """What the bot can do, built from the topics of the fact base."""
    base = base or load_fact_base()
    titles = ", ".join(topic.title for topic in base.topics.values())
    text = compose.plain_answer(
        "I answer questions about ketamine, Spravato (esketamine), dextromethorphan and memantine for depression, "
        f"chronic pain, fibromyalgia and ME/CFS, using one 2019 article from {base.source.publisher}. "
        f"I can tell you about: {titles}.\n"
        "Every answer shows its source. Say \"more\" for more on the same topic, \"where is that from?\" for the "
        "full citation, or \"start over\" to begin again. I can't give personal medical advice. "
        "If you are in crisis, call or text 988 in the US, or your local emergency number."
    )
    return Reply(text, "help", None, [], topic_buttons(base, ["spravato", "cost", "fibromyalgia"]))


def out_of_scope_reply(base: FactBase | None = None) -> Reply:
    """A friendly statement of what the bot covers, with example questions."""
    base = base or load_fact_base()
    text = compose.plain_answer(
        "That's outside what I can help with. I only answer questions about ketamine, Spravato (esketamine), "
        "dextromethorphan and memantine, from one 2019 article. For example, you could ask: "
        + "; ".join(f"\"{base.topics[name].example}\"" for name in ("depression", "spravato", "pain"))
    )
    return Reply(text, "out_of_scope", None, [], topic_buttons(base, ["depression", "spravato", "pain"]))


def did_you_mean_reply(topics: list[str], base: FactBase | None = None) -> Reply:
    """When unsure: offer the two likeliest topics as buttons."""
    base = base or load_fact_base()
    topics = [topic for topic in topics if topic in base.topics][:2]
    if not topics:
        return out_of_scope_reply(base)
    options = " or ".join(base.topics[topic].title for topic in topics)
    text = compose.plain_answer(f"I'm not sure I understood. Did you mean {options}?")
    return Reply(text, "did_you_mean", None, [], topic_buttons(base, topics))


def crisis_help(kind: str, country: str | None, language: str = "en") -> Reply:
    """The crisis or emergency reply, with the numbers for the person's country when known (in Spanish for a
    Spanish message)."""
    return Reply(get_resources().help_message(kind, country, language), kind)


CHECK_IN_BUTTONS = [("Yes", "/crisis"), ("No", "/deny")]


def asks_something(text: str) -> bool:
    """True when a message asks a question (a "?", a question word, or asking in so many words)."""
    return "?" in text or any(is_question(sentence) for sentence in sentences(text))


def with_safety(reply: Reply, assessment: Assessment, question: str, country: str | None = None) -> Reply:
    """The reply as the safety tier wants it (crisis and emergency never get here: they get `crisis_help`).

    - check-in (ambiguous): the question "Are you having thoughts of ending your life?" with Yes / No buttons and
      the help line (the named country's), then the answer to the question the message asked, if it asked one;
      when the classifier alone heard an emergency (sign CLASSIFIER_EMERGENCY), when to call the emergency
      number comes first;
    - distress: one warm sentence and 988 offered gently (instead of the acknowledgement), then the answer;
    - a reaction told in the past: the answer, and what to do if it happens again (the poison centre).
    The structured reply carries the same lines (`safety`, `notes`)."""
    text = reply.text
    custom = dict(reply.custom) if reply.custom else None
    if assessment.past_reaction and reply.kind not in ("out_of_scope", "did_you_mean", "help"):
        note = get_resources().poison_note(country)
        text = _before_disclaimer(text, note)
        if custom is not None:
            custom["notes"] = [*custom.get("notes", []), note]
    if assessment.tier == CHECK_IN:
        check_in = f"{CHECK_IN_QUESTION} {get_resources().check_in_help(country)}"
        if assessment.sign == CLASSIFIER_EMERGENCY:
            check_in = f"{get_resources().medical_check(country)} {check_in}"
        if not asks_something(question):
            return Reply(check_in, CHECK_IN, reply.topic, [], CHECK_IN_BUTTONS, None, asked_check_in=True)
        if custom is not None:
            custom["safety"] = check_in
        return replace(reply, text=f"{check_in}\n\nAbout your question: {text}", buttons=CHECK_IN_BUTTONS,
                       custom=custom, asked_check_in=True)
    if assessment.tier == DISTRESS:
        line = f"{DISTRESS_LINE} {DISTRESS_HELP}"
        if custom is not None and custom.get("acknowledgement"):
            text = text.replace(custom["acknowledgement"] + " ", "", 1)
            custom["acknowledgement"] = ""
        text = f"{line}\n\n{text}"
        if custom is not None:
            custom["safety"] = line
    return replace(reply, text=text, custom=custom)


def check_in_declined() -> Reply:
    """After "No" to the check-in: thanks, the line left open, and an invitation to go on."""
    return Reply(f"{CHECK_IN_DECLINED} What would you like to know about the treatments?", "check_in_declined")


def spanish_reply() -> Reply:
    """A Spanish message without a risk sign: one Spanish sentence saying the bot answers in English."""
    return Reply(get_resources().spanish["english_only"], "not_english")


def _before_disclaimer(text: str, note: str) -> str:
    head, separator, tail = text.rpartition(compose.DISCLAIMER)
    return f"{head}{note}\n\n{separator}{tail}" if separator else f"{text}\n\n{note}"
