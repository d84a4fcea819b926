"""A bounded load driver: N concurrent clients (threads, http.client) against one server on loopback.

Every run has a fixed number of requests and a duration cap, so a slow case ends on time and
says how far it got. Latency is measured per request from send to the last byte read,
connection set-up included (gunicorn's sync workers close the connection after each answer, as
in production).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    port: int = 0  # another server on the same host (the growth comparison); 0: the driver's


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    # What the server says each answer cost it (bench.middleware): worker CPU, database wait, queries.
    cpu_ms: list[float] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    replica_queries: list[int] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    seconds: float = 0.0
    capped: bool = False

    def extend(self, other: LoadResult) -> None:
        self.latencies_ms.extend(other.latencies_ms)
        self.cpu_ms.extend(other.cpu_ms)
        self.db_ms.extend(other.db_ms)
        self.queries.extend(other.queries)
        self.replica_queries.extend(other.replica_queries)
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error
        self.seconds += other.seconds
        self.capped = self.capped or other.capped

    @property
    def n(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, p: float) -> float | None:
        return percentile(self.latencies_ms, p)


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Client:
    """One HTTP/1.1 client for one host; reconnects when the server closes the connection."""

    def __init__(self, host: str, port: int, timeout: float = 60.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def send(self, request: Request) -> tuple[int, bytes, http.client.HTTPMessage]:
        if request.port and request.port != self.port:
            self.close()
            self.port = request.port
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(request.method, request.path, body=request.body,
                                  headers={"Host": f"{self.host}:{self.port}", **request.headers})
                response = self.conn.getresponse()
                body = response.read()
                if response.will_close:
                    self.close()
                return response.status, body, response.headers
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def get_json(self, path: str, headers: dict[str, str] | None = None) -> Any:
        status, body, _ = self.send(Request("GET", path, headers or {}))
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        return json.loads(body)


def drive(host: str, port: int, make: Callable[[int], Request], *, total: int, clients: int = 4,
          max_seconds: float = 120.0, ok: tuple[int, ...] = (200,)) -> LoadResult:
    """Send `total` requests (make(i) builds the i-th) from `clients` threads; stop at `max_seconds`."""
    result = LoadResult()
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        client = Client(host, port)
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                if time.monotonic() > deadline:
                    with lock:
                        result.capped = True
                    return
                request = make(i)
                started = time.perf_counter()
                headers = None
                try:
                    status, body, headers = client.send(request)
                except OSError as exc:
                    status, body = 0, str(exc).encode()
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if status in ok:
                        result.latencies_ms.append(elapsed)
                        if headers is not None and headers.get("X-Bench-CPU-ms"):
                            result.cpu_ms.append(float(headers["X-Bench-CPU-ms"]))
                            result.db_ms.append(float(headers["X-Bench-DB-ms"]))
                            result.queries.append(int(headers["X-Bench-Queries"]))
                            result.replica_queries.append(int(headers.get("X-Bench-Replica-Queries") or 0))
                    else:
                        result.errors += 1
                        if not result.first_error:
                            result.first_error = f"{request.method} {request.path} → {status}: {body[:300]!r}"
        finally:
            client.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max_seconds + 60)
    result.seconds = time.monotonic() - started
    return result


def side_by_side(host: str, port: int, makes: dict[str, Callable[[int], Request]], *, total: int, rounds: int = 6,
                 clients: int = 4, max_seconds: float = 180.0, ok: tuple[int, ...] = (200,)) -> dict[str, LoadResult]:
    """Measure several request kinds in alternating short bursts, so that whatever else the machine
    is doing at the time weighs on each of them alike. `total` requests of each kind."""
    results = {name: LoadResult() for name in makes}
    per_round = max(1, total // rounds)
    deadline = time.monotonic() + max_seconds
    offsets = dict.fromkeys(makes, 0)
    for _ in range(rounds):
        for name, make in makes.items():
            left = deadline - time.monotonic()
            if left <= 0:
                results[name].capped = True
                continue
            base = offsets[name]
            part = drive(host, port, lambda i, make=make, base=base: make(base + i), total=per_round,
                         clients=clients, max_seconds=left / max(1, len(makes)), ok=ok)
            offsets[name] += per_round
            results[name].extend(part)
    return results


def session_login(host: str, port: int, username: str, password: str) -> str:
    """Log in through the login page (CSRF and all) and return the Cookie header of the session."""
    client = Client(host, port)
    status, body, headers = client.send(Request("GET", "/accounts/login/"))
    if status != 200:
        raise RuntimeError(f"login page answered {status}")
    cookies = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    csrf = cookies["csrftoken"].value
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf}).encode()
    status, body, headers = client.send(Request("POST", "/accounts/login/", {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
        "Referer": f"http://{host}:{port}/accounts/login/"}, form))
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    client.close()
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"log-in of {username} failed ({status}): {body[:300]!r}")
    return f"sessionid={cookies['sessionid'].value}; csrftoken={cookies['csrftoken'].value}"


def split(url: str) -> str:
    """Path and query of an absolute URL (links in API answers are absolute)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
