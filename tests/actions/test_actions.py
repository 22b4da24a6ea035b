"""The actions, run with a real rasa-sdk Tracker built from events and a CollectingDispatcher."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, UserUttered
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions import answers, conversation
from actions.constants import SLOT_COUNTRY, SLOT_LAST_FACTS, SLOT_SHOWN_FACTS, SLOT_TOPIC
from bot.compose import DISCLAIMER

ROOT = Path(__file__).resolve().parents[2]


def tracker(text: str, intent: str, entities: list[dict] | None = None, slots: dict | None = None,
            metadata: dict | None = None) -> Tracker:
    """A tracker whose latest event is the user saying `text`, classified as `intent`."""
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
             "intent_ranking": [{"name": intent, "confidence": 0.9}], "metadata": metadata or {}}
    events = [ActionExecuted("action_listen"), UserUttered(text, parse_data=parse)]
    return Tracker("test-user", slots or {}, parse, events, False, None, {}, "action_listen")


def run(action, tracker_: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return dispatcher.messages, events


def entity(kind: str, value: str) -> dict:
    return {"entity": kind, "value": value}


def slots_of(events: list[dict]) -> dict:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def test_the_action_server_registers_exactly_the_domains_custom_actions():
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(executor.actions) == set(domain["actions"])


def test_answer_gives_cost_facts_with_source_and_disclaimer_and_remembers_them():
    messages, events = run(
        answers.ActionAnswer(), tracker("how much does spravato cost?", "ask_cost", [entity("drug", "esketamine")])
    )
    (message,) = messages
    assert "several thousand dollars" in message["text"] and "insurance" in message["text"]
    assert re.search(r"^Source: Health Rising", message["text"], re.M)
    assert message["text"].endswith(DISCLAIMER)
    assert [button["payload"] for button in message["buttons"]] == ["/more", "/ask_source"]
    slots = slots_of(events)
    assert slots[SLOT_TOPIC] == "cost" and slots[SLOT_LAST_FACTS] == slots[SLOT_SHOWN_FACTS]


def test_inform_follow_up_uses_the_last_topic_or_moves_to_the_named_drug():
    messages, events = run(
        answers.ActionAnswer(),
        tracker("and DXM?", "inform", [entity("drug", "dextromethorphan")], slots={SLOT_TOPIC: "cost"}),
    )
    assert "dextromethorphan" in messages[0]["text"].lower()
    assert slots_of(events)[SLOT_TOPIC] == "dextromethorphan"


def test_more_continues_the_topic_without_repeating():
    _, first = run(answers.ActionAnswer(), tracker("does ketamine help fibro?", "ask_fibromyalgia"))
    shown = slots_of(first)[SLOT_SHOWN_FACTS]
    messages, events = run(
        answers.ActionMore(), tracker("more", "more", slots={SLOT_TOPIC: "fibromyalgia", SLOT_SHOWN_FACTS: shown})
    )
    new = slots_of(events)[SLOT_LAST_FACTS]
    assert new and not set(new) & set(shown)
    assert messages[0]["text"].endswith(DISCLAIMER)


def test_source_gives_the_full_citation_of_the_last_answer():
    messages, _ = run(
        answers.ActionSource(), tracker("where is that from?", "ask_source", slots={SLOT_LAST_FACTS: ["fm-podell"]})
    )
    assert "Dr. Podell" in messages[0]["text"] and "healthrising.org" in messages[0]["text"]


def test_personal_advice_is_refused_with_the_disclaimer():
    messages, events = run(answers.ActionAnswer(), tracker("can I take dxm with my zoloft?", "ask_personal_advice"))
    assert "can't give personal medical advice" in messages[0]["text"]
    assert messages[0]["text"].endswith(DISCLAIMER)
    assert events == []


@pytest.mark.parametrize(
    "metadata, slots, expected",
    [({}, {}, "988"), ({"country": "AU"}, {}, "13 11 14"), ({}, {SLOT_COUNTRY: "GB"}, "116 123")],
)
def test_crisis_help_uses_the_country_from_slot_or_page(metadata, slots, expected):
    messages, events = run(
        conversation.ActionCrisisHelp(), tracker("i want to die", "crisis", slots=slots, metadata=metadata)
    )
    assert expected in messages[0]["text"]


def test_naming_a_country_sets_it_and_gives_its_numbers():
    messages, events = run(
        conversation.ActionCrisisHelp(),
        tracker("i'm in canada", "inform_country", [entity("country", "CA")], slots={SLOT_COUNTRY: "Canada"}),
    )
    assert "9-8-8" in messages[0]["text"] and "Canada" in messages[0]["text"]
    assert slots_of(events) == {SLOT_COUNTRY: "CA"}


def test_did_you_mean_offers_the_two_likeliest_topics():
    parse_tracker = tracker("ketamine money stuff", "nlu_fallback")
    parse_tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_cost", "confidence": 0.3},
        {"name": "greet", "confidence": 0.1}, {"name": "ask_spravato", "confidence": 0.1},
    ]
    messages, _ = run(conversation.ActionDidYouMean(), parse_tracker)
    assert [button["payload"] for button in messages[0]["buttons"]] == ["/ask_cost", "/ask_spravato"]


def test_help_and_out_of_scope_end_with_the_disclaimer():
    for action in (conversation.ActionHelp(), conversation.ActionOutOfScope()):
        messages, _ = run(action, tracker("?", "help"))
        assert messages[0]["text"].endswith(DISCLAIMER)


@pytest.mark.parametrize("text, words", [("", "didn't get a message"), ("🙂🙂", "emoji"),
                                          ("¿La ketamina ayuda con la depresión?", "English")])
def test_bad_input_gets_a_clear_reply(text, words):
    messages, _ = run(conversation.ActionBadInput(), tracker(text, "bad_input"))
    assert words in messages[0]["text"]


def test_start_over_clears_the_conversation_and_says_so():
    messages, events = run(conversation.ActionStartOver(), tracker("start over", "restart", slots={SLOT_TOPIC: "cost"}))
    assert "start over" in messages[0]["text"]
    assert events == [{"event": "restart", "timestamp": None}]


def test_forget_me_says_so_tells_the_widget_and_clears_the_context():
    messages, events = run(conversation.ActionForgetMe(), tracker("forget me", "forget_me", slots={SLOT_TOPIC: "cost"}))
    assert "deleted this conversation" in messages[0]["text"]
    assert messages[1]["custom"] == {"forget_me": True}
    assert events == [{"event": "restart", "timestamp": None}]


def test_out_of_scope_that_names_our_drug_is_answered_from_its_topic():
    messages, events = run(
        conversation.ActionOutOfScope(),
        tracker("my cousin calls it special k, is that the same drug?", "out_of_scope", [entity("drug", "ketamine")]),
    )
    assert "Special K" in messages[0]["text"] and messages[0]["text"].endswith(DISCLAIMER)
    assert slots_of(events)[SLOT_TOPIC] == "ketamine_basics"
