"""Real conversations over REST with both servers running: facts, Source lines, disclaimers, follow-ups, safety."""

from __future__ import annotations

import re
import uuid

import pytest

from bot.cli import send
from bot.compose import DISCLAIMER
from bot.safety import CRISIS_OPENING, EMERGENCY_OPENING

SOURCE = re.compile(r"^Sources?: Health Rising, by Cort Johnson, 20 April 2019, section", re.M)


class Conversation:
    def __init__(self, url: str) -> None:
        self.url = url
        self.sender = f"e2e-{uuid.uuid4().hex[:10]}"

    def say(self, message: str, **metadata) -> str:
        replies = send(self.url, self.sender, message, metadata=metadata or None)
        assert replies, f"no reply to {message!r}"
        return "\n\n".join(reply.get("text", "") for reply in replies)


def assert_answer(text: str, *facts: str) -> None:
    for fact in facts:
        assert fact.lower() in text.lower(), f"{fact!r} missing from:\n{text}"
    assert SOURCE.search(text), text
    assert text.rstrip().endswith(DISCLAIMER), text


@pytest.fixture
def chat(servers):
    return Conversation(servers.url)


@pytest.mark.parametrize(
    "question, facts",
    [
        ("how much does spravato cost?", ["several thousand dollars", "insurance"]),
        ("what is spravato", ["nasal spray"]),
        ("Who qualifies for the nasal spray?", ["two other antidepressant"]),
        ("does ketamine help with chronic pain", ["pain"]),
        ("is ketamine any good for fibro?", ["fibromyalgia"]),
        ("could ketamine help my CFS?", ["ME/CFS"]),
        ("what is DXM", ["dextromethorphan"]),
        ("does memantine help pain?", ["memantine", "modest"]),
        ("how long do the effects of ketamine last", ["infusion"]),
        ("are ketamine clinics regulated?", ["FDA"]),
        ("how does ketamine work in the brain", ["glutamate"]),
        ("what are the side effects of ketamine", ["ketamine"]),
    ],
)
def test_a_question_gets_its_facts_with_source_and_disclaimer(chat, question, facts):
    assert_answer(chat.say(question), *facts)


def test_more_and_source_follow_the_last_answer(chat):
    first = chat.say("does ketamine help fibromyalgia?")
    assert_answer(first, "fibromyalgia")
    more = chat.say("tell me more")
    assert_answer(more, "fibromyalgia")
    assert more.split("How strong")[0] != first.split("How strong")[0]
    source = chat.say("where is that from?")
    assert "Cort Johnson" in source and "healthrising.org" in source and "Ketamine, Fibromyalgia and Pain" in source


def test_a_follow_up_reuses_the_topic_for_a_new_condition(chat):
    assert_answer(chat.say("does ketamine help chronic pain?"), "pain")
    assert_answer(chat.say("and for fibromyalgia?"), "fibromyalgia")


def test_a_follow_up_about_another_drug_moves_to_that_drug(chat):
    assert_answer(chat.say("how much does spravato cost"), "thousand")
    assert_answer(chat.say("what about dxm?"), "dextromethorphan")


def test_crisis_mid_conversation_gets_help_first_then_the_conversation_goes_on(chat):
    assert_answer(chat.say("what is spravato?"), "nasal spray")
    help_text = chat.say("i dont see the point anymore")
    assert CRISIS_OPENING in help_text and "988" in help_text
    assert "Source:" not in help_text
    uk = chat.say("I'm in the UK")
    assert "116 123" in uk and "999" in uk
    assert_answer(chat.say("how much does spravato cost?"), "thousand")


def test_emergency_gets_emergency_help(chat):
    text = chat.say("I took a whole bottle of pills")
    assert EMERGENCY_OPENING in text and "911" in text


def test_the_page_can_pass_the_country(chat):
    text = chat.say("i want to die", country="AU")
    assert "13 11 14" in text and "000" in text


def test_personal_advice_is_refused(chat):
    text = chat.say("should I stop taking my antidepressants and switch to ketamine?")
    assert "can't give personal medical advice" in text and text.rstrip().endswith(DISCLAIMER)


def test_not_covered_says_so(chat):
    text = chat.say("is ketamine addictive?")
    assert "doesn't cover" in text and text.rstrip().endswith(DISCLAIMER)


def test_help_greet_and_start_over(chat):
    assert "Spravato" in chat.say("hi")
    assert "I can tell you about" in chat.say("what can you do?")
    chat.say("what is spravato")
    assert "start over" in chat.say("start over")
    assert "Ask me a question first" in chat.say("tell me more")


@pytest.mark.parametrize(
    "message",
    ["", "   ", "😀😀😀", "<script>alert('x')</script>", "<img src=x onerror=alert(1)>",
     "'; DROP TABLE events; --", "\x00\x01\x1b[31m", "a" * 300, "ketamine " * 700,
     "¿La ketamina ayuda con la depresión?"],
    ids=["empty", "spaces", "emoji", "script", "img-onerror", "sql", "control", "300-char-word", "5600-chars",
         "spanish"],
)
def test_bad_input_gets_a_polite_reply_and_is_never_echoed(chat, message):
    text = chat.say(message)
    assert text.strip()
    assert "<script" not in text and "onerror" not in text and "DROP TABLE" not in text


def test_action_server_killed_mid_conversation_then_restarted_loses_nothing(servers):
    chat = Conversation(servers.url)
    assert_answer(chat.say("how much does spravato cost?"), "thousand")
    servers.actions.kill()  # no clean shutdown
    servers.actions.wait(timeout=30)
    try:
        assert health(servers)["status"] == "degraded"  # still answering, so still in the load balancer
        assert "try again" in chat.say("does ketamine help fibromyalgia?")
        assert "988" in chat.say("I want to kill myself")  # crisis help doesn't need the action server
    finally:
        servers.start_actions()
    # The same conversation goes on, with what was said before the failure.
    assert "Health Rising" in chat.say("where is that from?")
    assert_answer(chat.say("does ketamine help fibromyalgia?"), "fibromyalgia")


def test_a_restart_of_the_rasa_server_loses_no_conversation(servers):
    chat = Conversation(servers.url)
    first = chat.say("does ketamine help fibromyalgia?")
    servers.stop_rasa()
    servers.start_rasa()
    more = chat.say("tell me more")  # needs the topic and the facts shown before the restart
    assert_answer(more, "fibromyalgia")
    assert more.split("How strong")[0] != first.split("How strong")[0]


def stored_event_count(servers, sender: str) -> int:
    import sqlite3

    with sqlite3.connect(servers.logs / "conversations.db") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def test_forget_me_deletes_the_conversation_from_the_tracker_store(servers):
    chat, other = Conversation(servers.url), Conversation(servers.url)
    chat.say("does ketamine help fibromyalgia?")
    other.say("what is dxm?")
    assert stored_event_count(servers, chat.sender) > 0
    reply = chat.say("please forget me")
    assert "Do you want me to delete this conversation?" in reply  # a typed request asks first
    assert stored_event_count(servers, chat.sender) > 0
    reply = chat.say("yes")
    assert "deleted this conversation" in reply
    assert stored_event_count(servers, chat.sender) == 0
    assert stored_event_count(servers, other.sender) > 0  # nobody else's
    # Nothing is remembered: "more" has no topic to go on.
    assert "fibromyalgia" not in chat.say("tell me more").lower()


def test_no_to_the_deletion_question_keeps_the_conversation_and_its_context(servers):
    chat = Conversation(servers.url)
    chat.say("does ketamine help fibromyalgia?")
    before = stored_event_count(servers, chat.sender)
    assert "Do you want me to delete" in chat.say("erase this chat from your records")
    kept = send(servers.url, chat.sender, "no")
    assert [reply.get("text", "")[:40] for reply in kept] == ["OK, I've kept our conversation as it is."[:40]]
    assert stored_event_count(servers, chat.sender) > before
    assert "Source:" in chat.say("tell me more")  # the topic is still known


def test_the_delete_button_deletes_at_once(servers):
    chat = Conversation(servers.url)
    chat.say("what is dxm?")
    assert "deleted this conversation" in chat.say("/forget_me")
    assert stored_event_count(servers, chat.sender) == 0


@pytest.mark.parametrize("question, words", [
    ("why won't my insurance pay for spravato, and why isn't ketamine FDA approved for depression?", "Spravato"),
    ("Readers keep raising concerns about ketamine for people in recovery from addiction. What does it say?",
     "doesn't cover"),
])
def test_a_question_that_mentions_records_or_approval_is_answered_not_deleted(servers, question, words):
    chat = Conversation(servers.url)
    chat.say("what is spravato?")
    reply = chat.say(question)
    assert "Do you want me to delete" not in reply and "deleted this conversation" not in reply and words in reply
    assert stored_event_count(servers, chat.sender) > 0


def test_check_in_yes_gets_help_and_no_gets_thanks(servers):
    chat = Conversation(servers.url)
    reply = chat.say("honestly i don't know how much longer i can do this. is spravato fast?")
    assert reply.startswith("Are you having thoughts of ending your life?") and "Spravato" in reply
    help_reply = chat.say("yes")
    assert "988" in help_reply and CRISIS_OPENING in help_reply
    other = Conversation(servers.url)
    other.say("honestly i don't know how much longer i can do this. is spravato fast?")
    declined = send(servers.url, other.sender, "no")
    assert len(declined) == 1 and "Thank you for letting me know" in declined[0]["text"]  # one reply, no loop


def health(servers) -> dict:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{servers.url}/webhooks/rest/health", timeout=10) as response:
        return json.load(response)


def test_health_endpoint_reports_each_part(servers):
    assert health(servers) == {"status": "ok", "model": "loaded", "tracker_store": "ok", "action_server": "ok"}


def test_the_http_api_is_off_without_a_token(servers):
    import urllib.error
    import urllib.request

    for path in ("/status", "/conversations/someone/tracker"):
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{servers.url}{path}", timeout=10)
        assert error.value.code == 404


def test_logs_carry_no_message_text(servers):
    marker = f"zebracorn{uuid.uuid4().hex[:6]}"
    chat = Conversation(servers.url)
    chat.say(f"is ketamine safe for {marker} people?")
    chat.say(f"I want to die {marker}")
    logs = "".join(path.read_text(errors="replace") for path in servers.logs.glob("*.log"))
    assert logs, "no server logs to check"
    assert marker not in logs


def test_follow_ups_work_across_the_session_boundary_of_a_long_conversation(servers):
    import os

    chat = Conversation(servers.url)
    limit = int(os.environ["MAX_SESSION_TURNS"])
    for _ in range(limit - 1):
        chat.say("what is dxm?")
    assert_answer(chat.say("does ketamine help fibromyalgia?"), "fibromyalgia")  # the last turn of a session
    more = chat.say("tell me more")  # the first of the next: the topic and the facts shown carry over
    assert_answer(more, "fibromyalgia")
    assert "Health Rising" in chat.say("where is that from?")
    assert "988" in chat.say("i want to end my life")
