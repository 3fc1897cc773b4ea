"""Read CSV and XLSX bytes into a ``Table`` that the tabular parsers share.

Every way a file can be unreadable becomes an ``ImportFormatError`` that names
the file (and the row and field where it can): empty, binary in disguise (a PDF
or an old ``.xls`` renamed), truncated or corrupt zip, no or wrong header.

Encoding rule: CSV must be UTF-8 (a BOM is fine). A file in another encoding is
rejected, not decoded with a fallback, because a wrong guess silently corrupts
names such as "Côte d’Ivoire" or Kazakh/Russian text, and cp1252 versus Mac
Roman cannot be told apart reliably on a short file. The error says which row
and column hold the first bad byte and what the encoding looks like, so the
user can re-save the file as UTF-8.

Row numbers are what a spreadsheet shows: the header is row 1 in a CSV, and an
XLSX row keeps its sheet row number. A CSV record with a line break inside a
quoted cell is one row.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from qadam.lib.records import ImportFormatError, RowProblem
from qadam.lib.states_text import strip_bullet

CSV_DELIMITERS = ",;\t|"
_HEADER_SEARCH_ROWS = 20  # an XLSX may carry a title above its header


@dataclass
class Table:
    """A sheet's header and its non-blank data rows, each with its row number."""

    filename: str
    header: list[str]
    header_row: int = 1
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    delimiter: str = ""  # CSV only

    def find(self, *names: str) -> int | None:
        """Index of the first column whose name matches one of ``names``."""
        wanted = {header_key(n) for n in names}
        for i, name in enumerate(self.header):
            if header_key(name) in wanted:
                return i
        return None

    def require(self, name: str, *aliases: str) -> int:
        """Index of a column that must be there; ``ImportFormatError`` names it otherwise."""
        index = self.find(name, *aliases)
        if index is None:
            found = ", ".join(repr(h) for h in self.header if h) or "nothing"
            raise ImportFormatError(
                self.filename,
                f"missing column {name!r}; the header row has {found}",
                row=self.header_row,
                field=name,
            )
        return index


def header_key(name: str) -> str:
    """Compare headers loosely: case, spaces, "_", "-" and punctuation do not matter."""
    return re.sub(r"[^0-9a-zа-яёәғқңөұүһі]+", "", name.lower())


def read_table(
    data: bytes, filename: str, sheet: str | None = None, header_hint: Iterable[str] = ()
) -> Table:
    """Read CSV or XLSX, told apart by content (XLSX is a zip), not by file name."""
    if sniff_kind(data, filename) == "xlsx":
        return read_xlsx(data, filename, sheet=sheet, header_hint=header_hint)
    return read_csv(data, filename)


def sniff_kind(data: bytes, filename: str) -> str:
    """``"xlsx"`` or ``"csv"``; ``ImportFormatError`` for empty or other binary files."""
    if not data.strip():
        raise ImportFormatError(filename, "the file is empty")
    if data.startswith(b"PK"):
        return "xlsx"
    other = binary_kind(data)
    if other:
        raise ImportFormatError(
            filename, f"this is {other}, not a CSV or XLSX file; export the sheet as .xlsx or CSV"
        )
    return "csv"


def binary_kind(data: bytes) -> str:
    """Name a common non-text format from its magic bytes; ``""`` if none is recognised."""
    magics = {
        b"%PDF": "a PDF document",
        b"\xd0\xcf\x11\xe0": "an old Office file (.xls or .doc)",
        b"{\\rtf": "an RTF document",
        b"PK": "a zip archive",
        b"\x1f\x8b": "a gzip archive",
    }
    for magic, name in magics.items():
        if data.startswith(magic):
            return name
    return ""


# --- CSV -------------------------------------------------------------------


def read_csv(data: bytes, filename: str) -> Table:
    _reject_binary(data, filename)
    text = decode_utf8(data, filename)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise ImportFormatError(filename, f"unreadable CSV: {exc}", row=1) from exc
    if not any(header):
        raise ImportFormatError(filename, "no header row", row=1)
    table = Table(filename, header, delimiter=delimiter)
    _check_duplicate_headers(table)
    _read_csv_rows(reader, table)
    return table


def _read_csv_rows(reader: Iterable[list[str]], table: Table) -> None:
    width = len(table.header)
    row_number = 1
    try:
        for row_number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                table.problems.append(
                    RowProblem(
                        table.filename,
                        row_number,
                        f"column {width + 1}",
                        f"the row has {len(cells)} cells but the header has {width}; "
                        "is a delimiter or a quote out of place?",
                    )
                )
                continue
            cells = cells[:width] + [""] * (width - len(cells))
            table.rows.append((row_number, cells))
    except csv.Error as exc:
        raise ImportFormatError(
            table.filename, f"unreadable CSV: {exc}", row=row_number + 1
        ) from exc


def _reject_binary(data: bytes, filename: str) -> None:
    """A CSV is text: refuse PDFs, zips, old Office files and anything with NUL bytes."""
    kind = binary_kind(data)
    if not kind and b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        kind = "a binary file"
    if kind:
        raise ImportFormatError(filename, f"this is {kind}, not a CSV text file")


def decode_utf8(data: bytes, filename: str) -> str:
    """Decode UTF-8 (BOM optional) or raise an error naming the first bad row and column."""
    if not data.strip():
        raise ImportFormatError(filename, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFormatError(
            filename, "the file is UTF-16 (Excel's 'Unicode text'); save it as CSV UTF-8", row=1
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row, column = _locate_bad_byte(data, exc.start)
        if exc.reason == "unexpected end of data":
            # Valid UTF-8 up to a character cut in half: the upload was cut short.
            raise ImportFormatError(
                filename, "the file is truncated (it ends inside a character)", row, column
            ) from exc
        raise ImportFormatError(
            filename,
            f"not UTF-8 (looks like {_guess_encoding(data)}?) — save it as UTF-8",
            row=row,
            field=column,
        ) from exc


def _locate_bad_byte(data: bytes, offset: int) -> tuple[int, str]:
    """Row number and column name of the cell holding the first non-UTF-8 byte."""
    text = data.decode("utf-8-sig", errors="replace")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))
    except csv.Error:
        return data[:offset].count(b"\n") + 1, ""
    header = rows[0] if rows else []
    for number, cells in enumerate(rows, start=1):
        for i, cell in enumerate(cells):
            if "\ufffd" in cell:
                name = header[i].strip() if i < len(header) and number > 1 else f"column {i + 1}"
                return number, name
    return data[:offset].count(b"\n") + 1, ""


def _guess_encoding(data: bytes) -> str:
    # charset-normalizer is a project dependency; the guess only shapes the hint.
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return best.encoding if best and best.encoding != "utf_8" else "cp1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line most often (outside quotes)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_duplicate_headers(table: Table) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(table.header):
        key = header_key(name)
        if key and key in seen:
            raise ImportFormatError(
                table.filename,
                f"column {name!r} appears twice (columns {seen[key] + 1} and {i + 1})",
                row=table.header_row,
                field=name,
            )
        seen[key] = i


# --- XLSX ------------------------------------------------------------------

# openpyxl reports a damaged workbook through many exception types; all of
# them mean "this file cannot be read", which the user must hear about.
_XLSX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    OSError,
    EOFError,
    ValueError,
    TypeError,
    IndexError,
    SyntaxError,  # xml.etree ParseError and lxml XMLSyntaxError derive from it
)


def read_xlsx(
    data: bytes, filename: str, sheet: str | None = None, header_hint: Iterable[str] = ()
) -> Table:
    """Read one sheet: ``sheet`` if named and present, else the first one.

    The header is the first of the top rows that has a column named in
    ``header_hint`` (or the first non-blank row without a hint).
    """
    if not data.strip():
        raise ImportFormatError(filename, "the file is empty")
    _check_zip(data, filename)
    values = _load_sheet_values(data, filename, sheet)
    header_index = _find_header(values, header_hint)
    if header_index is None:
        raise ImportFormatError(filename, "the sheet has no header row", row=1)
    header = [_cell_text(v).strip() for v in values[header_index]]
    table = Table(filename, header, header_row=header_index + 1)
    _check_duplicate_headers(table)
    width = len(header)
    for number, raw in enumerate(values[header_index + 1 :], start=header_index + 2):
        cells = [_cell_text(v) for v in raw[:width]]
        if any(c.strip() for c in cells):
            table.rows.append((number, cells + [""] * (width - len(cells))))
    return table


def _check_zip(data: bytes, filename: str) -> None:
    """Reject non-zips, broken zips and zips that are not workbooks, with a clear message."""
    if not data.startswith(b"PK"):
        kind = binary_kind(data) or "not a zip archive"
        raise ImportFormatError(filename, f"not an XLSX workbook ({kind})")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ImportFormatError(filename, f"the XLSX file is damaged or truncated ({exc})") from exc
    if "xl/workbook.xml" not in names:
        what = "a Word document" if "word/document.xml" in names else "a zip archive"
        raise ImportFormatError(filename, f"this is {what}, not an XLSX workbook")


def _load_sheet_values(data: bytes, filename: str, sheet: str | None) -> list[tuple[Any, ...]]:
    # Imported here so that CSV-only parsers (UPR Info) do not pay for openpyxl.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            worksheet = _pick_sheet(workbook, sheet)
            # Materialised inside the try: read-only sheets parse lazily, so a
            # truncated sheet only fails while iterating.
            return list(worksheet.iter_rows(values_only=True))
        finally:
            workbook.close()
    except (*_XLSX_ERRORS, InvalidFileException) as exc:
        raise ImportFormatError(filename, f"the XLSX file cannot be read ({exc})") from exc


def _pick_sheet(workbook: Any, sheet: str | None) -> Any:
    names = workbook.sheetnames
    if sheet:
        for name in names:
            if header_key(name) == header_key(sheet):
                return workbook[name]
    return workbook[names[0]]


def _find_header(values: Sequence[tuple[Any, ...]], hint: Iterable[str]) -> int | None:
    wanted = {header_key(h) for h in hint}
    for i, row in enumerate(values[:_HEADER_SEARCH_ROWS]):
        keys = {header_key(_cell_text(v)) for v in row}
        if (wanted and keys & wanted) or (not wanted and keys - {""}):
            return i
    return None


def _cell_text(value: object) -> str:
    """A cell as text: whole floats lose ".0", dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- cells -----------------------------------------------------------------


def split_multi(value: str) -> list[str]:
    """Split a multi-valued cell into items; drop "- " bullets, blanks and repeats.

    One item per line when the cell has line breaks or starts with a bullet
    (UHRI's "- A\n- B"); otherwise items are separated by ";". Line breaks win
    because OHCHR theme names contain ";" ("Children: definition; general
    principles; protection"), so such a name must sit on its own line.
    """
    text = value.strip()
    if "\n" in text or "\r" in text or text.startswith(("-", "•", "–")):
        parts = re.split(r"[\r\n]+", text)
    else:
        parts = text.split(";")
    items = (strip_bullet(part) for part in parts)
    return list(dict.fromkeys(item for item in items if item))
