"""Plain SQL reads: the township clause and the read-database round trip the hand-written
statements share (the dashboard's panels, the pledges' and inspections' pages).

`planned_once` gives a cursor whose statements PostgreSQL plans once per connection: the long
statements that write a page's JSON took longer to plan (4–5 ms: their expressions are large)
than to run.

The statements are written by the code, never from a caller's text: tables come from the models,
columns from the calling function, values travel as parameters.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import cache
from typing import Any, overload

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from core.replica import current_read_alias


def township_clause(column: str, township_ids: Collection[int] | None, keyword: str = "AND") -> tuple[str, list[int]]:
    """` AND column IN (%s, …)` and its parameters, for a reader limited to `township_ids`;
    ("", []) for a county-wide reader (None). An empty collection matches nothing (SQL has no
    `IN ()`); callers usually answer "nothing" before building a statement at all."""
    if township_ids is None:
        return "", []
    ids = sorted(township_ids)
    if not ids:
        return f" {keyword} 1 = 0", []
    return f" {keyword} {column} IN ({', '.join(['%s'] * len(ids))})", ids


def array_literal(values: Iterable[int | date]) -> str:
    """A PostgreSQL array literal of integers or dates ('{1,2,3}'), for a `%s::bigint[]` or
    `%s::date[]` parameter. Django's psycopg cursors bind on the client, where a Python list is
    quoted element by element in Python: a county report's 30,000 mask values cost ~100 ms so and
    ~5 ms as one string."""
    return "{" + ",".join(map(str, values)) + "}"


def read_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of `sql`, read where this request reads (core.replica.current_read_alias), planned
    once per connection (planned_once): the dashboard's statements cost more to plan than to run."""
    with planned_once(connections[current_read_alias()]) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def read_row(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of `sql` (None without one), read where this request reads."""
    with planned_once(connections[current_read_alias()]) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@overload
def row_date(value: None) -> None: ...
@overload
def row_date(value: date | str) -> date: ...
def row_date(value: date | str | None) -> date | None:
    """A date column of a plain statement's row: SQLite (development) answers text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


@contextmanager
def planned_once(connection: BaseDatabaseWrapper) -> Iterator[Any]:
    """A cursor (Django's wrapper: counted, timed and logged as any other) whose statements are
    prepared on the server the first time this connection runs them, so that PostgreSQL plans each
    once per connection rather than on every call; the parameters travel bound on the server.
    After five runs PostgreSQL keeps the statement's generic plan when it costs no more than the
    ones it made for the values: use it for statements whose plan does not depend on the values
    (a page of ids, a zone, labels; a search page whose only index for the words is one GIN and
    whose branches are chosen as it runs), not for a statement whose best plan does.

    Named prepared statements outlive a transaction, not a connection: a pooler that hands one
    connection to several clients between transactions (PgBouncer's transaction mode) needs its
    own prepared-statement support (docs/deployment.md). Elsewhere than PostgreSQL: a plain cursor."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = _preparing_cursor()(connection.connection)
    # What connection.cursor() does with the cursor it creates (the debug wrapper when queries are
    # logged, execute_wrappers applied): Django has no public hook for another cursor class.
    cursor = connection._prepare_cursor(raw)  # type: ignore[attr-defined]
    with cursor:
        yield cursor


@cache
def _preparing_cursor() -> type:
    """Django's server-binding cursor whose statements are prepared on their first run (psycopg's
    `prepare=True`); built once, on first use, since the module imports psycopg."""
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    class PreparingCursor(ServerBindingCursor):  # type: ignore[misc]
        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None) -> Any:
            return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)

        def _send_query_prepared(self, name: bytes, pgq: Any, *, binary: bool | None = None) -> None:
            # psycopg keeps the statement's text only when it sends it; Django's query log
            # (connection.queries, assertNumQueries' listing) reads it from here: without it a
            # prepared statement's later runs were logged without any text.
            self._query = pgq
            super()._send_query_prepared(name, pgq, binary=binary)

    return PreparingCursor
