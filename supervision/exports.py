"""The diaries of a period as rows for an export (the API's streamed file and the export job).

On PostgreSQL the API's file is written by the database (`diary_export_file`, core.pg_copy): one
COPY statement reads the scoped diaries in order, each row's households, masks and category label
included, and formats every CSV line or XLSX row; the worker relays the bytes. Elsewhere (SQLite),
and for the export job, which counts the rows it writes for its progress, rows come from a
server-side cursor in chunks of EXPORT_CHUNK, each chunk's households in two more queries, read by
a thread a couple of chunks ahead of the file being written (core.read_ahead); nothing is held but
those few chunks. The reporting role (and a system's API key) gets the author's and the
households' names masked (张*), as everywhere else it reads people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db import connections
from django.db.models import Case, CharField, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Concat, Greatest, Left, Length, Repeat
from django.http import StreamingHttpResponse
from django.utils.translation import gettext, gettext_lazy

from cadres.models import Household
from cadres.roles import Actor
from cadres.scope import mask_name
from core.api_fast import UtcWallClock
from core.pg_copy import CSV_CHUNK, XML_CHUNK, copy_out, csv_select, sheet_xml, xlsx_row_select
from core.read_ahead import read_ahead
from core.replica import current_read_alias, reading_from_replica
from core.reports import Column, csv_header, file_response, streamed
from core.xlsx_stream import column_widths, stream_xlsx
from supervision.models import Category, Diary
from supervision.selectors.diaries import diaries_for

TOWNSHIP_COLUMNS = [Column("township", gettext_lazy("镇 id"), "integer"),
                    Column("township_name", gettext_lazy("镇"), "string")]

EXPORT_CHUNK = 2000
JSON_MAX_ROWS = 2000

DIARY_EXPORT_COLUMNS = [
    *TOWNSHIP_COLUMNS,
    Column("id", gettext_lazy("日记 id"), "integer"),
    Column("date", gettext_lazy("日期"), "date"),
    Column("village", gettext_lazy("走访村"), "string"),
    Column("author", gettext_lazy("作者"), "string"),
    Column("category", gettext_lazy("类别"), "string"),
    Column("place", gettext_lazy("地点"), "string"),
    Column("people_met", gettext_lazy("走访对象"), "string"),
    Column("households", gettext_lazy("走访农户"), "string"),
    Column("situation", gettext_lazy("民情"), "string"),
    Column("problems", gettext_lazy("新问题"), "string"),
    Column("ideas", gettext_lazy("新思路"), "string"),
    Column("on_time", gettext_lazy("按时"), "boolean"),
    Column("created_at", gettext_lazy("填写时间"), "date-time"),
]

DIARY_EXPORT_EXAMPLE = {
    "township": 1, "township_name": "东河镇", "id": 981, "date": "2026-11-02", "village": "东河村",
    "author": "张*", "category": "民生", "place": "村委会", "people_met": "村民代表", "households": "王*；李*",
    "situation": "……", "problems": "……", "ideas": "", "on_time": True, "created_at": "2026-11-02T18:20:00+08:00",
}

_FIELDS = ("id", "township_id", "township__name", "date", "village__name", "author__name", "category", "place",
           "people_met", "situation", "problems", "ideas", "on_time")  # and created_at, as a UTC wall-clock time


def diary_export_rows(actor: Actor, start: date, end: date) -> Iterator[dict[str, Any]]:
    """The rows, read chunk by chunk as they are consumed, the next chunk while this one is written
    (core.read_ahead)."""
    masked = actor.is_reporter_only
    # The labels in the caller's language, now: the chunks may be read in another thread.
    labels = {key: str(label) for key, label in Category.choices}
    rows = (diaries_for(actor).filter(date__range=(start, end)).order_by("date", "id")
            .values_list(*_FIELDS, UtcWallClock("created_at")))
    for chunk in read_ahead(lambda: _chunks(rows, masked, labels)):
        yield from chunk


def _chunks(rows: QuerySet[Any], masked: bool, labels: dict[str, str]) -> Iterator[list[dict[str, Any]]]:
    names: dict[int, str] = {}  # household id → head's name (masked where the reader gets masks), across chunks
    authors: dict[str, str] = {}  # author's name → as written (masked where the reader gets masks)
    chunk: list[tuple[Any, ...]] = []
    for row in streamed(rows, chunk_size=EXPORT_CHUNK):
        chunk.append(row)
        if len(chunk) >= EXPORT_CHUNK:
            yield _with_households(chunk, masked, labels, names, authors)
            chunk = []
    if chunk:
        yield _with_households(chunk, masked, labels, names, authors)


def _with_households(chunk: list[tuple[Any, ...]], masked: bool, labels: dict[str, str], names: dict[int, str],
                     authors: dict[str, str]) -> list[dict[str, Any]]:
    # The links first, then the names of households not seen in an earlier chunk, each by its index.
    # Joined in one statement, PostgreSQL hashed the whole household table for every chunk of
    # 2,000 diaries (90 ms each at county scale: half of a 100,000-diary export's time).
    links = list(Diary.households.through.objects.filter(diary__id__any_of=[r[0] for r in chunk])
                 .order_by("diary_id", "household_id").values_list("diary_id", "household_id"))
    unseen = list({household_id for _diary, household_id in links} - names.keys())
    if unseen:
        for household_id, name in Household.objects.filter(id__any_of=unseen).values_list("id", "head_name"):
            names[household_id] = mask_name(name) if masked else name
    heads: dict[int, list[str]] = defaultdict(list)
    for diary_id, household_id in links:
        heads[diary_id].append(names[household_id])
    no_heads: tuple[str, ...] = ()
    out = []
    # Straight from the tuples of values_list to the row (a third of the rows' CPU went to Django's
    # per-row dict of values() and then to this second dict).
    for (pk, township_id, township_name, day, village, author, category, place, people_met, situation, problems,
         ideas, on_time, created_at) in chunk:
        if created_at is not None and created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)  # PostgreSQL's UtcWallClock reading
        if masked:
            shown = authors.get(author)
            if shown is None:
                shown = authors[author] = mask_name(author)
            author = shown
        out.append({
            "township": township_id, "township_name": township_name, "id": pk, "date": day, "village": village,
            "author": author, "category": labels.get(category, category), "place": place, "people_met": people_met,
            "households": "；".join(heads.get(pk, no_heads)), "situation": situation, "problems": problems,
            "ideas": ideas, "on_time": on_time, "created_at": created_at,
        })
    return out


# --- written by PostgreSQL ------------------------------------------------------------------------


def written_by_database() -> bool:
    """Whether the export's file is written by the database (core.pg_copy): PostgreSQL only."""
    return connections[current_read_alias()].vendor == "postgresql"


def diary_export_file(actor: Actor, start: date, end: date, fmt: str, filename: str) -> StreamingHttpResponse:
    """The export as a CSV or XLSX file written by PostgreSQL (see the module's docstring): the
    same rows and values as `diary_export_rows` written by core.reports. Headers and labels in
    the active language; the body reads from the replica where the request would."""
    headers = [str(c.label) for c in DIARY_EXPORT_COLUMNS]
    sql, params = _rows_sql(actor, start, end)
    values = {c.key: f"r.x_{c.key}" for c in DIARY_EXPORT_COLUMNS}
    if fmt == "csv":
        statement = f"SELECT {csv_select(DIARY_EXPORT_COLUMNS, values)} FROM ({sql}) r"  # noqa: S608 - see _rows_sql
        lines = reading_from_replica(copy_out(statement, params, csv=True, chunk=CSV_CHUNK))
        return file_response(f"{filename}.csv", _csv_body(csv_header(headers), lines))
    numbered = f"SELECT d.*, (row_number() OVER () + 1)::text AS n FROM ({sql}) d"  # noqa: S608 - see _rows_sql
    statement = f"SELECT {xlsx_row_select(DIARY_EXPORT_COLUMNS, values, 'r.n')} FROM ({numbered}) r"  # noqa: S608
    xml = sheet_xml(reading_from_replica(copy_out(statement, params, csv=False, chunk=XML_CHUNK)))
    sheet = (gettext("报表"), headers, column_widths(headers), xml, None)
    return file_response(f"{filename}.xlsx", stream_xlsx([sheet]))


def _csv_body(header: bytes, lines: Iterator[bytes]) -> Iterator[bytes]:
    yield header  # before the statement runs: the first bytes leave at once
    yield from lines


def _masked(field: str) -> Any:
    """cadres.scope.mask_name in SQL: 张*, the surname survives."""
    return Case(When(**{field: ""}, then=Value("")),
                default=Concat(Left(field, 1), Repeat(Value("*"), Greatest(Length(field) - 1, Value(1)))),
                output_field=CharField())


def _rows_sql(actor: Actor, start: date, end: date) -> tuple[str, list[Any]]:
    """The scoped diaries of the period in order, `x_<key>` the raw value of each export column
    (its form in the file is written by core.pg_copy), as SQL and parameters. `OFFSET 0` keeps it a
    subquery of its own: flattened into the formatting statement, the households' subquery would
    be run once for each place its value is used."""
    masked = actor.is_reporter_only
    head = _masked("household__head_name") if masked else F("household__head_name")
    heads = (Diary.households.through.objects.filter(diary_id=OuterRef("id")).order_by().values("diary_id")
             .annotate(names=StringAgg(head, "；", order_by="household_id")).values("names"))
    label = Case(*[When(category=key, then=Value(str(text))) for key, text in Category.choices],
                 default=F("category"), output_field=CharField())
    qs = (diaries_for(actor).filter(date__range=(start, end)).order_by("date", "id")
          .values(x_township=F("township_id"), x_township_name=F("township__name"), x_id=F("id"), x_date=F("date"),
                  x_village=F("village__name"), x_author=_masked("author__name") if masked else F("author__name"),
                  x_category=label, x_place=F("place"), x_people_met=F("people_met"),
                  x_households=Subquery(heads, output_field=CharField()), x_situation=F("situation"),
                  x_problems=F("problems"), x_ideas=F("ideas"), x_on_time=F("on_time"), x_created_at=F("created_at")))
    sql, params = qs.query.sql_with_params()
    return f"{sql} OFFSET 0", list(params)
