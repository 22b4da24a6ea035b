"""Where a turn's time goes: cProfile of the Rasa agent in this process (the action server runs beside it), for
turns 1-20 and turns 181-200 of one conversation.

    python scripts/profile_turn.py [--turns 200] [--top 25]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

SORT = "cumulative"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench import OUR_MESSAGES  # noqa: E402
from scripts.services import free_port, start_action_server  # noqa: E402


async def run(turns: int, top: int) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.INFO)  # as `rasa run` does: no debug logs
    configure_structlog(logging.INFO)

    agent = await load_agent(str(ROOT / "models" / "current.tar.gz"),
                             endpoints=AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")))

    async def turn(number: int) -> float:
        start = time.perf_counter()
        await agent.handle_message(UserMessage(OUR_MESSAGES[number % len(OUR_MESSAGES)], CollectingOutputChannel(),
                                               "profiled"))
        return (time.perf_counter() - start) * 1000

    for number in range(3):
        await turn(number)
    for label, first in (("turns 1-20", 0), (f"turns {turns - 19}-{turns}", turns - 20)):
        while first > 0 and getattr(run, "done", 0) < first:
            await turn(run.done)
            run.done = run.done + 1
        profile = cProfile.Profile()
        profile.enable()
        times = [await turn(first + i) for i in range(20)]
        profile.disable()
        run.done = first + 20
        times.sort()
        print(f"\n=== {label}: median {times[10]:.1f} ms per turn (in-process, profiler on)")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(SORT).print_stats(top)
        print(out.getvalue()[-6000:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative or tottime")
    args = parser.parse_args()
    global SORT
    SORT = args.sort
    os.chdir(ROOT)
    folder = Path(tempfile.mkdtemp(prefix="profile-"))
    port = free_port()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    os.environ["ACTION_ENDPOINT_URL"] = env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{port}/webhook"
    os.environ["TRACKER_DB_URL"] = f"sqlite:///{folder / 'profile.db'}"
    actions = start_action_server(port, env, folder / "actions.log")
    try:
        run.done = 0
        asyncio.run(run(args.turns, args.top))
    finally:
        actions.terminate()
        actions.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
