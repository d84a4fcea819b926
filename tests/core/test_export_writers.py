"""The exports' fast writers against their general paths: the CSV values of a row by its columns'
declared types, and the XLSX sheet deflated by a thread of its own."""

from __future__ import annotations

import csv
import io
import itertools

import openpyxl
import pytest
from django.utils import timezone, translation

from core.reports import Column, _cell_converter, csv_values, xlsx_response
from core.xlsx_stream import DEFLATE_BATCH, _Deflater
from tests.core.test_xlsx_stream import COLUMNS, ROWS, SHANGHAI


def _line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def test_csv_values_are_written_as_the_general_path_writes_them():
    """Every type a column may carry (declared or not, missing keys, formulas, lazy labels, times
    with and without a zone): the CSV line is the one the cell converter's values give."""
    with timezone.override(SHANGHAI), translation.override("zh-hans"):
        cell = _cell_converter(as_text=True)
        values = csv_values(COLUMNS)
        for row in ROWS:
            assert _line(values(row)) == _line([cell(row.get(c.key)) for c in COLUMNS])
        one = csv_values([Column("text", "文本", "string")])
        assert one({"text": "=1+1"}) == ["'=1+1"] and one({}) == [None]


def test_a_sheet_longer_than_a_hand_over_reads_back_whole_and_in_order():
    text = "民情" * 60  # ~400 bytes of XML a row with its markup: ~4 hand-overs to the deflating thread
    rows = ({"id": n, "text": f"{n}{text}"} for n in range(12_000))
    columns = [Column("id", "id", "integer"), Column("text", "文本", "string")]
    with translation.override("zh-hans"):
        body = b"".join(xlsx_response("t", [("表", columns, rows)]).streaming_content)
    assert len(body) > 10_000  # compressed; the XML itself is past DEFLATE_BATCH several times
    assert 4 * DEFLATE_BATCH < 12_000 * 400
    values = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows()]
    assert len(values) == 12_001
    assert [row[0] for row in values[1:]] == list(range(12_000))
    assert values[-1][1] == f"11999{text}"


def test_a_failure_while_deflating_reaches_the_writer():
    class Full:
        def write(self, data: bytes) -> int:
            raise OSError("disk full")

    deflater = _Deflater(Full())
    deflater.put(b"<row/>")
    with pytest.raises(OSError, match="disk full"):
        for _ in itertools.repeat(None, 100):  # the next hand-over or the end, whichever comes first
            deflater.put(b"<row/>")
        deflater.finish()
    with pytest.raises(OSError):  # finishing after the failure ends the thread and says why again
        deflater.finish()
    assert not deflater.thread.is_alive()
