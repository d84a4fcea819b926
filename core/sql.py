"""Plain SQL reads: the township clause and the read-database round trip the hand-written
statements share (the dashboard's panels, the pledges' and inspections' pages).

The statements are written by the code, never from a caller's text: tables come from the models,
columns from the calling function, values travel as parameters.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.db import connections

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


def read_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of `sql`, read where this request reads (core.replica.current_read_alias)."""
    with connections[current_read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def read_row(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of `sql` (None without one), read where this request reads."""
    with connections[current_read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
