"""Rasa's REST channel, made so that a patient always gets an answer.

If the action server is down or an action fails, Rasa answers with silence. This channel notices an empty
reply and sends a clear message instead; when the message was a crisis or an emergency, that message is the
help lines themselves (bot/safety.py runs right here in the Rasa process, so help never depends on the
action server). The webhook stays at /webhooks/rest/webhook, and `metadata.country` is passed on.

It also serves GET /webhooks/rest/health for load balancers and monitoring: 200 when this process can answer
(model loaded, conversations readable), 503 when it can't; the action server's state is reported beside it (when
it is down the bot still replies, and still gives crisis help, so it doesn't make the process unhealthy).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from sanic import Blueprint, response
from sanic.request import Request

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


class ResilientRestInput(RestInput):
    """The REST channel, with a reply guaranteed for every message."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def answer_or_explain(message: UserMessage) -> None:
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
