"""bench.run.vacuum_dead_rows: each run starts from the data as generated, whatever dead rows the
runs before it left (CI's PostgreSQL runs without autovacuum)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from bench.run import DEAD_ROWS, vacuum_dead_rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PROBE, CLEAN = "bench_vacuum_probe", "bench_vacuum_clean"


def _url() -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _dead_rows(conn: psycopg.Connection, table: str = PROBE) -> int:
    conn.execute("SELECT pg_stat_force_next_flush()")
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table]).fetchone()
    return int(row[0]) if row else 0


def test_a_table_left_with_dead_rows_is_vacuumed_and_a_clean_one_is_not():
    with psycopg.connect(_url(), autocommit=True) as conn:
        for table in (PROBE, CLEAN):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(f"CREATE TABLE {table} (id int)")
            conn.execute(f"INSERT INTO {table} SELECT generate_series(1, %s)", [DEAD_ROWS * 2])
        try:
            # given a table whose rows were written and deleted, as a rolled-back job leaves them,
            # and one whose rows are all live
            conn.execute(f"DELETE FROM {PROBE}")
            assert (_dead_rows(conn), _dead_rows(conn, CLEAN)) == (DEAD_ROWS * 2, 0)
            # when a run starts
            vacuumed = vacuum_dead_rows(_url())
            # then that table was vacuumed (no dead row left) and a table without dead rows was not
            assert PROBE in vacuumed and CLEAN not in vacuumed
            assert _dead_rows(conn) == 0
            # and the next run finds nothing left of it to vacuum
            assert PROBE not in vacuum_dead_rows(_url())
        finally:
            conn.execute(f"DROP TABLE IF EXISTS {PROBE}, {CLEAN}")
