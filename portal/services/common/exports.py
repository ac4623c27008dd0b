"""Spreadsheet exports that a spreadsheet program cannot be tricked into running."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Neutralise text that Excel or LibreOffice would read as a formula (CSV injection).

    A number the portal computed is written as it is: "-12" is an amount, not a formula."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _xlsx_cell(value: object) -> object:
    """Whole numbers stay numbers; text is neutralised and loses the control characters an XLSX
    file cannot hold (they would make openpyxl refuse the whole workbook)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so spreadsheet programs read Polish letters as UTF-8
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def to_xlsx(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    money_columns: Sequence[int] = (),
) -> bytes:
    """A one-sheet workbook; text neutralised like CSV, money columns as numbers in złoty."""
    return to_xlsx_sheets([Sheet(title, header, rows, money_columns)])


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]
    money_columns: Sequence[int] = ()


def to_xlsx_sheets(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of several sheets, each written as `to_xlsx` writes its one."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for part in sheets:
        sheet = workbook.create_sheet(part.title[:31])
        sheet.append([_xlsx_cell(cell) for cell in part.header])
        for row in part.rows:
            sheet.append(
                [
                    Decimal(cell) / 100
                    if index in part.money_columns and isinstance(cell, int)
                    else _xlsx_cell(cell)
                    for index, cell in enumerate(row)
                ]
            )
        for column in part.money_columns:
            for cells in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                for cell in cells:
                    cell.number_format = '#,##0.00 "zł"'
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
