"""A real Celery worker process against the real broker (Redis) and the test database.

Tests marked `worker` get `celery_worker`: a `celery -A portal worker` subprocess whose
DATABASE_URL points at this run's test database, so it sees what the test committed
(use `transactional_db`). `wait_for` polls for the worker's effect.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(predicate: Callable[[], object], *, timeout: float = 60, interval: float = 0.25) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


class WorkerProcess:
    def __init__(self, log_path: Path, queue: str) -> None:
        self.log_path = log_path
        self.queue = queue
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "portal.settings.test",
               "CELERY_TASK_ALWAYS_EAGER": "false"}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "--loglevel", "INFO",
             "-Q", self.queue, "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: b"ready" in self.log_path.read_bytes(), timeout=60)
        except AssertionError as exc:
            raise AssertionError(f"the worker did not get ready within 60 s; its log ends:\n{self.log()[-3000:]}") from exc

    def kill(self) -> None:
        """SIGKILL, as a crashed machine would: no chance to ack or clean up."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def celery_worker(transactional_db, tmp_path, settings) -> Iterator[WorkerProcess]:  # type: ignore[no-untyped-def]
    from portal.celery import app

    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    old = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    # Every task of this test to its own queue, whatever queue its kind has (CELERY_TASK_ROUTES).
    app.conf.task_routes = {"*": {"queue": queue}}
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    worker = WorkerProcess(tmp_path / "worker.log", queue)
    try:  # a worker that never gets ready must not leave every later test's tasks routed to its queue
        worker.start()
        yield worker
    finally:
        worker.stop()
        app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes = old
        app.amqp.flush_routes()
        app.amqp.router = app.amqp.Router()
