"""Reading an uploaded spreadsheet by what it contains, never by its name: XLSX or CSV, bounded.

Every reading stops at the first limit it meets: the file's size, then its rows and columns
counted as they are read (empty ones included: a row is counted by its number, so a jump to
row 1 048 576 counts as all the rows before it), then a time budget checked as it goes. The
limits come from the configuration (`Limits.from_config`). An XLSX file is a zip archive whose
parts are checked not to unpack into something huge, then streamed (services/import_xlsx.py);
anything else must be UTF-8 text whose delimiter (semicolon, comma or tab) is taken from the
first line.
"""

import csv
import fcntl
import hashlib
import io
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.engine import make_url

from portal.services.common.errors import PortalError
from portal.services.esf import import_xlsx

MAX_BYTES = 2 * 1024 * 1024
# An honest 2 MB workbook unpacks to a few tens of MB; more is a zip bomb. Within this the parts
# are streamed under the limits, so only the shared strings are held, at most this much of them.
MAX_UNPACKED = 64 * 1024 * 1024
XLSX_MEMBERS = (import_xlsx.WORKBOOK, import_xlsx.WORKBOOK_RELS, "[Content_Types].xml")
DELIMITERS = (";", ",", "\t")

Cell = import_xlsx.Cell
# What zipfile and the readers raise on a damaged or hostile archive or text.
_BROKEN = (
    import_xlsx.BrokenWorkbook,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    ValueError,
    OSError,
    EOFError,
    NotImplementedError,  # a compression zipfile does not know
    RuntimeError,  # an encrypted member
    csv.Error,
)


class UnreadableFile(PortalError):
    message = _l("The file is not a spreadsheet the portal can read. Upload a CSV or XLSX file.")

    def __init__(self, message: str | LazyString | None = None, *, field: str | None = "file"):
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Limits:
    rows: int  # below the column names, empty rows included
    columns: int
    seconds: float  # wall-clock time for reading the file
    parallel: int = 0  # files read at once on this host by one installation; 0: no limit
    installation: str = ""  # names the host's reading places of one installation

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Limits":
        # One installation is one database; its password stays out of the name.
        database = config.get("SQLALCHEMY_DATABASE_URI") or ""
        if database:
            database = make_url(database).render_as_string(hide_password=True)
        return cls(
            rows=int(config["IMPORT_MAX_ROWS"]),
            columns=int(config["IMPORT_MAX_COLUMNS"]),
            seconds=float(config["IMPORT_PARSE_SECONDS"]),
            parallel=int(config["IMPORT_PARALLEL_READS"]),
            installation=hashlib.sha256(database.encode()).hexdigest()[:16],
        )

    def place(self, number: int) -> Path:
        """The lock file of one reading place, shared by the host's workers."""
        name = f"portal-import-{self.installation}-{number}.lock"
        return Path(tempfile.gettempdir()) / name


class _Budget:
    """One reading's limits; each check refuses the file as soon as its limit is passed."""

    def __init__(self, limits: Limits, clock: Callable[[], float]):
        self.limits = limits
        self.clock = clock
        self.deadline = clock() + limits.seconds

    def row(self, number: int) -> None:
        if number > self.limits.rows + 1:  # row 1 holds the column names
            raise UnreadableFile(
                _l(
                    "The file has more than %(count)d rows below the column names, empty rows "
                    "included. Split it, or delete the empty rows below the list.",
                    count=self.limits.rows,
                )
            )
        self.tick()

    def column(self, index: int) -> None:
        if index > self.limits.columns:
            raise UnreadableFile(
                _l(
                    "The file has more than %(count)d columns, empty columns included. Delete "
                    "the columns to the right of the list.",
                    count=self.limits.columns,
                )
            )

    def strings(self, count: int) -> None:
        """A workbook's table of texts cannot need more entries than its cells."""
        if count > (self.limits.rows + 1) * self.limits.columns:
            raise UnreadableFile(
                _l(
                    "The file holds more text entries than a list of the allowed size can have. "
                    "Keep only the list of participants in the file."
                )
            )

    def tick(self) -> None:
        if self.clock() >= self.deadline:
            raise UnreadableFile(
                _l("Reading the file takes too long. Split it into smaller files.")
            )


@dataclass
class Table:
    kind: str  # "xlsx" or "csv"
    header: list[str]
    rows: list[tuple[int, list[Cell]]]  # (row number as the spreadsheet shows it, cells)


def read(data: bytes, limits: Limits, *, clock: Callable[[], float] = time.monotonic) -> Table:
    """The first sheet (or the CSV text) as a header and numbered rows; empty rows dropped."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(_l("The file is larger than 2 MB. Split it into smaller files."))
    if not data.strip():
        raise UnreadableFile(_l("The file is empty."))
    is_xlsx = data[:4] == b"PK\x03\x04"
    header: list[str] | None = None
    rows: list[tuple[int, list[Cell]]] = []
    with _reading_place(limits):
        budget = _Budget(limits, clock)
        lines = _xlsx_rows(data, budget) if is_xlsx else _csv_rows(data, budget)
        try:
            for number, cells in lines:
                budget.row(number)
                budget.column(len(cells))
                if number == 1:
                    header = [_text(cell).strip() for cell in cells]
                elif any(_filled(cell) for cell in cells):
                    rows.append((number, cells))
        except _BROKEN as error:
            raise UnreadableFile() from error
    if header is None and not rows:
        raise UnreadableFile(_l("The file is empty."))
    # A sheet whose first row is further down has no column names: the rules say which lack.
    return Table("xlsx" if is_xlsx else "csv", header or [], rows)


def _filled(cell: Cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


@contextmanager
def _reading_place(limits: Limits) -> Iterator[None]:
    """Hold one of the host's few places for reading a file while it is read, so that however
    costly the uploads the other workers stay free for every other page; with none free the
    file is refused at once. A place is a lock on a file, let go when the file is closed, also
    by a worker killed mid-read."""
    if limits.parallel <= 0:
        yield
        return
    for number in range(limits.parallel):
        with limits.place(number).open("a") as place:
            try:
                fcntl.flock(place, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            yield
            return
    raise UnreadableFile(_l("Another file is being read just now. Try again in a minute."))


def _text(cell: object) -> str:
    return "" if cell is None else str(cell)


def _csv_rows(data: bytes, budget: _Budget) -> Iterator[tuple[int, list[Cell]]]:
    if b"\x00" in data:
        raise UnreadableFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _l("The file is not UTF-8 text. Save it as CSV (UTF-8) or as XLSX.")
        ) from error
    # The delimiter the first line uses most; counted, not sniffed: csv.Sniffer's patterns take
    # time growing with the square of the line (a 64 KB line of quotes held it for 24 s).
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, row in enumerate(reader, start=1):
        budget.row(number)
        budget.column(len(row))
        yield number, [cell if cell != "" else None for cell in row]


def _xlsx_rows(data: bytes, budget: _Budget) -> Iterator[tuple[int, list[Cell]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if not all(name in names for name in XLSX_MEMBERS) or len(members) > 1000:
            raise UnreadableFile()
        # The sizes declared here bound what is unpacked: zipfile stops at a member's declared
        # size and refuses the member when its content does not match it.
        if sum(member.file_size for member in members) > MAX_UNPACKED:
            raise UnreadableFile()
        yield from import_xlsx.rows(archive, budget)
