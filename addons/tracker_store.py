"""Where conversations are kept: Rasa's SQL tracker store (SQLite or PostgreSQL), with privacy and resilience.

On top of Rasa's `SQLTrackerStore` it adds:
- forget me: when a turn ran `action_forget_me`, every event of that conversation is deleted instead of saved;
- retention: conversations whose last message is older than `retention_days` are deleted (at start-up, then at
  most once an hour while saving);
- a bounded history: once the current conversation session holds `max_session_turns` messages from the person,
  a new session begins (Rasa's own session start, with every slot carried over). Rasa loads only the current
  session on each turn and its policies re-read all of it, so without this a turn's cost grows with the length
  of the conversation; the policies look back 3 turns (config.yml) and the actions read slots, so nothing they
  use is lost. The full history stays in the database;
- lighter queries: the reads and writes of a turn are the same SQL as Rasa's, sent as statements built once.
  Rasa builds an ORM query for each (about 1.5 ms of SQLAlchemy work for a query SQLite answers in 0.1 ms) and
  saves events one ORM object at a time; here the current session's events are read and counted with the same
  conditions, and a turn's new events are written in one insert;
- brief database outages: connections are checked before use, and a read or write that fails is retried for a
  few seconds before giving up. Giving up on a read would make Rasa start a fresh conversation and, on save,
  skip events, so a short outage must be waited out.

endpoints.yml picks it with `type: addons.tracker_store.PrivacySQLTrackerStore`; the database is one URL
(`sqlite:///var/conversations.db` or `postgresql://user:password@host:port/db`) from the environment.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DBAPIError, OperationalError

from actions.constants import FORGET_ME_MARKER

logger = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 3600
# Waits between attempts when the database is unreachable: about 15 seconds in all.
RETRY_DELAYS_SECONDS = (0.25, 0.5, 1, 2, 4, 8)

T = TypeVar("T")


# Rasa indexes events by conversation only, so finding the current session's start and its events read every
# event the conversation ever had: a turn got slower as the conversation got longer. These answer both queries.
_EVENTS = SQLTrackerStore.SQLEvent.__table__
SESSION_INDEXES = (
    sa.Index("ix_events_sender_type_time", _EVENTS.c.sender_id, _EVENTS.c.type_name, _EVENTS.c.timestamp),
    sa.Index("ix_events_sender_time", _EVENTS.c.sender_id, _EVENTS.c.timestamp),
)

# Rasa's SQLTrackerStore._event_query as statements built once: a conversation's events (all of them, or those of
# its latest session: from the latest session start on, or all when it never started one), in the order stored.
_SENDER = sa.bindparam("sender_id")
_SESSION_START = (sa.select(sa.func.max(_EVENTS.c.timestamp))
                  .where(_EVENTS.c.sender_id == _SENDER, _EVENTS.c.type_name == SessionStarted.type_name)
                  .scalar_subquery())
_IN_LATEST_SESSION = sa.and_(_EVENTS.c.sender_id == _SENDER,
                             sa.or_(_EVENTS.c.timestamp >= _SESSION_START, _SESSION_START.is_(None)))
ALL_EVENTS = sa.select(_EVENTS.c.data).where(_EVENTS.c.sender_id == _SENDER).order_by(_EVENTS.c.id)
LATEST_SESSION_EVENTS = sa.select(_EVENTS.c.data).where(_IN_LATEST_SESSION).order_by(_EVENTS.c.id)
LATEST_SESSION_COUNT = sa.select(sa.func.count()).select_from(_EVENTS).where(_IN_LATEST_SESSION)


def event_row(sender_id: str, event: Any) -> dict[str, Any]:
    """The row Rasa's SQLTrackerStore.save stores for one event."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"), "data": json.dumps(data)}


def asked_to_forget(tracker: DialogueStateTracker) -> bool:
    """True when the latest turn (since the last user message) deleted: the forget-me action sent its marker.

    The action running is not enough: for a typed request it only asks "Do you want me to delete...?"."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered) and ((event.data or {}).get("custom") or {}).get(FORGET_ME_MARKER) is True:
            return True
        if isinstance(event, UserUttered):
            return False
    return False


def user_turns_in_session(tracker: DialogueStateTracker) -> int:
    """How many messages from the person the tracker holds since its latest session start."""
    count = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        count += isinstance(event, UserUttered)
    return count


def session_restart_events(tracker: DialogueStateTracker) -> list:
    """What Rasa's action_session_start adds, carrying every slot's current value over to the new session (one
    event per slot, not the whole history of slot changes, so sessions don't grow from one to the next)."""
    slots = [SlotSet(name, value) for name, value in tracker.current_slot_values().items() if value is not None]
    return [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), *slots, ActionExecuted(ACTION_LISTEN_NAME)]


def _sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    """SQLite's write-ahead log: readers don't wait for a writer, and commits sync to disk at checkpoints. A crash
    of the bot loses nothing; a power cut can lose the last moments."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _optional_int(name: str, value: Any) -> int | None:
    """Settings from ${VAR} arrive as strings; an empty one means 'not set'."""
    if value is None or str(value).strip() == "":
        return None
    number = int(value)
    if number < 0:
        raise ValueError(f"{name} must be 0 or more, not {number}")
    return number


class PrivacySQLTrackerStore(SQLTrackerStore):
    """SQL tracker store with forget-me, a retention period and retries through brief database outages."""

    def __init__(self, retention_days: Any = None, max_session_turns: Any = None,
                 retry_delays: tuple[float, ...] = RETRY_DELAYS_SECONDS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Rasa's engine doesn't check pooled connections, so the first query after a database restart fails;
        # pre-ping replaces dead connections instead.
        url = self.engine.url
        self.engine.dispose()
        options: dict[str, Any] = {"pool_pre_ping": True, **create_engine_kwargs(url)}
        if url.get_backend_name() == "sqlite":
            # SQLAlchemy 1.4 opens and closes a new SQLite connection for every read and write; keep them open
            # instead, as SQLAlchemy 2 does (README, "Speed"). Rasa uses them from its event loop's thread only.
            options.update(poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})
        self.engine = sa.create_engine(url, **options)
        if url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._add_indexes()
        self.retention_days = _optional_int("retention_days", retention_days)  # None or 0: keep conversations
        self.max_session_turns = _optional_int("max_session_turns", max_session_turns)  # None or 0: no limit
        self.retry_delays = tuple(retry_delays)
        self._last_purge: float | None = None
        self._purge_if_due()

    async def _with_retries(self, what: str, operation: Callable[[], Awaitable[T]]) -> T:
        for delay in (*self.retry_delays, None):
            try:
                return await operation()
            except (OperationalError, DBAPIError) as error:
                retriable = isinstance(error, OperationalError) or error.connection_invalidated
                if delay is None or not retriable:
                    raise
                # No message text here: only the kind of failure.
                logger.warning("Database unavailable while %s (%s); retrying in %s s.", what,
                               type(error.orig).__name__ if error.orig else type(error).__name__, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._with_retries("reading a conversation", lambda: super(
            PrivacySQLTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._with_retries("reading a conversation", lambda: super(
            PrivacySQLTrackerStore, self).retrieve_full_tracker(conversation_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if asked_to_forget(tracker):
            await self._with_retries("deleting a conversation", lambda: self._forget_now(tracker.sender_id))
            return
        if self.max_session_turns and user_turns_in_session(tracker) >= self.max_session_turns:
            tracker.update_with_events(session_restart_events(tracker), self.domain)
        await self._with_retries("saving a conversation", lambda: self._save_new_events(tracker))
        self._purge_if_due()

    async def _save_new_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's SQLTrackerStore.save: the events the latest session has beyond those stored, in one insert."""
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            stored = connection.execute(LATEST_SESSION_COUNT, {"sender_id": tracker.sender_id}).scalar_one()
            rows = [event_row(tracker.sender_id, event) for event in itertools.islice(tracker.events, stored, None)]
            if rows:
                connection.execute(_EVENTS.insert(), rows)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """Rasa's SQLTrackerStore._retrieve, reading only the events' data."""
        query = ALL_EVENTS if fetch_events_from_all_sessions else LATEST_SESSION_EVENTS
        with self.engine.connect() as connection:
            events = [json.loads(data) for data in connection.execute(query, {"sender_id": sender_id}).scalars()]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def _forget_now(self, sender_id: str) -> None:
        self.forget(sender_id)

    def _add_indexes(self) -> None:
        """Add SESSION_INDEXES to a database made before them (a new one gets them with the table)."""
        for index in SESSION_INDEXES:
            try:
                index.create(self.engine, checkfirst=True)
            except (OperationalError, DBAPIError):  # another process created it at the same moment
                logger.debug("Index %s exists already.", index.name)

    def ping(self) -> None:
        """Raise when the database can't be reached (for the health check)."""
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    def forget(self, sender_id: str) -> int:
        """Delete every event of one conversation (all sessions). Returns how many were deleted."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        logger.info("Deleted a conversation on request (%d events).", deleted)
        return deleted

    def purge_older_than(self, days: float, now: float | None = None) -> int:
        """Delete the conversations whose latest event is more than `days` old. Returns how many were deleted."""
        cutoff = (time.time() if now is None else now) - days * 86400
        event = self.SQLEvent
        stale = sa.select(event.sender_id).group_by(event.sender_id).having(sa.func.max(event.timestamp) < cutoff)
        with self.session_scope() as session:
            senders = [row[0] for row in session.execute(stale)]
            if senders:
                session.query(event).filter(event.sender_id.in_(senders)).delete(synchronize_session=False)
                session.commit()
        if senders:
            logger.info("Retention: deleted %d conversations older than %s days.", len(senders), days)
        return len(senders)

    def _purge_if_due(self) -> None:
        due = self._last_purge is None or time.monotonic() - self._last_purge >= PURGE_INTERVAL_SECONDS
        if not self.retention_days or not due:
            return
        self._last_purge = time.monotonic()
        try:
            self.purge_older_than(self.retention_days)
        except (OperationalError, DBAPIError):
            logger.warning("Retention: the database was unavailable; will try again later.")
            self._last_purge = None
