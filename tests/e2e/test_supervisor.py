"""`make run` keeps the bot running (scripts/run.sh -> scripts/supervise.py): servers killed with SIGKILL under the
real supervisor come back while the others keep running and the conversation goes on; a server that keeps crashing
makes the supervisor give up and say why (a tiny fake server, so that one is fast); Ctrl-C stops everything.

The kill tests print a transcript with the times to recover, and write it to $KILL_TRANSCRIPT when that is set
(otherwise to the test's temporary folder)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scripts.services import free_port
from scripts.supervise import Server, Supervisor
from tests.e2e.test_conversations import Conversation, assert_answer

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "current.tar.gz"
ACTIONS_BACK_WITHIN = 30.0  # seconds from SIGKILL to a normal answer (the figure)


def wait_until(condition: Callable[[], object], seconds: float, what: str, poll: float = 0.25) -> object:
    """Poll `condition` until it returns something true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(poll)
    pytest.fail(f"{what}: not within {seconds:.0f} s")


def get_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except (OSError, ValueError):
        return None


def page_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200 and b"widget.js" in response.read()
    except OSError:
        return False


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Supervised:
    """The bot under the real supervisor (`bash scripts/run.sh`), on free ports, logs in a temporary folder."""

    process: subprocess.Popen
    output: Path
    rasa_port: int
    action_port: int
    web_port: int
    startup: float  # seconds from `run.sh` to the banner (every server answering)
    started_at: float
    transcript: list[str] = field(default_factory=list)
    page_failures: list[float] = field(default_factory=list)  # when the demo page did not answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def lines(self) -> str:
        return self.output.read_text(errors="replace")

    def pid(self, server: str) -> int:
        """The pid of the last process the supervisor started for `server` ("action server", "Rasa server")."""
        return int(re.findall(rf"started the {server} \(pid (\d+)\)", self.lines())[-1])

    def health(self) -> dict | None:
        return get_json(f"{self.url}/webhooks/rest/health")

    def note(self, line: str) -> None:
        self.transcript.append(f"[{time.monotonic() - self.started_at:7.1f} s] {line}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.fixture(scope="module")
def bot(tmp_path_factory) -> Iterator[Supervised]:
    if not MODEL.exists():
        pytest.fail("no trained model at models/current.tar.gz: run `make train` (make test does it)")
    folder = tmp_path_factory.mktemp("supervised")
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port), WEB_PORT=str(web_port),
               RASA_INTERFACE="127.0.0.1", ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
               TRACKER_DB_URL=f"sqlite:///{folder / 'conversations.db'}", CORS_ORIGINS=f"http://127.0.0.1:{web_port}",
               RASA_API_TOKEN="", LOCK_STORE_TYPE="in_memory", RASA_TELEMETRY_ENABLED="false")
    output = folder / "supervisor.out"
    started = time.monotonic()
    # Its own session, like a terminal's foreground job: Ctrl-C is SIGINT to the whole group.
    process = subprocess.Popen(["bash", "scripts/run.sh", "--log-dir", str(folder)], cwd=ROOT, env=env,
                               stdout=output.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    found = Supervised(process, output, rasa_port, action_port, web_port, 0.0, started)
    stop_watching = threading.Event()

    def watch_the_page() -> None:
        while not stop_watching.wait(0.25):
            if not page_answers(f"http://127.0.0.1:{web_port}/"):
                found.page_failures.append(time.monotonic() - started)

    watcher = threading.Thread(target=watch_the_page, daemon=True)
    try:
        wait_until(lambda: "The bot is up" in found.lines() or process.poll() is not None, 300, "the bot starting")
        assert process.poll() is None, f"the supervisor stopped while starting:\n{found.lines()}"
        found.startup = time.monotonic() - started
        found.note(f"bot up under the supervisor after {found.startup:.1f} s (every server answering)")
        watcher.start()
        yield found
    finally:
        stop_watching.set()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # anything left of the group
        except ProcessLookupError:
            pass
        report = "\n".join(["Kill tests under the supervisor (scripts/run.sh)", *found.transcript, "",
                            "Supervisor output:", found.lines()])
        print("\n" + report)
        target = Path(os.environ.get("KILL_TRANSCRIPT") or folder / "kill_transcript.txt")
        target.write_text(report + "\n")


def test_action_server_killed_mid_conversation_comes_back_and_the_rasa_server_stays(bot):
    chat = Conversation(bot.url)
    assert_answer(chat.say("how much does spravato cost?"), "thousand")
    rasa_pid, actions_pid = bot.pid("Rasa server"), bot.pid("action server")
    killed = time.monotonic()
    os.kill(actions_pid, signal.SIGKILL)
    bot.note(f"kill -9 action server (pid {actions_pid}) mid-conversation")
    meanwhile = chat.say("does ketamine help fibromyalgia?")
    bot.note(f"  a question meanwhile gets: {meanwhile.splitlines()[0][:90]!r}")
    wait_until(lambda: (bot.health() or {}).get("action_server") == "ok", ACTIONS_BACK_WITHIN,
               "the action server answering again")
    # The same conversation, with what was said before the crash.
    assert "Health Rising" in chat.say("where is that from?")
    assert_answer(chat.say("does ketamine help fibromyalgia?"), "fibromyalgia")
    recovered = time.monotonic() - killed
    new_pid = bot.pid("action server")
    bot.note(f"  normal answers again after {recovered:.1f} s (new action server pid {new_pid}); "
             f"Rasa server pid {bot.pid('Rasa server')} (was {rasa_pid})")
    assert recovered <= ACTIONS_BACK_WITHIN
    assert new_pid != actions_pid
    assert bot.pid("Rasa server") == rasa_pid and alive(rasa_pid)
    assert re.search(rf"the action server \(pid {actions_pid}\) was killed by signal 9 \(SIGKILL\); "
                     r"starting it again in 1 s", bot.lines())
    assert not bot.page_failures, f"the demo page did not answer at {bot.page_failures} s"


def test_rasa_server_killed_comes_back_within_its_start_up_time_and_the_conversation_goes_on(bot):
    chat = Conversation(bot.url)
    first = chat.say("does ketamine help fibromyalgia?")
    assert_answer(first, "fibromyalgia")
    rasa_pid, actions_pid = bot.pid("Rasa server"), bot.pid("action server")
    killed = time.monotonic()
    os.kill(rasa_pid, signal.SIGKILL)
    bot.note(f"kill -9 Rasa server (pid {rasa_pid}) mid-conversation")
    # Back within its start-up time: the first start of the whole bot, plus the 1 s back-off and a margin for a
    # shared machine (the first start also starts the other servers at the same time, so it is the slower one).
    limit = bot.startup + 1 + 10
    wait_until(lambda: (bot.health() or {}).get("status") == "ok", limit, "the Rasa server answering again")
    back = time.monotonic() - killed
    more = chat.say("tell me more")  # needs the topic and the facts shown before the crash
    assert_answer(more, "fibromyalgia")
    assert more.split("How strong")[0] != first.split("How strong")[0]
    bot.note(f"  Rasa server back after {back:.1f} s (start-up of the bot: {bot.startup:.1f} s; limit {limit:.0f} s), "
             f"new pid {bot.pid('Rasa server')}; 'tell me more' continues the fibromyalgia answer; "
             f"action server pid {bot.pid('action server')} (was {actions_pid})")
    assert bot.pid("action server") == actions_pid and alive(actions_pid)
    assert re.search(rf"the Rasa server \(pid {rasa_pid}\) was killed by signal 9 \(SIGKILL\)", bot.lines())
    assert not bot.page_failures, f"the demo page did not answer at {bot.page_failures} s"
    bot.note(f"demo page polled every 0.25 s throughout: {len(bot.page_failures)} failures")


def test_ctrl_c_stops_every_server_cleanly(bot):
    pids = [bot.pid("action server"), bot.pid("Rasa server"), bot.pid("demo page")]
    pressed = time.monotonic()
    os.killpg(bot.process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    assert bot.process.wait(timeout=60) == 0
    bot.note(f"Ctrl-C: the supervisor stopped every server and exited 0 after {time.monotonic() - pressed:.1f} s")
    assert "stopped." in bot.lines()
    assert not [pid for pid in pids if alive(pid)]
    assert not [port for port in (bot.rasa_port, bot.action_port, bot.web_port) if listening(port)]


def test_five_crashes_in_a_minute_make_it_give_up_and_say_why(tmp_path):
    crashing_log, steady_log = tmp_path / "crashing.log", tmp_path / "steady.log"
    crash = [sys.executable, "-c", "import sys; print('OSError: [Errno 98] address already in use'); sys.exit(3)"]
    steady = [sys.executable, "-c", "import time; time.sleep(600)"]
    nobody = f"http://127.0.0.1:{free_port()}/"  # nothing listens: never "answering"

    def start(command: list[str], log: Path) -> Callable[[], subprocess.Popen]:
        return lambda: subprocess.Popen(command, stdout=log.open("ab"), stderr=subprocess.STDOUT)

    servers = [Server("crashing server", start(crash, crashing_log), nobody, crashing_log),
               Server("steady server", start(steady, steady_log), nobody, steady_log)]
    said: list[str] = []
    # It gives up within a second; should it not, end the run after 20 s as Ctrl-C would, so the test fails.
    guard = threading.Timer(20, lambda: os.kill(os.getpid(), signal.SIGINT))
    guard.start()
    began = time.monotonic()
    try:
        status = Supervisor(servers, backoff=(0.05, 0.05, 0.05, 0.05), poll=0.05, say=said.append).run()
    finally:
        guard.cancel()
    took = time.monotonic() - began
    assert status == 1
    restarts = [line for line in said if re.match(r"the crashing server \(pid \d+\) exited with status 3; "
                                                  r"starting it again in 0.05 s", line)]
    assert len(restarts) == 4, said
    assert said[-2].startswith("the crashing server stopped 5 times within 60 s (the last time it exited with "
                               "status 3); giving up"), said
    assert "Last lines of" in said[-2] and "address already in use" in said[-2]
    assert said[-1] == "stopped the others."
    assert sum("started the steady server" in line for line in said) == 1  # the other one kept running...
    assert servers[1].process.poll() is not None  # ...until the supervisor gave up and stopped it
    assert took < 10


def test_exits_more_than_a_minute_apart_never_make_it_give_up(tmp_path):
    now = [0.0]

    class Exited:
        pid = 1

        @staticmethod
        def poll() -> int:
            return 1

    server = Server("server", lambda: Exited(), "http://127.0.0.1:9/", tmp_path / "log")
    server.process = Exited()
    supervisor = Supervisor([server], say=lambda line: None, clock=lambda: now[0])
    for minute in range(10):
        now[0] = minute * 61.0
        supervisor.exited(server, 1, now[0])  # never raises GiveUp
        assert server.restart_at == now[0] + 1  # each is the first in its minute: the shortest back-off


def test_sigterm_to_the_supervisor_alone_stops_every_server(tmp_path):
    """As `make chat` stops the bot it started: only the supervisor gets the signal; it stops the servers."""
    steady = [sys.executable, "-c", "import time; time.sleep(600)"]
    nobody = f"http://127.0.0.1:{free_port()}/"
    servers = [Server(f"server {n}", lambda: subprocess.Popen(steady), nobody, tmp_path / "log") for n in (1, 2)]
    said: list[str] = []
    sent = threading.Event()
    handler = signal.getsignal(signal.SIGTERM)

    def say(line: str) -> None:
        said.append(line)
        if line.startswith("started the server 2"):
            threading.Timer(0.3, lambda: (sent.set(), os.kill(os.getpid(), signal.SIGTERM))).start()

    assert Supervisor(servers, poll=0.05, say=say).run() == 0
    assert sent.is_set() and said[-2:] == ["stopping every server...", "stopped."]
    assert [server.process.poll() for server in servers] == [-signal.SIGTERM, -signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) == handler  # the supervisor put back the handler it replaced


def test_a_port_in_use_stops_it_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = dict(os.environ, RASA_PORT=str(port), ACTION_PORT=str(free_port()), WEB_PORT=str(free_port()))
        process = subprocess.Popen(["bash", "scripts/run.sh", "--log-dir", str(tmp_path)], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=60)
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # should it have started servers after all
            except ProcessLookupError:
                pass
    assert process.returncode == 1
    assert f"Something already listens on RASA_PORT {port}: is the bot running already?" in output
    assert "started the" not in output
