"""Rasa's REST channel, made so that a patient always gets an answer.

If the action server is down or an action fails, Rasa answers with silence. This channel notices an empty
reply and sends a clear message instead; when the message was a crisis or an emergency, that message is the
help lines themselves (bot/safety.py runs right here in the Rasa process, so help never depends on the
action server). The webhook stays at /webhooks/rest/webhook, and `metadata.country` is passed on.

It also serves GET /webhooks/rest/health for load balancers and monitoring: 200 when this process can answer
(model loaded, conversations readable), 503 when it can't; the action server's state is reported beside it (when
it is down the bot still replies, and still gives crisis help, so it doesn't make the process unhealthy).

The webhook keeps a strict contract (README, "The REST contract"), checked before Rasa sees the message:
- the body is a JSON object (whatever the content type) of at most MAX_REQUEST_BYTES (64 KB): else 400 / 413;
- `sender` is a string of 1 to 128 characters from `A-Z a-z 0-9 _ . : -`, never "default" (Rasa's shared
  conversation); `message` is a string; `metadata`, when present, an object: else 400;
- fair use: at most RATE_LIMIT_PER_SENDER messages a minute per conversation and RATE_LIMIT_PER_ADDRESS per client
  address (30 each; 0 turns one off), else 429 with Retry-After. The address is the connection's, or, when the
  connection comes from one of TRUSTED_PROXIES (nginx), the last untrusted one in X-Forwarded-For. The counts are
  per process: with N Rasa processes behind a balancer a client can get up to N times the limit.
Every error, from this channel or anywhere in the Rasa app (404, 405, 500...), is a JSON object
`{"error": "<code>", "message": "<a sentence>", ...}`, never an HTML page.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import math
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from sanic import Blueprint, Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request

from addons import speedups
from bot.safety import CHECK_IN, CHECK_IN_HELP, CHECK_IN_QUESTION, CRISIS, EMERGENCY, get_crisis_guard, get_resources

logger = logging.getLogger(__name__)

UNAVAILABLE_REPLY = (
    "Sorry, I can't answer that right now because part of me isn't responding. Please try again in a minute. "
    "If you are in crisis, call or text 988 in the US, or call your local emergency number."
)


def fallback_reply(text: str | None, metadata: dict[str, Any] | None) -> str:
    """What to say when the bot produced nothing: help lines for a crisis or an emergency (in Spanish for a Spanish
    message), the check-in's help line for an ambiguous message, otherwise a clear apology."""
    assessment = get_crisis_guard().assess(text or "")
    if assessment.tier in (CRISIS, EMERGENCY):
        return get_resources().help_message(assessment.tier, (metadata or {}).get("country"), assessment.language)
    if assessment.tier == CHECK_IN:
        return f"{CHECK_IN_QUESTION} {CHECK_IN_HELP}\n\n{UNAVAILABLE_REPLY}"
    return UNAVAILABLE_REPLY


# The REST contract. Names shared with the tests and the README.
SENDER_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
SENDER_RULE = "a string of 1 to 128 characters from A-Z a-z 0-9 _ . : - (not \"default\")"
RESERVED_SENDERS = frozenset({"default"})  # Rasa's one shared conversation for messages without a sender
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024
DEFAULT_RATE_LIMIT = 30  # messages a minute, per sender and per address
RATE_WINDOW_SECONDS = 60.0
RATE_LIMITED_MESSAGE = (
    "You're sending messages faster than I can answer. Please wait a few seconds and try again."
)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one shape of every error this server sends: {"error": code, "message": a sentence, ...extra}."""
    return {"error": code, "message": message, **extra}


def json_error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None,
               **extra: Any) -> response.HTTPResponse:
    return response.json(error_body(code, message, **extra), status=status, headers=dict(headers or {}))


class ContractError(Exception):
    """A request that breaks the REST contract: answered with `status` and the JSON error body."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.extra = status, code, extra

    def response(self) -> response.HTTPResponse:
        return json_error(self.status, self.code, str(self), **self.extra)


def check_message_request(body: bytes, max_bytes: int = DEFAULT_MAX_REQUEST_BYTES) -> dict[str, Any]:
    """The parsed body of a webhook request, or ContractError: 413 over `max_bytes`; 400 when it is not a JSON
    object, when `sender` is missing, not a string, empty, too long, outside the allowed characters or "default",
    when `message` is not a string, or when `metadata` is given and is not an object."""
    if max_bytes and len(body) > max_bytes:
        raise ContractError(413, "body_too_large", f"The request body is larger than {max_bytes} bytes.",
                            limit_bytes=max_bytes)
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        parsed = None
    if not isinstance(parsed, dict):
        raise ContractError(400, "invalid_json",
                            'The body must be a JSON object: {"sender": "...", "message": "..."}.')
    sender = parsed.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender) or sender in RESERVED_SENDERS:
        problem = "is missing" if sender is None else "is not valid"
        raise ContractError(400, "invalid_sender", f'"sender" {problem}: it must be {SENDER_RULE}.', field="sender")
    if not isinstance(parsed.get("message"), str):
        raise ContractError(400, "invalid_message", '"message" must be a string.', field="message")
    if parsed.get("metadata") is not None and not isinstance(parsed["metadata"], dict):
        raise ContractError(400, "invalid_metadata", '"metadata", when given, must be a JSON object.',
                            field="metadata")
    return parsed


@dataclass
class RateLimiter:
    """At most `limit` requests per key in any RATE_WINDOW_SECONDS, as a token bucket: a burst of `limit`, then one
    every window/limit seconds. limit 0: no limit. Keys idle for a whole window are forgotten, so memory stays
    bounded by the number of keys active in the last minute."""

    limit: int
    window: float = RATE_WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (tokens, when)
    last_sweep: float = 0.0

    def take(self, key: str) -> float:
        """0 when the request may go on (and it is counted), else the seconds to wait before the next one."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        rate = self.limit / self.window
        if now - self.last_sweep > self.window:
            self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < self.window}
            self.last_sweep = now
        tokens, when = self.buckets.get(key, (float(self.limit), now))
        tokens = min(float(self.limit), tokens + (now - when) * rate)
        if tokens >= 1.0:
            self.buckets[key] = (tokens - 1.0, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate


def parse_networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """TRUSTED_PROXIES: addresses or networks, separated by spaces or commas ("127.0.0.1 10.0.0.0/8")."""
    return [ipaddress.ip_network(item, strict=False) for item in re.split(r"[\s,]+", setting.strip()) if item]


def in_networks(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, trusted: list) -> str:
    """The client's address: the connection's, unless it comes from a trusted proxy; then the last address in
    X-Forwarded-For that is not itself a trusted proxy (earlier entries can be forged by the client)."""
    if not trusted or not in_networks(peer, trusted) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not in_networks(hop, trusted):
            return hop
    return hops[0] if hops else peer


def setting(env: Mapping[str, str], name: str, default: int) -> int:
    value = (env.get(name) or "").strip()
    try:
        return max(0, int(value)) if value else default
    except ValueError:
        logger.warning("Setting %s=%r is not a whole number; using %s.", name, value, default)
        return default


@dataclass
class RequestGuard:
    """The contract and fair-use checks of the webhook, with their settings."""

    max_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    per_sender: RateLimiter = field(default_factory=lambda: RateLimiter(DEFAULT_RATE_LIMIT))
    per_address: RateLimiter = field(default_factory=lambda: RateLimiter(DEFAULT_RATE_LIMIT))
    trusted_proxies: list = field(default_factory=list)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RequestGuard:
        """From MAX_REQUEST_BYTES, RATE_LIMIT_PER_SENDER, RATE_LIMIT_PER_ADDRESS and TRUSTED_PROXIES."""
        env = os.environ if env is None else env
        return cls(max_bytes=setting(env, "MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES),
                   per_sender=RateLimiter(setting(env, "RATE_LIMIT_PER_SENDER", DEFAULT_RATE_LIMIT)),
                   per_address=RateLimiter(setting(env, "RATE_LIMIT_PER_ADDRESS", DEFAULT_RATE_LIMIT)),
                   trusted_proxies=parse_networks(env.get("TRUSTED_PROXIES") or ""))

    def check(self, request: Request) -> response.HTTPResponse | None:
        """None when the message may go to the bot, else the error response to send instead."""
        length = request.headers.get("content-length", "")
        if self.max_bytes and length.isdigit() and int(length) > self.max_bytes:  # before anything else
            return ContractError(413, "body_too_large", f"The request body is larger than {self.max_bytes} bytes.",
                                 limit_bytes=self.max_bytes).response()
        address = client_address(request.ip, request.headers.get("x-forwarded-for"), self.trusted_proxies)
        wait = self.per_address.take(f"address:{address}")
        if not wait:
            try:
                parsed = check_message_request(request.body or b"", self.max_bytes)
            except ContractError as error:
                return error.response()
            wait = self.per_sender.take(f"sender:{parsed['sender']}")
        if wait:
            retry_after = max(1, math.ceil(wait))
            return json_error(429, "rate_limited", RATE_LIMITED_MESSAGE, headers={"Retry-After": str(retry_after)},
                              retry_after=retry_after)
        return None


STATUS_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large", 500: "server_error"}


def json_error_handler(request: Request, exception: BaseException) -> response.HTTPResponse:
    """Every error of the Rasa app as JSON (Sanic's default is an HTML page): its status, a code, a sentence."""
    status = getattr(exception, "status_code", None) if isinstance(exception, SanicException) else None
    status = status or 500
    if status >= 500:
        logger.error("Error while handling %s %s", request.method if request else "?",
                     request.path if request else "?", exc_info=exception)
        message = "Something went wrong on the server. Please try again."
    else:
        message = str(exception) or HTTPStatus(status).phrase
    code = STATUS_CODES.get(status) or re.sub(r"\W+", "_", HTTPStatus(status).phrase.lower())
    headers = getattr(exception, "headers", None) or {}
    return json_error(status, code, message, headers=headers)


def install_json_errors(app: Sanic) -> None:
    """Make every error response of `app` JSON, whichever route (or none) it came from. Rasa's own error
    responses (its HTTP API's ErrorResponse) keep their handler, which already answers JSON."""
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.error_handler.add(Exception, json_error_handler)


class WholeTextCollector(CollectingOutputChannel):
    """Rasa's REST collector, except that a text stays one message. Rasa's cuts a text at every blank line, so an
    answer without buttons (its facts, evidence line, source and disclaimer are paragraphs) reached a REST client
    as four or five messages, and one with buttons as one. Shares the list that the REST handler returns."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class ResilientRestInput(RestInput):
    """The REST channel, with a reply guaranteed for every message, a strict request contract and fair use."""

    def __init__(self, guard: RequestGuard | None = None) -> None:
        self.guard = guard or RequestGuard.from_env()

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def answer_or_explain(message: UserMessage) -> None:
            collector = message.output_channel
            if type(collector) is CollectingOutputChannel:  # not the streaming QueueOutputChannel
                message.output_channel = WholeTextCollector(collector.messages)
            try:
                await on_new_message(message)
            except Exception:  # the original channel would log and return nothing; we still reply
                logger.exception("Handling a message failed; sending the fallback reply.")
            collector = message.output_channel
            if isinstance(collector, QueueOutputChannel) or not isinstance(collector, CollectingOutputChannel):
                return
            if not collector.messages:
                await collector.send_text_message(message.sender_id, fallback_reply(message.text, message.metadata))

        blueprint = super().blueprint(answer_or_explain)

        @blueprint.middleware("request")
        async def enforce_contract(request: Request) -> response.HTTPResponse | None:
            if request.method == "POST" and request.path.rstrip("/").endswith("/webhook"):
                return self.guard.check(request)
            return None

        @blueprint.listener("before_server_start")
        async def json_errors(app: Sanic, _loop: Any) -> None:
            install_json_errors(app)

        @blueprint.listener("after_server_stop")
        async def close_action_sessions(_app: Sanic, _loop: Any) -> None:
            await speedups.close_sessions()

        @blueprint.route("/health", methods=["GET"])
        async def health(request: Request) -> response.HTTPResponse:
            report = await health_report(getattr(request.app.ctx, "agent", None))
            return response.json(report, status=200 if report["status"] != "down" else 503)

        return blueprint


async def health_report(agent: Any) -> dict[str, str]:
    """Whether this Rasa process can answer, and whether its action server and tracker store respond."""
    if agent is None or not agent.is_ready():
        return {"status": "down", "model": "not loaded"}
    report = {"model": "loaded", "tracker_store": "ok", "action_server": "ok"}
    store = getattr(agent.tracker_store, "_tracker_store", agent.tracker_store)  # under Rasa's fail-safe wrapper
    try:
        if hasattr(store, "ping"):
            store.ping()
    except Exception:  # any failure to reach the database means this process can't keep conversations
        report["tracker_store"] = "unreachable"
    if agent.action_endpoint is not None:
        health_url = agent.action_endpoint.url.rsplit("/", 1)[0] + "/health"
        try:
            timeout = aiohttp.ClientTimeout(total=2)
            async with aiohttp.ClientSession(timeout=timeout) as session, session.get(health_url) as reply:
                if reply.status != 200:
                    report["action_server"] = f"HTTP {reply.status}"
        except (aiohttp.ClientError, asyncio.TimeoutError):  # on Python 3.10 not the built-in TimeoutError
            report["action_server"] = "unreachable"
    if report["tracker_store"] != "ok":
        report["status"] = "down"
    else:
        report["status"] = "ok" if report["action_server"] == "ok" else "degraded"
    return report
