"""The REST channel's fallback (addons/channel.py): when the bot produces nothing (the action server is down or an
action failed), a crisis or an emergency still gets the help lines, for the page's country, in Spanish for a
Spanish message; an ambiguous message gets the check-in's help line; anything else a clear apology. And which
country wins when the person named one (the slot) and the page sent another."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
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

        middleware = listener = route

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


def test_a_reply_with_paragraphs_reaches_a_rest_client_as_one_message(monkeypatch):
    # Rasa's own collector cuts a text at blank lines: an answer's facts, evidence, source and disclaimer came as
    # five messages. The channel keeps it whole, and a second text is still a second message.
    answer = "Ketamine acts fast.\n\nEvidence: a small study.\n\nSource: the article.\n\nNot medical advice."

    async def answering_bot(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, answer)
        await message.output_channel.send_text_message(message.sender_id, "Anything else?")

    messages = deliver(monkeypatch, answering_bot, QUESTION)
    assert [message["text"] for message in messages] == [answer, "Anything else?"]


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


# The REST contract and fair use, over real HTTP: the channel's blueprint in a Sanic app on a free port (the same
# blueprint Rasa mounts at /webhooks/rest), with a stand-in bot that echoes the message it was given.

WEBHOOK = "/webhooks/rest/webhook"
SENDER_RULE = ("A-Z a-z 0-9", "128")


async def echo_bot(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")


class Served:
    """A running Sanic app with the channel, and a way to send it raw requests."""

    def __init__(self, guard: channel.RequestGuard) -> None:
        from sanic import Sanic

        from scripts.services import free_port

        Sanic.test_mode = True  # several apps in one process: Sanic then keeps its request handler re-usable
        self.app = Sanic(f"contract_{uuid.uuid4().hex}", configure_logging=False)
        self.app.blueprint(ResilientRestInput(guard).blueprint(echo_bot), url_prefix="/webhooks/rest")
        self.port = free_port()
        self.received: list[UserMessage] = []

    async def __aenter__(self) -> Served:
        self.server = await self.app.create_server(host="127.0.0.1", port=self.port, return_asyncio_server=True)
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        self.session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.session.close()
        self.server.close()
        await self.server.wait_closed()

    async def request(self, method: str, path: str, data: bytes | str | None = None,
                      headers: dict | None = None) -> tuple[int, dict, str]:
        async with self.session.request(method, f"http://127.0.0.1:{self.port}{path}", data=data,
                                        headers=headers or {}) as reply:
            return reply.status, dict(reply.headers), await reply.text()

    async def post(self, body: Any, raw: bool = False, headers: dict | None = None) -> tuple[int, dict, Any]:
        data = body if raw else json.dumps(body)
        status, reply_headers, text = await self.request("POST", WEBHOOK, data, headers)
        return status, reply_headers, json.loads(text)


def serve(scenario: Callable[[Served], Any], guard: channel.RequestGuard | None = None) -> Any:
    async def run() -> Any:
        async with Served(guard or channel.RequestGuard.from_env({})) as served:
            return await scenario(served)

    return asyncio.run(run())


def post(body: Any, raw: bool = False, headers: dict | None = None,
         guard: channel.RequestGuard | None = None) -> tuple[int, dict, Any]:
    return serve(lambda served: served.post(body, raw, headers), guard)


def assert_error(reply: Any, code: str) -> None:
    assert isinstance(reply, dict) and reply["error"] == code, reply
    assert isinstance(reply["message"], str) and reply["message"], reply


def test_a_valid_message_reaches_the_bot_under_its_own_sender():
    status, headers, reply = post({"sender": "web-0123456789abcdef01234567", "message": "hello"})
    assert status == 200 and reply == [{"recipient_id": "web-0123456789abcdef01234567", "text": "echo: hello"}]
    assert headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_json_body_is_read_whatever_the_content_type(content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    status, _, reply = post(json.dumps({"sender": "cli-1a2b3c4d", "message": "hi"}), raw=True, headers=headers)
    assert status == 200 and reply[0]["text"] == "echo: hi"


@pytest.mark.parametrize("body", [
    "not json at all", "sender=a&message=hi", "{\"sender\": \"a\", \"message\": ", "", "[1, 2]", "\"a string\"",
    "null", b"\xff\xfe\x00binary",
], ids=["text", "form", "truncated", "empty", "list", "string", "null", "binary"])
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_a_body_that_is_not_a_json_object_gets_400_with_a_json_error(body, content_type):
    status, headers, reply = post(body, raw=True, headers={"Content-Type": content_type})
    assert status == 400 and headers["Content-Type"].startswith("application/json")
    assert_error(reply, "invalid_json")


@pytest.mark.parametrize("sender", [
    None, "", " ", "default", "a" * 129, ["a"], 42, {"id": "a"}, True, "has space", "é-accent", "x/y", "<b>", "a\nb",
], ids=["missing", "empty", "blank", "default", "129-chars", "list", "number", "object", "bool", "space", "accent",
        "slash", "markup", "newline"])
def test_a_missing_or_malformed_sender_gets_400(sender):
    body = {"message": "hello"} if sender is None else {"sender": sender, "message": "hello"}
    status, _, reply = post(body)
    assert status == 400
    assert_error(reply, "invalid_sender")
    assert reply["field"] == "sender" and all(rule in reply["message"] for rule in SENDER_RULE)


@pytest.mark.parametrize("sender", ["a", "a" * 128, "web-0123456789abcdef01234567", "cli-1a2b3c4d", "A.b:c_d-9"])
def test_senders_within_the_rule_are_accepted(sender):
    assert post({"sender": sender, "message": "hi"})[0] == 200


@pytest.mark.parametrize("message", [None, 42, ["hi"], {"text": "hi"}, True], ids=str)
def test_a_message_that_is_not_a_string_gets_400(message):
    body = {"sender": "someone"} if message is None else {"sender": "someone", "message": message}
    status, _, reply = post(body)
    assert status == 400
    assert_error(reply, "invalid_message")


def test_metadata_that_is_not_an_object_gets_400_and_an_object_passes():
    status, _, reply = post({"sender": "someone", "message": "hi", "metadata": ["UK"]})
    assert status == 400 and reply["field"] == "metadata"
    assert post({"sender": "someone", "message": "hi", "metadata": {"country": "UK"}})[0] == 200


def test_an_empty_message_is_not_an_error():
    """Empty is a string: the bot answers it politely (bad input is the bot's job, not the contract's)."""
    assert post({"sender": "someone", "message": ""})[0] == 200


def test_a_body_over_the_limit_gets_413_with_a_json_error():
    big = {"sender": "someone", "message": "x" * (64 * 1024)}
    status, _, reply = post(big)
    assert status == 413
    assert_error(reply, "body_too_large")
    assert reply["limit_bytes"] == 64 * 1024
    # just under the limit is fine
    fits = {"sender": "someone", "message": "x" * (64 * 1024 - 60)}
    assert len(json.dumps(fits)) <= 64 * 1024 and post(fits)[0] == 200


def test_the_body_limit_is_a_setting():
    guard = channel.RequestGuard.from_env({"MAX_REQUEST_BYTES": "100"})
    assert post({"sender": "someone", "message": "x" * 100}, guard=guard)[0] == 413
    assert post({"sender": "someone", "message": "x" * 10}, guard=guard)[0] == 200


def test_a_body_without_content_length_over_the_limit_gets_413():
    async def chunked(served: Served) -> tuple[int, dict]:
        async def body():
            for _ in range(80):
                yield b"x" * 1024

        async with served.session.post(f"http://127.0.0.1:{served.port}{WEBHOOK}", data=body()) as reply:
            return reply.status, await reply.json()

    status, reply = serve(chunked)
    assert status == 413 and reply["error"] == "body_too_large"


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/no/such/page", 404, "not_found"),
    ("GET", WEBHOOK, 405, "method_not_allowed"),
    ("DELETE", WEBHOOK, 405, "method_not_allowed"),
    ("GET", "/webhooks/rest/nothing-here", 404, "not_found"),
])
def test_no_endpoint_answers_with_an_html_error_page(method, path, status, code):
    got, headers, text = serve(lambda served: served.request(method, path))
    assert got == status and headers["Content-Type"].startswith("application/json"), text
    assert "<html" not in text.lower()
    assert_error(json.loads(text), code)


def test_a_crash_in_a_route_is_a_json_500_without_the_details():
    async def scenario(served: Served) -> tuple[int, dict, str]:
        return await served.request("GET", "/boom")

    def boom_guard() -> channel.RequestGuard:
        return channel.RequestGuard.from_env({})

    async def run() -> tuple[int, dict, str]:
        async with Served(boom_guard()) as served:
            return await scenario(served)

    served_app: dict = {}
    original = Served.__init__

    def with_boom(self: Served, guard: channel.RequestGuard) -> None:
        original(self, guard)

        @self.app.get("/boom")
        async def boom(request: Any) -> None:
            raise RuntimeError("secret internals")

        served_app["app"] = self.app

    Served.__init__ = with_boom  # type: ignore[method-assign]
    try:
        status, headers, text = asyncio.run(run())
    finally:
        Served.__init__ = original  # type: ignore[method-assign]
    assert status == 500 and headers["Content-Type"].startswith("application/json")
    assert_error(json.loads(text), "server_error")
    assert "secret internals" not in text and "<html" not in text.lower()


# Fair use: per sender and per address, 429 with a kind message the widget shows and Retry-After.


def test_over_the_per_sender_limit_gets_429_with_retry_after_and_a_kind_message():
    guard = channel.RequestGuard.from_env({"RATE_LIMIT_PER_SENDER": "3", "RATE_LIMIT_PER_ADDRESS": "0"})

    async def scenario(served: Served) -> list:
        return [await served.post({"sender": sender, "message": "hi"}) for sender in ["a"] * 4 + ["b"]]

    replies = serve(scenario, guard)
    assert [status for status, _, _ in replies] == [200, 200, 200, 429, 200]  # "b" is another conversation
    _, headers, reply = replies[3]
    assert reply == {"error": "rate_limited", "message": channel.RATE_LIMITED_MESSAGE,
                     "retry_after": int(headers["Retry-After"])}
    assert 1 <= reply["retry_after"] <= 20  # 3 a minute: one more after 20 s at most
    assert "faster than I can answer" in reply["message"] and "try again" in reply["message"]


def test_over_the_per_address_limit_every_sender_from_that_address_gets_429():
    guard = channel.RequestGuard.from_env({"RATE_LIMIT_PER_SENDER": "0", "RATE_LIMIT_PER_ADDRESS": "3"})

    async def scenario(served: Served) -> list[int]:
        return [(await served.post({"sender": f"s{i}", "message": "hi"}))[0] for i in range(5)]

    assert serve(scenario, guard) == [200, 200, 200, 429, 429]


def test_the_default_limit_is_30_a_minute():
    guard = channel.RequestGuard.from_env({})
    assert guard.per_sender.limit == guard.per_address.limit == 30 and guard.max_bytes == 64 * 1024

    async def scenario(served: Served) -> list[int]:
        return [(await served.post({"sender": "same", "message": "hi"}))[0] for _ in range(31)]

    assert serve(scenario, guard)[-2:] == [200, 429]


def test_x_forwarded_for_counts_only_from_a_trusted_proxy():
    limits = {"RATE_LIMIT_PER_SENDER": "0", "RATE_LIMIT_PER_ADDRESS": "2"}

    async def scenario(served: Served) -> list[int]:
        statuses = []
        for client in ["198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.2", "198.51.100.1"]:
            headers = {"X-Forwarded-For": client}
            statuses.append((await served.post({"sender": "s", "message": "hi"}, headers=headers))[0])
        return statuses

    # behind a trusted proxy (the test client is 127.0.0.1): each client address has its own count
    trusted = channel.RequestGuard.from_env({**limits, "TRUSTED_PROXIES": "127.0.0.1"})
    assert serve(scenario, trusted) == [200, 200, 200, 200, 429]
    # without: the header is ignored (anyone could forge it); every request is 127.0.0.1's
    untrusted = channel.RequestGuard.from_env(limits)
    assert serve(scenario, untrusted) == [200, 200, 429, 429, 429]


@pytest.mark.parametrize("peer, header, expected", [
    ("10.0.0.5", "203.0.113.9", "203.0.113.9"),                 # nginx on 10.0.0.5 reports the client
    ("10.0.0.5", "1.2.3.4, 203.0.113.9", "203.0.113.9"),        # a forged first entry is not believed
    ("10.0.0.5", "203.0.113.9, 10.0.0.7", "203.0.113.9"),       # two trusted proxies in a row
    ("198.51.100.7", "203.0.113.9", "198.51.100.7"),            # not from a trusted proxy: the header is ignored
    ("10.0.0.5", None, "10.0.0.5"),
])
def test_client_address(peer, header, expected):
    assert channel.client_address(peer, header, channel.parse_networks("10.0.0.0/8, 127.0.0.1")) == expected


def test_the_rate_limiter_refills_at_the_limit_per_minute():
    now = [0.0]
    limiter = channel.RateLimiter(30, clock=lambda: now[0])
    assert all(limiter.take("k") == 0 for _ in range(30))
    assert limiter.take("k") == pytest.approx(2.0)  # one message every 2 s
    now[0] += 2.0
    assert limiter.take("k") == 0 and limiter.take("k") > 0
    now[0] += 120  # idle keys are forgotten after a window
    limiter.take("other")
    assert "k" not in limiter.buckets


def test_the_command_line_and_the_widget_use_the_channels_sender_rule():
    from bot import cli

    assert cli.SENDER_PATTERN.pattern == channel.SENDER_PATTERN.pattern
    widget = (Path(__file__).resolve().parents[1] / "web" / "widget.js").read_text()
    assert '"web-" +' in widget and "new Uint8Array(12)" in widget  # "web-" and 24 hex digits
    assert channel.SENDER_PATTERN.fullmatch("web-" + "ab" * 12)
