"""Export files written by PostgreSQL itself: each row formatted by the statement, relayed by COPY
(issue #17: exports that stream).

An export written in Python spends its time per row and per cell: the driver's tuples, the row's
dict, the CSV writer's quoting or a cell's XML. At county scale (100,000 diaries, 150 MB of CSV)
that was 5 s of one core under one GIL. Here PostgreSQL formats every row — the CSV line by
COPY's own CSV writer, an XLSX sheet's `<row>` element by the statement — and the worker only
relays bytes: `COPY (…) TO STDOUT` hands them over as the server writes them, so the first bytes
leave at once and memory holds one chunk.

The values are written as the Python writers write them (core.reports.csv_values and
core.xlsx_stream.row_writer, which SQLite and the export job still use): text that starts like a
formula gets an apostrophe, empty text and NULL are empty fields, booleans True/False in a CSV,
dates as ISO text or Excel serial days, date-times in the time zone of the request. Only the
framing differs where no reader sees it: CSV lines end in LF (CRLF in Python's), and a sheet's rows
are separated by a line break (whitespace between elements).

    values = {c.key: f"r.x_{c.key}" for c in columns}   # each column's value in the rows' statement
    select = csv_select(columns, values)                 # or xlsx_row_select(columns, values, "r.n")
    body = copy_out(f"SELECT {select} FROM ({rows_sql}) r", params, csv=True, chunk=CSV_CHUNK)

Statements are written by the code: columns come from the declared export columns, values from
the caller's queryset travel as parameters (psycopg binds them on the client for COPY).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from core.replica import current_read_alias

if TYPE_CHECKING:
    from core.reports import Column

# Bytes handed on at a time: a CSV goes to the socket in 64 KB writes; a sheet's XML goes to the
# deflating thread, which wants large hand-overs (core.xlsx_stream.DEFLATE_BATCH).
CSV_CHUNK = 64 * 1024
XML_CHUNK = 1024 * 1024

# core.reports.FORMULA_PREFIXES as SQL: the first character of a text that a spreadsheet would
# read as a formula (=, +, -, @, tab, carriage return).
_FORMULA_FIRST = "('=', '+', '-', '@', chr(9), chr(13))"

# Characters XML 1.0 refuses, as UTF-8 bytes: control characters other than tab, LF and CR (the
# text's own tabs, LFs and CRs arrive escaped by COPY; a raw LF ends a row's line), and U+FFFE, U+FFFF.
_XML_ILLEGAL_BYTES = bytes([*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_XML_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
# COPY's text format escapes these (and a backslash); in a sheet's XML they become character
# references (tab, LF, CR) or disappear (backspace, form feed, vertical tab: illegal in XML).
_COPY_ESCAPES = ((b"\\n", b"&#10;"), (b"\\r", b"&#13;"), (b"\\t", b"&#9;"), (b"\\b", b""), (b"\\f", b""), (b"\\v", b""))


def _guarded(value: str) -> str:
    return f"CASE WHEN left({value}, 1) IN {_FORMULA_FIRST} THEN '''' || {value} ELSE {value} END"


def csv_select(columns: list[Column], values: dict[str, str]) -> str:
    """The select list writing `columns` as core.reports.csv_values writes them; `values`: each
    column's value (a column reference: it is used several times)."""
    fields = []
    for column in columns:
        value = values[column.key]
        if column.type == "string":
            fields.append(f"NULLIF({_guarded(value)}, '')")
        elif column.type in ("integer", "number"):
            fields.append(f"{value}::text")
        elif column.type == "boolean":
            fields.append(f"CASE WHEN {value} THEN 'True' WHEN NOT {value} THEN 'False' END")
        elif column.type == "date":
            fields.append(f"to_char({value}, 'YYYY-MM-DD')")
        elif column.type == "date-time":
            # datetime.isoformat(): microseconds only where there are any, the offset as +08:00.
            fields.append(f"to_char({value}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_trunc('second', {value}) "
                          f"= {value} THEN '' ELSE to_char({value}, '.US') END || to_char({value}, 'TZH:TZM')")
        else:
            raise ValueError(f"no SQL form for a column of type {column.type!r}")
        fields[-1] += f' AS "{column.key}"'
    return ", ".join(fields)


def xlsx_row_select(columns: list[Column], values: dict[str, str], number: str) -> str:
    """One text expression: a row's `<row>` element as core.xlsx_stream.row_writer writes it;
    `values` as for `csv_select`, `number` the row's number (text). Only `&`, `<` and `>` are
    escaped here: tab, LF and CR leave COPY escaped and become character references in `sheet_xml`
    (so a row is one line)."""
    from core.xlsx_stream import _COLUMNS, _DATE, _DATETIME

    cells = []
    for index, column in enumerate(columns):
        value = values[column.key]
        ref = f"'<c r=\"{_COLUMNS[index]}' || {number} || '\""
        if column.type == "string":
            text = f"replace(replace(replace({_guarded(value)}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
            cells.append(f"CASE WHEN {value} <> '' THEN {ref} t=\"inlineStr\"><is><t xml:space=\"preserve\">' "
                         f"|| {text} || '</t></is></c>' ELSE '' END")
        elif column.type in ("integer", "number"):
            cells.append(f"CASE WHEN {value} IS NULL THEN '' ELSE {ref}><v>' || {value}::text || '</v></c>' END")
        elif column.type == "boolean":
            cells.append(f"CASE WHEN {value} THEN {ref} t=\"b\"><v>1</v></c>' "
                         f"WHEN NOT {value} THEN {ref} t=\"b\"><v>0</v></c>' ELSE '' END")
        elif column.type == "date":
            cells.append(f"CASE WHEN {value} IS NULL THEN '' ELSE {ref} s=\"{_DATE}\"><v>' "
                         f"|| ({value} - DATE '1899-12-30')::text || '</v></c>' END")
        elif column.type == "date-time":
            # Excel's serial days of the wall-clock time (the statement's TimeZone: copy_out).
            serial = f"round(extract(epoch FROM {value}::timestamp - TIMESTAMP '1899-12-30') / 86400, 8)::text"
            cells.append(f"CASE WHEN {value} IS NULL THEN '' ELSE {ref} s=\"{_DATETIME}\"><v>' || {serial} "
                         "|| '</v></c>' END")
        else:
            raise ValueError(f"no SQL form for a column of type {column.type!r}")
    return f"'<row r=\"' || {number} || '\">' || " + " || ".join(cells) + " || '</row>'"


def copy_out(sql: str, params: Sequence[Any], *, csv: bool, chunk: int) -> Iterator[bytes]:
    """The output of `COPY (sql) TO STDOUT` (CSV or text format) in chunks of whole rows of about
    `chunk` bytes, read from where the enclosing `replica_reads()` reads.

    The statement runs as long as the client takes to read the file (the server waits while the
    socket is full), so it gets the jobs' statement timeout instead of the web's; the rows it can
    reach are bounded by the export's own limit (EXPORT_STREAM_MAX_ROWS). Date-times are written
    in the active time zone. A consumer that stops early cancels the statement. The settings are
    the transaction's own (set_config's is_local) and end with it."""
    alias = current_read_alias()
    connection = connections[alias]
    options = "(FORMAT csv)" if csv else "(FORMAT text)"
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        # No parallel workers: the rows are formatted by the statement's own backend, and a worker
        # reading the diaries beside it took a core from it and from the process relaying the file
        # (100,000 diaries as XLSX: 2.4–2.6 s against 2.9–3.5 s with one worker, on two cores).
        cursor.execute("SELECT set_config('statement_timeout', %s, true), set_config('TimeZone', %s, true), "
                       "set_config('max_parallel_workers_per_gather', '0', true)",
                       [str(int(settings.STATEMENT_TIMEOUT_JOBS * 1000)), timezone.get_current_timezone_name()])
        buffer = bytearray()
        # Django's exceptions (a cancelled statement is an OperationalError), as for its own cursors.
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH {options}",
                                                                 params) as copy:
            for data in copy:  # one row at a time, as the server sends them
                buffer += data
                if len(buffer) >= chunk:
                    yield bytes(buffer)
                    buffer.clear()
        if buffer:
            yield bytes(buffer)


def sheet_xml(lines: Iterator[bytes]) -> Iterator[bytes]:
    """A sheet's `<row>` elements from COPY's text format (`copy_out(…, csv=False)` of a
    `xlsx_row_select`): its escapes turned into XML, characters XML refuses dropped."""
    for data in lines:
        if b"\\" in data:
            # Left to right, a doubled backslash is a backslash; put aside while the escapes are
            # read (NUL: PostgreSQL's text never holds one).
            data = data.replace(b"\\\\", b"\0")
            for escaped, xml in _COPY_ESCAPES:
                data = data.replace(escaped, xml)
            data = data.replace(b"\0", b"\\")
        data = data.translate(None, _XML_ILLEGAL_BYTES)
        for noncharacter in _XML_NONCHARACTERS:
            if noncharacter in data:
                data = data.replace(noncharacter, b"")
        yield data
