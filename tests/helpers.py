"""Test clients and query counts, written once for the whole suite.

Which helper, when
------------------

Pages (HTML views, the admin)
    ``page_client(user)`` — a fresh Django ``Client`` logged in as ``user`` (``force_login``: a
    real session, so the session middleware, the user and the actor's roles load on each request,
    exactly as in production). For a role of the standard world use ``page_client(world.users[who])``.
    Use it whenever a test needs a logged-in client as an expression, or several clients at once.
    A test that already takes pytest-django's ``client`` fixture and logs in once may keep the
    plain ``client.force_login(user)``: that is the same thing, not a second helper.
    An anonymous page client is ``Client()`` (or the ``client`` fixture).

The API (DRF)
    ``api_client(user)`` — an ``APIClient`` authenticated with ``force_authenticate``: no session,
    no token, the user object is handed to the view. The default for API behaviour tests.
    ``api_client(user, session=True)`` — logged in with a session instead (``force_login``), when
    the test must count the queries a session costs (the user and their roles load on every
    request) or must look like a browser calling the API.
    ``api_client(token=raw)`` — sends ``Authorization: Token <raw>`` (a personal access token).
    ``api_client(api_key=raw)`` — sends ``Authorization: Api-Key <raw>`` (a system's API key).
    ``api_client()`` — anonymous.
    ``results(response)`` — asserts a 200 list answer and gives its ``results`` rows.

Query counts (STYLE.md: query counts are pinned)
    ``with assert_num_queries(n): ...`` — the block runs exactly ``n`` queries (``at_most=True``:
    at most ``n``). On failure the message numbers every SQL statement run, without needing
    ``-v``. It yields the ``CaptureQueriesContext``, so ``len(ctx)`` is there if a test needs it.
    Prefer it to pytest-django's ``django_assert_num_queries`` and to a bare
    ``CaptureQueriesContext``.
    ``queries_of(fn)`` — calls ``fn()`` and gives ``(its result, the SQL it ran)``, for a test that
    compares costs itself (a cache hit and a miss, one township and several).

    "Costs the same at 1 row and at N rows" has two forms:
    - the count is known: parametrize ``rows`` over ``[1, 50]``, build the rows and pin the count
      with ``assert_num_queries`` (the usual form; the pinned number documents the queries);
    - the count is whatever it is, only constant: ``assert_same_queries(fetch, grow)`` runs
      ``fetch()``, then ``grow()`` (which adds rows), then ``fetch()`` again and fails, listing both
      runs' SQL, unless the two cost the same (and ``expected`` if given). ``warm=True`` runs
      ``fetch()`` once, unmeasured, before each measured run (caches, content types). It returns
      the two results so the test can check it really saw 1 and N rows.

Fixtures (where a fixture is the natural form)
    ``world`` (tests/conftest.py, built by tests/world.py): two townships and one user in every role
    of docs/design.md §4, by name in ``world.users``. tests/portal/conftest.py: ``schema`` (the OpenAPI
    schema, once per module), ``user`` (zhangsan) and ``chief`` (a superuser), who log in with
    ``PASSWORD``. Browser tests have their own helpers in tests/e2e/conftest.py (``signed_in`` …).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

T = TypeVar("T")


# --- clients -----------------------------------------------------------------------------------------


def page_client(user: AbstractBaseUser) -> Client:
    """A new page client with a logged-in session for ``user``."""
    client = Client()
    client.force_login(user)
    return client


def api_client(user: AbstractBaseUser | None = None, *, session: bool = False, token: str | None = None,
               api_key: str | None = None) -> APIClient:
    """An API client: as ``user`` (``force_authenticate``, or a session with ``session=True``), with a
    personal ``token``, with a system's ``api_key``, or anonymous when given nothing."""
    if sum(x is not None for x in (user, token, api_key)) > 1:
        raise TypeError("api_client: give one of user, token or api_key")
    if session and user is None:
        raise TypeError("api_client: session=True needs a user")
    client = APIClient()
    if user is not None and session:
        client.force_login(user)
    elif user is not None:
        client.force_authenticate(user)
    elif token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    elif api_key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    return client


def results(response: Any) -> list[dict[str, Any]]:
    """The rows of a paginated list answer, after checking it is a 200."""
    assert response.status_code == 200, response.content
    rows: list[dict[str, Any]] = response.json()["results"]
    return rows


# --- query counts ------------------------------------------------------------------------------------


def _sql(queries: list[dict[str, Any]]) -> str:
    return "\n".join(f"  {i}. {q['sql']}" for i, q in enumerate(queries, 1)) or "  (none)"


@contextmanager
def assert_num_queries(expected: int, *, at_most: bool = False) -> Iterator[CaptureQueriesContext]:
    """The block runs exactly ``expected`` queries (at most, with ``at_most=True``)."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    done = len(ctx)
    if done > expected or (done != expected and not at_most):
        wanted = f"at most {expected}" if at_most else f"{expected}"
        raise AssertionError(f"expected {wanted} queries, {done} were run:\n{_sql(ctx.captured_queries)}")


def queries_of(fn: Callable[[], T]) -> tuple[T, list[dict[str, Any]]]:
    """Call ``fn`` and give its result and the queries it ran."""
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, list(ctx.captured_queries)


def assert_same_queries(fetch: Callable[[], T], grow: Callable[[], object], *, expected: int | None = None,
                        warm: bool = False) -> tuple[T, T]:
    """``fetch()`` costs the same before and after ``grow()`` adds rows (and ``expected``, if given)."""
    if warm:
        fetch()
    first, before = queries_of(fetch)
    grow()
    if warm:
        fetch()
    second, after = queries_of(fetch)
    if len(before) != len(after) or (expected is not None and len(before) != expected):
        wanted = "" if expected is None else f", {expected}"
        raise AssertionError(f"the same number of queries before and after adding rows{wanted}: {len(before)} before, "
                             f"{len(after)} after\nbefore:\n{_sql(before)}\nafter:\n{_sql(after)}")
    return first, second
