"""Reading an uploaded spreadsheet by what it contains, never by its name: XLSX or CSV, bounded.

An XLSX file is a zip archive holding a workbook; it is opened by openpyxl only after the archive
has been checked not to unpack into something huge. Anything else must be UTF-8 text whose
delimiter (semicolon, comma or tab) is sniffed from the first line.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from portal.services.errors import PortalError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 40
# An honest 2 MB workbook unpacks to a few tens of MB; more is a zip bomb.
MAX_UNPACKED = 64 * 1024 * 1024
XLSX_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")

Cell = str | date | None
# What openpyxl and zipfile raise on a damaged or hostile archive (XML errors are SyntaxErrors).
_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
    EOFError,
    SyntaxError,
    InvalidFileException,
)


class UnreadableFile(PortalError):
    message = _l("The file is not a spreadsheet the portal can read. Upload a CSV or XLSX file.")

    def __init__(self, message: str | LazyString | None = None, *, field: str | None = "file"):
        super().__init__(message, field=field)


@dataclass
class Table:
    kind: str  # "xlsx" or "csv"
    header: list[str]
    rows: list[tuple[int, list[Cell]]]  # (row number as the spreadsheet shows it, cells)


def read(data: bytes) -> Table:
    """The first sheet (or the CSV text) as a header and numbered rows; empty rows dropped."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(_l("The file is larger than 2 MB. Split it into smaller files."))
    if not data.strip():
        raise UnreadableFile(_l("The file is empty."))
    kind, lines = (
        ("xlsx", _xlsx_rows(data)) if data[:4] == b"PK\x03\x04" else ("csv", _csv_rows(data))
    )
    header: list[str] | None = None
    rows: list[tuple[int, list[Cell]]] = []
    for number, cells in enumerate(lines, start=1):
        cells = cells[:MAX_COLUMNS]
        if header is None:
            header = [_text(cell).strip() for cell in cells]
            continue
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise UnreadableFile(
                _l("The file has more than %(count)d rows. Split it.", count=MAX_ROWS)
            )
        rows.append((number, cells))
    if header is None:
        raise UnreadableFile(_l("The file is empty."))
    return Table(kind, header, rows)


def _text(cell: object) -> str:
    return "" if cell is None else str(cell)


def _csv_rows(data: bytes) -> Iterator[list[Cell]]:
    if b"\x00" in data:
        raise UnreadableFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _l("The file is not UTF-8 text. Save it as CSV (UTF-8) or as XLSX.")
        ) from error
    first_line = text.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield [cell if cell != "" else None for cell in row]
    except csv.Error as error:
        raise UnreadableFile() from error


def _xlsx_rows(data: bytes) -> Iterator[list[Cell]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if not all(name in names for name in XLSX_MEMBERS) or len(members) > 1000:
                raise UnreadableFile()
            if sum(member.file_size for member in members) > MAX_UNPACKED:
                raise UnreadableFile()
        # data_only=False: a formula is read as its text ("=HYPERLINK(…)"), never its result.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except UnreadableFile:
        raise
    except _BROKEN as error:
        raise UnreadableFile() from error
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_xlsx_cell(value) for value in row]
    except _BROKEN as error:  # a damaged sheet inside a valid archive
        raise UnreadableFile() from error
    finally:
        workbook.close()


def _xlsx_cell(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
