"""Reads that need not be current go to a PostgreSQL streaming replica (docs/deployment.md).

With `DATABASE_REPLICA_URL` set the settings declare a second alias, `replica`, and install
`ReplicaRouter`. Nothing reads from it by default: a read that may lag a second or two behind
the primary (a report, an export, the county dashboard's figures, the county bulletin's figures) says
so by running inside `replica_reads()`:

    with replica_reads():
        rows = list(completeness(start=start, end=end, by=by, township_ids=ids))

Inside the block every read goes to the replica, unless

- the request is pinned to the primary: a user who has just written (any POST, PUT, PATCH or
  DELETE, `PrimaryPinMiddleware`) reads from the primary for `REPLICA_PIN_SECONDS`, so they see
  their own write however far the replica lags;
- the replica cannot be reached: the connection is tried once when the block starts; on
  OperationalError the block reads from the primary and the replica is not tried again for
  `REPLICA_RETRY_SECONDS` (the portal keeps serving while the replica is down).

A block opened inside a write's transaction still reads from the replica: the county bulletin's
compile counts its figures there and writes its row on the primary. Keep locking reads
(`select_for_update`, refused by a standby) and reads whose result decides a write outside
`replica_reads()`; the townships' bulletin compile, which locks as it counts, stays on the primary.

Writes always go to the primary, and migrations run on the primary only (the replica copies them).
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

REPLICA = "replica"
log = logging.getLogger(__name__)

# The alias reads go to inside replica_reads(); None outside (the primary, Django's default).
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_read_alias", default=None)
# Set by PrimaryPinMiddleware for the request of a user who wrote a moment ago.
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("portal_primary_pinned", default=False)
_down_until = 0.0  # monotonic time before which the replica is not tried again


def replica_configured() -> bool:
    return REPLICA in connections.settings


def pin_to_primary(pinned: bool = True) -> contextvars.Token[bool]:
    return _pinned.set(pinned)


def unpin(token: contextvars.Token[bool]) -> None:
    _pinned.reset(token)


def replica_usable() -> bool:
    """True when the replica answers; a failure marks it down for REPLICA_RETRY_SECONDS."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    connection = connections[REPLICA]
    try:
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        connection.ensure_connection()
    except OperationalError as exc:
        log.warning("replica unreachable, reading from the primary: %s", exc)
        connection.close_if_unusable_or_obsolete()
        _down_until = time.monotonic() + getattr(settings, "REPLICA_RETRY_SECONDS", 30)
        return False
    return True


def mark_replica_up() -> None:
    """Forget an earlier failure (tests; an operator who has just restarted the replica)."""
    global _down_until
    _down_until = 0.0


def read_alias() -> str:
    """Where a read that need not be current goes now: `replica` or the primary's alias."""
    if not replica_configured() or _pinned.get():
        return DEFAULT_DB_ALIAS
    return REPLICA if replica_usable() else DEFAULT_DB_ALIAS


def current_read_alias() -> str:
    """The alias of the enclosing `replica_reads()` block (the primary's outside one), for raw SQL:
    the router steers the ORM's reads, not `connections[...]` cursors."""
    return _read_alias.get() or DEFAULT_DB_ALIAS


@contextmanager
def replica_reads() -> Iterator[str]:
    """Reads inside the block may be served by the replica (see the module's docstring).
    Yields the alias chosen, for tests and logs."""
    alias = read_alias()
    token = _read_alias.set(alias)
    try:
        yield alias
    finally:
        _read_alias.reset(token)


def reading_from_replica(rows: Iterator[Any]) -> Iterator[Any]:
    """A generator of rows (a streamed export) that reads from the replica while it is consumed:
    a streamed body is read after the view has returned, outside the view's `replica_reads()`."""
    with replica_reads():
        yield from rows


class ReplicaRouter:
    """Installed only when the replica is configured (portal.settings.base)."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _read_alias.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both aliases

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
