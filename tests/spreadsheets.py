"""Spreadsheets the import tests upload, written with openpyxl as a township clerk's Excel would."""

from __future__ import annotations

import io

import openpyxl

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The household import's columns, as the office's template has them.
HOUSEHOLD_HEADERS = ["村", "村民小组", "户主姓名", "家庭人口", "联系电话", "标签"]


def xlsx(headers: list[str], rows: list[list[object]]) -> bytes:
    """One sheet: a header row, then the rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
