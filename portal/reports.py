"""Reports as JSON, CSV or XLSX from one list of rows (DESIGN.md §6: `?format=csv|xlsx`).

A report view declares its columns once; the JSON form is {"results": [...]} and the file forms
are streamed with headers in the request's language. CSV carries a byte-order mark so Excel
and WPS open it as UTF-8; cells that begin with = + - @ are written as text (no formulas).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from rest_framework.renderers import BaseRenderer, JSONRenderer

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise


def safe_cell(value: Any) -> Any:
    """Spreadsheet-safe value: text that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class CSVRenderer(BaseRenderer):
    """Declares `?format=csv` to DRF's negotiation; report views stream the body themselves."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):  # type: ignore[no-untyped-def]
        return JSONRenderer().render(data)  # only reached for errors


class XLSXRenderer(BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):  # type: ignore[no-untyped-def]
        return JSONRenderer().render(data)


REPORT_RENDERERS = [JSONRenderer, CSVRenderer, XLSXRenderer]


def _csv_lines(columns: list[Column], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([str(c.label) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(c.key, "")) for c in columns])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, columns: list[Column], rows: Iterable[dict[str, Any]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx_sheet(workbook: Any, title: str, columns: list[Column], rows: Iterable[dict[str, Any]]) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([str(c.label) for c in columns])
    for row in rows:
        sheet.append([_xlsx_value(row.get(c.key, "")) for c in columns])


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int | float | str) or hasattr(value, "isoformat"):
        return safe_cell(value) if isinstance(value, str) else value
    return str(value)


def xlsx_response(filename: str, sheets: list[tuple[str, list[Column], Iterable[dict[str, Any]]]]) -> FileResponse:
    """Write-only workbook spooled to a temporary file: memory stays flat however many rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        write_xlsx_sheet(workbook, title, columns, rows)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115  (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{filename}.xlsx",
                        content_type=XLSXRenderer.media_type)


def report_response(request: Any, *, filename: str, columns: list[Column], rows: list[dict[str, Any]],
                    extra: dict[str, Any] | None = None) -> Any:
    """The same rows as JSON (`{"results": rows}`), CSV or XLSX, by `?format=` or the Accept header."""
    from rest_framework.response import Response

    fmt = getattr(getattr(request, "accepted_renderer", None), "format", "json")
    if fmt == "csv":
        return csv_response(filename, columns, rows)
    if fmt == "xlsx":
        return xlsx_response(filename, [(_("报表"), columns, rows)])
    return Response({**(extra or {}), "results": rows})
