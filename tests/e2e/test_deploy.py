"""The systemd units a clinic installs (deploy/systemd/): valid for systemd (`systemd-analyze verify`, where the
machine has it), restart on failure, a non-root user, hardening, the same settings as `make run` (scripts/env.sh),
and the one way the servers are started (scripts/services.py): the actions unit's command really starts the
action server, and the Rasa unit's command is the one the supervisor runs."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from scripts.services import MODEL, free_port, rasa_command, wait_for_url

ROOT = Path(__file__).resolve().parents[2]
UNITS = {"actions": ROOT / "deploy" / "systemd" / "treatment-bot-actions.service",
         "rasa": ROOT / "deploy" / "systemd" / "treatment-bot-rasa.service"}
SETTINGS = ("RASA_PORT", "ACTION_PORT", "WEB_PORT", "RASA_INTERFACE", "CORS_ORIGINS", "RASA_API_TOKEN",
            "ACTION_ENDPOINT_URL")
HARDENING = {"NoNewPrivileges": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes", "ProtectSystem": "strict",
             "ProtectHome": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
             "ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
             "CapabilityBoundingSet": "", "SystemCallFilter": "@system-service"}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(UNITS[name])
    return parser


def exec_start(name: str, extra: str = "") -> list[str]:
    """The unit's ExecStart as a command to run here (from the checkout), `extra` added to the server's options."""
    command = shlex.split(unit(name)["Service"]["ExecStart"])
    assert command[:2] == ["/bin/bash", "-c"], command
    return [*command[:2], command[2] + extra]


def without_settings() -> dict[str, str]:
    """The environment without the bot's settings, as systemd gives it: scripts/env.sh must supply them."""
    return {key: value for key, value in os.environ.items() if key not in SETTINGS}


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed on this machine "
                    "(apt-get install systemd); the units' content is still checked by the other tests here")
def test_the_units_pass_systemd_analyze_verify():
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, UNITS.values())],
                            capture_output=True, text=True, timeout=120)
    # verify exits 0 for unknown keys or bad values, and only says so: any line about our units is a failure.
    about_ours = [line for line in (result.stdout + result.stderr).splitlines() if "treatment-bot" in line]
    assert result.returncode == 0 and not about_ours, result.stdout + result.stderr


@pytest.mark.parametrize("name", UNITS)
def test_the_units_restart_on_failure_as_a_non_root_user_with_hardening(name):
    service = unit(name)["Service"]
    assert service["Restart"] == "on-failure"
    assert service["User"] and service["User"] not in ("root", "0")
    assert service["WorkingDirectory"] == "/opt/treatment-bot"
    for key, value in HARDENING.items():
        assert service.get(key) == value, f"{key}={service.get(key)!r} in {UNITS[name].name}"
    assert f". scripts/env.sh && exec .venv/bin/python -m scripts.services exec {name}" in service["ExecStart"]
    if name == "rasa":  # the SQLite conversations
        assert service["ReadWritePaths"] == "/opt/treatment-bot/var"
    else:  # rasa-sdk listens on every interface: only this machine may reach it
        assert service["IPAddressDeny"] == "any" and service["IPAddressAllow"] == "localhost"


def test_the_actions_units_command_starts_the_action_server_as_the_units_main_process(tmp_path):
    port = free_port()
    log = tmp_path / "actions.log"
    env = {**without_settings(), "ACTION_PORT": str(port)}
    process = subprocess.Popen(exec_start("actions"), cwd=ROOT, env=env, stdout=log.open("ab"),
                               stderr=subprocess.STDOUT)
    try:
        wait_for_url(f"http://127.0.0.1:{port}/health", process, log, seconds=180)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
            assert response.status == 200
        # bash and the launcher replaced themselves: the process systemd watches (and signals) is the server.
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        assert command_line[1:3] == [b"-m", b"scripts.action_server"], command_line  # rasa-sdk alone, not `rasa`
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_rasa_units_command_is_the_supervisors_with_the_settings_of_env_sh():
    env = without_settings()
    loaded = subprocess.run(["bash", "-c", ". scripts/env.sh && echo $RASA_PORT $RASA_INTERFACE && echo $CORS_ORIGINS"],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.splitlines()
    port, interface = loaded[0].split()
    printed = subprocess.run(exec_start("rasa", " --dry-run"), cwd=ROOT, env=env, capture_output=True, text=True,
                             check=True, timeout=60).stdout.strip()
    # What scripts/supervise.py runs with the same settings (services.start_rasa builds its command so).
    assert printed == shlex.join(rasa_command(int(port), MODEL, None, loaded[1].split(), interface))
