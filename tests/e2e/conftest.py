"""Start the action server and the Rasa server on free ports for the end-to-end tests, and stop them after."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from scripts.services import free_port, start_action_server, start_rasa

ROOT = Path(__file__).resolve().parents[2]

MODEL = ROOT / "models" / "current.tar.gz"
HARNESS_RATE_LIMITS = {"RATE_LIMIT_PER_SENDER": "100000", "RATE_LIMIT_PER_ADDRESS": "100000"}


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
        self.actions = start_action_server(self.action_port, dict(os.environ), self.logs / "actions.log")

    def start_rasa(self) -> None:
        self.rasa = start_rasa(urlparse(self.url).port, dict(os.environ), self.logs / "rasa.log", MODEL,
                               cors=self.web_url)

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
    # These tests send hundreds of messages from 127.0.0.1: fair use (30 a minute) would refuse most of them. The
    # limit itself is tested in tests/test_channel.py with a low one.
    os.environ.update(HARNESS_RATE_LIMITS)
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


# The browser tests' Chromium and clinic page (tests/e2e/test_widget.py, test_widget_features.py).
@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    from tests.e2e.test_widget import CHROMIUM, CHROMIUM_FLAGS

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (scripts/setup_browser.sh)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def site(servers):
    """A clinic's pages with the widget: index.html, and australia.html with data-country="AU"."""
    from tests.e2e.test_widget import page_html

    (servers.web_root / "index.html").write_text(page_html(servers.url), encoding="utf-8")
    (servers.web_root / "australia.html").write_text(page_html(servers.url, 'data-country="AU"'), encoding="utf-8")
    return servers
