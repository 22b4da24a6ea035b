"""Two Rasa processes sharing a PostgreSQL tracker store and a Redis lock store, behind one nginx entry point,
with one action server: all started here on loopback from Debian's packages (scripts/services.py)."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from scripts.services import Nginx, Postgres, Redis, free_port, start_action_server, start_rasa, wait_for_url

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "current.tar.gz"


@dataclass
class Cluster:
    postgres: Postgres
    redis: Redis
    logs: Path
    env: dict[str, str]
    api_token: str
    rasa_ports: list[int]
    nginx: Nginx | None = None
    rasa: list[subprocess.Popen | None] = field(default_factory=list)
    actions: subprocess.Popen | None = None

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[index]}"

    def start_rasa(self, index: int) -> None:
        self.rasa[index] = start_rasa(self.rasa_ports[index], self.env, self.logs / f"rasa-{index}.log", MODEL,
                                      api_token=self.api_token)

    def kill_rasa(self, index: int) -> None:
        self.rasa[index].kill()
        self.rasa[index].wait(timeout=30)

    def events(self, sender_id: str) -> list[tuple[str, str]]:
        """(type, data) of every stored event of a conversation, in order, read straight from PostgreSQL."""
        engine = sa.create_engine(self.postgres.url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT type_name, data FROM events WHERE sender_id = :sender ORDER BY id"),
                    {"sender": sender_id},
                )
                return [(row[0], row[1]) for row in rows]
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def cluster(postgres, redis_server, tmp_path_factory) -> Iterator[Cluster]:
    if not MODEL.exists():
        pytest.fail("no trained model at models/current.tar.gz: run `make train` (make test does it)")
    logs = tmp_path_factory.mktemp("scaleout")
    action_port = free_port()
    env = {
        **os.environ, "RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": "INFO",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_DB_URL": postgres.url, "RETENTION_DAYS": "30",
        "LOCK_STORE_TYPE": "addons.lock_store.AtomicRedisLockStore", "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_server.port), "REDIS_PASSWORD": redis_server.password,
    }
    found = Cluster(postgres, redis_server, logs, env, secrets.token_hex(16), [free_port(), free_port()])
    found.rasa = [None, None]
    try:
        found.actions = start_action_server(action_port, env, logs / "actions.log")
        # Both Rasa processes load at the same time, as they would behind a load balancer.
        found.rasa = [start_rasa(port, env, logs / f"rasa-{i}.log", MODEL, api_token=found.api_token, wait=False)
                      for i, port in enumerate(found.rasa_ports)]
        for index, process in enumerate(found.rasa):
            wait_for_url(f"{found.url(index)}/webhooks/rest/health", process, logs / f"rasa-{index}.log")
        found.nginx = Nginx(found.rasa_ports).start()
        yield found
    finally:
        for process in (*found.rasa, found.actions):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        if found.nginx:
            found.nginx.stop()
