"""Where a turn's time goes, with the Rasa agent in this process and the action server beside it.

    python scripts/profile_turn.py            # median time of each stage of a turn, and turns 1-20 vs 181-200
    python scripts/profile_turn.py --cprofile [--sort tottime] [--top 30]   # cProfile of turns 1-20 and 181-200

Stages: reading the conversation from the tracker store, NLU, the policy predictions, the call to the action
server, saving. Settings as for `make run` (endpoints.yml), with a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench import OUR_MESSAGES  # noqa: E402
from scripts.services import free_port, start_action_server  # noqa: E402

STAGES: dict[str, list[float]] = defaultdict(list)


def timed(owner: type, method: str, stage: str, is_async: bool = True) -> None:
    """Wrap owner.method so each call's duration is added to STAGES[stage]."""
    original = getattr(owner, method)

    if is_async:
        @functools.wraps(original)
        async def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                STAGES[stage].append((time.perf_counter() - start) * 1000)
    else:
        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                STAGES[stage].append((time.perf_counter() - start) * 1000)

    setattr(owner, method, wrapper)


def instrument() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor

    from addons.tracker_store import PrivacySQLTrackerStore

    timed(PrivacySQLTrackerStore, "retrieve", "read conversation")
    timed(MessageProcessor, "parse_message", "NLU")
    timed(MessageProcessor, "_predict_next_with_tracker", "policy predictions", is_async=False)
    timed(RemoteAction, "run", "action server call")
    timed(PrivacySQLTrackerStore, "save", "save conversation")
    timed(MessageProcessor, "handle_message", "whole turn")


async def load():
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.INFO)  # as `rasa run` does: no debug logs (Rasa builds them eagerly)
    configure_structlog(logging.INFO)
    return await load_agent(str(ROOT / "models" / "current.tar.gz"),
                            endpoints=AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")))


async def say(agent, sender: str, number: int) -> float:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    start = time.perf_counter()
    await agent.handle_message(UserMessage(OUR_MESSAGES[number % len(OUR_MESSAGES)], CollectingOutputChannel(),
                                           sender))
    return (time.perf_counter() - start) * 1000


async def stages(turns: int) -> None:
    instrument()
    agent = await load()
    for number in range(20):  # warm up
        await say(agent, "warm-up", number)
    STAGES.clear()
    for conversation in range(5):
        for number in range(20):
            await say(agent, f"short-{conversation}", number)
    messages = len(STAGES["whole turn"])
    print(f"{'stage':22} {'median ms':>9} {'ms per turn':>11}   ({messages} turns of 5 conversations)")
    for stage, times in STAGES.items():
        print(f"{stage:22} {statistics.median(times):9.1f} {sum(times) / messages:11.1f}")
    latencies = [await say(agent, "long", number) for number in range(turns)]
    print(f"one conversation of {turns} turns: median turns 1-20 {statistics.median(latencies[:20]):.1f} ms, "
          f"turns {turns - 19}-{turns} {statistics.median(latencies[-20:]):.1f} ms")


async def cprofile(turns: int, top: int, sort: str) -> None:
    agent = await load()
    for number in range(20):
        await say(agent, "warm-up", number)
    for label, first in (("turns 1-20", 0), (f"turns {turns - 19}-{turns}", turns - 20)):
        for number in range(20 if first else 0, first):  # the turns in between, not profiled
            await say(agent, "profiled", number)
        profile = cProfile.Profile()
        profile.enable()
        times = sorted([await say(agent, "profiled", first + number) for number in range(20)])
        profile.disable()
        print(f"\n=== {label}: median {times[10]:.1f} ms per turn (profiler on)")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(sort).print_stats(top)
        print(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="length of the long conversation")
    parser.add_argument("--cprofile", action="store_true", help="print cProfile statistics instead of stages")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative or tottime")
    args = parser.parse_args()
    os.chdir(ROOT)
    folder = Path(tempfile.mkdtemp(prefix="profile-"))
    port = free_port()
    os.environ.update({"RASA_TELEMETRY_ENABLED": "false", "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{port}/webhook",
                       "TRACKER_DB_URL": f"sqlite:///{folder / 'profile.db'}"})
    actions = start_action_server(port, dict(os.environ), folder / "actions.log")
    try:
        asyncio.run(cprofile(args.turns, args.top, args.sort) if args.cprofile else stages(args.turns))
    finally:
        actions.terminate()
        actions.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
