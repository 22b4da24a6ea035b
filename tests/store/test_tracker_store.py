"""The tracker store on SQLite and on PostgreSQL: persistence, forget me, retention, brief database outages."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from sqlalchemy.exc import OperationalError

from actions.constants import ACTION_FORGET_ME, FORGET_ME_MARKER
from addons import tracker_store
from addons.tracker_store import (
    RETRY_DELAYS_SECONDS,
    PrivacySQLTrackerStore,
    asked_to_forget,
)

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'conversations.db'}"
    return request.getfixturevalue("postgres").url


def make_store(url: str, **settings) -> PrivacySQLTrackerStore:
    return PrivacySQLTrackerStore(host=url, domain=DOMAIN, **settings)


def turn(text: str, reply: str, timestamp: float | None = None) -> list:
    when = {"timestamp": timestamp} if timestamp else {}
    return [UserUttered(text, {"name": "ask_cost"}, **when), ActionExecuted("action_answer", **when),
            BotUttered(reply, **when), ActionExecuted("action_listen", **when)]


def conversation(*events) -> DialogueStateTracker:
    tracker = DialogueStateTracker(f"test-{uuid.uuid4().hex[:10]}", DOMAIN.slots)
    for event in events:
        tracker.update(event)
    return tracker


def stored_events(store: PrivacySQLTrackerStore, sender_id: str) -> list[str]:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).all()
        return [row.type_name for row in rows]


def test_a_conversation_is_saved_once_and_read_back(database_url):
    store = make_store(database_url)
    tracker = conversation(*turn("how much does it cost?", "Several thousand dollars."))
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # saving again adds nothing
    tracker.update_with_events(turn("and for pain?", "The article says..."), DOMAIN)
    asyncio.run(store.save(tracker))
    back = asyncio.run(make_store(database_url).retrieve(tracker.sender_id))  # a new process reads it
    assert [event.as_dict()["event"] for event in back.events] == [event.as_dict()["event"] for event in tracker.events]
    assert len(stored_events(store, tracker.sender_id)) == 8


def test_forget_me_deletes_every_event_of_that_conversation_only(database_url):
    store = make_store(database_url)
    kept = conversation(*turn("what is dxm?", "Dextromethorphan is..."))
    forgotten = conversation(*turn("what is spravato?", "A nasal spray."))
    asyncio.run(store.save(kept))
    asyncio.run(store.save(forgotten))
    forgotten.update_with_events([UserUttered("/forget_me", {"name": "forget_me"}), ActionExecuted(ACTION_FORGET_ME),
                                  BotUttered("Done"), BotUttered(data={"custom": {FORGET_ME_MARKER: True}}),
                                  ActionExecuted("action_listen")], DOMAIN)
    assert asked_to_forget(forgotten)
    asyncio.run(store.save(forgotten))
    assert stored_events(store, forgotten.sender_id) == []
    assert asyncio.run(store.retrieve(forgotten.sender_id)) is None
    assert len(stored_events(store, kept.sender_id)) == 4


def test_only_the_latest_turn_counts_as_a_forget_request():
    tracker = conversation(UserUttered("/forget_me"), ActionExecuted(ACTION_FORGET_ME),
                           BotUttered(data={"custom": {FORGET_ME_MARKER: True}}), ActionExecuted("action_listen"),
                           *turn("what is dxm?", "Dextromethorphan is..."))
    assert not asked_to_forget(tracker)


def test_the_deletion_question_alone_deletes_nothing():
    """A typed "forget me" runs the action, which only asks: without its marker nothing is deleted."""
    tracker = conversation(UserUttered("please forget me", {"name": "forget_me"}), ActionExecuted(ACTION_FORGET_ME),
                           BotUttered("Do you want me to delete this conversation?"), ActionExecuted("action_listen"))
    assert not asked_to_forget(tracker)


def test_retention_deletes_conversations_whose_last_message_is_too_old(database_url):
    now = time.time()
    store = make_store(database_url)
    stale = conversation(*turn("old question", "old answer", timestamp=now - 40 * 86400))
    recent = conversation(*turn("old question", "old answer", timestamp=now - 40 * 86400),
                          *turn("new question", "new answer", timestamp=now - 86400))
    asyncio.run(store.save(stale))
    asyncio.run(store.save(recent))
    make_store(database_url, retention_days="30")  # purges when it starts, as a Rasa process would
    assert stored_events(store, stale.sender_id) == []
    assert len(stored_events(store, recent.sender_id)) == 8  # a conversation still in use is kept whole
    assert store.purge_older_than(0.5) == 1  # the recent one is older than half a day
    assert stored_events(store, recent.sender_id) == []


def test_no_retention_setting_keeps_conversations(tmp_path):
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    old = conversation(*turn("old question", "old answer", timestamp=time.time() - 400 * 86400))
    asyncio.run(make_store(url).save(old))
    for setting in ("", "0", None):
        make_store(url, retention_days=setting)
    assert len(stored_events(make_store(url), old.sender_id)) == 4


def test_a_bad_retention_setting_is_refused(tmp_path):
    with pytest.raises(ValueError, match="retention_days"):
        make_store(f"sqlite:///{tmp_path / 'conversations.db'}", retention_days="-3")


class RetryWatch(logging.Handler):
    """Sets an event when the store logs that it is waiting for the database (the moment to end the outage)."""

    def __init__(self, what: str) -> None:
        super().__init__(logging.WARNING)
        self.what, self.seen, self.count = what, asyncio.Event(), 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(f"Database unavailable while {self.what}"):
            self.count += 1
            self.seen.set()


def test_a_brief_database_outage_is_waited_out_and_nothing_is_lost(postgres):
    # A long retry window (a minute), so a slow restart on a loaded machine can't make the test flaky; the
    # production window is RETRY_DELAYS_SECONDS. The outage ends when the store says it is retrying, not after
    # a guessed number of seconds.
    store = make_store(postgres.url, retry_delays=(0.25,) * 240)
    tracker = conversation(*turn("how much does it cost?", "Several thousand dollars."))
    asyncio.run(store.save(tracker))
    tracker.update_with_events(turn("and for pain?", "The article says..."), DOMAIN)

    async def save_during_outage() -> int:
        watch = RetryWatch("saving a conversation")
        logger = logging.getLogger("addons.tracker_store")
        logger.addHandler(watch)
        try:
            postgres.pause()
            saving = asyncio.create_task(store.save(tracker))
            retrying = asyncio.create_task(watch.seen.wait())
            await asyncio.wait({saving, retrying}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
            assert watch.seen.is_set() and not saving.done()  # the save met the outage and is retrying
            postgres.resume()
            await asyncio.wait_for(saving, timeout=120)
            return watch.count
        finally:
            logger.removeHandler(watch)

    assert asyncio.run(save_during_outage()) >= 1
    assert len(stored_events(store, tracker.sender_id)) == 8
    assert len(asyncio.run(store.retrieve(tracker.sender_id)).events) == 8


def test_the_default_retry_window_outlasts_a_database_restart():
    assert 10 <= sum(RETRY_DELAYS_SECONDS) <= 30 and list(RETRY_DELAYS_SECONDS) == sorted(RETRY_DELAYS_SECONDS)


HOUR = 3600  # the README's "hourly" retention purge


class Clock:
    """Stands in for the `time` module inside addons.tracker_store: monotonic time moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    @staticmethod
    def time() -> float:
        return time.time()


def test_the_retention_purge_runs_at_start_up_then_at_most_once_an_hour_while_saving(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(tracker_store, "time", clock)
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    now = time.time()
    store = make_store(url, retention_days="30")
    purges: list[float] = []
    purge = store.purge_older_than
    monkeypatch.setattr(store, "purge_older_than", lambda days, now=None: purges.append(days) or purge(days, now))

    stale = conversation(*turn("old question", "old answer", timestamp=now - 40 * 86400))
    asyncio.run(store.save(stale))  # written after the start-up purge
    assert len(stored_events(store, stale.sender_id)) == 4 and purges == []
    clock.now += HOUR - 1
    asyncio.run(store.save(conversation(*turn("new question", "new answer"))))
    assert len(stored_events(store, stale.sender_id)) == 4 and purges == []  # not yet an hour
    clock.now += 1
    asyncio.run(store.save(conversation(*turn("new question", "new answer"))))
    assert stored_events(store, stale.sender_id) == [] and purges == [30]  # an hour on: purged while saving
    asyncio.run(store.save(conversation(*turn("new question", "new answer"))))
    assert purges == [30]  # and not again within the hour


def test_a_purge_that_meets_an_unavailable_database_is_tried_again_at_the_next_save(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(tracker_store, "time", clock)
    store = make_store(f"sqlite:///{tmp_path / 'conversations.db'}", retention_days="30")
    attempts: list[float] = []

    def unavailable(days: float, now: float | None = None) -> int:
        attempts.append(days)
        if len(attempts) == 1:
            raise OperationalError("DELETE", {}, Exception("database is locked"))
        return 0

    monkeypatch.setattr(store, "purge_older_than", unavailable)
    clock.now += HOUR
    asyncio.run(store.save(conversation(*turn("a question", "an answer"))))  # the purge fails: logged, not raised
    asyncio.run(store.save(conversation(*turn("a question", "an answer"))))  # so the next save tries again
    asyncio.run(store.save(conversation(*turn("a question", "an answer"))))  # then not within the hour
    assert attempts == [30, 30]


def test_a_long_conversation_is_kept_in_sessions_of_bounded_length_with_slots_carried_over(database_url):
    store = make_store(database_url, max_session_turns="5")
    tracker = conversation(SlotSet("country", "GB"))
    for number in range(12):
        tracker.update_with_events([*turn(f"question {number}", f"answer {number}"), SlotSet("topic", "cost")],
                                   DOMAIN)
        asyncio.run(store.save(tracker))
        tracker = asyncio.run(store.retrieve(tracker.sender_id))
        assert sum(isinstance(event, UserUttered) for event in tracker.events) <= 5
    assert tracker.get_slot("country") == "GB" and tracker.get_slot("topic") == "cost"
    full = asyncio.run(store.retrieve_full_tracker(tracker.sender_id))
    said = [event.text for event in full.events if isinstance(event, UserUttered)]
    assert said == [f"question {number}" for number in range(12)]  # the whole history is kept, in order
    assert stored_events(store, tracker.sender_id).count("session_started") == 2


def test_without_a_session_limit_the_session_keeps_growing(tmp_path):
    store = make_store(f"sqlite:///{tmp_path / 'conversations.db'}", max_session_turns="0")
    tracker = conversation()
    for number in range(8):
        tracker.update_with_events(turn(f"question {number}", f"answer {number}"), DOMAIN)
        asyncio.run(store.save(tracker))
    back = asyncio.run(store.retrieve(tracker.sender_id))
    assert sum(isinstance(event, UserUttered) for event in back.events) == 8


def stored_rows(store, sender_id: str) -> list[tuple]:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).order_by(store.SQLEvent.id)
        return [(row.sender_id, row.type_name, row.timestamp, row.intent_name, row.action_name, row.data)
                for row in rows]


def test_reads_and_writes_match_rasas_own_sql_tracker_store(database_url):
    """The statements built once store the same rows and read back the same conversations as Rasa's ORM queries,
    across session starts (the latest session only, or everything)."""
    from rasa.core.tracker_store import SQLTrackerStore

    stores = {"ours": make_store(database_url), "rasa": SQLTrackerStore(host=database_url, domain=DOMAIN)}
    name = uuid.uuid4().hex[:10]
    trackers = {key: DialogueStateTracker(f"{key}-{name}", DOMAIN.slots) for key in stores}
    session_start = [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("country", "GB"),
                     ActionExecuted("action_listen")]
    for number in range(7):
        events = [*(session_start if number % 3 == 0 else []), *turn(f"question {number}", f"answer {number}")]
        for key, store in stores.items():
            trackers[key].update_with_events(events, DOMAIN, override_timestamp=False)
            asyncio.run(store.save(trackers[key]))
        for read in ("retrieve", "retrieve_full_tracker"):
            mine, theirs = (asyncio.run(getattr(stores[key], read)(trackers[key].sender_id)) for key in stores)
            mine, theirs = (tracker.current_state(EventVerbosity.ALL) for tracker in (mine, theirs))
            assert mine["events"] and mine["events"] == theirs["events"] and mine["slots"] == theirs["slots"]
        trackers = {key: asyncio.run(stores[key].retrieve(trackers[key].sender_id)) for key in stores}
    mine, theirs = (stored_rows(stores["ours"], trackers[key].sender_id) for key in stores)
    assert [row[1:] for row in mine] == [row[1:] for row in theirs]
    assert [row[1] for row in mine].count("session_started") == 3 and len(mine) == 3 * 4 + 7 * 4
    assert asyncio.run(stores["ours"].retrieve(f"nobody-{name}")) is None
