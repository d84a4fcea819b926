"""The diaries by month (supervision.models.DiaryMonth), built afresh from the diaries.

The triggers of migration 0027 keep the table as diaries are written; this builds it from
nothing: after the migration, after a restore that left the triggers out, or to check it."""

from __future__ import annotations

from django.db import connections, transaction

from supervision.models import Diary, DiaryMonth

# A day's bit and a month's first day in date arithmetic (date_trunc would go through a
# timestamp with time zone and the session's zone).
DAY_BIT = "(1 << (extract(day FROM {date})::int - 1))"
MONTH = "({date} - (extract(day FROM {date})::int - 1))"


def month_rows_sql() -> str:
    """The table's rows counted from the diaries: (month, township, author, village, written,
    on time, first id, last id), one per group of the live diaries."""
    bit = DAY_BIT.format(date="date")
    return f"""
        SELECT {MONTH.format(date="date")}, township_id, author_id, village_id,
               bit_or({bit}), bit_or(CASE WHEN on_time THEN {bit} ELSE 0 END), MIN(id), MAX(id)
        FROM {Diary._meta.db_table} WHERE deleted_at IS NULL
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608 - table name from the model


def rebuild(using: str = "default") -> int:
    """Replace the table's rows with those counted from the diaries; returns how many. PostgreSQL
    only (elsewhere the table is not read): the diaries are locked against writes meanwhile, so
    no trigger's change falls between the delete and the count."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    months = DiaryMonth._meta.db_table
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {Diary._meta.db_table} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {months}")  # noqa: S608 - table name from the model
        cursor.execute(
            f"INSERT INTO {months} (month, township_id, author_id, village_id, written, on_time, first_id, last_id) "
            + month_rows_sql()
        )
        rows = cursor.rowcount
        cursor.execute(f"ANALYZE {months}")  # the planner's figures for the new rows
        return rows


def differences(using: str = "default") -> int:
    """How many (month, township, author, village) rows the table has wrong: days or on-time days
    other than the diaries', a row missing, or an id bound that leaves out one of its diaries."""
    months = DiaryMonth._meta.db_table
    with connections[using].cursor() as cursor:
        cursor.execute(f"""
            WITH counted(month, township_id, author_id, village_id, written, on_time, first_id, last_id)
                 AS ({month_rows_sql()})
            SELECT COUNT(*) FROM counted c
            FULL JOIN (SELECT * FROM {months} WHERE written <> 0) m USING (month, township_id, author_id, village_id)
            WHERE m.written IS DISTINCT FROM c.written OR m.on_time IS DISTINCT FROM c.on_time
               OR m.first_id > c.first_id OR m.last_id < c.last_id
        """)  # noqa: S608 - table names from the models
        row = cursor.fetchone()
        return int(row[0]) if row else 0
