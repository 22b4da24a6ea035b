"""Rasa's REST channel, made so that a patient always gets an answer.

If the action server is down or an action fails, Rasa answers with silence. This channel notices an empty
reply and sends a clear message instead; when the message was a crisis or an emergency, that message is the
help lines themselves (bot/safety.py runs right here in the Rasa process, so help never depends on the
action server). The webhook stays at /webhooks/rest/webhook, and `metadata.country` is passed on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from sanic import Blueprint

from bot.safety import get_crisis_guard, get_resources

logger = logging.getLogger(__name__)

UNAVAILABLE_REPLY = (
    "Sorry, I can't answer that right now because part of me isn't responding. Please try again in a minute. "
    "If you are in crisis, call or text 988 in the US, or call your local emergency number."
)


def fallback_reply(text: str | None, metadata: dict[str, Any] | None) -> str:
    """What to say when the bot produced nothing: help lines for a crisis, otherwise a clear apology."""
    kind = get_crisis_guard().check(text or "")
    if kind is None:
        return UNAVAILABLE_REPLY
    return get_resources().help_message(kind, (metadata or {}).get("country"))


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

        return super().blueprint(answer_or_explain)
