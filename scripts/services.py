"""PostgreSQL, Redis and nginx from Debian's packages, started on loopback in a temporary folder for the
scale-out tests and the benchmark (scripts/setup_services.sh installs them), and the one way the tests, the
benchmark, the profiler, `make run` (scripts/supervise.py) and the systemd units (deploy/systemd/) start the action
server, the Rasa server and the demo page. Nothing here touches the machine's own database or web server: each
service gets free ports, its own data folder, and is stopped afterwards.

    python -m scripts.services exec rasa|actions|web [--dry-run]

replaces itself with that server, its ports and options taken from the settings in the environment (load them
with `. scripts/env.sh`); the systemd units run it so. --dry-run prints the command instead.
"""

from __future__ import annotations

import argparse
import glob
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
MODEL = ROOT / "models" / "current.tar.gz"
WEB = ROOT / "web"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def missing_services() -> list[str]:
    """The Debian programs that are not installed (empty when all are)."""
    missing = []
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing.append("postgresql")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        missing.append("nginx-light")
    return missing


class Postgres:
    """A throw-away PostgreSQL server with one database, `rasa`, owned by user `rasa` with a random password."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bot-postgres-"))
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        # PostgreSQL refuses to run as root; Debian's package makes a `postgres` user for it.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql://rasa:{self.password}@127.0.0.1:{self.port}/rasa"

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_owner, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> Postgres:
        if self.as_owner:
            shutil.chown(self.folder, "postgres", "postgres")
        password_file = self.folder / "password"
        password_file.write_text(self.password)
        if self.as_owner:
            shutil.chown(password_file, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-U", "rasa", "-E", "UTF8",
                  "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={password_file}")
        self.resume()
        self._run(str(self.bin / "createdb"), "-h", str(self.folder), "-p", str(self.port), "-U", "rasa", "rasa")
        return self

    def resume(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-o", options,
                  "-l", str(self.folder / "postgres.log"), "-w", "start")

    def pause(self) -> None:
        """Stop the server (connections drop) without losing data; `resume` starts it again."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            self.pause()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


class Redis:
    """A throw-away Redis server (no persistence), password-protected, on loopback."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bot-redis-"))
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--requirepass", self.password],
            stdout=(self.folder / "redis.log").open("w"), stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


class Nginx:
    """One entry point in front of several Rasa processes (round robin), logging which process served each
    request (not the message: only time, path, status and upstream)."""

    def __init__(self, upstream_ports: list[int]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bot-nginx-"))
        self.port = free_port()
        self.upstream_ports = upstream_ports
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def config(self) -> str:
        servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in self.upstream_ports)
        temp = "\n".join(f"  {kind}_temp_path {self.folder}/{kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  log_format upstream '$msec $request_method $uri $status $upstream_addr';
  access_log {self.access_log} upstream;
{temp}
  upstream rasa {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # the client's address, for the fair-use limit (Rasa believes it only with TRUSTED_PROXIES=127.0.0.1)
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 60s;
    }}
  }}
}}
"""

    def start(self) -> Nginx:
        config = self.folder / "nginx.conf"
        config.write_text(self.config())
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen([nginx, "-c", str(config), "-p", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=(self.folder / "stderr.log").open("w"))
        wait_for_port(self.port)
        return self

    def upstreams_used(self) -> list[str]:
        if not self.access_log.exists():
            return []
        return [line.split()[-1] for line in self.access_log.read_text().splitlines() if line.strip()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_for_url(url: str, process: subprocess.Popen, log: Path, seconds: float = 300) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early; log:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s; log:\n{log.read_text(errors='replace')[-3000:]}")


def action_server_command(port: int) -> list[str]:
    """rasa-sdk alone, with every action of the actions package (scripts/action_server.py: no Rasa, no
    TensorFlow in that process)."""
    return [PYTHON, "-m", "scripts.action_server", "--port", str(port), "--actions", "actions"]


def rasa_command(port: int, model: Path, api_token: str | None = None, cors: str | Sequence[str] | None = None,
                 interface: str = "127.0.0.1") -> list[str]:
    """`rasa run` (through scripts/rasa_server.py: no JAX, quiet) with our channels and endpoints.yml; Rasa's HTTP
    API only with a token; CORS origins (one string or several)."""
    api = ["--enable-api", "--auth-token", api_token] if api_token else []
    origins = [cors] if isinstance(cors, str) else list(cors or [])
    return [PYTHON, "-m", "scripts.rasa_server", "run", "--model", str(model), "--port", str(port),
            "--interface", interface,
            "--credentials", "credentials.yml", "--endpoints", "endpoints.yml", *api,
            *(["--cors", *origins] if origins else [])]


def web_command(port: int, directory: Path = WEB) -> list[str]:
    """The demo page and the widget (web/), served as a clinic's site would serve them."""
    return [PYTHON, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]


def _popen(command: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=log.open("ab"), stderr=subprocess.STDOUT)


def start_action_server(port: int, env: dict[str, str], log: Path, wait: bool = True) -> subprocess.Popen:
    process = _popen(action_server_command(port), env, log)
    if wait:
        wait_for_url(f"http://127.0.0.1:{port}/health", process, log)
    return process


def start_rasa(port: int, env: dict[str, str], log: Path, model: Path, api_token: str | None = None,
               wait: bool = True, cors: str | Sequence[str] | None = None,
               interface: str = "127.0.0.1") -> subprocess.Popen:
    """One Rasa process with our channels and endpoints.yml (settings from `env`)."""
    process = _popen(rasa_command(port, model, api_token, cors, interface), env, log)
    if wait:
        wait_for_url(f"http://{local_host(interface)}:{port}/webhooks/rest/health", process, log)
    return process


def start_web(port: int, env: dict[str, str], log: Path, directory: Path = WEB, wait: bool = True) -> subprocess.Popen:
    process = _popen(web_command(port, directory), env, log)
    if wait:
        wait_for_url(f"http://127.0.0.1:{port}/", process, log)
    return process


def local_host(interface: str) -> str:
    """The address to reach a server that listens on `interface` from this machine."""
    return "127.0.0.1" if interface in ("", "0.0.0.0", "::") else interface


def command_from_settings(name: str, env: Mapping[str, str]) -> list[str]:
    """The command of server `name` (rasa, actions, web) with the ports and options in the settings, as
    scripts/env.sh loads them (RASA_PORT, RASA_INTERFACE, CORS_ORIGINS, RASA_API_TOKEN, ACTION_PORT, WEB_PORT)."""
    if name == "actions":
        return action_server_command(int(env["ACTION_PORT"]))
    if name == "rasa":
        return rasa_command(int(env["RASA_PORT"]), MODEL, env.get("RASA_API_TOKEN") or None,
                            env.get("CORS_ORIGINS", "").split(), env.get("RASA_INTERFACE") or "127.0.0.1")
    if name == "web":
        return web_command(int(env["WEB_PORT"]))
    raise ValueError(f"unknown server {name!r} (rasa, actions or web)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Become one of the bot's servers, configured from the settings.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("exec", help="replace this process with the server (for systemd)")
    run.add_argument("server", choices=["rasa", "actions", "web"])
    run.add_argument("--dry-run", action="store_true", help="print the command instead")
    args = parser.parse_args(argv)
    try:
        command = command_from_settings(args.server, os.environ)
    except KeyError as missing:
        parser.error(f"setting {missing} is not set: load the settings first (. scripts/env.sh)")
    if args.dry_run:
        print(shlex.join(command))
        return 0
    if args.server == "rasa" and not MODEL.exists():
        print(f"No trained model at {MODEL}: run 'make train' first.", file=sys.stderr)
        return 1
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.chdir(ROOT)
    os.execv(command[0], command)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
