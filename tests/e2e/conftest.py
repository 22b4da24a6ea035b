"""Start the action server and the Rasa server on free ports for the end-to-end tests, and stop them after."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]

MODEL = ROOT / "models" / "current.tar.gz"
RASA = str(ROOT / ".venv" / "bin" / "rasa")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early; log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"server at {url} did not start; log:\n{log.read_text()[-3000:]}")


@dataclass
class Servers:
    url: str
    action_port: int
    logs: Path
    web_url: str = ""
    web_root: Path | None = None
    actions: subprocess.Popen | None = None
    rasa: subprocess.Popen | None = None

    def start_actions(self) -> None:
        log = self.logs / "actions.log"
        self.actions = subprocess.Popen(
            [RASA, "run", "actions", "--port", str(self.action_port), "--actions", "actions.answers",
             "--actions", "actions.conversation"],
            cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )
        wait_until_up(f"http://127.0.0.1:{self.action_port}/health", self.actions, log)

    def start_rasa(self) -> None:
        log = self.logs / "rasa.log"
        self.rasa = subprocess.Popen(
            [RASA, "run", "--model", str(MODEL), "--port", str(urlparse(self.url).port), "--interface", "127.0.0.1",
             "--credentials", "credentials.yml", "--endpoints", "endpoints.yml", "--cors", self.web_url],
            cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )
        wait_until_up(f"{self.url}/webhooks/rest/", self.rasa, log)

    def stop_rasa(self) -> None:
        if self.rasa and self.rasa.poll() is None:
            self.rasa.terminate()
            self.rasa.wait(timeout=30)

    def stop_actions(self) -> None:
        if self.actions and self.actions.poll() is None:
            self.actions.terminate()
            self.actions.wait(timeout=30)


@pytest.fixture(scope="session")
def servers(tmp_path_factory) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail("no trained model at models/current.tar.gz: run `make train` (make test does it)")
    logs = tmp_path_factory.mktemp("logs")
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    os.environ["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    os.environ["TRACKER_DB_URL"] = f"sqlite:///{logs / 'conversations.db'}"
    found = Servers(f"http://127.0.0.1:{rasa_port}", action_port, logs, f"http://127.0.0.1:{web_port}",
                    tmp_path_factory.mktemp("web"))
    # The widget's files, served like a clinic's site would serve its pages (tests add pages here).
    for name in ("widget.js", "widget.css"):
        shutil.copy(ROOT / "web" / name, found.web_root / name)
    web = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(web_port), "--bind", "127.0.0.1", "--directory", str(found.web_root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        found.start_actions()
        found.start_rasa()
        yield found
    finally:
        for process in (found.rasa, found.actions, web):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
