"""The first sheet of an uploaded XLSX workbook, read as a stream under the import's limits.

openpyxl's loader is not used for uploads: even in read-only mode it parses the shared strings
and the styles whole before the first row (a 120 KB file whose string table unpacks to 60 MB
held a worker for 47 s), trusts the sheet's declared dimension (padding every row up to it, or
dropping the rows past it) and builds each row whole before it can be counted. Here each part is
fed to expat in chunks: a row is counted by its index when its tag opens, a cell by its column
when its tag opens, the clock is read between chunks, and the first limit reached ends the
reading with nothing allocated for what lies beyond it. No element tree is built, and a DTD is
refused, so no entity can expand. openpyxl still supplies the date rules (number formats, the
1900 and 1904 calendars).
"""

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Protocol
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CHUNK = 64 * 1024
# Excel's longest cell text; anything longer is cut here (the rules refuse far shorter values).
MAX_TEXT = 32_767
# Excel's most cell formats in one workbook.
MAX_STYLES = 64_000
_REFERENCE = re.compile(r"([A-Za-z]{1,3})[0-9]*")

Cell = str | date | None


class Budget(Protocol):
    """What one reading may spend; each method refuses (raises) once its limit is passed."""

    def row(self, number: int) -> None: ...

    def column(self, index: int) -> None: ...

    def strings(self, count: int) -> None: ...

    def tick(self) -> None: ...


class BrokenWorkbook(Exception):
    """The archive is not a workbook this reader understands."""


def rows(archive: zipfile.ZipFile, budget: Budget) -> Iterator[tuple[int, list[Cell]]]:
    """The first worksheet's rows as (row number, cells from column A), in the file's order."""
    workbook = _Workbook()
    _drain(archive, WORKBOOK, workbook, budget)
    relations = _Relations()
    _drain(archive, WORKBOOK_RELS, relations, budget)
    targets = [relations.worksheets.get(key) for key in workbook.sheets]
    sheet = next((target for target in targets if target), None)
    if sheet is None:
        raise BrokenWorkbook("no worksheet")
    styles = _Styles()
    if relations.styles:
        _drain(archive, relations.styles, styles, budget)
    strings = _Strings(budget)
    if relations.strings:
        _drain(archive, relations.strings, strings, budget)
    reader = _Sheet(budget, strings.values, styles.date_styles(), workbook.epoch)
    for _ in _parse(archive, sheet, reader, budget):
        yield from reader.done
        reader.done.clear()


class _Handler:
    def start(self, name: str, attrs: dict[str, str]) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def _parse(
    archive: zipfile.ZipFile, member: str, handler: _Handler, budget: Budget
) -> Iterator[None]:
    """Feed one part to expat a chunk at a time, reading the clock between chunks."""
    # Names come as written, prefix and all ("x:row" from some writers): each handler drops the
    # prefix itself, in line, since a call per element is most of the reading's cost.
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                budget.tick()
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise BrokenWorkbook(str(error)) from error
    yield


def _drain(archive: zipfile.ZipFile, member: str, handler: _Handler, budget: Budget) -> None:
    for _ in _parse(archive, member, handler, budget):
        pass


def _refuse_dtd(*_args: Any) -> None:
    raise BrokenWorkbook("a DTD")


def _attribute(attrs: dict[str, str], local: str) -> str | None:
    """An attribute by its name without a prefix (r:id, or the same under another prefix)."""
    for name, value in attrs.items():
        if name[name.find(":") + 1 :] == local:
            return value
    return None


class _Workbook(_Handler):
    def __init__(self) -> None:
        self.sheets: list[str] = []
        self.epoch = WINDOWS_EPOCH

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = name[name.find(":") + 1 :]
        if name == "sheet":
            self.sheets.append(_attribute(attrs, "id") or "")
        elif name == "workbookPr" and attrs.get("date1904") in {"1", "true"}:
            self.epoch = MAC_EPOCH


class _Relations(_Handler):
    def __init__(self) -> None:
        self.worksheets: dict[str, str] = {}
        self.styles: str | None = None
        self.strings: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = name[name.find(":") + 1 :]
        if name != "Relationship" or attrs.get("TargetMode") == "External":
            return
        kind = attrs.get("Type", "").rpartition("/")[2]
        target = attrs.get("Target", "")
        # A target is relative to xl/ unless it starts at the archive's root.
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        path = posixpath.normpath(path)
        if kind == "worksheet":
            self.worksheets.setdefault(attrs.get("Id", ""), path)
        elif kind == "styles":
            self.styles = path
        elif kind == "sharedStrings":
            self.strings = path


class _Styles(_Handler):
    """Which cell formats show a number as a date."""

    def __init__(self) -> None:
        self.formats: dict[str, str] = {}
        self.cell_formats: list[str] = []
        self.in_cell_formats = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = name[name.find(":") + 1 :]
        if name == "numFmt":
            self.formats[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")[:MAX_TEXT]
        elif name == "cellXfs":
            self.in_cell_formats = True
        elif name == "xf" and self.in_cell_formats:
            if len(self.cell_formats) == MAX_STYLES:
                raise BrokenWorkbook("too many cell formats")
            self.cell_formats.append(attrs.get("numFmtId", "0"))

    def end(self, name: str) -> None:
        name = name[name.find(":") + 1 :]
        if name == "cellXfs":
            self.in_cell_formats = False

    def date_styles(self) -> set[int]:
        dates: dict[str, bool] = {}
        for number in set(self.cell_formats):
            code = self.formats.get(number)
            if code is None and number.isdigit():
                code = BUILTIN_FORMATS.get(int(number))
            dates[number] = is_date_format(code)
        return {index for index, number in enumerate(self.cell_formats) if dates[number]}


class _Text:
    """The text of one string or cell, kept to MAX_TEXT characters."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0

    def add(self, data: str) -> None:
        if self.length < MAX_TEXT:
            self.pieces.append(data[: MAX_TEXT - self.length])
            self.length += len(self.pieces[-1])

    def value(self) -> str:
        return "".join(self.pieces)


class _Strings(_Handler):
    """The shared string table; phonetic runs (rPh) are not part of the text."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.values: list[str] = []
        self.current: _Text | None = None
        self.capturing = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = name[name.find(":") + 1 :]
        if name == "si":
            self.budget.strings(len(self.values) + 1)
            self.current = _Text()
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.current is not None and not self.phonetic:
            self.capturing = True

    def end(self, name: str) -> None:
        name = name[name.find(":") + 1 :]
        if name == "si" and self.current is not None:
            self.values.append(self.current.value())
            self.current = None
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "t":
            self.capturing = False

    def text(self, data: str) -> None:
        if self.capturing and self.current is not None:
            self.current.add(data)


class _Sheet(_Handler):
    """Rows of <sheetData>, each handed on complete in `done`."""

    def __init__(
        self, budget: Budget, strings: list[str], date_styles: set[int], epoch: datetime
    ) -> None:
        self.budget = budget
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.done: list[tuple[int, list[Cell]]] = []
        self.in_data = False
        self.number = 0  # the row being read, or the last one
        self.cells: dict[int, Cell] | None = None
        self.column = 0
        self.cell: dict[str, str] | None = None  # the attributes of the cell being read
        self.value: _Text | None = None
        self.formula: _Text | None = None
        self.capture: _Text | None = None
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = name[name.find(":") + 1 :]
        if name == "sheetData":
            self.in_data = True
        elif name == "row" and self.in_data:
            self._open_row(attrs.get("r"))
        elif name == "c" and self.cells is not None:
            self._open_cell(attrs)
        elif self.cell is not None:
            self._open_inside_cell(name)

    def _open_row(self, given: str | None) -> None:
        number = self.number + 1
        if given is not None:
            if not given.isdigit() or len(given) > 9:
                raise BrokenWorkbook("a row number")
            number = int(given)
        if number <= self.number:
            raise BrokenWorkbook("rows out of order")
        # Counted by its number, before anything of it is read: empty rows and a jump far
        # down count as the rows they stand for.
        self.budget.row(number)
        self.number, self.cells, self.column = number, {}, 0

    def _open_cell(self, attrs: dict[str, str]) -> None:
        reference = attrs.get("r")
        if reference:
            letters = _REFERENCE.fullmatch(reference)
            if letters is None:
                raise BrokenWorkbook("a cell reference")
            self.column = _column_index(letters.group(1).upper())
        else:
            self.column += 1
        self.budget.column(self.column)
        self.cell, self.value, self.formula = attrs, None, None

    def _open_inside_cell(self, name: str) -> None:
        if name == "v":
            self.value = self.capture = _Text()
        elif name == "f":
            self.formula = self.capture = _Text()
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and not self.phonetic:
            self.value = self.value or _Text()
            self.capture = self.value

    def end(self, name: str) -> None:
        name = name[name.find(":") + 1 :]
        if name in {"v", "f", "t"}:
            self.capture = None
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c" and self.cells is not None and self.cell is not None:
            self.cells[self.column] = self._decode(self.cell)
            self.cell = None
        elif name == "row" and self.cells is not None:
            width = max(self.cells, default=0)
            self.done.append((self.number, [self.cells.get(i) for i in range(1, width + 1)]))
            self.cells = None
        elif name == "sheetData":
            self.in_data = False

    def text(self, data: str) -> None:
        if self.capture is not None:
            self.capture.add(data)

    def _decode(self, attrs: dict[str, str]) -> Cell:
        # A formula is read as its text ("=HYPERLINK(…)"), never its cached result.
        if self.formula is not None:
            return "=" + self.formula.value()
        kind = attrs.get("t", "n")
        text = self.value.value() if self.value is not None else ""
        if kind == "inlineStr":
            return text or None
        if not text:
            return None
        if kind == "s":
            index = int(text)
            if not 0 <= index < len(self.strings):
                raise BrokenWorkbook("a shared string index")
            return self.strings[index]
        if kind == "b":
            return "tak" if text.strip() in {"1", "true"} else "nie"
        if kind == "d":
            return _as_cell(from_ISO8601(text))
        if kind in {"str", "e"}:
            return text
        return self._number(text, attrs.get("s"))

    def _number(self, text: str, style: str | None) -> Cell:
        number = float(text)
        if style and style.isdigit() and int(style) in self.date_styles:
            try:
                return _as_cell(from_excel(number, self.epoch))
            except (OverflowError, ValueError):
                pass  # no date: the number is shown, and the rules say what is wrong with it
        if any(mark in text for mark in ".eE"):
            return str(int(number)) if number.is_integer() else str(number)
        return str(int(text))


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index


def _as_cell(value: object) -> Cell:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None if value is None else str(value)
