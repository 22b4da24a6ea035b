"""Benchmark: our bot against a stock `rasa init` bot on the same machine, in the same run, over REST (loopback).

    python scripts/bench.py [--users 1 5 10 30] [--messages 40] [--rounds 5] [--long 200] [--long-rounds 3]
                            [--scale-users 10] [--no-scale] [--flood-patients 10] [--flood-messages 20] [--no-flood]

For each bot: start-up time, train time (stock: `rasa init`; ours: `rasa train`), p50/p95/p99 latency and throughput
at each number of concurrent simulated patients, errors, server CPU per message, memory of each process after the
same load (RSS: the Rasa process; for ours also the action server, on rasa-sdk alone), and latency at turns 1-20
versus 181-200 of a long conversation. The 1-patient load runs in --rounds rounds, stock and ours in turn, pooled
(its p50 is a few ms, and a slow spell of this shared machine must hit both bots); so do the long conversations
(--long-rounds). The main runs have fair use off (their patients send messages back to back); then fair use on its
defaults: 10 patients (each its own address, as nginx would report it) talk with and without one client flooding the
server from one address (new sender every message), and the p95 of the 10 is compared. Then ours again, 1 Rasa
process versus 2 behind one nginx entry point, sharing a PostgreSQL tracker store and a Redis lock store (Debian's
packages, started on loopback by scripts/services.py): throughput and latency. Writes results/bench/bench.json and
results/bench/latency.png. Linux only (reads /proc for CPU and memory).
A short run for a quick look: --users 1 30 --messages 20 --long 40 --no-scale.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.services import (  # noqa: E402
    Nginx,
    Postgres,
    Redis,
    free_port,
    missing_services,
    start_action_server,
    start_rasa,
    wait_for_url,
)

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
OUT = ROOT / "results" / "bench"
STOCK_DIR = ROOT / "var" / "bench" / "stock"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP_MESSAGES = 20  # before each measurement: first calls fill caches and are slower

OUR_MESSAGES = [
    "how much does spravato cost?", "does ketamine help fibromyalgia?", "tell me more", "where is that from?",
    "what is dxm?", "and for pain?", "how long does ketamine last?", "is ketamine addictive?",
    "what are the side effects of ketamine", "does memantine help pain?",
]
# Fair use off for the main runs (their simulated patients send 40 messages back to back, from one address).
NO_RATE_LIMITS = {"RATE_LIMIT_PER_SENDER": "0", "RATE_LIMIT_PER_ADDRESS": "0"}
FLOODER_ADDRESS = "203.0.113.66"  # documentation addresses (RFC 5737): the flooder, and the patients below
FLOOD_CONNECTIONS = 4  # the flooder's requests in flight at once
FLOOD_HEAD_START = 5.0  # seconds the flood runs before the patients start
STOCK_MESSAGES = ["hi", "I am sad", "yes", "no", "bye", "are you a bot?", "great", "I am happy", "hello", "no way"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Bot:
    """One bot's servers: the Rasa process (and for ours, the action server)."""

    def __init__(self, name: str, project: Path, model: Path, messages: list[str], with_actions: bool,
                 endpoints: Path | None = None, settings: dict[str, str] | None = None) -> None:
        self.name, self.project, self.model, self.messages = name, project, model, messages
        self.with_actions = with_actions
        self.settings = settings or {}
        self.endpoints = endpoints or project / "endpoints.yml"
        self.processes: list[subprocess.Popen] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"

    def start(self, logs: Path) -> float:
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", **self.settings}
        start = time.perf_counter()
        if self.with_actions:
            action_port = free_port()
            env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
            env["TRACKER_DB_URL"] = f"sqlite:///{logs / f'{self.name}.db'}"
            self.processes.append(start_action_server(action_port, env, logs / f"{self.name}-actions.log"))
        # ours as we ship it (scripts/rasa_server.py, as scripts/services.py starts it); the stock bot as `rasa run`
        launcher = [PYTHON, "-m", "scripts.rasa_server"] if self.with_actions else [RASA]
        rasa = subprocess.Popen(
            [*launcher, "run", "--model", str(self.model), "--port", str(self.port), "--interface", "127.0.0.1",
             "--credentials", "credentials.yml", "--endpoints", str(self.endpoints)],
            cwd=self.project, env=env, stdout=(logs / f"{self.name}-rasa.log").open("w"), stderr=subprocess.STDOUT,
        )
        self.processes.insert(0, rasa)
        wait_for_url(f"http://127.0.0.1:{self.port}/webhooks/rest/", rasa, logs / f"{self.name}-rasa.log")
        return time.perf_counter() - start

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            process.wait(timeout=30)

    def cpu(self) -> float:
        return sum(cpu_seconds(process.pid) for process in self.processes)

    def memory(self) -> dict[str, float]:
        names = ["rasa", "actions"]
        return {names[i]: round(rss_mb(process.pid), 1) for i, process in enumerate(self.processes)}


async def conversation(session: aiohttp.ClientSession, bot: Bot | Fleet, turns: int,
                       address: str | None = None) -> tuple[list[float], int, int]:
    """One simulated patient: latencies, errors (HTTP failures, timeouts, refusals) and silent turns (an empty reply:
    the stock bot's stories have no response for some turns; ours always replies). `address`: the patient's address
    as a trusted proxy would report it (X-Forwarded-For)."""
    sender, latencies, errors, silent = f"bench-{uuid.uuid4().hex[:10]}", [], 0, 0
    headers = {"X-Forwarded-For": address} if address else {}
    for turn in range(turns):
        start = time.perf_counter()
        try:
            async with session.post(bot.url, json={"sender": sender, "message": bot.messages[turn % len(bot.messages)]},
                                    headers=headers, timeout=aiohttp.ClientTimeout(total=30)) as response:
                replies = await response.json()
                if response.status != 200:
                    errors += 1
                elif not replies:
                    silent += 1
        except (aiohttp.ClientError, asyncio.TimeoutError):
            errors += 1
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies, errors, silent


async def measure(bot: Bot | Fleet, users: int, turns: int) -> tuple[list, float, float]:
    """`users` patients talking at once: each one's (latencies, errors, silent), the wall time and the server CPU."""
    async with aiohttp.ClientSession() as session:
        await conversation(session, bot, WARM_UP_MESSAGES)
        cpu_before, start = bot.cpu(), time.perf_counter()
        results = await asyncio.gather(*(conversation(session, bot, turns) for _ in range(users)))
        return results, time.perf_counter() - start, bot.cpu() - cpu_before


def load_row(users: int, runs: list[tuple[list, float, float]]) -> dict:
    """One row over one or more runs at the same load, their latencies pooled."""
    results = [result for run in runs for result in run[0]]
    wall, cpu = sum(run[1] for run in runs), sum(run[2] for run in runs)
    latencies = sorted(latency for result in results for latency in result[0])
    total = len(latencies)
    percentile = lambda p: latencies[min(total - 1, int(p / 100 * total))]  # noqa: E731
    row = {"users": users, "messages": total, "errors": sum(result[1] for result in results),
           "silent": sum(result[2] for result in results),
           "p50_ms": round(percentile(50), 1), "p95_ms": round(percentile(95), 1),
           "p99_ms": round(percentile(99), 1), "throughput_per_s": round(total / wall, 1),
           "cpu_ms_per_message": round(cpu * 1000 / total, 1)}
    if len(runs) > 1:
        row["rounds"] = len(runs)
        row["p50_ms_each_round"] = [round(statistics.median(lat for result in run[0] for lat in result[0]), 1)
                                    for run in runs]
    return row


async def load(bot: Bot | Fleet, users: int, turns: int) -> dict:
    return load_row(users, [await measure(bot, users, turns)])


def summary(results: list[tuple[list[float], int, int]]) -> dict:
    latencies = sorted(latency for result in results for latency in result[0])
    total = len(latencies)
    percentile = lambda p: latencies[min(total - 1, int(p / 100 * total))]  # noqa: E731
    return {"messages": total, "errors": sum(result[1] for result in results),
            "p50_ms": round(percentile(50), 1), "p95_ms": round(percentile(95), 1)}


async def flood(bot: Bot, patients: int, turns: int, flooding: bool, first: int) -> tuple[dict, list]:
    """`patients` ordinary patients (each its own address, different in each run) talk while, if `flooding`, one
    client sends as fast as FLOOD_CONNECTIONS connections allow, from one address, a new sender every message. The
    flood starts FLOOD_HEAD_START seconds before the patients: its first 30 messages (the burst any client may send)
    are answered by then, and the patients meet the flood as it goes on."""
    statuses: Counter[str] = Counter()
    stop = asyncio.Event()

    async def flooder() -> None:
        while not stop.is_set():
            body = {"sender": f"flood-{uuid.uuid4().hex[:10]}", "message": "how much does spravato cost?"}
            try:
                async with session.post(bot.url, json=body, headers={"X-Forwarded-For": FLOODER_ADDRESS},
                                        timeout=aiohttp.ClientTimeout(total=30)) as response:
                    await response.read()
                    statuses[str(response.status)] += 1
            except (aiohttp.ClientError, asyncio.TimeoutError):
                statuses["error"] += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await conversation(session, bot, WARM_UP_MESSAGES, address=f"198.51.100.{first + patients}")
        flood_start = time.perf_counter()
        tasks = [asyncio.create_task(flooder()) for _ in range(FLOOD_CONNECTIONS if flooding else 0)]
        if flooding:
            await asyncio.sleep(FLOOD_HEAD_START)
        start = time.perf_counter()
        results = await asyncio.gather(*(conversation(session, bot, turns, address=f"198.51.100.{first + i}")
                                         for i in range(patients)))
        wall, flood_wall = time.perf_counter() - start, time.perf_counter() - flood_start
        stop.set()
        await asyncio.gather(*tasks)
    row = {"patients": patients, "flooding": flooding, **summary(results)}
    if flooding:
        row["flood_requests"] = sum(statuses.values())
        row["flood_per_s"] = round(row["flood_requests"] / flood_wall, 1)
        row["flood_statuses"] = dict(statuses)
    row["patients_wall_s"] = round(wall, 1)
    return row, results


def flood_test(patients: int, turns: int, logs: Path, rounds: int = 2) -> list[dict]:
    """Ours with fair use on its defaults (TRUSTED_PROXIES=127.0.0.1: the bench is the proxy that reports each
    patient's address): patients without, then with, a flooding client, `rounds` times in turn (so a slow spell of
    this shared machine hits both); each round's row, then one row per condition over all its rounds."""
    bot = Bot("ours-fair-use", ROOT, ROOT / "models" / "current.tar.gz", OUR_MESSAGES, with_actions=True,
              settings={"RATE_LIMIT_PER_SENDER": "30", "RATE_LIMIT_PER_ADDRESS": "30", "TRUSTED_PROXIES": "127.0.0.1"})
    try:
        bot.start(logs)
        rows, pooled = [], {False: [], True: []}
        for number in range(rounds * 2):
            flooding = bool(number % 2)
            # every run its own addresses (and senders): no patient is near its own limit
            row, results = asyncio.run(flood(bot, patients, turns, flooding, first=1 + number * (patients + 1)))
            rows.append({"round": number // 2 + 1, **row})
            pooled[flooding] += results
    finally:
        bot.stop()
    return rows + [{"round": "all", "patients": patients, "flooding": flooding, **summary(pooled[flooding])}
                   for flooding in (False, True)]


async def long_conversation(bot: Bot, turns: int) -> tuple[list[float], int]:
    async with aiohttp.ClientSession() as session:
        latencies, errors, _ = await conversation(session, bot, turns)
    return latencies, errors


def long_row(turns: int, runs: list[tuple[list[float], int]]) -> dict:
    """Turns 1-20 against the last 20 of one or more long conversations, pooled (a 12 ms turn moves by a few ms
    from run to run)."""
    first = [latency for latencies, _ in runs for latency in latencies[:20]]
    last = [latency for latencies, _ in runs for latency in latencies[-20:]]
    row = {"turns": turns, "conversations": len(runs), "errors": sum(errors for _, errors in runs),
           "first_20_p50_ms": round(statistics.median(first), 1), "last_20_p50_ms": round(statistics.median(last), 1)}
    if len(runs) > 1:
        row["ratio_each"] = [round(statistics.median(latencies[-20:]) / statistics.median(latencies[:20]), 2)
                             for latencies, _ in runs]
    return row


class Fleet:
    """Ours as a clinic would scale it: N Rasa processes behind nginx, one action server, PostgreSQL and Redis."""

    def __init__(self, processes: int, env: dict[str, str], logs: Path) -> None:
        self.messages = OUR_MESSAGES
        ports = [free_port() for _ in range(processes)]
        self.rasa = [start_rasa(port, env, logs / f"fleet-{processes}-rasa-{i}.log", ROOT / "models" / "current.tar.gz",
                                wait=False) for i, port in enumerate(ports)]
        for i, (port, process) in enumerate(zip(ports, self.rasa, strict=True)):
            wait_for_url(f"http://127.0.0.1:{port}/webhooks/rest/health", process,
                         logs / f"fleet-{processes}-rasa-{i}.log")
        self.nginx = Nginx(ports).start()
        self.url = f"{self.nginx.url}/webhooks/rest/webhook"
        self.others: list[subprocess.Popen] = []

    def cpu(self) -> float:
        return sum(cpu_seconds(process.pid) for process in [*self.rasa, *self.others])

    def stop(self) -> None:
        for process in self.rasa:
            process.terminate()
            process.wait(timeout=30)
        self.nginx.stop()


def scale_out(users: int, messages: int, logs: Path) -> list[dict]:
    """Throughput of ours with 1 and with 2 Rasa processes, same load, same machine."""
    postgres, redis = Postgres().start(), Redis().start()
    action_port = free_port()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TRACKER_DB_URL": postgres.url,
           "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
           "LOCK_STORE_TYPE": "addons.lock_store.AtomicRedisLockStore", "REDIS_HOST": "127.0.0.1",
           "REDIS_PORT": str(redis.port), "REDIS_PASSWORD": redis.password, **NO_RATE_LIMITS}
    actions = start_action_server(action_port, env, logs / "fleet-actions.log")
    rows = []
    try:
        for processes in (1, 2):
            fleet = Fleet(processes, env, logs)
            fleet.others = [actions]
            try:
                rows.append({"processes": processes, **asyncio.run(load(fleet, users, messages))})
            finally:
                fleet.stop()
    finally:
        actions.terminate()
        actions.wait(timeout=30)
        redis.stop()
        postgres.stop()
    return rows


def stock_bot() -> tuple[Path, float]:
    """A stock `rasa init` bot (made and trained once, under var/bench/stock)."""
    model = next(iter(sorted((STOCK_DIR / "models").glob("*.tar.gz"))), None) if STOCK_DIR.exists() else None
    timing = STOCK_DIR / "train_seconds.txt"
    if model is None:
        STOCK_DIR.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(STOCK_DIR)], check=True,
                       env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"}, stdout=subprocess.DEVNULL)
        timing.write_text(f"{time.perf_counter() - start:.1f}")
        model = next(iter(sorted((STOCK_DIR / "models").glob("*.tar.gz"))))
    return model, float(timing.read_text()) if timing.exists() else float("nan")


def our_train_seconds() -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([RASA, "train", "--out", folder, "--quiet"], cwd=ROOT, check=True,
                       env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"}, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scale = results.get("scale_out") or []
    figure, axes = plt.subplots(1, 2 if scale else 1, figsize=(10 if scale else 6, 4), squeeze=False)
    axis = axes[0][0]
    for name, result in results.items():
        if name == "scale_out":
            continue
        rows = result["load"]
        axis.plot([row["users"] for row in rows], [row["p50_ms"] for row in rows], marker="o", label=f"{name} p50")
        axis.plot([row["users"] for row in rows], [row["p95_ms"] for row in rows], marker="x", linestyle="--",
                  label=f"{name} p95")
    axis.set_xlabel("concurrent simulated patients")
    axis.set_ylabel("latency (ms)")
    axis.set_title("REST latency against load (loopback, 2 cores)")
    axis.legend()
    if scale:
        side = axes[0][1]
        side.bar([f"{row['processes']} process" + ("es" if row["processes"] > 1 else "") for row in scale],
                 [row["throughput_per_s"] for row in scale], color=["#888888", "#2b7bba"])
        side.set_ylabel("messages per second")
        side.set_title(f"ours, {scale[0]['users']} patients, PostgreSQL + Redis + nginx")
    figure.tight_layout()
    figure.savefig(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 5, 10, 30])
    parser.add_argument("--messages", type=int, default=40, help="messages per simulated patient")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of the 1-patient load, the two bots in turn, pooled")
    parser.add_argument("--long", type=int, default=200, help="turns of the long conversation")
    parser.add_argument("--long-rounds", type=int, default=3,
                        help="long conversations per bot, in turn, their first and last 20 turns pooled")
    parser.add_argument("--in-memory-tracker", action="store_true",
                        help="run ours with Rasa's in-memory tracker store instead of SQLite (to see its cost)")
    parser.add_argument("--scale-users", type=int, default=10, help="simulated patients for 1 vs 2 processes")
    parser.add_argument("--flood-patients", type=int, default=10, help="ordinary patients in the flood test")
    parser.add_argument("--flood-messages", type=int, default=20,
                        help="messages per patient in the flood test (within the 30 a minute a patient may send)")
    parser.add_argument("--no-flood", action="store_true", help="skip the flood test")
    parser.add_argument("--no-scale", action="store_true", help="skip 1 vs 2 processes (needs PostgreSQL, Redis, "
                        "nginx: bash scripts/setup_services.sh)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.no_scale and missing_services():
        parser.error(f"missing {', '.join(missing_services())}: run `bash scripts/setup_services.sh` or use --no-scale")
    endpoints = None
    if args.in_memory_tracker:
        endpoints = OUT / "endpoints-in-memory.yml"
        endpoints.write_text("action_endpoint:\n  url: ${ACTION_ENDPOINT_URL}\n", encoding="utf-8")
    stock_model, stock_train = stock_bot()
    bots = {
        "stock": (Bot("stock", STOCK_DIR, stock_model, STOCK_MESSAGES, with_actions=False), stock_train),
        "ours": (Bot("ours", ROOT, ROOT / "models" / "current.tar.gz", OUR_MESSAGES, with_actions=True,
                     endpoints=endpoints, settings=NO_RATE_LIMITS), our_train_seconds()),
    }
    # Both bots run side by side and are measured in turns (stock, then ours, at each load), so a slow spell of
    # this shared machine hits both rather than one.
    results = {name: {"train_s": round(train_seconds, 1), "load": []} for name, (_, train_seconds) in bots.items()}
    try:
        for name, (bot, _) in bots.items():
            results[name]["startup_s"] = round(bot.start(OUT), 1)
        for users in args.users:
            # the 1-patient p50 is a few ms and moves by a third from run to run: it is measured in rounds, the two
            # bots in turn, and pooled
            rounds = args.rounds if users == 1 else 1
            runs: dict[str, list] = {name: [] for name in bots}
            for _ in range(rounds):
                for name, (bot, _) in bots.items():
                    runs[name].append(asyncio.run(measure(bot, users, args.messages)))
            for name in bots:
                results[name]["load"].append(load_row(users, runs[name]))
        # the long conversations, too, in rounds and in turn, pooled
        long_runs: dict[str, list] = {name: [] for name in bots}
        for _ in range(args.long_rounds):
            for name, (bot, _) in bots.items():
                long_runs[name].append(asyncio.run(long_conversation(bot, args.long)))
        for name, (bot, _) in bots.items():
            results[name]["long_conversation"] = long_row(args.long, long_runs[name])
            results[name]["memory_mb"] = bot.memory()
    finally:
        for bot, _ in bots.values():
            bot.stop()
    if not args.no_flood:
        results["flood"] = flood_test(args.flood_patients, args.flood_messages, OUT)
    if not args.no_scale:
        results["scale_out"] = scale_out(args.scale_users, args.messages, OUT)
    ours, stock = results["ours"], results["stock"]
    by_users = lambda result, users: next(row for row in result["load"] if row["users"] == users)  # noqa: E731
    ratios = {}
    if 1 in args.users:
        ratios["p50_1_user"] = round(by_users(ours, 1)["p50_ms"] / by_users(stock, 1)["p50_ms"], 2)
    if 10 in args.users:
        ratios["p95_10_users"] = round(by_users(ours, 10)["p95_ms"] / by_users(stock, 10)["p95_ms"], 2)
    if 30 in args.users:
        ratios["p95_30_users"] = round(by_users(ours, 30)["p95_ms"] / by_users(stock, 30)["p95_ms"], 2)
    long = ours["long_conversation"]
    ratios["ours_last20_vs_first20"] = round(long["last_20_p50_ms"] / long["first_20_p50_ms"], 2)
    ratios["memory"] = round(sum(ours["memory_mb"].values()) / sum(stock["memory_mb"].values()), 2)
    if results.get("flood"):
        calm, flooded = results["flood"][-2:]  # over all rounds
        ratios["p95_patients_flood_vs_calm"] = round(flooded["p95_ms"] / calm["p95_ms"], 2)
    if len(results.get("scale_out", [])) == 2:
        one, two = results["scale_out"]
        ratios["throughput_2_vs_1_process"] = round(two["throughput_per_s"] / one["throughput_per_s"], 2)
    results["ratios_ours_to_stock"] = ratios
    results["ours_tracker_store"] = "in-memory" if args.in_memory_tracker else "sqlite"
    suffix = "-in-memory" if args.in_memory_tracker else ""
    (OUT / f"bench{suffix}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    plot({name: results[name] for name in ("stock", "ours", "scale_out") if name in results},
         OUT / f"latency{suffix}.png")
    print(f"{'bot':6} {'users':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'msg/s':>7} {'cpu ms/msg':>10} {'errors':>6} "
          f"{'silent':>6}")
    for name in ("stock", "ours"):
        for row in results[name]["load"]:
            print(f"{name:6} {row['users']:5} {row['p50_ms']:7} {row['p95_ms']:7} {row['p99_ms']:7} "
                  f"{row['throughput_per_s']:7} {row['cpu_ms_per_message']:10} {row['errors']:6} {row['silent']:6}")
    for name in ("stock", "ours"):
        result, long_run = results[name], results[name]["long_conversation"]
        print(f"{name}: start-up {result['startup_s']} s, train {result['train_s']} s, "
              f"memory after the load (MB, RSS per process) {result['memory_mb']}, total "
              f"{round(sum(result['memory_mb'].values()), 1)}; long conversation p50 turns 1-20 "
              f"{long_run['first_20_p50_ms']} ms vs {args.long - 19}-{args.long} {long_run['last_20_p50_ms']} ms")
    for row in results.get("flood", []):
        extra = (f"; the flooder sent {row['flood_requests']} ({row['flood_per_s']}/s): {row['flood_statuses']}"
                 if "flood_requests" in row else "")
        print(f"fair use (round {row['round']}), {row['patients']} patients "
              f"{'with' if row['flooding'] else 'without'} a flood: "
              f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, errors {row['errors']} of {row['messages']}{extra}")
    for row in results.get("scale_out", []):
        print(f"ours, {row['processes']} Rasa process(es) behind nginx (PostgreSQL + Redis), {row['users']} users: "
              f"{row['throughput_per_s']} msg/s, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
              f"errors {row['errors']}")
    print(f"ratios (ours / stock): {ratios}")
    print(f"written: {OUT / f'bench{suffix}.json'}, {OUT / f'latency{suffix}.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
