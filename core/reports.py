"""Reports as JSON, CSV or XLSX from one list of rows (docs/design.md §6: `?format=csv|xlsx`).

A report view declares its columns once and answers with `report_response`; the same rows come
back as JSON (`{"results": [...]}`), as CSV or as XLSX, chosen by `?format=` or the Accept
header (`renderer_classes = REPORT_RENDERERS`). `report_schema` documents the JSON form field
by field, with an example, and the two file forms:

    COLUMNS = [Column("village", _("村")), Column("rate", _("完成率"), type="number")]

    class CompletenessReport(APIView):
        renderer_classes = REPORT_RENDERERS

        @report_schema("DiaryCompleteness", COLUMNS, {"village": "东河村", "rate": 0.95})
        def get(self, request):
            return report_response(request, filename="diary-completeness", columns=COLUMNS, rows=rows)

The file forms are streamed, with the column headers in the request's language (zh-hans or
en). CSV is UTF-8 with a byte-order mark so Excel and WPS open it in Chinese; cells that begin
with = + - @ are written as text (no formulas).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

from core.renderers import FastJSONRenderer

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CSV_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Column:
    """One column of a report: the row key, its header (a lazy translation) and, optionally, its
    JSON type for the schema ("integer", "number", "string", "boolean", "date", "date-time");
    without a type, `report_schema` infers it from the example row."""

    key: str
    label: str | Promise
    type: str = ""


def safe_cell(value: Any) -> Any:
    """Spreadsheet-safe value: text that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _FileRenderer(BaseRenderer):
    """Declares a file format to DRF's negotiation; report views stream the body themselves.

    Only errors (a 400 for a bad date, a 403 …) are rendered here, and they are JSON: the answer
    says so in its Content-Type rather than claiming to be a spreadsheet.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):  # type: ignore[no-untyped-def]
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return FastJSONRenderer().render(data)


class CSVRenderer(_FileRenderer):
    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"


class XLSXRenderer(_FileRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None


REPORT_RENDERERS = [FastJSONRenderer, CSVRenderer, XLSXRenderer]


class FormatFirstNegotiation(DefaultContentNegotiation):
    """`?format=` wins over the Accept header (DRF's convention for the parameter): a browser or a
    client library that always sends `Accept: application/json` still gets the CSV it asked for.

    An unknown format is a 404, as in DRF; without the parameter the Accept header chooses.
    (The API's default negotiation: REST_FRAMEWORK["DEFAULT_CONTENT_NEGOTIATION_CLASS"].)"""

    def select_renderer(self, request, renderers, format_suffix=None):  # type: ignore[no-untyped-def]
        fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if fmt:
            chosen = self.filter_renderers(renderers, fmt)  # raises Http404 when no renderer has it
            return chosen[0], chosen[0].media_type
        return super().select_renderer(request, renderers, format_suffix)


def streamed(qs: QuerySet[Any], *, chunk_size: int) -> Iterator[Any]:
    """The rows of `qs`, fetched `chunk_size` at a time as the body is sent.

    Inside a transaction: outside one (autocommit, where a streamed body is read) Django declares
    its server-side cursor WITH HOLD, and PostgreSQL then computes and stores the whole result
    before the first row is fetched — the first byte of a 100,000-diary export waited for all of
    them. The transaction is read-only work and ends with the body (or when the client goes away).
    """
    with transaction.atomic(using=qs.db):
        yield from qs.iterator(chunk_size=chunk_size)


_CELL_TYPES = (bool, int, float, Decimal)


def _cell_converter(*, as_text: bool) -> Callable[[Any], Any]:
    """The cell of a value in a CSV (`as_text`: times as ISO text in Beijing time) or an XLSX
    (Excel has no time zones: Beijing wall-clock datetimes, dates as dates); the time zone is
    looked up once per export, not once per cell."""
    tz = timezone.get_current_timezone()

    def cell(value: Any) -> Any:
        # The commonest types first: a 100,000-row export converts 1.5 million cells.
        if isinstance(value, str):
            return "'" + value if value.startswith(FORMULA_PREFIXES) else value
        if value is None:
            return ""
        if isinstance(value, datetime):
            local = value.astimezone(tz) if value.tzinfo is not None else value
            return local.isoformat() if as_text else local.replace(tzinfo=None)
        if isinstance(value, date):
            return value.isoformat() if as_text else value
        if isinstance(value, _CELL_TYPES):
            return value
        return safe_cell(str(value))

    return cell


def _headers(columns: list[Column]) -> list[str]:
    """Header labels in the active language, evaluated now: a streamed body is written later,
    possibly in another thread, where the request's language is no longer active."""
    return [str(c.label) for c in columns]


def csv_values(columns: list[Column]) -> Callable[[dict[str, Any]], list[Any]]:
    """A function giving a row's CSV values, what `csv.writer` writes exactly as it writes
    `[cell(row.get(key)) for key in keys]` (`cell`: `_cell_converter(as_text=True)`), in a
    fraction of the time.

    A 100,000-diary export converts 1.5 million cells, and a call of `cell` for each was half of
    its CPU. Here the row's values are taken at once, and only what the writer would write
    differently is converted: text that starts like a formula, and values of another type than
    their column declares (a time, a lazy label). What the writer writes as `cell` would already
    is left to it: None (an empty field), numbers and booleans, dates (their ISO form)."""
    keys = [c.key for c in columns]
    cell = _cell_converter(as_text=True)
    texts = [i for i, c in enumerate(columns) if c.type == "string"]
    days = [i for i, c in enumerate(columns) if c.type == "date"]
    plain = [i for i, c in enumerate(columns) if c.type in ("integer", "number", "boolean")]
    others = [i for i, c in enumerate(columns) if c.type not in ("string", "date", "integer", "number", "boolean")]
    take = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))

    def values(row: dict[str, Any]) -> list[Any]:
        try:
            out = list(take(row))
        except KeyError:  # a row without some key: the key's cell is empty
            out = [row.get(key) for key in keys]
        for i in texts:
            value = out[i]
            if value.__class__ is str:
                if value.startswith(FORMULA_PREFIXES):
                    out[i] = "'" + value
            elif value is not None:
                out[i] = cell(value)
        for i in days:
            value = out[i]
            if value is not None and value.__class__ is not date:
                out[i] = cell(value)
        for i in plain:
            value = out[i]
            if value is not None and value.__class__ not in _PLAIN_TYPES:
                out[i] = cell(value)
        for i in others:
            out[i] = cell(out[i])
        return out

    return values


_PLAIN_TYPES = frozenset({int, float, bool, Decimal})


def _csv_lines(headers: list[str], columns: list[Column], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    values = csv_values(columns)
    for row in rows:
        writer.writerow(values(row))
        if buffer.tell() > _CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, columns: list[Column], rows: Iterable[dict[str, Any]]) -> StreamingHttpResponse:
    """A streamed CSV (UTF-8 with BOM). `rows` may be a generator: it is read as the body is sent."""
    body = _csv_lines(_headers(columns), columns, rows)
    return file_response(f"{filename}.csv", (chunk.encode("utf-8") for chunk in body))


def csv_header(headers: list[str]) -> bytes:
    """A CSV's first bytes: the BOM (Excel then reads UTF-8) and the header line, LF-terminated
    as PostgreSQL's COPY ends the lines that follow (core.pg_copy)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(headers)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_FILE_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MEDIA_TYPE}


def file_response(filename: str, body: Iterator[bytes]) -> StreamingHttpResponse:
    """A download streamed from `body`, its type by the file name's extension (csv, xlsx)."""
    response = StreamingHttpResponse(body, content_type=_FILE_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


def write_xlsx_sheet(workbook: Any, title: str, columns: list[Column], rows: Iterable[dict[str, Any]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=_sheet_title(title))
    headers = _headers(columns)
    for index, header in enumerate(headers, start=1):
        # CJK characters are about two Latin characters wide.
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header) + 4
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(width, 40))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    keys = [c.key for c in columns]
    cell = _cell_converter(as_text=False)
    for row in rows:
        sheet.append([cell(row.get(key)) for key in keys])


def _sheet_title(title: str) -> str:
    # Excel refuses []:*?/\ in sheet titles and more than 31 characters.
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet"


def xlsx_response(filename: str, sheets: list[tuple[str, list[Column], Iterable[dict[str, Any]]]]) -> StreamingHttpResponse:
    """A workbook streamed row by row as the rows are read (core.xlsx_stream): the first bytes
    leave at once and memory stays flat however many rows."""
    from core.xlsx_stream import Sheet, column_widths, row_writer, stream_xlsx

    tz = timezone.get_current_timezone()
    parts: list[Sheet] = []
    for title, columns, rows in sheets:
        headers = _headers(columns)
        writer = row_writer([c.key for c in columns], [c.type for c in columns], _cell_converter(as_text=False),
                            quote_prefixes=FORMULA_PREFIXES, tz=tz)
        parts.append((str(title), headers, column_widths(headers), rows, writer))
    return file_response(f"{filename}.xlsx", stream_xlsx(parts))


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    # Date-times as every serializer in the API writes them: Beijing time with its offset.
    return {key: _local_iso(value) if isinstance(value, datetime) else value for key, value in row.items()}


def _local_iso(value: datetime) -> str:
    return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()


def request_language(request: Any) -> str:
    """The language LocaleMiddleware chose for this request (Accept-Language, cookie), else the active one."""
    return getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or "zh-hans"


def report_response(request: Any, *, filename: str, columns: list[Column], rows: Iterable[dict[str, Any]],
                    extra: dict[str, Any] | None = None) -> Any:
    """The same rows as JSON (`{**extra, "results": rows}`), CSV or XLSX, by `?format=` or the Accept header.

    The answer carries `report_columns` (the declared columns), so tests and tools can match the
    file forms to the JSON form without knowing each report.
    """
    from rest_framework.response import Response

    fmt = getattr(getattr(request, "accepted_renderer", None), "format", "json")
    with translation.override(request_language(request)):
        if fmt == "csv":
            response: Any = csv_response(filename, columns, rows)
        elif fmt == "xlsx":
            response = xlsx_response(filename, [(_("报表"), columns, rows)])
        else:
            response = Response({**(extra or {}), "results": [_json_row(row) for row in rows]})
    response.report_columns = columns
    return response


# --- schema -------------------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_TYPE_FIELDS: dict[str, Callable[..., serializers.Field]] = {
    "integer": serializers.IntegerField,
    "number": serializers.FloatField,
    "string": serializers.CharField,
    "boolean": serializers.BooleanField,
    "date": serializers.DateField,
    "date-time": serializers.DateTimeField,
}


def _inferred_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float | Decimal):
        return "number"
    if isinstance(value, datetime) or (isinstance(value, str) and _DATETIME.match(value)):
        return "date-time"
    if isinstance(value, date) or (isinstance(value, str) and _DATE.match(value)):
        return "date"
    return "string"


def _schema_field(column: Column, value: Any, *, required: bool = True) -> serializers.Field:
    help_text: Any = column.label  # lazy: the schema is written in the language it is asked in
    nullable = value is None
    if isinstance(value, list):
        child = _schema_field(Column(column.key, column.label), value[0] if value else "")
        return serializers.ListField(child=child, help_text=help_text, required=required)
    if isinstance(value, dict):
        return serializers.DictField(help_text=help_text, required=required)
    kind = column.type or _inferred_type(value)
    if kind not in _TYPE_FIELDS:
        raise ValueError(f"Column {column.key!r}: unknown type {kind!r}; use one of {sorted(_TYPE_FIELDS)}")
    return _TYPE_FIELDS[kind](help_text=help_text, allow_null=nullable, required=required)


def _example_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _local_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


# Long on purpose: mostly the OpenAPI description of a report, as one literal.
def report_schema(
    name: str,
    columns: list[Column],
    example: dict[str, Any],
    *,
    parameters: list[Any] | None = None,
    extra: dict[str, Any] | None = None,
    summary: str | None = None,
    description: str | None = None,
    optional: tuple[str, ...] = (),
) -> Callable[[Any], Any]:
    """`extend_schema` for a report view: the JSON row documented field by field (one field per
    column, its label as the description), an example, and the CSV and XLSX forms.

    `name` names the schema components (`<name>Row`, `<name>Report`); `example` is one row, keyed
    like the columns (a value's type gives the field's type unless the Column names one);
    `extra` documents keys answered beside "results" (name → example value); `parameters` are the
    report's query parameters (OpenApiParameter), e.g. start and end.
    """
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer

    missing = [c.key for c in columns if c.key not in example]
    if missing:
        raise ValueError(f"report_schema({name!r}): the example has no value for {missing}")
    # `optional`: keys present in some rows only (e.g. the grouping keys of a report with `by=`).
    row_fields = {c.key: _schema_field(c, example[c.key], required=c.key not in optional) for c in columns}
    extra = extra or {}
    extra_fields = {key: _schema_field(Column(key, key), value) for key, value in extra.items()}
    report = inline_serializer(
        name=f"{name}Report",
        fields={**extra_fields, "results": inline_serializer(name=f"{name}Row", fields=row_fields, many=True)},
    )
    example_body = {
        **{key: _example_value(value) for key, value in extra.items()},
        "results": [{c.key: _example_value(example[c.key]) for c in columns}],
    }
    order = ", ".join(c.key for c in columns)
    files = (
        "Also as files, with the same rows: `?format=csv` (or `Accept: text/csv`) gives UTF-8 CSV with a "
        "byte-order mark, `?format=xlsx` (or the XLSX media type) one sheet; both have one header row in the "
        f"request's language (zh-hans or en) and the columns in this order: {order}."
    )
    return extend_schema(
        summary=summary,
        description=f"{description}\n\n{files}" if description else files,
        parameters=parameters,
        responses={
            (200, "application/json"): OpenApiResponse(
                response=report, description="The report's rows; CSV and XLSX with `?format=csv|xlsx`."
            ),
            (200, CSV_MEDIA_TYPE): OpenApiResponse(response=OpenApiTypes.STR),
            (200, XLSX_MEDIA_TYPE): OpenApiResponse(response=OpenApiTypes.BINARY),
        },
        examples=[
            OpenApiExample(
                f"{name} example", value=example_body, response_only=True, status_codes=["200"],
                media_type="application/json",
            )
        ],
    )
