"""The tracker store on SQLite and on PostgreSQL: persistence, forget me, retention, brief database outages."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.constants import ACTION_FORGET_ME, FORGET_ME_MARKER
from addons.tracker_store import PrivacySQLTrackerStore, asked_to_forget

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


def test_a_brief_database_outage_is_waited_out_and_nothing_is_lost(postgres):
    store = make_store(postgres.url)
    tracker = conversation(*turn("how much does it cost?", "Several thousand dollars."))
    asyncio.run(store.save(tracker))
    tracker.update_with_events(turn("and for pain?", "The article says..."), DOMAIN)

    async def save_during_outage() -> None:
        postgres.pause()
        saving = asyncio.create_task(store.save(tracker))
        await asyncio.sleep(2)
        assert not saving.done()  # still waiting for the database
        postgres.resume()
        await saving

    asyncio.run(save_during_outage())
    assert len(stored_events(store, tracker.sender_id)) == 8
    assert len(asyncio.run(store.retrieve(tracker.sender_id)).events) == 8


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
