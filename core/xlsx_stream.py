"""An XLSX workbook written row by row as it is sent (issue #17: exports that stream).

openpyxl's write-only mode keeps memory flat but builds the whole file before its first byte
can leave: 100k diaries took seconds before the download started, 1M past the web's timeout.
An XLSX file is a zip of XML parts, and a zip can be written to a stream that cannot seek (each
entry followed by a data descriptor), so this writer zips each sheet's XML while the rows arrive
and hands the compressed bytes on in chunks: the first bytes leave after the first rows, memory
holds one chunk. Strings are written inline (no shared-strings table, which would need every
string before the first row); Excel, WPS, LibreOffice and openpyxl read them.

    body = stream_xlsx([(title, headers, widths, rows, row_writer(keys, kinds, convert, ...))])   # rows: dicts
"""

from __future__ import annotations

import io
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

CHUNK = 64 * 1024
# Rows handed to the zip entry at a time: each write costs a CRC, a deflate call and the zip's
# bookkeeping, a tenth of a 100,000-row export's time when written row by row.
ROWS_PER_WRITE = 50
_EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's serial dates have no time zone
_EXCEL_DAY = _EXCEL_EPOCH.date()
# Characters XML 1.0 refuses (a diary pasted from elsewhere can carry them), dropped by str.translate.
_ILLEGAL_TABLE = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
# XML handed to the deflating thread at a time: each hand-over costs that thread a wait for the
# GIL (up to the interpreter's 5 ms switch interval), so small ones would serialise it again.
DEFLATE_BATCH = 1024 * 1024
# Deflate's fastest level (the workbook's small parts): zlib's level 1 writes several times faster
# than its default (level 6) for a file about 40 % larger.
COMPRESS_LEVEL = 1
# A sheet is deflated by ISA-L (isal: the same deflate format) at its level 2: at 100,000 diaries
# (219 MB of XML) 0.3 s against zlib's 1.4 s at level 1, and a smaller file (34.5 MB against 36.0).
SHEET_LEVEL = 2

# Style indexes of styles.xml: 0 plain, 1 bold (headers), 2 date, 3 date and time.
_BOLD, _DATE, _DATETIME = 1, 2, 3

_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class _Pipe(io.RawIOBase):
    """A write-only, non-seekable sink whose bytes are taken out as they come (by another thread
    than the one that deflates into it: see `_Deflater`)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        with self.lock:
            self.buffer += data
        return len(data)

    def size(self) -> int:
        return len(self.buffer)

    def take(self) -> bytes:
        with self.lock:
            data = bytes(self.buffer)
            self.buffer.clear()
        return data


class _Deflater:
    """Writes a zip entry's bytes from a thread of its own, as the rows' XML is written.

    zlib deflates (and checksums) without holding the GIL, so the sheet's compression runs beside
    the writing of its XML instead of after each batch: at 100,000 diaries deflating is ~40 % of
    an export's CPU, and a download otherwise uses one of the server's cores. The queue is short,
    so memory stays a few batches."""

    _DONE = b""

    def __init__(self, part: Any) -> None:
        self.part = part
        self.batches: queue.Queue[bytes] = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="xlsx-deflate", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            data = self.batches.get()
            if data is self._DONE:
                return
            if self.error is None:
                try:
                    self.part.write(data)
                except BaseException as error:
                    self.error = error

    def put(self, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        if data:
            self.batches.put(data)

    def finish(self) -> None:
        """Wait for every batch to be written (the entry may then be closed); raise its error."""
        self.batches.put(self._DONE)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _column_name(index: int) -> str:
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


_COLUMNS = [_column_name(i) for i in range(1, 16385)]  # Excel's columns A … XFD


def _cell(ref: str, value: Any, style: int = 0) -> str:
    # Text first: most cells of an export are text (a 100,000-diary export writes 1.5 million cells).
    if isinstance(value, str):
        if not value:
            return ""
        text = escape(value.translate(_ILLEGAL_TABLE)) if not value.isprintable() else escape(value)
        style_attr = f' s="{style}"' if style else ""
        return f'<c r="{ref}" t="inlineStr"{style_attr}><is><t xml:space="preserve">{text}</t></is></c>'
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        serial = (value.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{_DATETIME}"><v>{serial:.8f}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_DATE}"><v>{(value - _EXCEL_DAY).days}</v></c>'
    return _cell(ref, str(value), style)


def _row(number: int, values: Iterable[Any], style: int = 0) -> str:
    cells = "".join(_cell(f"{_COLUMNS[i]}{number}", v, style) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


RowWriter = Callable[[dict[str, Any], int], str]


def row_writer(keys: list[str], kinds: list[str], convert: Callable[[Any], Any], *,
               quote_prefixes: tuple[str, ...], tz: tzinfo) -> RowWriter:
    """A function writing one row (a dict) as `<row>` XML, byte for byte what `_row` writes for
    `[convert(row.get(key)) for key in keys]`, in a third of the time.

    A 100,000-row export writes 1.5 million cells; converting each value and then finding its XML
    by a chain of isinstance checks cost most of the export's CPU. Here each column's writer is
    chosen once, by the column's declared kind (string, integer, number, boolean, date,
    date-time), and checks only that its value is of that type; any other value (None, a Decimal,
    a lazy label) takes the general path: `convert` (the export's cell converter) and `_cell`.
    Text starting with one of `quote_prefixes` gets a leading apostrophe as `convert` gives it;
    date-times are written in `tz`'s wall-clock time.
    """
    writers = [_column_writer(_COLUMNS[i], kind, convert, quote_prefixes, tz) for i, kind in enumerate(kinds)]
    pairs = list(zip(keys, writers, strict=True))

    def write(row: dict[str, Any], number: int) -> str:
        n = str(number)
        return f'<row r="{n}">' + "".join([w(row.get(key), n) for key, w in pairs]) + "</row>"

    return write


def _column_writer(column: str, kind: str, convert: Callable[[Any], Any], quote_prefixes: tuple[str, ...],
                   tz: tzinfo) -> Callable[[Any, str], str]:
    def general(value: Any, n: str) -> str:
        return _cell(column + n, convert(value))

    def text(value: Any, n: str) -> str:
        if value.__class__ is not str:
            return general(value, n)
        if not value:
            return ""
        if value.startswith(quote_prefixes):
            value = "'" + value
        if not value.isprintable():
            value = value.translate(_ILLEGAL_TABLE)
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<c r="{column}{n}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'

    def number(value: Any, n: str) -> str:
        if value.__class__ is int or value.__class__ is float:
            return f'<c r="{column}{n}"><v>{value}</v></c>'
        return general(value, n)

    def boolean(value: Any, n: str) -> str:
        if value is True or value is False:
            return f'<c r="{column}{n}" t="b"><v>{int(value)}</v></c>'
        return general(value, n)

    def day(value: Any, n: str) -> str:
        if value.__class__ is date:
            return f'<c r="{column}{n}" s="{_DATE}"><v>{(value - _EXCEL_DAY).days}</v></c>'
        return general(value, n)

    def moment(value: Any, n: str) -> str:
        if value.__class__ is datetime:
            local = value.astimezone(tz) if value.tzinfo is not None else value
            serial = (local.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86400
            return f'<c r="{column}{n}" s="{_DATETIME}"><v>{serial:.8f}</v></c>'
        return general(value, n)

    by_kind = {"string": text, "integer": number, "number": number, "boolean": boolean, "date": day, "date-time": moment}
    return by_kind.get(kind, general)


def column_widths(headers: list[str]) -> list[int]:
    """Columns as wide as their headers, within 10 … 40 (a CJK character about two Latin ones)."""
    return [max(10, min(sum(2 if ord(ch) > 0x2E80 else 1 for ch in header) + 4, 40)) for header in headers]


def _sheet_title(title: str) -> str:
    # Excel refuses []:*?/\ in sheet titles and more than 31 characters.
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet"


# A sheet: title, headers, column widths, rows and the row writer that writes them; or, with no
# writer, the rows as ready XML: chunks of whole `<row>` elements numbered from 2 (core.pg_copy).
Sheet = tuple[str, list[str], list[int], Iterable[Any], RowWriter | None]


def stream_xlsx(sheets: list[Sheet]) -> Iterator[bytes]:
    """The workbook's bytes in chunks of about CHUNK; each sheet: title, headers, column widths,
    rows (dicts) and the row writer (`row_writer`) that writes them, or XML chunks (see `Sheet`)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:  # type: ignore[arg-type]
        archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook([title for title, *_rest in sheets]))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        archive.writestr("xl/styles.xml", _STYLES)
        yield pipe.take()
        for number, (_title, headers, widths, rows, write_row) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
                _deflate_by_isal(part)
                deflater = _Deflater(part)
                try:
                    yield from _sheet_data(deflater, pipe, headers, widths, rows, write_row)
                finally:
                    deflater.finish()
            yield pipe.take()
    yield pipe.take()


def _deflate_by_isal(part: Any) -> None:
    """The zip entry's deflating object replaced by ISA-L's (same calls, same raw deflate stream:
    see SHEET_LEVEL). zipfile makes it when the entry is opened and calls only `compress` and
    `flush`; the read-back tests would fail on a zipfile that named it otherwise."""
    from isal import isal_zlib

    part._compressor = isal_zlib.compressobj(SHEET_LEVEL, isal_zlib.DEFLATED, -15)


def _sheet_data(deflater: _Deflater, pipe: _Pipe, headers: list[str], widths: list[int], rows: Iterable[Any],
                write_row: RowWriter | None) -> Iterator[bytes]:
    """A worksheet's XML, handed to `deflater` in batches of rows; the archive's bytes taken from
    `pipe` as they pass CHUNK."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    deflater.put((
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>" + _row(1, headers, _BOLD)
    ).encode())
    if write_row is None:  # the rows' XML, written elsewhere
        for xml in rows:
            deflater.put(xml)
            if pipe.size() >= CHUNK:
                yield pipe.take()
        deflater.put(b"</sheetData></worksheet>")
        return
    line = 1
    batch: list[str] = []
    ready: list[bytes] = []  # encoded batches not yet handed over
    size = 0
    for values in rows:
        line += 1
        batch.append(write_row(values, line))
        if len(batch) >= ROWS_PER_WRITE:
            ready.append("".join(batch).encode())
            batch.clear()
            size += len(ready[-1])
            if size >= DEFLATE_BATCH:
                deflater.put(b"".join(ready))
                ready.clear()
                size = 0
            if pipe.size() >= CHUNK:
                yield pipe.take()
    ready.append(("".join(batch) + "</sheetData></worksheet>").encode())
    deflater.put(b"".join(ready))


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)


def _content_types(sheets: int) -> str:
    parts = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{parts}</Types>"
    )


def _workbook(titles: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{escape(_sheet_title(t), {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
        for n, t in enumerate(titles, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(sheets: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    styles = (
        f'<Relationship Id="rId{sheets + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}{styles}</Relationships>"
    )
