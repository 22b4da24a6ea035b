"""Actions for the conversation around the answers: help, out of scope, did-you-mean, crisis, bad input."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import entity_values, remembered, send
from actions.constants import (
    ACTION_BAD_INPUT,
    ACTION_CRISIS_HELP,
    ACTION_DID_YOU_MEAN,
    ACTION_FORGET_ME,
    ACTION_HELP,
    ACTION_OUT_OF_SCOPE,
    ACTION_START_OVER,
    INTENT_EMERGENCY,
    INTENT_INFORM_COUNTRY,
    SLOT_COUNTRY,
    TOPIC_INTENT_PREFIX,
)
from bot import answer as bot_answer
from bot.safety import CRISIS, EMERGENCY, GIBBERISH, INPUT_REPLIES, get_resources, input_problem


class ActionHelp(Action):
    """Says what the bot can do, listing the fact base's topics. Reads and writes no slots."""

    def name(self) -> str:
        return ACTION_HELP

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, bot_answer.help_reply())
        return []


class ActionOutOfScope(Action):
    """Says what the bot covers, with example questions, when a message is about something else. A message the
    classifier called out of scope that still names one of our drugs or conditions ("my cousin calls it special
    k, is that the same drug?") is answered from that drug's or condition's topic instead."""

    def name(self) -> str:
        return ACTION_OUT_OF_SCOPE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        drugs, conditions = entity_values(tracker, "drug"), entity_values(tracker, "condition")
        if not (drugs or conditions):
            send(dispatcher, bot_answer.out_of_scope_reply())
            return []
        reply = bot_answer.answer_message(tracker.latest_message.get("text") or "", None, drugs, conditions)
        send(dispatcher, reply)
        return remembered(reply, [])


class ActionDidYouMean(Action):
    """On low NLU confidence, offers the two likeliest topics (from the intent ranking) as buttons."""

    def name(self) -> str:
        return ACTION_DID_YOU_MEAN

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        topics = [
            entry["name"][len(TOPIC_INTENT_PREFIX):]
            for entry in ranking
            if entry.get("name", "").startswith(TOPIC_INTENT_PREFIX)
        ]
        send(dispatcher, bot_answer.did_you_mean_reply(topics[:2]))
        return []


class ActionCrisisHelp(Action):
    """Answers a crisis or emergency (or a person naming their country) with help lines for their country.
    Reads the country slot, or the `country` the web page sends in the message metadata; writes country."""

    def name(self) -> str:
        return ACTION_CRISIS_HELP

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        metadata = tracker.latest_message.get("metadata") or {}
        country = tracker.get_slot(SLOT_COUNTRY) or metadata.get("country")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == INTENT_INFORM_COUNTRY:
            dispatcher.utter_message(text=get_resources().country_message(country))
        else:
            send(dispatcher, bot_answer.crisis_help(EMERGENCY if intent == INTENT_EMERGENCY else CRISIS, country))
        code = get_resources().country_code(country)
        return [SlotSet(SLOT_COUNTRY, code)] if code else []


class ActionBadInput(Action):
    """Replies politely to a message that can't be read as a question (empty, symbols only, another language)."""

    def name(self) -> str:
        return ACTION_BAD_INPUT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        problem = input_problem(tracker.latest_message.get("text") or "") or GIBBERISH
        dispatcher.utter_message(text=INPUT_REPLIES[problem])
        return []


START_OVER_REPLY = (
    "OK, let's start over: I've cleared this conversation. What would you like to know about ketamine, "
    "Spravato (esketamine), dextromethorphan or memantine?"
)


class ActionStartOver(Action):
    """Clears the conversation (every slot and the history) and says so ("start over")."""

    def name(self) -> str:
        return ACTION_START_OVER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=START_OVER_REPLY)
        return [Restarted()]


FORGET_ME_REPLY = (
    "Done: I've deleted this conversation from my records, and I won't remember anything you told me. "
    "You can start again whenever you like."
)


class ActionForgetMe(Action):
    """Deletes this person's conversation ("forget me"). The deletion itself happens in the Rasa process, where
    the conversations are kept: the tracker store deletes every event of a conversation whose latest turn ran
    this action, instead of saving it (addons/tracker_store.py). The custom payload tells the web widget to
    clear its copy on the patient's device too."""

    def name(self) -> str:
        return ACTION_FORGET_ME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=FORGET_ME_REPLY)
        dispatcher.utter_message(json_message={"forget_me": True})
        return [Restarted()]
