"""`make run`: start the action server, the Rasa server and the demo page (scripts/services.py, the one way they are
started) and keep them running. A server that exits is started again after a short back-off (1, 2, 4, 8 s), with a
line saying which and why; the others keep running. Ctrl-C (or SIGTERM, SIGHUP) stops everything. A server that
exits 5 times within a minute makes the supervisor give up: it says so, prints the last lines of that server's log,
stops the others and exits with status 1.

    . scripts/env.sh && .venv/bin/python -m scripts.supervise [--log-dir var/log]

Ports and options come from the settings in the environment (RASA_PORT, ACTION_PORT, WEB_PORT, RASA_INTERFACE,
CORS_ORIGINS, RASA_API_TOKEN; scripts/run.sh loads them).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scripts import services

MAX_EXITS = 5  # exits of one server within WINDOW seconds before giving up
WINDOW = 60.0
BACKOFF = (1.0, 2.0, 4.0, 8.0)  # seconds before the 1st, 2nd, 3rd, 4th... restart within WINDOW
STARTUP_LIMIT = 300.0  # a server that starts but never answers its health check within this is reported once


class Stop(Exception):
    """Ctrl-C, SIGTERM or SIGHUP: stop everything."""


class GiveUp(Exception):
    """A server exited too often."""


@dataclass
class Server:
    name: str  # as the log lines say it: "action server"
    start: Callable[[], subprocess.Popen]  # starts the process without waiting for it
    health_url: str
    log: Path
    process: subprocess.Popen | None = None
    exits: deque[float] = field(default_factory=deque)  # when it exited, within the last WINDOW seconds
    restart_at: float | None = None  # a restart is due at this time
    started_at: float = 0.0
    answering: bool = False
    reported_slow: bool = False


def exit_reason(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "an unknown signal"
        return f"was killed by signal {-code} ({name})"
    return f"exited with status {code}"


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status < 500
    except OSError:  # refused, timed out, or an HTTP error (URLError and HTTPError are OSErrors)
        return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"(can't read {path}: {error})"
    return "\n".join(text.splitlines()[-lines:])


class Supervisor:
    def __init__(self, servers: list[Server], max_exits: int = MAX_EXITS, window: float = WINDOW,
                 backoff: tuple[float, ...] = BACKOFF, poll: float = 0.5, say: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.servers = servers
        self.max_exits, self.window, self.backoff, self.poll = max_exits, window, backoff, poll
        self.say = say or (lambda line: print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} supervisor: {line}", flush=True))
        self.clock = clock

    def launch(self, server: Server) -> None:
        server.process = server.start()
        server.started_at = self.clock()
        server.restart_at = None
        server.answering = server.reported_slow = False
        self.say(f"started the {server.name} (pid {server.process.pid}); log: {server.log}")

    def check(self) -> None:
        """One round: notice exits, schedule and make restarts, notice servers that answer. Raises GiveUp."""
        now = self.clock()
        for server in self.servers:
            process = server.process
            if server.restart_at is not None:
                if now >= server.restart_at:
                    self.launch(server)
                continue
            if process is None:
                continue
            code = process.poll()
            if code is not None:
                self.exited(server, code, now)
            elif not server.answering:
                if answers(server.health_url):
                    server.answering = True
                    self.say(f"the {server.name} answers (pid {process.pid}, "
                             f"{now - server.started_at:.1f} s after it was started)")
                elif now - server.started_at > STARTUP_LIMIT and not server.reported_slow:
                    server.reported_slow = True
                    self.say(f"the {server.name} (pid {process.pid}) has not answered {server.health_url} "
                             f"for {STARTUP_LIMIT:.0f} s; see {server.log}")

    def exited(self, server: Server, code: int, now: float) -> None:
        reason = exit_reason(code)
        server.exits.append(now)
        while server.exits and now - server.exits[0] > self.window:
            server.exits.popleft()
        count = len(server.exits)
        if count >= self.max_exits:
            raise GiveUp(
                f"the {server.name} stopped {count} times within {self.window:.0f} s (the last time it {reason}); "
                f"giving up. Last lines of {server.log}:\n{tail(server.log)}"
            )
        delay = self.backoff[min(count, len(self.backoff)) - 1]
        server.restart_at = now + delay
        self.say(f"the {server.name} (pid {server.process.pid}) {reason}; starting it again in {delay:g} s "
                 f"({count} of {self.max_exits - 1} restarts allowed within {self.window:.0f} s)")

    def stop(self) -> None:
        """Stop every server still running: SIGTERM, then SIGKILL after 30 s. Rasa first, the demo page last."""
        running = [s.process for s in reversed(self.servers) if s.process and s.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + 30
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def run(self, on_ready: Callable[[], None] = lambda: None) -> int:
        """Start every server and keep them running until Ctrl-C (status 0) or a server exits too often (1)."""
        def stop_on_signal(signum, _frame):
            raise Stop(signal.Signals(signum).name)

        previous = {sig: signal.signal(sig, stop_on_signal) for sig in (signal.SIGTERM, signal.SIGHUP)}
        ready = False
        try:
            for server in self.servers:
                self.launch(server)
            while True:
                self.check()
                if not ready and all(server.answering for server in self.servers):
                    ready = True
                    on_ready()
                time.sleep(self.poll)
        except (KeyboardInterrupt, Stop):
            self.say("stopping every server...")
            self.stop_quietly()
            self.say("stopped.")
            return 0
        except GiveUp as reason:
            self.say(str(reason))
            self.stop_quietly()
            self.say("stopped the others.")
            return 1
        except BaseException:
            self.stop_quietly()
            raise
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop_quietly(self) -> None:
        """`stop`, with a second Ctrl-C (or SIGTERM) ignored until every server is stopped."""
        signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in signals}
        try:
            self.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def in_use(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def servers_from_settings(env: dict[str, str], log_dir: Path) -> list[Server]:
    """The action server, the Rasa server and the demo page, configured from the settings."""
    rasa_port, action_port, web_port = int(env["RASA_PORT"]), int(env["ACTION_PORT"]), int(env["WEB_PORT"])
    interface = env.get("RASA_INTERFACE") or "127.0.0.1"
    logs = {name: log_dir / f"{name}.log" for name in ("actions", "rasa", "web")}
    return [
        Server("action server", lambda: services.start_action_server(action_port, env, logs["actions"], wait=False),
               f"http://127.0.0.1:{action_port}/health", logs["actions"]),
        Server("Rasa server", lambda: services.start_rasa(
                   rasa_port, env, logs["rasa"], services.MODEL, api_token=env.get("RASA_API_TOKEN") or None,
                   wait=False, cors=env.get("CORS_ORIGINS", "").split(), interface=interface),
               f"http://{services.local_host(interface)}:{rasa_port}/webhooks/rest/health", logs["rasa"]),
        Server("demo page", lambda: services.start_web(web_port, env, logs["web"], wait=False),
               f"http://127.0.0.1:{web_port}/", logs["web"]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-dir", type=Path, default=services.ROOT / "var" / "log",
                        help="where each server's log goes (default var/log)")
    args = parser.parse_args(argv)
    if not services.MODEL.exists():
        print("No trained model: run 'make train' first.", file=sys.stderr)
        return 1
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    missing = [key for key in ("RASA_PORT", "ACTION_PORT", "WEB_PORT") if not env.get(key)]
    if missing:
        parser.error(f"settings {', '.join(missing)} are not set: run it through scripts/run.sh (make run)")
    busy = [f"{key} {env[key]}" for key in ("RASA_PORT", "ACTION_PORT", "WEB_PORT") if in_use(int(env[key]))]
    if busy:
        print(f"Something already listens on {', '.join(busy)}: is the bot running already? Stop it, or choose "
              "other ports in .env.", file=sys.stderr)
        return 1
    args.log_dir.mkdir(parents=True, exist_ok=True)
    rasa_port, web_port = env["RASA_PORT"], env["WEB_PORT"]

    def ready() -> None:
        print(f"""
The bot is up (logs in {args.log_dir}/):
  - demo page with the chat widget: http://localhost:{web_port}/
  - terminal:  make chat   (or: .venv/bin/python -m bot.cli --url http://localhost:{rasa_port} chat)
  - REST:      curl -s localhost:{rasa_port}/webhooks/rest/webhook -d '{{"sender":"me","message":"hello"}}'
A server that stops is started again. Press Ctrl-C to stop.
""", flush=True)

    print("Starting the bot (about 30 seconds)...", flush=True)
    return Supervisor(servers_from_settings(env, args.log_dir)).run(on_ready=ready)


if __name__ == "__main__":
    sys.exit(main())
