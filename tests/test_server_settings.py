"""How the settings reach the Rasa server that `make run` and `make chat` start (scripts/supervise.py, through
scripts/services.py): the allowed origins (CORS_ORIGINS, space-separated) and Rasa's HTTP API, which is on only
with RASA_API_TOKEN and then needs it. The servers' real behaviour with these flags is tested end to end
(tests/e2e: the widget from an allowed origin, the API off without a token; tests/scaleout: the token)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts import services, supervise

SETTINGS = {"RASA_PORT": "5105", "ACTION_PORT": "5155", "WEB_PORT": "8180", "RASA_INTERFACE": "127.0.0.1",
            "CORS_ORIGINS": "http://localhost:8080", "RASA_API_TOKEN": ""}


def rasa_command(monkeypatch, tmp_path: Path, **settings: str) -> list[str]:
    """The command line the supervisor would start the Rasa server with, for these settings."""
    started: list[list[str]] = []

    def popen(command: list[str], env: Any, log: Path) -> object:
        started.append(command)
        return object()

    monkeypatch.setattr(services, "_popen", popen)
    (server,) = [server for server in supervise.servers_from_settings({**SETTINGS, **settings}, tmp_path)
                 if server.name == "Rasa server"]
    server.start()
    return started[0]


def option(command: list[str], name: str) -> list[str]:
    """The values that follow `name` on a command line, up to the next option."""
    if name not in command:
        return []
    values = []
    for word in command[command.index(name) + 1:]:
        if word.startswith("--"):
            break
        values.append(word)
    return values


def test_every_allowed_origin_is_passed_and_nothing_else(monkeypatch, tmp_path):
    origins = "https://clinic-a.example.org  https://www.clinic-b.example"
    command = rasa_command(monkeypatch, tmp_path, CORS_ORIGINS=origins)
    assert command.count("--cors") == 1
    assert option(command, "--cors") == ["https://clinic-a.example.org", "https://www.clinic-b.example"]
    assert "*" not in command


def test_the_default_origin_is_the_demo_page(monkeypatch, tmp_path):
    command = rasa_command(monkeypatch, tmp_path)
    assert option(command, "--cors") == ["http://localhost:8080"]


def test_the_http_api_is_off_without_a_token(monkeypatch, tmp_path):
    command = rasa_command(monkeypatch, tmp_path, RASA_API_TOKEN="")
    assert "--enable-api" not in command and "--auth-token" not in command


def test_with_a_token_the_http_api_is_on_and_needs_that_token(monkeypatch, tmp_path):
    token = "s3cret-token-4f1c"
    command = rasa_command(monkeypatch, tmp_path, RASA_API_TOKEN=token)
    assert "--enable-api" in command and option(command, "--auth-token") == [token]


@pytest.mark.parametrize("interface", ["127.0.0.1", "0.0.0.0"])
def test_the_port_and_interface_come_from_the_settings(monkeypatch, tmp_path, interface):
    command = rasa_command(monkeypatch, tmp_path, RASA_PORT="5999", RASA_INTERFACE=interface)
    assert option(command, "--port") == ["5999"] and option(command, "--interface") == [interface]
    assert option(command, "--endpoints") == ["endpoints.yml"] and option(command, "--credentials") == [
        "credentials.yml"]


def test_the_supervisor_starts_the_action_server_on_rasa_sdk_alone(monkeypatch, tmp_path):
    """Not `rasa run actions` (which loads Rasa and TensorFlow): scripts/action_server.py, on ACTION_PORT."""
    started: list[list[str]] = []
    monkeypatch.setattr(services, "_popen", lambda command, env, log: started.append(command) or object())
    (server,) = [server for server in supervise.servers_from_settings(SETTINGS, tmp_path)
                 if server.name == "action server"]
    server.start()
    assert started[0][1:3] == ["-m", "scripts.action_server"] and option(started[0], "--port") == ["5155"]
    assert not any(word.endswith("/rasa") for word in started[0])
