"""The Redis lock store: turns of one conversation, from several processes at once, are served one at a time."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from rasa.utils.endpoints import EndpointConfig

from addons.lock_store import AtomicRedisLockStore


def make_store(redis_server) -> AtomicRedisLockStore:
    config = EndpointConfig(url="127.0.0.1", type="addons.lock_store.AtomicRedisLockStore",
                            port=str(redis_server.port), password=redis_server.password)
    return AtomicRedisLockStore(config)


def test_tickets_taken_at_once_by_several_processes_are_all_different(redis_server):
    stores = [make_store(redis_server) for _ in range(4)]  # one per "process", each with its own connections
    conversation = f"lock-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=16) as pool:
        tickets = list(pool.map(lambda i: stores[i % 4].issue_ticket(conversation), range(64)))
    assert sorted(tickets) == list(range(64))


def test_turns_are_served_one_at_a_time_in_ticket_order(redis_server):
    stores = [make_store(redis_server) for _ in range(2)]
    conversation = f"lock-{uuid.uuid4().hex[:8]}"
    inside, overlaps, order = [0], [], []

    async def turn(store: AtomicRedisLockStore, name: int) -> None:
        async with store.lock(conversation):
            inside[0] += 1
            overlaps.append(inside[0])
            order.append(name)
            await asyncio.sleep(0.05)
            inside[0] -= 1

    async def main() -> None:
        await asyncio.gather(*(turn(stores[i % 2], i) for i in range(8)))

    asyncio.run(main())
    assert max(overlaps) == 1 and sorted(order) == list(range(8))
    assert stores[0].get_lock(conversation) is None  # nothing left behind


def test_empty_settings_from_the_environment_are_ignored(redis_server):
    config = EndpointConfig(url="127.0.0.1", type="x", port=str(redis_server.port), password=redis_server.password,
                            key_prefix="")
    assert AtomicRedisLockStore(config).red.ping()
