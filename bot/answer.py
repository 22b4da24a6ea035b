"""What the bot says: one function per kind of turn, each returning a Reply that a channel can render.

The order of checks in `answer()` is the safety order: personal advice is refused before anything is said,
subjects the article does not cover are named as such, and only then are facts chosen for the topic.
(Crisis and emergency are caught earlier still, in the NLU guard, and answered by `crisis_help()`.)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import yaml

from bot import compose
from bot.facts import FACTS_DIR, Fact, FactBase, load_fact_base
from bot.retrieval import Retriever, get_retriever
from bot.safety import (
    CHECK_IN,
    CHECK_IN_DECLINED,
    CHECK_IN_HELP,
    CHECK_IN_QUESTION,
    DISTRESS,
    DISTRESS_HELP,
    DISTRESS_LINE,
    SUICIDE_MENTION_NOTE,
    Assessment,
    get_advice_guard,
    get_coverage_guard,
    get_resources,
    mentions_suicide,
    normalise,
)
from bot.vocabulary import get_tagger

MORE_BUTTON = ("Tell me more", "/more")
SOURCE_BUTTON = ("Where is that from?", "/ask_source")

# The topic a drug or condition leads to when it is named without one ("and DXM?").
HOME_TOPIC = {
    "ketamine": "ketamine_basics",
    "esketamine": "spravato",
    "dextromethorphan": "dextromethorphan",
    "memantine": "memantine",
    "depression": "depression",
    "bipolar_depression": "mecfs",
    "chronic_pain": "pain",
    "headache": "pain",
    "fibromyalgia": "fibromyalgia",
    "mecfs": "mecfs",
    "ptsd": "ketamine_basics",
    "parkinsons": "future_research",
    "orthostatic_intolerance": "mecfs",
}


# Topics about one drug or condition (as opposed to a kind of question: cost, side effects, dosing...).
SUBJECT_TOPICS = frozenset(HOME_TOPIC.values())


@dataclass
class Reply:
    """One bot turn: the text, quick-reply buttons, and what it showed (for "more" and "where is that from?")."""

    text: str
    kind: str  # facts | not_covered | advice | more_none | source | help | out_of_scope | did_you_mean
    topic: str | None = None
    fact_ids: list[str] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    parts: list[tuple[str, list[Fact]]] = field(default_factory=list)  # (lead, facts), to merge answers
    closing_note: str = ""
    asked_check_in: bool = False  # the reply asks "Are you having thoughts of ending your life?"


def _names(drugs: tuple[str, ...], conditions: tuple[str, ...]) -> str:
    readable = {"esketamine": "Spravato (esketamine)", "mecfs": "ME/CFS", "chronic_pain": "chronic pain",
                "bipolar_depression": "bipolar depression", "ptsd": "PTSD", "parkinsons": "Parkinson's disease",
                "orthostatic_intolerance": "orthostatic intolerance", "dextromethorphan": "dextromethorphan (DXM)"}
    words = [readable.get(name, name) for name in (*drugs, *conditions)]
    return " and ".join(words)


def _facts_reply(
    base: FactBase, topic: str, facts: list[Fact], lead: str = "", extra_note: str = ""
) -> Reply:
    text = compose.facts_answer(facts, base.source, lead=lead, closing_note=extra_note)
    return Reply(text, "facts", topic, [fact.id for fact in facts], [MORE_BUTTON, SOURCE_BUTTON],
                 [(lead, list(facts))], extra_note)


def _topic_has(base: FactBase, topic: str, name: str) -> bool:
    return any(name in fact.drugs or name in fact.conditions for fact in base.in_topic(topic))


def answer(
    question: str,
    topic: str | None,
    drugs: tuple[str, ...] = (),
    conditions: tuple[str, ...] = (),
    carried_drugs: tuple[str, ...] = (),
    carried_conditions: tuple[str, ...] = (),
    follow_up: bool = False,
    retriever: Retriever | None = None,
) -> Reply:
    """Answer a question routed to `topic` from the fact base.

    `drugs` and `conditions` are named in this message; `carried_*` come from earlier turns and are used only
    where the topic has facts about them. A `follow_up` ("and for fibromyalgia?") keeps the last topic when it
    covers the newly named drug or condition, and otherwise moves to that drug's or condition's own topic.
    """
    retriever = retriever or get_retriever()
    base = retriever.base
    suicide_note = SUICIDE_MENTION_NOTE if mentions_suicide(question) else ""
    named = (*drugs, *conditions)

    if follow_up and named and topic in base.topics and not any(_topic_has(base, topic, n) for n in named):
        topic = HOME_TOPIC.get(named[0], topic)
    if (topic is None or topic not in base.topics) and named:
        topic = HOME_TOPIC.get(named[0])
    if topic is not None and topic in base.topics:
        # A drug from earlier turns carries over where the topic speaks of it, or of its parent drug (then the
        # answer says the article is silent on the drug itself: "what are the side effects?" after Spravato).
        drugs = drugs or tuple(
            d for d in carried_drugs
            if _topic_has(base, topic, d) or _topic_has(base, topic, base.related_drugs.get(d, d))
        )
        conditions = conditions or tuple(c for c in carried_conditions if _topic_has(base, topic, c))

    advice = get_advice_guard().check(question)
    if advice is not None:
        advice_topic = (advice.topic or topic) if advice.covered else None
        return advice_reply(question, advice.what, advice_topic, drugs, conditions, retriever)

    uncovered = get_coverage_guard().check(question)
    if uncovered is not None:
        return not_covered_reply(question, uncovered.what, uncovered.nearest, drugs, conditions, retriever)

    if topic is None or topic not in base.topics:
        return out_of_scope_reply(base)

    selection = retriever.select(topic, question, drugs, conditions)
    if topic in SUBJECT_TOPICS and not follow_up:
        # "Does memantine help fibromyalgia?" routed to fibromyalgia, which is silent on memantine: memantine's
        # own topic speaks about fibromyalgia, so answer from there instead of saying "doesn't cover".
        for name in (*selection.unmatched_drugs, *selection.unmatched_conditions):
            home = HOME_TOPIC.get(name)
            if home and home != topic and all(_topic_has(base, home, other) for other in named):
                topic, selection = home, retriever.select(home, question, drugs, conditions)
                break
    facts = compose.take_for_answer(selection.facts)
    lead = ""
    if selection.unmatched_drugs or selection.unmatched_conditions:
        lead = (
            f"The article I draw on doesn't cover {base.topics[topic].title} for "
            f"{_names(selection.unmatched_drugs, selection.unmatched_conditions)} specifically. "
            "Here is what it says on that topic in general:"
        )
    return _facts_reply(base, topic, facts, lead=lead, extra_note=suicide_note)


QUESTION_WORDS = (
    r"(?:how|what|whats|what's|which|is|are|does|do|did|can|could|will|would|who|whom|why|where|when|should|any|"
    r"tell me|and what|and how)\b"
)
SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+")
# Inside a sentence, a comma or "and"/"also"/"plus"/"but" before a question word starts another question.
JOINED_QUESTION = re.compile(r"(?:,|\s+(?:and|also|plus|but))\s+(?=" + QUESTION_WORDS + ")", re.IGNORECASE)
MAX_QUESTIONS = 3
FACTS_PER_QUESTION = 2  # keeps a several-question answer about as long as a single one


@functools.lru_cache(maxsize=1)
def _cues() -> list[tuple[str, re.Pattern[str]]]:
    with (FACTS_DIR / "cues.yml").open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    return [
        (entry["topic"], re.compile(r"(?<!\w)(" + "|".join(re.escape(cue) for cue in entry["cues"]) + r")(?!\w)"))
        for entry in spec
    ]


def cue_topic(text: str) -> str | None:
    """The topic one question is about by its cue words, in the priority order of data/facts/cues.yml."""
    normal = normalise(text)
    return next((topic for topic, pattern in _cues() if pattern.search(normal)), None)


def split_questions(text: str) -> list[str]:
    """The questions a message asks: sentences that end in "?" or open with a question word, split again where
    "and how...", "also what..." join two. Statements ("I've had ME/CFS for 8 years.") are context, not questions."""
    questions = []
    for sentence in SENTENCE_BREAK.split(text.strip()):
        if not (sentence.rstrip().endswith("?") or re.match(QUESTION_WORDS, sentence.strip(), re.IGNORECASE)):
            continue
        for part in JOINED_QUESTION.split(sentence):
            part = part.strip(" ,.!?;")
            if len(part.split()) >= 2:
                questions.append(part)
    return questions


def answer_message(
    question: str,
    topic: str | None,
    drugs: tuple[str, ...] = (),
    conditions: tuple[str, ...] = (),
    carried_drugs: tuple[str, ...] = (),
    carried_conditions: tuple[str, ...] = (),
    follow_up: bool = False,
    retriever: Retriever | None = None,
) -> Reply:
    """Answer a whole message. Several questions in one message ("what is Spravato and how much does it cost?")
    get one part each: the facts for each topic asked about, or a plain "doesn't cover" for a part the article
    is silent on. Each part's topic comes from its cue words (data/facts/cues.yml), else from NLU."""
    retriever = retriever or get_retriever()
    context = dict(carried_drugs=carried_drugs, carried_conditions=carried_conditions, retriever=retriever)
    whole = answer(question, topic, drugs, conditions, follow_up=follow_up, **context)
    questions = split_questions(question)
    if follow_up or len(questions) < 2 or whole.kind == "advice":
        return whole
    parts: list[tuple[str, list[Fact]]] = []
    answered_topics: set[str | None] = set()
    notes: list[str] = []
    for part in questions[:MAX_QUESTIONS]:
        uncovered = get_coverage_guard().check(part)
        if uncovered is not None:
            parts.append((f"{compose.NOT_COVERED_OPENING}: it says nothing about {uncovered.what}.", []))
            continue
        # A question that names its own drug or condition is about those, not the rest of the message's.
        tagged = get_tagger().tag(part)
        part_drugs = tuple(dict.fromkeys(e.value for e in tagged if e.label == "drug")) or drugs
        part_conditions = tuple(dict.fromkeys(e.value for e in tagged if e.label == "condition")) or conditions
        reply = answer(part, cue_topic(part) or topic, part_drugs, part_conditions, **context)
        if reply.kind != "facts" or reply.topic in answered_topics:
            continue
        answered_topics.add(reply.topic)
        parts.extend((lead, part_facts[:FACTS_PER_QUESTION]) for lead, part_facts in reply.parts)
        notes += [reply.closing_note] if reply.closing_note and reply.closing_note not in notes else []
    if len(parts) < 2:
        return whole
    facts = [fact for _, part_facts in parts for fact in part_facts]
    text = compose.parts_answer(parts, retriever.base.source, "\n\n".join(notes))
    first_topic = next((fact.topic for fact in facts), topic)
    buttons = [MORE_BUTTON, SOURCE_BUTTON] if facts else []
    return Reply(text, "facts" if facts else "not_covered", first_topic, [fact.id for fact in facts], buttons,
                 parts, "\n\n".join(notes))


def advice_reply(
    question: str,
    what: str,
    topic: str | None,
    drugs: tuple[str, ...] = (),
    conditions: tuple[str, ...] = (),
    retriever: Retriever | None = None,
) -> Reply:
    """Refuse personal medical advice; give the article's general facts on the topic, if it has any."""
    retriever = retriever or get_retriever()
    base = retriever.base
    refusal = (
        f"I can't give personal medical advice about {what}. Your doctor or pharmacist is the right person to ask: "
        "they know your health and your other medicines."
    )
    if topic is None:
        lead = f"{refusal}\n\n{compose.NOT_COVERED_OPENING}: it has nothing on {what}."
        return Reply(compose.plain_answer(lead), "advice", None, [], [], [(lead, [])])
    facts = compose.take_for_answer(retriever.select(topic, question, drugs, conditions).facts)
    reply = _facts_reply(base, topic, facts, lead=f"{refusal}\n\nHere is what the article says in general:")
    reply.kind = "advice"
    return reply


def not_covered_reply(
    question: str,
    what: str,
    nearest: str,
    drugs: tuple[str, ...] = (),
    conditions: tuple[str, ...] = (),
    retriever: Retriever | None = None,
) -> Reply:
    """Say the article doesn't cover a subject, then give the nearest thing it does cover."""
    retriever = retriever or get_retriever()
    base = retriever.base
    facts = compose.take_for_answer(retriever.select(nearest, question, drugs, conditions).facts)
    lead = (
        f"{compose.NOT_COVERED_OPENING}: it says nothing about {what}. "
        f"The nearest thing it does cover is {base.topics[nearest].title}:"
    )
    note = SUICIDE_MENTION_NOTE if mentions_suicide(question) or "overdose" in what else ""
    reply = _facts_reply(base, nearest, facts, lead=lead, extra_note=note)
    reply.kind = "not_covered"
    return reply


def more(
    topic: str | None,
    shown: tuple[str, ...],
    drugs: tuple[str, ...] = (),
    conditions: tuple[str, ...] = (),
    retriever: Retriever | None = None,
) -> Reply:
    """The next facts of the same topic that have not been shown yet."""
    retriever = retriever or get_retriever()
    base = retriever.base
    if topic is None:
        return Reply(compose.plain_answer(
            "Tell me more about what? Ask me a question first, for example \"What is Spravato?\""), "more_none")
    facts = compose.take_for_answer(retriever.select(topic, "", drugs, conditions, exclude=shown).facts)
    if not facts:
        text = compose.plain_answer(
            f"That's everything the article says about {base.topics[topic].title}. "
            "You can ask about another topic, or type \"help\" to see what I cover."
        )
        return Reply(text, "more_none", topic, [], [("What can you do?", "/help")])
    return _facts_reply(base, topic, facts)


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
    """True when a message asks a question (a "?" or a sentence opening with a question word)."""
    return "?" in text or bool(split_questions(text))


def with_safety(reply: Reply, assessment: Assessment, question: str, country: str | None = None) -> Reply:
    """The reply as the safety tier wants it (crisis and emergency never get here: they get `crisis_help`).

    - check-in (ambiguous): the question "Are you having thoughts of ending your life?" with Yes / No buttons and
      the help line, then the answer to the question the message asked, if it asked one;
    - distress: one warm sentence and 988 offered gently, then the answer;
    - a reaction told in the past: the answer, and what to do if it happens again (the poison centre).
    """
    text = reply.text
    if assessment.past_reaction and reply.kind not in ("out_of_scope", "did_you_mean", "help"):
        text = _before_disclaimer(text, get_resources().poison_note(country))
    if assessment.tier == CHECK_IN:
        check_in = f"{CHECK_IN_QUESTION} {CHECK_IN_HELP}"
        body = f"{check_in}\n\nAbout your question: {text}" if asks_something(question) else check_in
        return Reply(body, reply.kind if asks_something(question) else CHECK_IN, reply.topic,
                     reply.fact_ids if asks_something(question) else [], CHECK_IN_BUTTONS, reply.parts,
                     reply.closing_note, asked_check_in=True)
    if assessment.tier == DISTRESS:
        text = f"{DISTRESS_LINE} {DISTRESS_HELP}\n\n{text}"
    return Reply(text, reply.kind, reply.topic, reply.fact_ids, reply.buttons, reply.parts, reply.closing_note)


def check_in_declined() -> Reply:
    """After "No" to the check-in: thanks, the line left open, and an invitation to go on."""
    return Reply(f"{CHECK_IN_DECLINED} What would you like to know about the treatments?", "check_in_declined")


def spanish_reply() -> Reply:
    """A Spanish message without a risk sign: one Spanish sentence saying the bot answers in English."""
    return Reply(get_resources().spanish["english_only"], "not_english")


def _before_disclaimer(text: str, note: str) -> str:
    head, separator, tail = text.rpartition(compose.DISCLAIMER)
    return f"{head}{note}\n\n{separator}{tail}" if separator else f"{text}\n\n{note}"
