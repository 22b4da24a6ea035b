"""Clinics that already use the rasa-webchat widget (npm rasa-webchat 1.0.1, socket.io, session persistence)
can talk to this server: a question typed into it gets the bot's answer. This is the check that the
python-socketio pin avoids RasaHQ/rasa#13027 (replies silently lost)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright import sync_api

from tests.e2e.test_widget import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[2]
WEBCHAT = ROOT / "var" / "npm" / "node_modules" / "rasa-webchat" / "lib" / "index.js"


def test_rasa_webchat_gets_answers_over_socketio(servers):
    if not WEBCHAT.exists():
        pytest.fail("rasa-webchat is not installed: `make test` runs scripts/setup_browser.sh, which installs it")
    shutil.copy(WEBCHAT, servers.web_root / "rasa-webchat.js")
    (servers.web_root / "webchat.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>webchat</title></head><body>'
        '<div id="webchat"></div><script src="rasa-webchat.js"></script><script>'
        "WebChat.default({selector: '#webchat', socketUrl: '" + servers.url + "', socketPath: '/socket.io/',"
        " initPayload: '/greet', embedded: true, params: {storage: 'session'}, showMessageDate: false}, null);"
        "</script></body></html>",
        encoding="utf-8",
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"{servers.web_url}/webchat.html")
        page.locator(".rw-response").first.wait_for(timeout=30000)  # the greeting arrived
        page.locator("input.rw-new-message, textarea.rw-new-message").fill("how much does spravato cost?")
        page.keyboard.press("Enter")
        page.get_by_text("several thousand dollars").wait_for(timeout=30000)
        browser.close()
