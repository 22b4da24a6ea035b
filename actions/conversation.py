"""Actions for the conversation around the answers: help, out of scope, did-you-mean, crisis, bad input."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_in_context, country_of, remembered, send, send_safely
from actions.constants import (
    ACTION_BAD_INPUT,
    ACTION_CHECK_IN_DECLINED,
    ACTION_CRISIS_HELP,
    ACTION_DID_YOU_MEAN,
    ACTION_FORGET_ME,
    ACTION_HELP,
    ACTION_KEEP_CONVERSATION,
    ACTION_OUT_OF_SCOPE,
    ACTION_START_OVER,
    FORGET_ME_MARKER,
    INPUT_CHECK,
    INTENT_AFFIRM,
    INTENT_EMERGENCY,
    INTENT_INFORM_COUNTRY,
    MESSAGE_LANGUAGE,
    SLOT_COUNTRY,
    SLOT_SHOWN_FACTS,
    TOPIC_INTENT_PREFIX,
)
from bot import answer as bot_answer
from bot.safety import (
    CRISIS,
    EMERGENCY,
    GIBBERISH,
    INPUT_REPLIES,
    NOT_ENGLISH,
    get_crisis_guard,
    get_resources,
    input_problem,
    is_spanish,
)


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
    classifier called out of scope that the facts answer, that follows up the last answer ("what did that doctor
    think?"), or that names one of our drugs or conditions ("my cousin calls it special k, is that the same
    drug?") is answered instead (bot.answer.on_subject)."""

    def name(self) -> str:
        return ACTION_OUT_OF_SCOPE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reply = answer_in_context(tracker, None)
        if not bot_answer.on_subject(reply, tracker.latest_message.get("text") or ""):
            send_safely(dispatcher, tracker, bot_answer.out_of_scope_reply())
            return []
        reply = send_safely(dispatcher, tracker, reply)
        return remembered(reply, tracker.get_slot(SLOT_SHOWN_FACTS) or [])


class ActionDidYouMean(Action):
    """On low NLU confidence: the answer when the facts answer the message or the last answer makes it clear
    (bot.answer.on_subject), else the two likeliest topics (from the intent ranking) as buttons."""

    def name(self) -> str:
        return ACTION_DID_YOU_MEAN

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reply = answer_in_context(tracker, None)
        if bot_answer.on_subject(reply, tracker.latest_message.get("text") or ""):
            reply = send_safely(dispatcher, tracker, reply)
            return remembered(reply, tracker.get_slot(SLOT_SHOWN_FACTS) or [])
        ranking = tracker.latest_message.get("intent_ranking") or []
        topics = [
            entry["name"][len(TOPIC_INTENT_PREFIX):]
            for entry in ranking
            if entry.get("name", "").startswith(TOPIC_INTENT_PREFIX)
        ]
        send_safely(dispatcher, tracker, bot_answer.did_you_mean_reply(topics[:2]))
        return []


class ActionCrisisHelp(Action):
    """Answers a crisis or emergency (or a person naming their country, or "Yes" to the check-in) with help lines
    for their country, in Spanish for a Spanish message. Reads the country slot, or the `country` the web page
    sends in the message metadata; writes country."""

    def name(self) -> str:
        return ACTION_CRISIS_HELP

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        country = country_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == INTENT_INFORM_COUNTRY:
            dispatcher.utter_message(text=get_resources().country_message(country))
        else:
            text = tracker.latest_message.get("text") or ""
            language = get_crisis_guard().assess(text, tracker.latest_message.get(MESSAGE_LANGUAGE)).language
            kind = EMERGENCY if intent == INTENT_EMERGENCY else CRISIS
            send(dispatcher, bot_answer.crisis_help(kind, country, language))
        code = get_resources().country_code(country)
        return [SlotSet(SLOT_COUNTRY, code)] if code else []


class ActionBadInput(Action):
    """Replies politely to a message that can't be read as a question (empty, symbols only, another language)."""

    def name(self) -> str:
        return ACTION_BAD_INPUT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # The NLU guard replaced an unreadable text with a stand-in; what it found is in the parse output.
        found = tracker.latest_message.get(INPUT_CHECK) or {}
        text = tracker.latest_message.get("text") or ""
        problem = found.get("problem") or input_problem(text) or GIBBERISH
        language = found.get("language") or ("es" if is_spanish(text) else "en")
        if problem == NOT_ENGLISH and language == "es":
            send(dispatcher, bot_answer.spanish_reply())
        else:
            dispatcher.utter_message(text=INPUT_REPLIES[problem])
        return []


class ActionCheckInDeclined(Action):
    """After "No" to the check-in question: thanks, the line left open, and an invitation to go on."""

    def name(self) -> str:
        return ACTION_CHECK_IN_DECLINED

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, bot_answer.check_in_declined())
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
FORGET_ME_QUESTION = "Do you want me to delete this conversation? I won't be able to bring it back."
FORGET_ME_BUTTONS = [{"title": "Yes, delete it", "payload": "/forget_me"}, {"title": "No, keep it", "payload": "/deny"}]
KEPT_REPLY = "OK, I've kept our conversation as it is. What would you like to know?"


def explicitly_confirmed(tracker: Tracker) -> bool:
    """True for a button ("Delete chat" in the widget, or "Yes, delete it"), which sends the payload /forget_me,
    and for "yes" typed right after the question (the rule that runs this action on `affirm` only follows it)."""
    text = (tracker.latest_message.get("text") or "").strip()
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return text.startswith("/") or intent == INTENT_AFFIRM


class ActionForgetMe(Action):
    """Deletes this person's conversation ("forget me"), but only when the request is explicit: a button, or a
    typed request confirmed with "Yes". A typed request gets the question first (a misread must never delete).
    The deletion itself happens in the Rasa process, where the conversations are kept: the tracker store deletes
    every event of a conversation whose latest turn carries the `forget_me` marker this action sends, instead of
    saving it (addons/tracker_store.py); the same marker tells the web widget to clear its copy too."""

    def name(self) -> str:
        return ACTION_FORGET_ME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not explicitly_confirmed(tracker):
            dispatcher.utter_message(text=FORGET_ME_QUESTION, buttons=FORGET_ME_BUTTONS)
            return []
        dispatcher.utter_message(text=FORGET_ME_REPLY)
        dispatcher.utter_message(json_message={FORGET_ME_MARKER: True})
        return [Restarted()]


class ActionKeepConversation(Action):
    """"No" to the deletion question: nothing is deleted, and the bot says so."""

    def name(self) -> str:
        return ACTION_KEEP_CONVERSATION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=KEPT_REPLY)
        return []
