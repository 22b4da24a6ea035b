"""Feedback on answers: a Rasa input channel whose only route is POST /webhooks/feedback/.

The widget sends a thumbs up or down for one answer, with an optional reason for a thumbs down. We keep the vote,
the reason, the ids of the facts the answer showed, the intent, the kind of reply and the time (UTC, to the
minute), one JSON object per line in FEEDBACK_DIR (default var/feedback/, one file per month). We never keep the
message text, the sender id or the address: nothing personal, so nothing to consent to or to delete.

The request is checked strictly: a JSON object of at most 2 KB with only the fields below, a known fact id in
`facts`; anything else gets a JSON error (400 bad field, 413 too large, 415 not JSON). CORS comes from the Rasa
server's --cors setting, exactly as for the REST channel. scripts/feedback_report.py summarises the files.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "var" / "feedback"
MAX_BYTES = 2048
MAX_FACTS = 10
VOTES = ("up", "down")
REASONS = ("not-what-i-asked", "wrong-topic", "hard-to-read", "something-else")
KINDS = ("answer", "partly_covered", "not_covered", "advice", "more", "more_none", "source")
FIELDS = ("vote", "reason", "facts", "intent", "kind")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
FACT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")

_write_lock = threading.Lock()


class FeedbackError(ValueError):
    """A request we refuse, with the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def feedback_dir() -> Path:
    """Where feedback is stored: FEEDBACK_DIR, or var/feedback/ in the checkout."""
    return Path(os.environ.get("FEEDBACK_DIR") or DEFAULT_DIR)


def known_fact_ids() -> frozenset[str]:
    from bot.facts import load_fact_base  # cached; loaded on the first feedback, not at import

    return frozenset(fact.id for fact in load_fact_base().facts)


def parse_feedback(body: bytes, content_type: str | None, facts: Collection[str]) -> dict[str, Any]:
    """The feedback in a request body, checked field by field; raises FeedbackError for anything else."""
    if len(body) > MAX_BYTES:
        raise FeedbackError(413, f"The feedback is larger than {MAX_BYTES} bytes.")
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise FeedbackError(415, "Send the feedback as application/json.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FeedbackError(400, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise FeedbackError(400, "The body must be a JSON object.")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise FeedbackError(400, f"Unknown field(s): {', '.join(unknown)}. Allowed: {', '.join(FIELDS)}.")
    vote, reason, kind = data.get("vote"), data.get("reason"), data.get("kind")
    if vote not in VOTES:
        raise FeedbackError(400, "`vote` must be 'up' or 'down'.")
    if reason is not None and (vote != "down" or reason not in REASONS):
        raise FeedbackError(400, f"`reason` goes with a 'down' vote and is one of: {', '.join(REASONS)}.")
    intent = data.get("intent")
    if not isinstance(intent, str) or not NAME.match(intent):
        raise FeedbackError(400, "`intent` must be an intent name.")
    if kind is not None and kind not in KINDS:
        raise FeedbackError(400, f"`kind` must be one of: {', '.join(KINDS)}.")
    ids = data.get("facts", [])
    if not isinstance(ids, list) or len(ids) > MAX_FACTS or not all(isinstance(i, str) for i in ids):
        raise FeedbackError(400, f"`facts` must be a list of at most {MAX_FACTS} fact ids.")
    strange = [i for i in ids if not FACT_ID.match(i) or i not in facts]
    if strange:
        raise FeedbackError(400, "`facts` names unknown fact ids.")
    entry: dict[str, Any] = {"vote": vote, "reason": reason, "facts": list(dict.fromkeys(ids)), "intent": intent,
                             "kind": kind}
    return entry


def record(entry: dict[str, Any], folder: Path, now: datetime | None = None) -> Path:
    """Append `entry` with the time (UTC, to the minute) as one JSON line to this month's file in `folder`."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    line = {"time": now.strftime("%Y-%m-%dT%H:%MZ"), **entry}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"feedback-{now:%Y-%m}.jsonl"
    with _write_lock, path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    return path


class FeedbackInput(InputChannel):
    """POST /webhooks/feedback/: store one vote on one answer (no message is handled: nothing reaches the bot)."""

    @classmethod
    def name(cls) -> str:
        return "feedback"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("feedback_webhook", __name__)

        @blueprint.route("/", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            try:
                declared = int(request.headers.get("content-length") or 0)
            except ValueError:
                declared = 0
            if declared > MAX_BYTES:
                return response.json({"error": f"The feedback is larger than {MAX_BYTES} bytes."}, status=413)
            try:
                entry = parse_feedback(request.body or b"", request.headers.get("content-type"), known_fact_ids())
            except FeedbackError as error:
                return response.json({"error": error.message}, status=error.status)
            await asyncio.to_thread(record, entry, feedback_dir())  # file I/O off the event loop
            return response.json({"status": "stored"}, status=201)

        return blueprint
