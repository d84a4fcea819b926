"""Files written by PostgreSQL (core.pg_copy) against the Python writers they stand in for: the
same CSV fields and the same sheet cells for every declared column type, COPY's escapes read back,
the jobs' statement timeout, and a reader that stops early."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone

from core.pg_copy import copy_out, csv_select, sheet_xml, xlsx_row_select
from core.reports import FORMULA_PREFIXES, Column, _cell_converter, csv_values
from core.xlsx_stream import row_writer
from tests.core.test_xlsx_stream import SHANGHAI

COLUMNS = [
    Column("id", "id", "integer"), Column("score", "分", "number"), Column("day", "日期", "date"),
    Column("at", "时间", "date-time"), Column("text", "文本", "string"), Column("ok", "按时", "boolean"),
]
_TEXTS = [
    "东河村 <加压泵> & “供水”, \"引号\"", "=SUM(A1)", "+1", "-负数", "@提及", "\t制表开头", "", None,
    "行一\n行二\x01\x0b坏字符\t尾", "反斜杠 \\n 不是换行，\\\\ 两个，\\", "非字符\ufffe\uffff止", "<t>&amp;</t>",
]
ROWS: list[dict[str, Any]] = [
    {"id": n if n % 5 else None, "score": [85.5, 0.1, 3.0, None, 12.25, 1e-7][n % 6],
     "day": None if n == 3 else dt.date(2026, 1 + n % 12, 1 + n),
     "at": None if n == 4 else dt.datetime(2026, 12, 5, n, 2, 3, 250_000 * (n % 2), tzinfo=dt.UTC),
     "text": text, "ok": [True, False, None][n % 3]}
    for n, text in enumerate(_TEXTS)
]

pytestmark = pytest.mark.postgres


@pytest.fixture
def table(db):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_rows (n int, id bigint, score float8, day date, at timestamptz, "
                       "text text, ok boolean) ON COMMIT DROP")
        for n, row in enumerate(ROWS):
            cursor.execute("INSERT INTO copy_rows VALUES (%s, %s, %s, %s, %s, %s, %s)",
                           [n, *(row[c.key] for c in COLUMNS)])
    return "copy_rows"


VALUES = {c.key: f"r.{c.key}" for c in COLUMNS}


def _copied(sql: str, *, as_csv: bool) -> bytes:
    with timezone.override(SHANGHAI):
        return b"".join(copy_out(sql, [], csv=as_csv, chunk=64))


def test_csv_lines_are_the_python_writers_lines(table):
    body = _copied(f"SELECT {csv_select(COLUMNS, VALUES)} FROM {table} r ORDER BY r.n", as_csv=True)
    with timezone.override(SHANGHAI):
        values = csv_values(COLUMNS)
        buffer = io.StringIO()
        csv.writer(buffer).writerows(values(row) for row in ROWS)
    copied, python = (list(csv.reader(io.StringIO(text))) for text in (body.decode(), buffer.getvalue()))
    assert len(copied) == len(python) == len(ROWS)
    for mine, theirs in zip(copied, python, strict=True):
        # A number as PostgreSQL writes it (3, where Python writes 3.0): the same number.
        assert (mine[1] and float(mine[1])) == (theirs[1] and float(theirs[1]))
        assert mine[:1] + mine[2:] == theirs[:1] + theirs[2:]
    assert b"\r" not in body  # lines end in LF


def _cells(xml: str) -> list[list[tuple[str | None, str | None, str | None, str]]]:
    """Each row's cells as (reference, type, style, value text): what a reader of the sheet reads."""
    root = ET.fromstring(f'<sheetData xmlns="urn:x">{xml}</sheetData>')
    rows = []
    for row in root:
        cells = []
        for c in row:
            text = "".join(c.itertext())
            cells.append((c.get("r"), c.get("t"), c.get("s"), text))
        rows.append(cells)
    return rows


def test_sheet_rows_are_the_python_writers_rows(table):
    numbered = f"SELECT t.*, (t.n + 2)::text AS number FROM {table} t"
    body = _copied(f"SELECT {xlsx_row_select(COLUMNS, VALUES, 'r.number')} FROM ({numbered}) r ORDER BY r.n",
                   as_csv=False)
    copied = _cells(b"".join(sheet_xml(iter([body]))).decode())
    with timezone.override(SHANGHAI):
        write = row_writer([c.key for c in COLUMNS], [c.type for c in COLUMNS], _cell_converter(as_text=False),
                           quote_prefixes=FORMULA_PREFIXES, tz=timezone.get_current_timezone())
        python = _cells("".join(write(row, n) for n, row in enumerate(ROWS, start=2)))
    assert len(copied) == len(python) == len(ROWS)
    for mine, theirs in zip(copied, python, strict=True):
        assert [c[:3] for c in mine] == [c[:3] for c in theirs]
        for (ref, _kind, style, value), (*_same, expected) in zip(mine, theirs, strict=True):
            if style == "3":  # a date-time's serial days: rounded to 8 places by each in its own way
                assert abs(Decimal(value) - Decimal(expected)) <= Decimal("1e-8")
            elif (ref or "").startswith("B"):  # a number: 3 where Python writes 3.0
                assert float(value) == float(expected)
            else:
                assert value == expected
    # What the Python writer leaves to the XML reader: a tab and a line break kept as written.
    assert ("E10", "inlineStr", None, "行一\n行二坏字符\t尾") in copied[8]


def test_sheet_xml_reads_copys_escapes():
    # COPY's text format: \\ a backslash, \n \r \t those characters, \b \f \v control characters.
    line = b'<row r="2"><c><is><t>a\\\\n\\nb\\r\\tc\\\\\\\\d\\b\\f\\ve\x01\x1ff\xef\xbf\xbeg</t></is></c></row>\n'
    assert b"".join(sheet_xml(iter([line, line]))) == (
        b'<row r="2"><c><is><t>a\\n&#10;b&#13;&#9;c\\\\def' + b"g</t></is></c></row>\n") * 2


@override_settings(STATEMENT_TIMEOUT_JOBS=0.05)
def test_the_copy_has_the_jobs_statement_timeout_the_zone_and_no_parallel_worker(db):
    # A download runs as long as its client reads: not the web's limit, the jobs'.
    with pytest.raises(OperationalError, match="statement timeout"):
        list(copy_out("SELECT pg_sleep(0.5)", [], csv=True, chunk=64))
    with override_settings(STATEMENT_TIMEOUT_JOBS=5), timezone.override(SHANGHAI):
        settings = ("SELECT current_setting('statement_timeout'), current_setting('TimeZone'), "
                    "current_setting('max_parallel_workers_per_gather')")
        assert list(copy_out(settings, [], csv=True, chunk=64)) == [b"5s,Asia/Shanghai,0\n"]


def test_a_reader_that_stops_early_leaves_the_connection_usable(db):
    body = copy_out("SELECT g, repeat('民情', 50) FROM generate_series(1, 200000) g", [], csv=True, chunk=1024)
    first = next(body)
    assert first.startswith(b"1,") and len(first) < 10_000
    body.close()  # the client went away: the statement is cancelled, its savepoint rolled back
    with connection.cursor() as cursor:
        cursor.execute("SELECT 41 + 1")
        assert cursor.fetchone() == (42,)
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "20min"  # the export's limit ended with its transaction
