"""gunicorn exactly as production runs it, on a loopback port, for the HTTP cases.

Production's command (Dockerfile, docker-compose.yml) is `gunicorn portal.wsgi:application -c
python:portal.gunicorn`: the same configuration module here (workers, timeout, access log to
stdout, preloading), with only the address and the settings module (bench.settings: production's
behaviour plus the bare view and the timing headers) changed. Before that module existed, the
Dockerfile's arguments are used as written there.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.config import HOST, OUT, ROOT, WORKERS, say
from bench.load import Client, Request, drive


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def production_arguments() -> list[str]:
    if importlib.util.find_spec("portal.gunicorn") is not None:
        args = ["portal.wsgi:application", "-c", "python:portal.gunicorn"]
    else:  # the Dockerfile's CMD
        args = ["portal.wsgi:application", "--workers", "3", "--access-logfile", "-"]
    if WORKERS:
        args += ["--workers", WORKERS]
    return args


class Server:
    """One gunicorn master and its workers; its output (access log included) to bench/out/."""

    def __init__(self, label: str, env: dict[str, str] | None = None) -> None:
        self.label = label
        self.port = free_port()
        OUT.mkdir(parents=True, exist_ok=True)
        self.log_path = OUT / f"gunicorn-{label}.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *production_arguments(), "--bind", f"{HOST}:{self.port}"],
            cwd=ROOT, env=env or os.environ.copy(), stdout=self.log, stderr=self.log,
        )
        self._wait_ready()
        say(f"gunicorn ({label}, {len(self.worker_pids())} workers, production's configuration) on {HOST}:{self.port}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            try:
                if drive(HOST, self.port, lambda i: Request("GET", "/healthz"), total=1, clients=1, max_seconds=5).n:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise SystemExit("gunicorn did not answer /healthz within 2 minutes")

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return {int(p) for p in children.read_text().split()}
        except OSError:
            return set()

    def fresh_workers(self) -> None:
        """Replace every worker by a new one (SIGHUP, as a deploy does) and wait until only new
        ones are left; nothing is sent to them, so their first request is the next one."""
        old = self.worker_pids()
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = self.worker_pids()
            if now and not now & old and len(now) >= len(old):
                time.sleep(0.3)  # each new worker has loaded the application and is accepting
                return
            time.sleep(0.05)
        raise RuntimeError("gunicorn did not replace its workers within a minute")

    def send(self, request: Request) -> tuple[int, bytes]:
        client = Client(HOST, self.port)
        try:
            status, body, _ = client.send(request)
        finally:
            client.close()
        return status, body

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
