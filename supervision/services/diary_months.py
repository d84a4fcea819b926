"""The diaries by month (supervision.models.DiaryMonth and DiaryVillageMonth), built afresh from
the diaries.

The triggers of migration 0027 keep the tables as diaries are written; this builds them from
nothing: after the migration, after a restore that left the triggers out, or to check them."""

from __future__ import annotations

from django.db import connections, models, transaction

from supervision.models import Diary, DiaryMonth, DiaryVillageMonth

# A day's bit and a month's first day in date arithmetic (date_trunc would go through a
# timestamp with time zone and the session's zone).
DAY_BIT = "(1 << (extract(day FROM date)::int - 1))"
MONTH = "(date - (extract(day FROM date)::int - 1))"

# Each table: its key columns, its figure columns and how the diaries give them; the id bound is
# the one figure that is checked as a bound (the triggers never narrow it).
TABLES: dict[type[models.Model], tuple[list[str], dict[str, str]]] = {
    DiaryMonth: (
        ["month", "township_id", "author_id"],
        {"written": f"bit_or({DAY_BIT})", "on_time": f"bit_or(CASE WHEN on_time THEN {DAY_BIT} ELSE 0 END)",
         "first_id": "MIN(id)", "last_id": "MAX(id)"},
    ),
    DiaryVillageMonth: (["month", "township_id", "village_id", "author_id"], {"written": f"bit_or({DAY_BIT})"}),
}


def month_rows_sql(model: type[models.Model] = DiaryMonth) -> str:
    """The table's rows counted from the live diaries, in its columns' order (keys, figures)."""
    keys, figures = TABLES[model]
    columns = [MONTH if key == "month" else key for key in keys]
    groups = ", ".join(str(n) for n in range(1, len(keys) + 1))
    return (
        f"SELECT {', '.join(columns)}, {', '.join(figures.values())} "  # noqa: S608 - names from the models
        f"FROM {Diary._meta.db_table} WHERE deleted_at IS NULL GROUP BY {groups}"
    )


def rebuild(using: str = "default") -> int:
    """Replace both tables' rows with those counted from the diaries; returns how many rows the
    cadres' table holds. PostgreSQL only (elsewhere the tables are not read): the diaries are
    locked against writes meanwhile, so no trigger's change falls between the delete and the count."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    rows = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {Diary._meta.db_table} IN SHARE MODE")
        for model, (keys, figures) in TABLES.items():
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table name from the model
            cursor.execute(f"INSERT INTO {table} ({', '.join([*keys, *figures])}) {month_rows_sql(model)}")
            rows = rows or cursor.rowcount
            cursor.execute(f"ANALYZE {table}")  # the planner's figures for the new rows
    return rows


def differences(using: str = "default") -> int:
    """How many rows of the two tables are wrong: days or on-time days other than the diaries', a
    row missing, or an id bound that leaves out one of its diaries."""
    wrong = 0
    with connections[using].cursor() as cursor:
        for model, (keys, figures) in TABLES.items():
            exact = [name for name in figures if name not in ("first_id", "last_id")]
            checks = [f"m.{name} IS DISTINCT FROM c.{name}" for name in exact]
            if "first_id" in figures:
                checks += ["m.first_id > c.first_id", "m.last_id < c.last_id"]
            cursor.execute(f"""
                WITH counted({', '.join([*keys, *figures])}) AS ({month_rows_sql(model)})
                SELECT COUNT(*) FROM counted c
                FULL JOIN (SELECT * FROM {model._meta.db_table} WHERE written <> 0) m USING ({', '.join(keys)})
                WHERE {' OR '.join(checks)}
            """)  # noqa: S608 - names from the models
            row = cursor.fetchone()
            wrong += int(row[0]) if row else 0
    return wrong
