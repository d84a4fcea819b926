"""core.xlsx_stream.row_writer: one writer per column, byte for byte the general cell path."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import openpyxl
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from core.reports import FORMULA_PREFIXES, Column, _cell_converter, xlsx_response
from core.xlsx_stream import _row, row_writer

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
COLUMNS = [
    Column("id", "id", "integer"), Column("score", "分", "number"), Column("day", "日期", "date"),
    Column("at", "时间", "date-time"), Column("text", "文本", "string"), Column("ok", "按时", "boolean"),
    Column("free", "未声明", ""),
]
# Values of the declared type and of every other type a row may carry in that column.
ROWS = [
    {"id": 1, "score": 85.5, "day": dt.date(2026, 12, 5), "at": dt.datetime(2026, 12, 5, 1, 2, 3, tzinfo=dt.UTC),
     "text": "东河村 <加压泵> & “供水”", "ok": True, "free": "x"},
    {"id": None, "score": Decimal("12.50"), "day": None, "at": dt.datetime(2026, 1, 2, 3, 4, 5), "text": "=SUM(A1)",
     "ok": False, "free": dt.date(2026, 1, 1)},
    {"id": True, "score": 3, "day": dt.datetime(2026, 3, 4, 5, 6, tzinfo=SHANGHAI), "at": None, "text": "",
     "ok": None, "free": gettext_lazy("名称")},
    {"id": "7", "score": None, "day": "2026-01-01", "at": dt.date(2026, 2, 2), "text": "行一\n行二\x01\x0b坏字符\t",
     "ok": 1, "free": 2.5},
    {"text": "+1", "free": None},  # missing keys
    {"text": "-负数", "id": 2**40, "free": ["list"]},
    {"text": "@提及", "id": 0, "score": 0.1, "free": "\ufffe"},
]


def test_row_writer_writes_what_the_general_path_writes():
    with timezone.override(SHANGHAI):
        convert = _cell_converter(as_text=False)
        write = row_writer([c.key for c in COLUMNS], [c.type for c in COLUMNS], convert,
                           quote_prefixes=FORMULA_PREFIXES, tz=timezone.get_current_timezone())
        for number, row in enumerate(ROWS, start=2):
            assert write(row, number) == _row(number, [convert(row.get(c.key)) for c in COLUMNS])


def test_a_streamed_workbook_reads_back_with_types_and_quoted_formulas():
    with timezone.override(SHANGHAI), translation.override("zh-hans"):
        body = b"".join(xlsx_response("t", [("表", COLUMNS, ROWS[:2])]).streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["id", "分", "日期", "时间", "文本", "按时", "未声明"]
    assert values[1] == [1, 85.5, dt.datetime(2026, 12, 5), dt.datetime(2026, 12, 5, 9, 2, 3),
                         "东河村 <加压泵> & “供水”", True, "x"]
    assert values[2][1] == 12.5 and values[2][3] == dt.datetime(2026, 1, 2, 3, 4, 5)
    assert values[2][4] == "'=SUM(A1)" and values[2][5] is False and values[2][6] == dt.datetime(2026, 1, 1)
    assert values[2][0] is None and values[2][2] is None
