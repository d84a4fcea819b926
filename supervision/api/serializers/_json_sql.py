"""SQL pieces for the lists whose rows PostgreSQL writes as the JSON text their serializer's
output renders to (pledges, inspections): the statement's arguments (the request's zone and the
choice labels in its language), a label, a timestamp in the zone. tests/supervision/
test_list_rows.py compares each list's text with its serializer's byte for byte."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from core.pagination import PageStatements
from core.renderers import JsonText
from core.sql import planned_once

# The statements' arguments after the page's ids: the request's zone and the labels (in its
# language) of the choices a row shows, one parameter each: psycopg splits a statement this long
# at every placeholder on every call.
ARG_SQL = "arg AS (SELECT %s::text AS zone, %s::jsonb AS labels)"
ZONE = "arg.zone"

# (list, language) → the labels' JSON text: the catalogues do not change while running.
_LABELS: dict[tuple[str, str], str] = {}


def args(zone: ZoneInfo, kind: str, labels: Callable[[], dict[str, Any]]) -> tuple[str, str]:
    """ARG_SQL's values: the zone's name and `labels()` ({choice name: {value: label}}) in the
    current language as JSON, worked out once per list `kind` and language."""
    key = (kind, translation.get_language() or "")
    text = _LABELS.get(key)
    if text is None:
        text = _LABELS[key] = orjson.dumps(labels()).decode()
    return zone.key, text


def label_sql(column: str, name: str) -> str:
    # get_<field>_display: the label's JSON text, else the value's (None's is null).
    return (f"COALESCE(to_json(arg.labels -> '{name}' ->> {column})::text,"
            f" to_json({column})::text, 'null')")


def local_times_sql(table: str, names: Iterable[str]) -> str:
    """Each timestamp column's wall-clock time in the zone (`<name>_local`) and the zone's offset
    then in seconds (`<name>_offset`), for moment_sql: a LATERAL's select list."""
    return ", ".join(
        f"{table}.{name} AT TIME ZONE {ZONE} AS {name}_local,"
        f" extract(epoch FROM ({table}.{name} AT TIME ZONE {ZONE}) - ({table}.{name} AT TIME ZONE 'UTC'))::int"
        f" AS {name}_offset"
        for name in names
    )


def moment_sql(local: str, offset: str) -> str:
    # moment_text of a timestamp given as its wall-clock time in the request's zone and that
    # zone's offset in seconds: microseconds only when there are some, the offset as Python
    # writes it ("Z" for none, seconds only when there are some). NULL for a NULL time.
    seconds = f"abs({offset})"
    return (
        f"""'"' || to_char({local}, 'YYYY-MM-DD"T"HH24:MI:SS')"""
        f" || CASE WHEN mod(extract(microseconds FROM {local})::bigint, 1000000) = 0 THEN ''"
        f" ELSE to_char({local}, '.US') END"
        f" || CASE WHEN {offset} = 0 THEN 'Z' ELSE CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
        f" || to_char({seconds} / 3600, 'FM00') || ':' || to_char(mod({seconds} / 60, 60), 'FM00')"
        f" || CASE WHEN mod({seconds}, 60) = 0 THEN '' ELSE ':' || to_char(mod({seconds}, 60), 'FM00') END END"
        """ || '"'"""
    )


def writes_json() -> bool:
    """Whether PostgreSQL writes the lists' rows (JsonPage): on PostgreSQL, in a named zone."""
    return connection.vendor == "postgresql" and settings.USE_TZ and isinstance(
        timezone.get_current_timezone(), ZoneInfo)


class JsonPage:
    """A list's object list for Django's Paginator when PostgreSQL writes its rows: `count()` and
    the page's ids from the list's PageStatements, a slice that page's rows as JsonText, each the
    JSON text the serializer's output renders to, written by one statement — `page_sql()` after
    the ids (`page`) and the arguments (`arg`: `args(zone)`, the request's zone and labels) —
    prepared on the connection. It holds statements only, so it is kept per scope like them."""

    ordered = True

    def __init__(self, statements: PageStatements, order: tuple[str, ...], page_sql: Callable[[], str],
                 page_args: Callable[[ZoneInfo], tuple[str, str]]) -> None:
        if statements.order != order:
            raise ValueError(f"this page writes its rows in {order}, not {statements.order}")
        self.statements, self.page_sql, self.page_args = statements, page_sql, page_args

    def count(self) -> int:
        return self.statements.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[JsonText]:
        ids = self.statements.ids(index)
        if ids is None:
            return []
        ids_sql, params = ids
        zone = timezone.get_current_timezone()
        assert isinstance(zone, ZoneInfo), zone  # writes_json()
        with planned_once(connection) as cursor:
            cursor.execute(f"WITH page AS MATERIALIZED ({ids_sql}), {ARG_SQL} {self.page_sql()}",
                           (*params, *self.page_args(zone)))
            return [JsonText(text) for (text,) in cursor.fetchall()]
