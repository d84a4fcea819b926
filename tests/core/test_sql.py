"""core.sql: the township clause of the hand-written statements reads exactly the reader's
townships (none for an empty scope, all for a county-wide reader), on PostgreSQL and SQLite."""

from __future__ import annotations

import pytest

from cadres.models import Township
from core.sql import read_row, read_rows, township_clause
from tests.factories import TownshipFactory

pytestmark = pytest.mark.django_db


def _townships(ids: list[int] | None) -> list[int]:
    clause, params = township_clause("id", ids, "WHERE")
    # The table from the model, the clause from core.sql: no caller text.
    return [row[0] for row in read_rows(f"SELECT id FROM {Township._meta.db_table}{clause} ORDER BY id", params)]


def test_a_reader_of_some_townships_reads_those_only() -> None:
    a, b, c = TownshipFactory(), TownshipFactory(), TownshipFactory()
    assert _townships([c.pk, a.pk]) == [a.pk, c.pk]
    assert b.pk not in _townships([c.pk, a.pk])


def test_a_county_wide_reader_reads_every_township_and_an_empty_scope_none() -> None:
    ids = sorted(TownshipFactory().pk for _ in range(3))
    assert _townships(None) == ids
    assert _townships([]) == []


def test_the_clause_is_placeholders_and_its_values_parameters() -> None:
    clause, params = township_clause("m.township_id", {9, 3, 5})
    assert clause == " AND m.township_id IN (%s, %s, %s)"
    assert params == [3, 5, 9]
    assert township_clause("m.township_id", None) == ("", [])


def test_read_row_answers_the_first_row_or_none() -> None:
    township = TownshipFactory()
    table = Township._meta.db_table
    assert read_row(f"SELECT name FROM {table} WHERE id = %s", [township.pk]) == (township.name,)
    assert read_row(f"SELECT name FROM {table} WHERE id = %s", [township.pk + 1000]) is None


def _prepared(marker: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of this connection's prepared statements holding `marker`
    (the connection outlives a test: other tests' statements may be prepared on it too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%" + marker + "%"])
        return cursor.fetchall()


def test_planned_once_statements_are_prepared_once_and_counted_like_any_other() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    township = TownshipFactory()
    table = Township._meta.db_table
    sql = f"SELECT name FROM {table} WHERE id = %s /* planned once */"
    with CaptureQueriesContext(connection) as queries:
        answers = [read_row(sql, [township.pk]) for _ in range(7)]
    assert answers == [(township.name,)] * 7
    assert len(queries.captured_queries) == 7  # the debug wrapper sees them as Django's own cursors
    # and logs each run's statement, the runs that send only the prepared statement's name too
    assert all("/* planned once */" in (q["sql"] or "") for q in queries.captured_queries), queries.captured_queries
    if connection.vendor != "postgresql":
        return
    plans = _prepared("/* planned once */")
    # One prepared statement for the seven calls; after five plans made for the values,
    # PostgreSQL keeps the generic one (no planning at all).
    assert len(plans) == 1, plans
    generic, custom = plans[0]
    assert generic + custom == 7 and generic >= 1, plans


def test_a_failed_statement_and_its_rollback_leave_planned_once_working() -> None:
    from django.db import DatabaseError, transaction

    township = TownshipFactory()
    table = Township._meta.db_table
    sql = f"SELECT name FROM {table} WHERE id = %s"
    assert read_row(sql, [township.pk]) == (township.name,)
    with pytest.raises(DatabaseError), transaction.atomic():
        read_row(f"SELECT no_such_column FROM {table} WHERE id = %s", [township.pk])
    assert read_row(sql, [township.pk]) == (township.name,)
    assert read_rows(f"SELECT name FROM {table} WHERE id IN (%s, %s)", [township.pk, township.pk + 1]) == [(township.name,)]
