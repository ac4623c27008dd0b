"""What a coordinator hands the funder about one project stage: six tables (participants,
registrations and attendance, instruments and hours, allowances, courses, spending), each as CSV
or XLSX, every typed text neutralised against formulas (exports.safe_cell), every export audited.

The tables are read in stage_exports_people.py and stage_exports_money.py, each in a fixed
number of statements.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.models import ProjectStage, User
from portal.services.audit import audit
from portal.services.common import dates, exports, loading
from portal.services.reporting import stage_exports_money as money
from portal.services.reporting import stage_exports_people as people
from portal.services.reporting.stage_exports_people import Cell, Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Kind:
    """One of the exports: its URL name, its Polish file name, what it holds, how it is read."""

    name: str
    file_stem: str
    label: LazyString
    description: LazyString
    build: Callable[[ProjectStage], Table]


@dataclass(frozen=True)
class ExportFile:
    body: bytes
    filename: str
    mimetype: str
    rows: int


# --- writing --------------------------------------------------------------------------------


def _text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return str(ILLEGAL_CHARACTERS_RE.sub("", exports.safe_cell(value)))


def _money_text(grosze: int) -> str:
    sign = "-" if grosze < 0 else ""
    return f"{sign}{abs(grosze) // 100},{abs(grosze) % 100:02d}"


def _csv_cell(value: Cell, is_money: bool) -> str:
    """Numbers the CSV way of the portal (decimal comma); only text can carry a formula, so
    only text is neutralised (a correction's "-12,50" stays a number)."""
    if value is None:
        return ""
    if is_money and isinstance(value, int):
        return _money_text(value)
    if isinstance(value, bool):
        return _text(str(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    return _text(value)


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so spreadsheet programs read Polish letters as UTF-8
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_text(cell) for cell in table.header])
    for row in table.rows:
        writer.writerow(
            [_csv_cell(cell, index in table.money_columns) for index, cell in enumerate(row)]
        )
    return buffer.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """A one-sheet workbook written row by row: text neutralised like the CSV, numbers and
    dates as numbers and dates, money in złoty."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_text(table.title)[:31])
    sheet.append([_text(cell) for cell in table.header])

    def cell(value: Cell, index: int) -> object:
        if value is None:
            return None
        if index in table.money_columns and isinstance(value, int):
            written = WriteOnlyCell(sheet, value=Decimal(value) / 100)
            written.number_format = '#,##0.00 "zł"'
            return written
        if isinstance(value, bool) or not isinstance(value, int | Decimal | date):
            return _text(str(value))
        if isinstance(value, date):
            written = WriteOnlyCell(sheet, value=value)
            written.number_format = "yyyy-mm-dd"
            return written
        return value

    for row in table.rows:
        sheet.append([cell(value, index) for index, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the exports ----------------------------------------------------------------------------


def kinds() -> list[Kind]:
    return [
        Kind(
            "participants",
            "uczestnicy",
            _l("Participants"),
            _l(
                "Everybody supported in the stage: name, the last four digits of the PESEL (or "
                "the year of birth), village, path, period of support, social contract numbers."
            ),
            people.participants,
        ),
        Kind(
            "registrations",
            "zapisy-i-obecnosci",
            _l("Registrations and attendance"),
            _l(
                "Each registration for a PAL event or a group session held in the stage, with its "
                "status (attended, absent, cancelled, waiting)."
            ),
            people.registrations,
        ),
        Kind(
            "instruments",
            "instrumenty-i-godziny",
            _l("Instruments and hours"),
            _l(
                "Per person: group sessions and PAL events attended with their hours, casework "
                "contacts with their minutes (no notes), placement hours by month."
            ),
            people.instruments,
        ),
        Kind(
            "allowances",
            "zasilki",
            _l("Allowances"),
            _l(
                "Each allowance of the stage: kind, amount, months, status, and what was paid "
                "within the stage (no justification)."
            ),
            money.allowances,
        ),
        Kind(
            "courses",
            "kursy",
            _l("Courses"),
            _l("Each course of a person supported in the stage: provider, status, dates, cost."),
            money.courses,
        ),
        Kind(
            "expenses",
            "wydatki",
            _l("Spending"),
            _l(
                "Everything spent from the stage's budget lines: the ledger with its corrections, "
                "allowances paid per payment list, and course places bought. It adds up to the "
                "stage's spent total."
            ),
            money.spending,
        ),
    ]


NAMES = (
    "participants",
    "registrations",
    "instruments",
    "allowances",
    "courses",
    "expenses",
)


def kind_named(name: str) -> Kind:
    return loading.found(next((kind for kind in kinds() if kind.name == name), None))


def export(
    stage: ProjectStage, name: str, file_format: str, *, actor: User, now: datetime
) -> ExportFile:
    """One table of the stage as a file; who exported what of which stage is audited."""
    kind = kind_named(name)
    loading.known(file_format, FORMATS)
    table = kind.build(stage)
    if file_format == "xlsx":
        body, mimetype = to_xlsx(table), XLSX
    else:
        body, mimetype = to_csv(table), "text/csv"
    audit.record(
        "stage.export",
        stage,
        actor=actor,
        at=now,
        centre_id=stage.project.centre_id,
        changes={
            "export": (None, kind.name),
            "format": (None, file_format),
            "rows": (None, len(table.rows)),
        },
    )
    day = dates.local_date(now)
    filename = f"{kind.file_stem}-etap-{stage.year}-{day:%Y-%m-%d}.{file_format}"
    return ExportFile(body, filename, mimetype, len(table.rows))
