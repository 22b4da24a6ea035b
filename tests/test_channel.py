"""The REST channel's fallback (addons/channel.py): when the bot produces nothing (the action server is down or an
action failed), a crisis or an emergency still gets the help lines, for the page's country, in Spanish for a
Spanish message; an ambiguous message gets the check-in's help line; anything else a clear apology. And which
country wins when the person named one (the slot) and the page sent another."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import country_of
from actions.constants import SLOT_COUNTRY
from actions.conversation import ActionCrisisHelp
from addons import channel
from addons.channel import UNAVAILABLE_REPLY, ResilientRestInput, fallback_reply
from bot.safety import CHECK_IN_HELP, CHECK_IN_QUESTION, CRISIS_CLOSING, CRISIS_OPENING, EMERGENCY_OPENING, Resources

SPANISH = Resources().spanish
CRISIS = "I want to kill myself"
EMERGENCY = "I took a whole bottle of pills"
AMBIGUOUS = "i dont know how much longer i can do this, does spravato work fast?"
QUESTION = "how much does spravato cost?"
US_CRISIS = ["call or text 988", "988lifeline.org", "call 911", "findahelpline.com"]


def lines_of(reply: str) -> list[str]:
    return reply.splitlines()


def test_a_crisis_gets_the_help_lines_not_the_apology():
    reply = fallback_reply(CRISIS, None)
    assert reply.startswith(CRISIS_OPENING)
    assert all(number in reply for number in US_CRISIS), reply
    assert " in the US" in reply  # no country known: the US numbers, said to be the US ones
    assert reply.endswith(CRISIS_CLOSING)
    assert "part of me isn't responding" not in reply


@pytest.mark.parametrize("country, present, absent", [
    ("AU", ["13 11 14", "0477 13 11 14", "call 000"], ["988", "911"]),
    ("GB", ["116 123", "SHOUT to 85258", "call 999"], ["988", "911"]),
    ("uk", ["116 123", "call 999"], ["988"]),             # as a page might name it
    ("Canada", ["9-8-8", "call 911"], ["988 (the 988", "findahelpline"]),
    ("NZ", ["1737", "call 111"], ["988", "911"]),
])
def test_a_crisis_gets_the_numbers_of_the_country_the_page_sends(country, present, absent):
    reply = fallback_reply(CRISIS, {"country": country})
    assert reply.startswith(CRISIS_OPENING)
    assert all(number in reply for number in present), reply
    assert not any(number in reply for number in absent), reply
    assert " in the US" not in reply and "Outside the US" not in reply


def test_an_emergency_gets_the_emergency_number_and_the_poison_centre():
    reply = fallback_reply(EMERGENCY, None)
    assert reply.startswith(EMERGENCY_OPENING) and CRISIS_OPENING not in reply
    assert "call 911 in the US now" in reply and "1-800-222-1222" in reply and "988" in reply
    assert "findahelpline.com" in reply


def test_an_emergency_gets_the_emergency_number_and_poison_centre_of_the_pages_country():
    reply = fallback_reply(EMERGENCY, {"country": "AU"})
    assert reply.startswith(EMERGENCY_OPENING)
    assert "call 000 now" in reply and "13 11 26" in reply and "13 11 14" in reply
    assert "911" not in reply and "1-800-222-1222" not in reply


@pytest.mark.parametrize("country", ["Narnia", "", "   ", None, "XX"])
def test_an_unknown_country_gets_the_us_numbers_said_to_be_us_and_the_pointer_for_elsewhere(country):
    reply = fallback_reply(CRISIS, {"country": country})
    assert reply.startswith(CRISIS_OPENING)
    assert "call or text 988" in reply and " in the US" in reply
    assert any(line.startswith("- Outside the US:") and "findahelpline.com" in line and "112" in line
               for line in lines_of(reply)), reply


def test_a_spanish_crisis_gets_help_in_spanish():
    reply = fallback_reply("ya no quiero vivir, quiero morirme", None)
    assert lines_of(reply) == [SPANISH["crisis_opening"], f"- {SPANISH['crisis_line']}", f"- {SPANISH['emergency']}",
                               f"- {SPANISH['elsewhere']}", SPANISH["closing"]]
    assert CRISIS_OPENING not in reply and "988" in reply


def test_a_spanish_emergency_gets_the_emergency_reply_in_spanish():
    reply = fallback_reply("mi hijo se tomó un frasco entero de pastillas y no despierta", None)
    assert lines_of(reply)[0] == SPANISH["emergency_opening"]
    assert "1-800-222-1222" in reply and "911" in reply


def test_an_ambiguous_message_gets_the_check_in_question_and_its_help_line_then_the_apology():
    reply = fallback_reply(AMBIGUOUS, {"country": "AU"})
    assert reply == f"{CHECK_IN_QUESTION} {CHECK_IN_HELP}\n\n{UNAVAILABLE_REPLY}"


@pytest.mark.parametrize("text", [QUESTION, "", None, "this pain is killing me, does ketamine help?"])
def test_anything_else_gets_the_apology_only(text):
    assert fallback_reply(text, {"country": "AU"}) == UNAVAILABLE_REPLY


# The channel itself: the fallback goes out only when the bot said nothing, with the message's metadata.


def channel_handler(monkeypatch, bot: Callable[[UserMessage], Any]) -> Callable[[UserMessage], Any]:
    """The channel's message handler, wrapped around `bot` (what Rasa would do with the message)."""
    captured: dict[str, Any] = {}

    class FakeBlueprint:
        def route(self, *args: Any, **kwargs: Any) -> Callable:
            return lambda handler: handler

    def capture(self: RestInput, on_new_message: Callable) -> FakeBlueprint:
        captured["handler"] = on_new_message
        return FakeBlueprint()

    monkeypatch.setattr(RestInput, "blueprint", capture)
    ResilientRestInput().blueprint(bot)
    return captured["handler"]


def deliver(monkeypatch, bot: Callable, text: str, metadata: dict | None = None,
            output: CollectingOutputChannel | None = None) -> list[dict]:
    collector = output or CollectingOutputChannel()
    handler = channel_handler(monkeypatch, bot)
    asyncio.run(handler(UserMessage(text, collector, "someone", input_channel="rest", metadata=metadata)))
    return collector.messages


async def silent_bot(message: UserMessage) -> None:
    """The action server is down: Rasa runs the turn and says nothing."""


async def failing_bot(message: UserMessage) -> None:
    raise RuntimeError("the action server refused the connection")


@pytest.mark.parametrize("bot", [silent_bot, failing_bot], ids=["silent", "raises"])
def test_the_channel_sends_the_fallback_with_the_pages_country_when_the_bot_says_nothing(monkeypatch, bot):
    (message,) = deliver(monkeypatch, bot, CRISIS, {"country": "AU"})
    assert message["recipient_id"] == "someone"
    assert message["text"].startswith(CRISIS_OPENING) and "13 11 14" in message["text"]


def test_the_channel_adds_nothing_when_the_bot_answered(monkeypatch):
    async def answering_bot(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Help from the action server.")

    messages = deliver(monkeypatch, answering_bot, CRISIS)
    assert [message["text"] for message in messages] == ["Help from the action server."]


def test_the_streaming_channel_is_left_alone(monkeypatch):
    queue = QueueOutputChannel()
    deliver(monkeypatch, silent_bot, CRISIS, output=queue)
    assert queue.messages.empty()  # a stream has already sent what it had; nothing is added after it


def test_the_channel_module_has_no_crisis_numbers_of_its_own():
    """The numbers come from data/safety/crisis_resources.yml, never from text in the channel."""
    assert "13 11 14" not in channel.__doc__ and "13 11 14" not in UNAVAILABLE_REPLY


# Which country wins: the one the person named (the slot) over the one the page sent.


def tracker(text: str, intent: str, slots: dict, metadata: dict) -> Tracker:
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": [], "metadata": metadata}
    events = [ActionExecuted("action_listen"), UserUttered(text, parse_data=parse)]
    return Tracker("someone", slots, parse, events, False, None, {}, "action_listen")


@pytest.mark.parametrize("slots, metadata, expected", [
    ({SLOT_COUNTRY: "GB"}, {"country": "AU"}, "GB"),  # named in the conversation: wins over the page
    ({}, {"country": "AU"}, "AU"),                    # only the page knows
    ({SLOT_COUNTRY: "GB"}, {}, "GB"),
    ({}, {}, None),
])
def test_the_country_the_person_named_wins_over_the_pages(slots, metadata, expected):
    assert country_of(tracker(CRISIS, "crisis", slots, metadata)) == expected


def test_crisis_help_from_the_action_uses_the_named_country_not_the_pages():
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCrisisHelp().run(dispatcher, tracker(CRISIS, "crisis", {SLOT_COUNTRY: "GB"},
                                                           {"country": "AU"}), {}))
    text = dispatcher.messages[0]["text"]
    assert "116 123" in text and "13 11 14" not in text
