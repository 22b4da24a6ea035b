"""Actions that answer from the fact base: the answer itself, "tell me more" and "where is that from?"."""

from __future__ import annotations

import dataclasses
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.constants import (
    ACTION_ANSWER,
    ACTION_CHECK_IN,
    ACTION_MORE,
    ACTION_SOURCE,
    CLASSIFIER_INTENT,
    INTENT_EMERGENCY,
    INTENT_INFORM,
    INTENT_PERSONAL_ADVICE,
    MESSAGE_LANGUAGE,
    SLOT_CONDITION,
    SLOT_COUNTRY,
    SLOT_DRUG,
    SLOT_LAST_ABOUT,
    SLOT_LAST_FACTS,
    SLOT_LAST_QUESTION,
    SLOT_SHOWN_FACTS,
    SLOT_TOPIC,
    TOPIC_INTENT_PREFIX,
)
from bot import answer as bot_answer
from bot.answer import Reply
from bot.safety import CHECK_IN, CLASSIFIER_EMERGENCY, get_crisis_guard


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Render a bot Reply through the dispatcher: the text, with its quick replies as buttons, and for an answer
    its structure as `{"reply": ...}` in a custom message right after the text (the widget renders it compactly;
    plain channels use the text)."""
    buttons = [{"title": title, "payload": payload} for title, payload in reply.buttons]
    custom = {"reply": reply.custom} if reply.custom else None
    dispatcher.utter_message(text=reply.text, buttons=buttons or None, json_message=custom)


def country_of(tracker: Tracker) -> str | None:
    """The person's country: the one they named (slot), else the one the web page sent in the metadata."""
    return tracker.get_slot(SLOT_COUNTRY) or (tracker.latest_message.get("metadata") or {}).get("country")


def send_safely(dispatcher: CollectingDispatcher, tracker: Tracker, reply: Reply, check_in: bool = False) -> Reply:
    """Send a reply as the message's safety tier wants it: a check-in question first for an ambiguous message
    (or whenever `check_in`: the NLU may have asked for it on the classifier's word; when the classifier heard an
    emergency, when to call the emergency number comes first), a warm line and 988 for distress, the poison centre
    after a past reaction (bot.answer.with_safety)."""
    text = tracker.latest_message.get("text") or ""
    assessment = get_crisis_guard().assess(text, tracker.latest_message.get(MESSAGE_LANGUAGE))
    if check_in and assessment.tier != CHECK_IN:
        heard = tracker.latest_message.get(CLASSIFIER_INTENT)
        assessment = dataclasses.replace(assessment, tier=CHECK_IN,
                                         sign=CLASSIFIER_EMERGENCY if heard == INTENT_EMERGENCY else assessment.sign)
    reply = bot_answer.with_safety(reply, assessment, text, country_of(tracker))
    send(dispatcher, reply)
    return reply


def entity_values(tracker: Tracker, entity: str) -> tuple[str, ...]:
    """The canonical values of an entity in the latest message, in order, without repeats."""
    values = [item.get("value") for item in tracker.latest_message.get("entities", []) if item.get("entity") == entity]
    return tuple(dict.fromkeys(value for value in values if value))


def topic_of(tracker: Tracker) -> str | None:
    """The topic of the likeliest topic intent in the ranking (for ask_personal_advice, the classifier's next
    guess says what the question is about), or the last topic when there is none."""
    for entry in tracker.latest_message.get("intent_ranking") or [tracker.latest_message.get("intent") or {}]:
        name = entry.get("name") or ""
        if name.startswith(TOPIC_INTENT_PREFIX) and name != INTENT_PERSONAL_ADVICE:
            return name[len(TOPIC_INTENT_PREFIX):]
    return tracker.get_slot(SLOT_TOPIC)


def slot_tuple(tracker: Tracker, slot: str) -> tuple[str, ...]:
    value = tracker.get_slot(slot)
    return (value,) if value else ()


def remembered(reply: Reply, shown_before: list[str]) -> list[EventType]:
    """The slots that let follow-ups work: the topic, every fact shown in the conversation, the last answer's
    facts, and the drug and condition the last answer was about (when the message named none, the old ones stay).
    A reply that showed no fact keeps what its question was about (last_about), which the next follow-up leans on;
    "tell me more" and "where is that from?" stay with the last facts shown."""
    if not reply.fact_ids:
        return [SlotSet(SLOT_LAST_ABOUT, reply.about or None)]
    return [
        SlotSet(SLOT_TOPIC, reply.topic),
        SlotSet(SLOT_SHOWN_FACTS, list(dict.fromkeys([*shown_before, *reply.fact_ids]))),
        SlotSet(SLOT_LAST_FACTS, reply.fact_ids),
        SlotSet(SLOT_LAST_ABOUT, None),
    ]


def answer_in_context(tracker: Tracker, topic: str | None) -> Reply:
    """The answer to the latest message, read in the context of the conversation: the drug and condition of
    earlier turns, the last answer (for follow-ups) and the facts already shown."""
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    return bot_answer.answer_message(
        tracker.latest_message.get("text") or "",
        topic,
        carried_drugs=slot_tuple(tracker, SLOT_DRUG),
        carried_conditions=slot_tuple(tracker, SLOT_CONDITION),
        last_facts=tuple(tracker.get_slot(SLOT_LAST_ABOUT) or tracker.get_slot(SLOT_LAST_FACTS) or ()),
        shown=tuple(tracker.get_slot(SLOT_SHOWN_FACTS) or ()),
        intent=intent,
        last_question=tracker.get_slot(SLOT_LAST_QUESTION) or "",
    )


class ActionAnswer(Action):
    """Answers a question (intent ask_<topic>, the topic only a prior for fact retrieval), a follow-up naming only
    a drug or condition (inform), a personal-advice request, or an ambiguous message (intent check_in: the
    check-in question, then the answer if it asked something). Adds the safety tier's lines (send_safely). Reads
    the drug, condition, topic, last_facts, last_question, shown_facts and country slots; writes topic, shown_facts,
    last_facts and last_question (the question it answered, which "and for fibro?" asks again)."""

    always_checks_in = False

    def name(self) -> str:
        return ACTION_ANSWER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        topic = topic_of(tracker) if intent != INTENT_INFORM else tracker.get_slot(SLOT_TOPIC)
        reply = send_safely(dispatcher, tracker, answer_in_context(tracker, topic), check_in=self.always_checks_in)
        asked = [SlotSet(SLOT_LAST_QUESTION, reply.question)] if reply.question else []
        return remembered(reply, tracker.get_slot(SLOT_SHOWN_FACTS) or []) + asked


class ActionCheckIn(ActionAnswer):
    """An ambiguous message (intent check_in): the same answer, which send_safely opens with "Are you having
    thoughts of ending your life?" and Yes / No buttons. Its own name lets the rules send "yes" after it to the
    crisis help and "no" to the thanks, and nowhere else."""

    always_checks_in = True

    def name(self) -> str:
        return ACTION_CHECK_IN


class ActionMore(Action):
    """Gives the next best facts for the last question ("tell me more"), none already shown. Reads last_facts and
    shown_facts; writes topic, shown_facts and last_facts."""

    def name(self) -> str:
        return ACTION_MORE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        shown = list(tracker.get_slot(SLOT_SHOWN_FACTS) or [])
        reply = bot_answer.more(tuple(tracker.get_slot(SLOT_LAST_FACTS) or ()), tuple(shown))
        send(dispatcher, reply)
        return remembered(reply, shown)


class ActionSource(Action):
    """Gives the full citation of the last answer ("where is that from?"). Reads last_facts."""

    def name(self) -> str:
        return ACTION_SOURCE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, bot_answer.source_of(tuple(tracker.get_slot(SLOT_LAST_FACTS) or [])))
        return []
