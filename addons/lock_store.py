"""A Redis lock store that really serialises the turns of one conversation across several Rasa processes.

Rasa Open Source 3.6's `RedisLockStore` reads a conversation's ticket queue, changes it in Python and writes it
back. Two processes receiving a message of the same conversation at the same moment both read an empty queue,
both take ticket 0, and both handle their turn at once; then each saves its own tracker and one turn's events are
lost (tests/scaleout caught it; Rasa's fix, the concurrent Redis lock store, only exists in Rasa Pro). Here every
change to a queue is one Redis transaction (WATCH/MULTI/EXEC, retried when another process got in between), and a
waiting turn checks again every 50 ms instead of every second.

endpoints.yml picks it with `LOCK_STORE_TYPE=addons.lock_store.AtomicRedisLockStore`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
WAIT_BETWEEN_CHECKS_SECONDS = 0.05


def _setting(value: Any) -> Any:
    """${VAR} settings arrive as strings; an empty one means 'not set'."""
    return None if value is None or str(value) == "" else value


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, with each change to a conversation's ticket queue made atomically."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = {key: _setting(value) for key, value in endpoint_config.kwargs.items()}
        super().__init__(host=endpoint_config.url or "localhost",
                         **{key: value for key, value in settings.items() if value is not None})

    def _change(self, conversation_id: str, change: Callable[[TicketLock | None], tuple[TicketLock | None, T]]) -> T:
        """Apply `change` to the stored lock in one transaction. `change` returns (lock to store or None to
        delete it, result)."""
        key = self.key_prefix + conversation_id
        outcome: list[T] = []

        def transaction(pipe: Any) -> None:
            outcome.clear()
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else None
            new_lock, result = change(lock)
            outcome.append(result)
            pipe.multi()
            if new_lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, new_lock.dumps())

        self.red.transaction(transaction, key)
        return outcome[0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take_ticket(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take_ticket)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def hand_back(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, hand_back)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = WAIT_BETWEEN_CHECKS_SECONDS) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
            yield lock
