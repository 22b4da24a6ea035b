"""PostgreSQL, Redis and nginx from Debian's packages, started on loopback in a temporary folder for the
scale-out tests and the benchmark (scripts/setup_services.sh installs them), and the one way the tests, the
benchmark and the profiler start and wait for the action server and Rasa processes. Nothing here touches the machine's
own database or web server: each service gets free ports, its own data folder, and is stopped afterwards.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")


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


def start_action_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [RASA, "run", "actions", "--port", str(port), "--actions", "actions.answers", "--actions",
         "actions.conversation"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )
    wait_for_url(f"http://127.0.0.1:{port}/health", process, log)
    return process


def start_rasa(port: int, env: dict[str, str], log: Path, model: Path, api_token: str | None = None,
               wait: bool = True, cors: str | None = None) -> subprocess.Popen:
    """One Rasa process with our channels and endpoints.yml (settings from `env`)."""
    api = ["--enable-api", "--auth-token", api_token] if api_token else []
    origins = ["--cors", cors] if cors else []
    process = subprocess.Popen(
        [RASA, "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1",
         "--credentials", "credentials.yml", "--endpoints", "endpoints.yml", *api, *origins],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )
    if wait:
        wait_for_url(f"http://127.0.0.1:{port}/webhooks/rest/health", process, log)
    return process
