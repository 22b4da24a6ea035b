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
from actions.constants import (
    CLASSIFIER_INTENT,
    SLOT_COUNTRY,
    SLOT_LAST_ABOUT,
    SLOT_LAST_FACTS,
    SLOT_LAST_QUESTION,
    SLOT_SHOWN_FACTS,
    SLOT_TOPIC,
)
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
    assert message["text"].startswith("In 2019 reports said the first month of Spravato treatment would cost")
    assert re.search(r"^Source: Health Rising", message["text"], re.M)
    assert message["text"].endswith(DISCLAIMER)
    assert [button["payload"] for button in message["buttons"]] == ["/more", "/ask_source"]
    slots = slots_of(events)
    assert slots[SLOT_TOPIC] == "cost" and slots[SLOT_LAST_FACTS] == slots[SLOT_SHOWN_FACTS]
    reply = message["custom"]["reply"]  # the structure for the widget, in the same message
    assert reply["kind"] == "answer" and reply["intent"] == "ask_cost"
    assert [fact["id"] for fact in reply["facts"]] == slots[SLOT_LAST_FACTS]


def test_a_follow_up_naming_only_another_drug_asks_the_last_question_again():
    first, events = run(answers.ActionAnswer(), tracker("how much does spravato cost?", "ask_cost",
                                                        [entity("drug", "esketamine")]))
    remembered = slots_of(events)
    assert remembered[SLOT_LAST_QUESTION] == "how much does spravato cost?"
    messages, events = run(answers.ActionAnswer(), tracker("what about ketamine infusions?", "inform",
                                                           [entity("drug", "ketamine")], slots=remembered))
    # the price of IV ketamine, which the article doesn't give: not an answer about ketamine in general
    assert messages[0]["custom"]["reply"]["kind"] == "not_covered"
    assert "price of IV ketamine" in messages[0]["text"], messages[0]["text"]
    assert slots_of(events)[SLOT_LAST_QUESTION] == "how much does ketamine infusions cost?"


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
    slots = {SLOT_TOPIC: "fibromyalgia", SLOT_SHOWN_FACTS: shown, SLOT_LAST_FACTS: slots_of(first)[SLOT_LAST_FACTS]}
    messages, events = run(answers.ActionMore(), tracker("more", "more", slots=slots))
    new = slots_of(events)[SLOT_LAST_FACTS]
    assert new and not set(new) & set(shown)
    assert set(slots_of(events)[SLOT_SHOWN_FACTS]) == set(shown) | set(new)
    assert messages[0]["text"].endswith(DISCLAIMER) and messages[0]["custom"]["reply"]["kind"] == "more"


def test_source_gives_the_full_citation_of_the_last_answer():
    messages, _ = run(
        answers.ActionSource(), tracker("where is that from?", "ask_source", slots={SLOT_LAST_FACTS: ["fm-podell"]})
    )
    assert "Dr. Podell" in messages[0]["text"] and "healthrising.org" in messages[0]["text"]


def test_personal_advice_is_refused_with_the_disclaimer():
    messages, events = run(answers.ActionAnswer(), tracker("can I take dxm with my zoloft?", "ask_personal_advice"))
    assert "can't give personal medical advice" in messages[0]["text"]
    assert messages[0]["text"].endswith(DISCLAIMER)
    # nothing shown: only what the question was about is kept, for a follow-up (never the facts shown or cited)
    assert [event["name"] for event in events] == [SLOT_LAST_ABOUT] and events[0]["value"]


def test_ones_own_reaction_is_refused_with_who_to_tell_and_the_disclaimer():
    question = "Three weeks on spravato and the dissociation is getting worse, not better. Is that normal??"
    messages, _ = run(answers.ActionAnswer(), tracker(question, "ask_side_effects"))
    assert "how someone's body is reacting" in messages[0]["text"]
    assert "Tell the clinic or doctor treating you" in messages[0]["text"]
    assert messages[0]["text"].endswith(DISCLAIMER) and messages[0]["custom"]["reply"]["kind"] == "advice"


def test_a_follow_up_after_a_reply_without_facts_leans_on_what_that_question_was_about():
    question = "A ketamine clinic just opened in a strip mall by my house, next to a vape shop. Is that normal??"
    messages, events = run(answers.ActionAnswer(), tracker(question, "ask_regulation"))
    assert messages[0]["text"].startswith("The article doesn't")
    about = {event["name"]: event["value"] for event in events}[SLOT_LAST_ABOUT]
    slots = {SLOT_LAST_ABOUT: about, SLOT_LAST_FACTS: ["experience-woman-trd"]}
    messages, events = run(answers.ActionAnswer(), tracker("which ones are the good ones", "ask_regulation",
                                                           slots=slots))
    shown = {event["name"]: event["value"] for event in events}
    assert shown[SLOT_LAST_FACTS][0] == "regulation-reputable-clinics", messages[0]["text"]
    assert shown[SLOT_LAST_ABOUT] is None  # an answer was shown: follow-ups lean on it now


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
    """The country comes from the words, not from the test: the NLU's tagger finds it, the domain fills the slot
    from that entity (Rasa does so before the action runs), and the action answers with that country's numbers,
    over the country the page sent."""
    from bot.vocabulary import get_tagger

    text = "we moved to canada last year"
    found = [entity("country", tag.value) for tag in get_tagger().tag(text) if tag.label == "country"]
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert domain["slots"][SLOT_COUNTRY]["mappings"] == [{"type": "from_entity", "entity": "country"}]
    slots = {SLOT_COUNTRY: found[0]["value"]} if found else {}
    messages, events = run(conversation.ActionCrisisHelp(),
                           tracker(text, "inform_country", found, slots=slots, metadata={"country": "AU"}))
    assert "9-8-8" in messages[0]["text"] and "Canada" in messages[0]["text"]
    assert "13 11 14" not in messages[0]["text"]
    assert slots_of(events) == {SLOT_COUNTRY: "CA"}


def test_did_you_mean_answers_when_the_message_names_a_treatment():
    messages, _ = run(conversation.ActionDidYouMean(), tracker("dxm fibro??", "nlu_fallback"))
    assert messages[0]["custom"]["reply"]["facts"] and "Did you mean" not in messages[0]["text"]


def test_a_follow_up_the_classifier_called_out_of_scope_is_answered_from_the_last_answer():
    slots = {SLOT_LAST_FACTS: ["fm-podell"], SLOT_SHOWN_FACTS: ["fm-podell"], "drug": "ketamine"}
    messages, events = run(conversation.ActionOutOfScope(), tracker("and what did dr liptan think?", "out_of_scope",
                                                                     slots=slots))
    assert "outside what I can help with" not in messages[0]["text"]
    assert slots_of(events)[SLOT_LAST_FACTS][0] == "fm-liptan"


def test_did_you_mean_offers_the_two_likeliest_topics():
    parse_tracker = tracker("um so the thing with the stuff", "nlu_fallback")
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
                                          ("¿La ketamina ayuda con la depresión?", "solo puedo responder en inglés"),
                                          ("est-ce que la kétamine aide pour la fibromyalgie", "English")])
def test_bad_input_gets_a_clear_reply(text, words):
    messages, _ = run(conversation.ActionBadInput(), tracker(text, "bad_input"))
    assert words in messages[0]["text"]


def test_start_over_clears_the_conversation_and_says_so():
    messages, events = run(conversation.ActionStartOver(), tracker("start over", "restart", slots={SLOT_TOPIC: "cost"}))
    assert "start over" in messages[0]["text"]
    assert events == [{"event": "restart", "timestamp": None}]


@pytest.mark.parametrize("text, intent", [("/forget_me", "forget_me"), ("yes", "affirm")],
                         ids=["button payload", "yes typed after the question"])
def test_forget_me_deletes_on_an_explicit_request(text, intent):
    messages, events = run(conversation.ActionForgetMe(), tracker(text, intent, slots={SLOT_TOPIC: "cost"}))
    assert "deleted this conversation" in messages[0]["text"]
    assert messages[1]["custom"] == {"forget_me": True}
    assert events == [{"event": "restart", "timestamp": None}]


def test_a_typed_forget_me_only_asks_and_deletes_nothing():
    messages, events = run(conversation.ActionForgetMe(), tracker("please forget me", "forget_me"))
    assert messages[0]["text"] == conversation.FORGET_ME_QUESTION
    assert [button["payload"] for button in messages[0]["buttons"]] == ["/forget_me", "/deny"]
    assert not any(message.get("custom") for message in messages)  # no deletion marker for the tracker store
    assert events == []


def test_no_to_the_deletion_question_keeps_everything():
    messages, events = run(conversation.ActionKeepConversation(), tracker("no", "deny"))
    assert "kept" in messages[0]["text"] and not any(message.get("custom") for message in messages)
    assert events == []


def test_an_ambiguous_message_gets_the_check_in_with_the_answer_and_yes_no_buttons():
    text = "honestly i cant keep doing this. is spravato covered by insurance?"
    messages, events = run(answers.ActionCheckIn(), tracker(text, "check_in", [entity("drug", "esketamine")]))
    reply = messages[0]["text"]
    assert reply.startswith("Are you having thoughts of ending your life?") and "988" in reply
    assert "Spravato" in reply.split("About your question:")[1] and reply.endswith(DISCLAIMER)
    assert [button["payload"] for button in messages[0]["buttons"]] == ["/crisis", "/deny"]


def test_the_check_in_is_asked_even_when_only_the_classifier_was_worried():
    text = "everything feels heavy lately. what does ketamine do for depression?"
    messages, _ = run(answers.ActionCheckIn(), tracker(text, "check_in", [entity("condition", "depression")]))
    assert messages[0]["text"].startswith("Are you having thoughts of ending your life?")
    assert [button["payload"] for button in messages[0]["buttons"]] == ["/crisis", "/deny"]


def heard_by_the_classifier(tracker_: Tracker, intent: str) -> Tracker:
    tracker_.latest_message[CLASSIFIER_INTENT] = intent
    return tracker_


def test_a_check_in_on_the_classifiers_emergency_opens_with_when_to_call_the_emergency_number():
    text = "I had my infusion this morning and now my chest feels heavy. Is this normal after ketamine?"
    messages, _ = run(answers.ActionCheckIn(), heard_by_the_classifier(tracker(text, "check_in"), "emergency"))
    reply = messages[0]["text"]
    assert reply.startswith("If you feel very unwell right now") and "call 911 in the US now" in reply
    assert reply.index("call 911") < reply.index("Are you having thoughts of ending your life?")
    assert "About your question:" in reply and reply.endswith(DISCLAIMER)
    assert [button["payload"] for button in messages[0]["buttons"]] == ["/crisis", "/deny"]
    # the country the person named gives its own numbers
    messages, _ = run(answers.ActionCheckIn(), heard_by_the_classifier(
        tracker(text, "check_in", slots={SLOT_COUNTRY: "UK"}), "emergency"))
    assert "call 999 (or 112) now" in messages[0]["text"] and "in the US" not in messages[0]["text"].split("\n")[0]


def test_a_check_in_on_the_classifiers_crisis_asks_the_question_first():
    text = "everything feels heavy lately. what does ketamine do for depression?"
    messages, _ = run(answers.ActionCheckIn(), heard_by_the_classifier(
        tracker(text, "check_in", [entity("condition", "depression")]), "crisis"))
    assert messages[0]["text"].startswith("Are you having thoughts of ending your life?")
    assert "If you feel very unwell" not in messages[0]["text"]


def test_distress_gets_a_warm_line_and_988_then_the_answer():
    text = "I'm as depressed as I've ever been. Does ketamine work for depression?"
    messages, _ = run(answers.ActionAnswer(), tracker(text, "ask_depression", [entity("condition", "depression")]))
    reply = messages[0]["text"]
    assert reply.startswith("I'm sorry you're going through so much.") and "988" in reply.split("\n\n")[0]
    assert "depress" in reply.split("\n\n")[1].lower() and reply.endswith(DISCLAIMER)
    assert not messages[0].get("buttons") or all(b["payload"] != "/crisis" for b in messages[0]["buttons"])


def test_a_plain_question_gets_no_safety_line():
    messages, _ = run(answers.ActionAnswer(), tracker("how much does spravato cost?", "ask_cost",
                                                       [entity("drug", "esketamine")]))
    assert "988" not in messages[0]["text"] and "thoughts of ending" not in messages[0]["text"]


def test_a_past_reaction_gets_the_answer_and_the_poison_centre_of_the_country():
    text = "once i took too much dxm and hallucinated, is that common?"
    messages, _ = run(answers.ActionAnswer(), tracker(text, "ask_side_effects", [entity("drug", "dextromethorphan")],
                                                       slots={SLOT_COUNTRY: "AU"}))
    reply = messages[0]["text"]
    assert "13 11 26" in reply and "get help right away" not in reply and reply.endswith(DISCLAIMER)


def test_no_to_the_check_in_thanks_and_leaves_the_line_open():
    messages, events = run(conversation.ActionCheckInDeclined(), tracker("no", "deny"))
    assert "988" in messages[0]["text"] and events == []


@pytest.mark.parametrize("intent, text, words", [
    ("crisis", "quiero morirme, la ketamina no me hizo nada", "marca 2"),
    ("emergency", "mi hijo se tomó un frasco entero de jarabe para la tos y no despierta", "1-800-222-1222"),
    ("emergency", "my friend drank 2 bottles of robitussin and is seeing things", "1-800-222-1222"),
])
def test_crisis_help_speaks_the_language_and_gives_the_poison_centre_for_emergencies(intent, text, words):
    messages, _ = run(conversation.ActionCrisisHelp(), tracker(text, intent))
    assert words in messages[0]["text"]


def test_out_of_scope_that_names_our_drug_is_answered_from_its_topic():
    messages, events = run(
        conversation.ActionOutOfScope(),
        tracker("my cousin calls it special k, is that the same drug?", "out_of_scope", [entity("drug", "ketamine")]),
    )
    assert "Special K" in messages[0]["text"] and messages[0]["text"].endswith(DISCLAIMER)
    assert slots_of(events)[SLOT_TOPIC] == "ketamine_basics"
