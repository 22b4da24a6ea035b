"""What the bot says: one function per kind of turn, each returning a Reply that a channel can render.

The order of checks in `answer()` is the safety order: personal advice is refused before anything is said,
subjects the article does not cover are named as such, and only then are facts chosen for the topic.
(Crisis and emergency are caught earlier still, in the NLU guard, and answered by `crisis_help()`.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot import compose
from bot.facts import Fact, FactBase, load_fact_base
from bot.retrieval import Retriever, get_retriever
from bot.safety import (
    SUICIDE_MENTION_NOTE,
    get_advice_guard,
    get_coverage_guard,
    get_resources,
    mentions_suicide,
)

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


@dataclass
class Reply:
    """One bot turn: the text, quick-reply buttons, and what it showed (for "more" and "where is that from?")."""

    text: str
    kind: str  # facts | not_covered | advice | more_none | source | help | out_of_scope | did_you_mean
    topic: str | None = None
    fact_ids: list[str] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)


def _names(drugs: tuple[str, ...], conditions: tuple[str, ...]) -> str:
    readable = {"esketamine": "Spravato (esketamine)", "mecfs": "ME/CFS", "chronic_pain": "chronic pain",
                "bipolar_depression": "bipolar depression", "ptsd": "PTSD", "parkinsons": "Parkinson's disease",
                "orthostatic_intolerance": "orthostatic intolerance", "dextromethorphan": "dextromethorphan (DXM)"}
    words = [readable.get(name, name) for name in (*drugs, *conditions)]
    return " and ".join(words)


def _facts_reply(
    base: FactBase, topic: str, facts: list[Fact], lead: str = "", extra_note: str = ""
) -> Reply:
    text = compose.facts_answer(facts, base.source, lead=lead)
    if extra_note:
        text = text.replace(compose.DISCLAIMER, f"{extra_note}\n\n{compose.DISCLAIMER}")
    return Reply(text, "facts", topic, [fact.id for fact in facts], [MORE_BUTTON, SOURCE_BUTTON])


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
        drugs = drugs or tuple(d for d in carried_drugs if _topic_has(base, topic, d))
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
    facts = compose.take_for_answer(selection.facts)
    lead = ""
    if selection.unmatched_drugs or selection.unmatched_conditions:
        lead = (
            f"The article I draw on doesn't cover {base.topics[topic].title} for "
            f"{_names(selection.unmatched_drugs, selection.unmatched_conditions)} specifically. "
            "Here is what it says on that topic in general:"
        )
    return _facts_reply(base, topic, facts, lead=lead, extra_note=suicide_note)


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
        text = compose.plain_answer(f"{refusal}\n\n{compose.NOT_COVERED_OPENING}: it has nothing on {what}.")
        return Reply(text, "advice", None, [], [])
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


def crisis_help(kind: str, country: str | None) -> Reply:
    """The crisis or emergency reply, with the numbers for the person's country when known."""
    return Reply(get_resources().help_message(kind, country), kind)
