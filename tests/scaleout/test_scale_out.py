"""Scale-out: any Rasa process serves any turn, nothing is lost or duplicated, and the faults a clinic will meet
(a process restart, a database outage) lose no conversation. Forget me and the API token on PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.cli import send
from bot.compose import DISCLAIMER

QUESTIONS = [
    "how much does spravato cost?", "where is that from?", "does ketamine help fibromyalgia?", "tell me more",
    "what is dxm?", "and for pain?", "how long does ketamine last?", "what about memantine?",
]


def say(url: str, sender: str, message: str) -> str:
    replies = send(url, sender, message)
    assert replies, f"no reply to {message!r}"
    return "\n\n".join(reply.get("text", "") for reply in replies if reply.get("text"))


def user_texts(events: list[tuple[str, str]]) -> list[str]:
    return [json.loads(data)["text"] for kind, data in events if kind == "user"]


def test_interleaved_turns_on_both_processes_lose_and_duplicate_nothing(cluster):
    senders = [f"scale-{uuid.uuid4().hex[:8]}" for _ in range(6)]
    replies: dict[str, list[str]] = {sender: [] for sender in senders}

    def converse(index: int, sender: str) -> None:
        for turn, question in enumerate(QUESTIONS):
            process = (index + turn) % 2  # every turn goes to the other process
            replies[sender].append(say(cluster.url(process), sender, question))

    with ThreadPoolExecutor(max_workers=len(senders)) as pool:
        list(pool.map(converse, range(len(senders)), senders))

    for sender in senders:
        events = cluster.events(sender)
        assert user_texts(events) == QUESTIONS  # none lost, none twice, in order
        assert len(set(events)) == len(events), "an event was stored twice"
        assert sum(kind == "bot" for kind, _ in events) >= len(QUESTIONS)
        # The follow-ups were answered from what the other process had said.
        assert "Health Rising" in replies[sender][1] and "section" in replies[sender][1]
        assert replies[sender][3].rstrip().endswith(DISCLAIMER)


def test_two_messages_of_one_conversation_at_once_are_handled_one_after_the_other(cluster):
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    say(cluster.url(0), sender, "how much does spravato cost?")
    barrier = threading.Barrier(2)

    def at_once(process: int, message: str) -> str:
        barrier.wait()
        return say(cluster.url(process), sender, message)

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(at_once, 0, "what is dxm?")
        second = pool.submit(at_once, 1, "does memantine help pain?")
        answers = [first.result(), second.result()]
    assert all(answer.rstrip().endswith(DISCLAIMER) for answer in answers)
    events = cluster.events(sender)
    texts = user_texts(events)
    assert sorted(texts) == sorted(["how much does spravato cost?", "what is dxm?", "does memantine help pain?"])
    assert len(set(events)) == len(events)
    # The Redis lock made each turn complete before the next began: user, actions..., listen, user, ...
    kinds = [kind for kind, _ in events]
    user_positions = [i for i, kind in enumerate(kinds) if kind == "user"]
    for start, end in zip(user_positions, [*user_positions[1:], len(kinds)], strict=True):
        assert "bot" in kinds[start:end], f"a turn was interleaved with another: {kinds}"


def test_one_entry_point_spreads_turns_over_both_processes(cluster):
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    before = len(cluster.nginx.upstreams_used())
    for question in QUESTIONS:
        say(cluster.nginx.url, sender, question)
    used = cluster.nginx.upstreams_used()[before:]
    assert {f"127.0.0.1:{port}" for port in cluster.rasa_ports} <= set(used)
    assert user_texts(cluster.events(sender)) == QUESTIONS


def test_restarting_a_rasa_process_loses_no_conversation(cluster):
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    say(cluster.nginx.url, sender, "does ketamine help fibromyalgia?")
    cluster.kill_rasa(0)  # crashes; the entry point sends the next turns to the other process
    try:
        more = say(cluster.nginx.url, sender, "tell me more")
        assert "fibromyalgia" in more.lower() and more.rstrip().endswith(DISCLAIMER)
        assert "Health Rising" in say(cluster.nginx.url, sender, "where is that from?")
    finally:
        cluster.start_rasa(0)
    assert say(cluster.url(0), sender, "what is dxm?").rstrip().endswith(DISCLAIMER)
    assert len(user_texts(cluster.events(sender))) == 4


RETRYING = "Database unavailable while"  # what the tracker store logs while it waits out an outage


def wait_until(condition, seconds: float) -> bool:
    """Poll `condition` until it holds (True) or `seconds` pass (False)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_brief_database_outage_loses_no_conversation(cluster):
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    say(cluster.url(0), sender, "how much does spravato cost?")
    log = cluster.logs / "rasa-1.log"

    def retries_logged() -> int:
        return log.read_text(errors="replace").count(RETRYING)

    before = retries_logged()
    cluster.postgres.pause()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(say, cluster.url(1), sender, "where is that from?")
            # The database comes back as soon as the turn is known to be waiting for it (its first retry is
            # logged), so the restart has nearly all of the store's retry window, however slow the machine.
            assert wait_until(lambda: retries_logged() > before or pending.done(), 60)
            assert not pending.done(), "the turn finished during the outage"
            cluster.postgres.resume()
            reply = pending.result(timeout=60)
    finally:
        if not _database_up(cluster):
            cluster.postgres.resume()
    assert "Health Rising" in reply and "section" in reply  # a real answer, with the context from before
    assert user_texts(cluster.events(sender)) == ["how much does spravato cost?", "where is that from?"]
    assert say(cluster.url(0), sender, "what is dxm?").rstrip().endswith(DISCLAIMER)


def _database_up(cluster) -> bool:
    try:
        cluster.events("nobody")
        return True
    except Exception:
        return False


def test_forget_me_deletes_the_conversation_from_postgresql(cluster):
    sender, other = f"scale-{uuid.uuid4().hex[:8]}", f"scale-{uuid.uuid4().hex[:8]}"
    say(cluster.url(0), sender, "does ketamine help fibromyalgia?")
    say(cluster.url(1), other, "what is dxm?")
    # A typed request asks first (whichever process answers); "yes" deletes, on the other process.
    assert "Do you want me to delete" in say(cluster.url(1), sender, "please get rid of this whole conversation")
    assert "deleted this conversation" in say(cluster.url(0), sender, "yes, go ahead")
    assert cluster.events(sender) == []
    assert user_texts(cluster.events(other)) == ["what is dxm?"]


@pytest.mark.parametrize("token, status", [(None, 401), ("wrong", 401), ("right", 200)])
def test_the_http_api_needs_the_configured_token(cluster, token, status):
    query = "" if token is None else f"?token={cluster.api_token if token == 'right' else token}"
    try:
        with urllib.request.urlopen(f"{cluster.url(0)}/status{query}", timeout=10) as response:
            code = response.status
    except urllib.error.HTTPError as error:
        code = error.code
    assert code == status


def test_health_reports_the_database(cluster):
    url = f"{cluster.url(0)}/webhooks/rest/health"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert json.load(response)["status"] == "ok"
    cluster.postgres.pause()
    try:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(url, timeout=30)
        assert error.value.code == 503
        assert json.load(error.value)["tracker_store"] == "unreachable"
    finally:
        cluster.postgres.resume()
