"""The database's two limits on a request: where it reads (core.replica) and how long a statement
may run (STATEMENT_TIMEOUT_WEB, STATEMENT_TIMEOUT_JOBS).

- `PrimaryPinMiddleware`: a request that writes (POST, PUT, PATCH, DELETE) sets a short-lived
  cookie; while it lasts the user's reads inside `replica_reads()` go to the primary, so they
  always see what they have just written however far the replica lags.
- `apply_statement_timeout(seconds)`: PostgreSQL's `statement_timeout` for every connection this
  process opens from now on. portal.wsgi/asgi apply the web's, portal.celery the workers'.
- `StatementTimeoutMiddleware`: a page whose statement was cancelled answers 503 with a message;
  the API answers the same in its JSON error format (portal.api_errors).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.replica import pin_to_primary, replica_configured, unpin

PIN_COOKIE = "portal_primary"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PrimaryPinMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        try:
            until = float(request.COOKIES.get(PIN_COOKIE, "0"))
        except ValueError:
            until = 0.0
        writes = request.method in UNSAFE_METHODS
        token = pin_to_primary(writes or until > now)
        try:
            response = self.get_response(request)
        finally:
            unpin(token)
        if writes and replica_configured():
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(PIN_COOKIE, f"{now + seconds:.0f}", max_age=seconds, httponly=True,
                                samesite="Lax", secure=request.is_secure())
        return response


def statement_timeout_options(options: str, seconds: float) -> str:
    """The libpq `options` string with its statement_timeout replaced (0: none)."""
    text = re.sub(r"-c\s*statement_timeout=\S+", "", options)
    if seconds > 0:
        text = f"{text} -c statement_timeout={int(seconds * 1000)}"
    return " ".join(text.split())


def apply_statement_timeout(seconds: float) -> None:
    """Every PostgreSQL connection opened from now on stops a statement after `seconds` (0: never).
    Open connections are closed so the next query opens one with the limit."""
    for alias in connections:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        options = connection.settings_dict.setdefault("OPTIONS", {})
        options["options"] = statement_timeout_options(options.get("options", ""), seconds)
        connection.close()


def is_statement_timeout(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    try:
        from psycopg.errors import QueryCanceled
    except ImportError:  # pragma: no cover  (SQLite only)
        return False
    return isinstance(exc.__cause__, QueryCanceled)


def timeout_message() -> str:
    return _("查询时间过长，系统已中止。请缩小时间范围或筛选条件后重试。")


class StatementTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_statement_timeout(exception):
            return None
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse({"detail": timeout_message(), "code": "statement_timeout", "errors": {}}, status=503,
                                headers={"Retry-After": "30"})
        response = TemplateResponse(request, "portal/timeout.html", {"message": timeout_message()}, status=503)
        response["Retry-After"] = "30"
        return response.render()
