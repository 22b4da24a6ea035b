"""The trained model, loaded once for the model tests (`make train` builds it; `make test` trains first)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "current.tar.gz"


@pytest.fixture(scope="session")
def parse():
    if not MODEL.exists():
        pytest.fail("no trained model at models/current.tar.gz: run `make train` (make test does it)")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()
