"""Bench-only: what each answer cost the server, in response headers the load driver reads.

On a machine shared with other work, wall-clock latency also measures the neighbours; the
worker's own CPU time and the time spent waiting for PostgreSQL say what the request itself
cost. Queries are counted on every database alias, and those sent to the read replica
(`DATABASE_REPLICA_URL`) separately, so a run shows where the reports read. Mounted only by
bench.settings.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        db = {"seconds": 0.0, "queries": 0, "replica": 0}

        def timer(alias: str) -> Callable[..., Any]:
            def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    db["seconds"] += time.perf_counter() - started
                    db["queries"] += 1
                    if alias != "default":
                        db["replica"] += 1
            return timed

        cpu, wall = time.process_time(), time.perf_counter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(timer(alias)))
            response = self.get_response(request)
        response["X-Bench-CPU-ms"] = f"{(time.process_time() - cpu) * 1000:.2f}"
        response["X-Bench-Wall-ms"] = f"{(time.perf_counter() - wall) * 1000:.2f}"
        response["X-Bench-DB-ms"] = f"{db['seconds'] * 1000:.2f}"
        response["X-Bench-Queries"] = str(db["queries"])
        response["X-Bench-Replica-Queries"] = str(db["replica"])
        return response
