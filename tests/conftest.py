"""Shared fixtures: the real fact base, a small base written to tmp_path, trackers from events, and
a throw-away PostgreSQL and Redis from Debian's packages (scripts/services.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.facts import FACTS_DIR, FactBase, load_fact_base, read_raw
from scripts.services import Postgres, Redis, missing_services

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT.parent / "shared" / "source" / "health-rising-ketamine-2019.txt"


def load_default_settings() -> None:
    """The settings endpoints.yml needs, from .env.example, where the environment doesn't give them (as
    scripts/env.sh does for `make`), so `pytest` alone works too."""
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isupper() and not key.startswith("#"):
            os.environ.setdefault(key, value)


load_default_settings()


@pytest.fixture(scope="session")
def base() -> FactBase:
    return load_fact_base()


@pytest.fixture
def raw_base() -> dict:
    """A fresh, mutable copy of the real fact base's raw YAML, for validator tests."""
    return read_raw(FACTS_DIR)


@pytest.fixture
def facts_dir(tmp_path: Path) -> Path:
    """A copy of data/facts in tmp_path, for loader tests that change files on disk."""
    target = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, target)
    return target


def write_yaml(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _require_services() -> None:
    missing = missing_services()
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `bash scripts/setup_services.sh` (make test does it)")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    _require_services()
    server = Postgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    _require_services()
    server = Redis().start()
    try:
        yield server
    finally:
        server.stop()
