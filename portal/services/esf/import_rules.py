"""The rules an imported spreadsheet row must pass: the template's columns, each cell alone,
then each row against the file's earlier rows and the centre's recorded people.

A problem is kept as [row, column, code, parameters], so the preview is shown in the language
of whoever reads it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.pl import pesel as stdnum_pesel

from portal.extensions import db
from portal.models import Participant, Village
from portal.models.people import Sex
from portal.services.common import names
from portal.services.esf import import_files
from portal.services.people import pesel

EARLIEST_BIRTH = date(1900, 1, 1)

# Notes a problem of the row being read: (column key, message code, message parameters).
Problem = Callable[..., None]


@dataclass(frozen=True, eq=False)
class ImportColumn:
    key: str
    header: str  # the Polish column name of the template (the file's language, not the UI's)
    max_length: int
    required: bool
    description: Any  # lazily translated, shown on the import page


NAME_DESCRIPTION = _l(
    "Required. Letters (of any alphabet), spaces, hyphens and apostrophes; up to 100 characters."
)
COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("first_name", "Imię", 100, True, NAME_DESCRIPTION),
    ImportColumn("last_name", "Nazwisko", 100, True, NAME_DESCRIPTION),
    ImportColumn(
        "pesel",
        "PESEL",
        11,
        False,
        _l(
            "11 digits; checked by its check digit. Format the column as text so a leading zero "
            "is kept. Leave empty for a person without a PESEL."
        ),
    ),
    ImportColumn(
        "birth_date",
        "Data urodzenia",
        10,
        False,
        _l(
            "DD.MM.YYYY or YYYY-MM-DD. With a PESEL it may be left empty; when given it must "
            "agree with the PESEL."
        ),
    ),
    ImportColumn(
        "sex", "Płeć", 10, False, _l("K (woman) or M (man). With a PESEL it may be left empty.")
    ),
    ImportColumn(
        "village",
        "Sołectwo",
        100,
        False,
        _l("The name of one of the centre's villages in use, as in the centre set-up."),
    ),
    ImportColumn("email", "E-mail", 254, False, _l("An e-mail address.")),
    ImportColumn("phone", "Telefon", 30, False, _l("Digits, spaces, +, - and brackets.")),
    ImportColumn(
        "contract_path",
        "Ścieżka kontraktu",
        10,
        False,
        _l("tak or nie (empty means nie): on the social contract path."),
    ),
    ImportColumn(
        "pal_path",
        "PAL",
        10,
        False,
        _l("tak or nie (empty means nie): in the Local Activity Programme."),
    ),
)
BY_HEADER = {column.header.casefold(): column for column in COLUMNS}

# Problem codes and their messages; a problem is stored as [row, column, code, parameters].
MESSAGES = {
    "column_unknown": _l("This column is not in the template; remove or rename it."),
    "column_twice": _l("This column appears twice."),
    "required": _l("Empty: this column is required."),
    "too_long": _l("Longer than %(max)d characters."),
    "name_chars": _l("Use only letters, spaces, hyphens and apostrophes."),
    "control": _l("Contains invisible control characters."),
    "formula": _l("A formula is not allowed; type the value itself."),
    "pesel_length": _l("A PESEL number has exactly 11 digits."),
    "pesel_checksum": _l("The PESEL check digit does not match: check for a typo."),
    "pesel_date": _l("The PESEL does not encode an existing date of birth."),
    "pesel_in_file": _l("The same PESEL is already in row %(row)d."),
    "pesel_recorded": _l("A participant with this PESEL is already recorded."),
    "date_format": _l("Write the date as DD.MM.YYYY or YYYY-MM-DD."),
    "date_impossible": _l("This date does not exist."),
    "date_range": _l("The date of birth must be between 1900 and today."),
    "date_not_pesel": _l("The date of birth differs from the one in the PESEL."),
    "sex_unknown": _l("Write K or M."),
    "sex_not_pesel": _l("The sex differs from the one the PESEL encodes."),
    "village_unknown": _l("The centre has no village of this name in use."),
    "email_invalid": _l("This is not an e-mail address."),
    "phone_invalid": _l("This is not a telephone number."),
    "yes_no": _l("Write tak or nie."),
    "person_in_file": _l("The same name and date of birth are already in row %(row)d."),
    "person_recorded": _l(
        "A participant with this name and date of birth is already recorded; "
        "if it is another person, record them on the participant form."
    ),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@")
_DATE_DOTS = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9 ()\-]{6,30}")
_SEX = {"k": Sex.FEMALE, "kobieta": Sex.FEMALE, "m": Sex.MALE, "mężczyzna": Sex.MALE}
_YES_NO = {"": False, "nie": False, "n": False, "0": False, "tak": True, "t": True, "1": True}


def message(code: str, params: dict[str, Any]) -> str:
    """A stored problem as the reader's language says it."""
    return str(MESSAGES[code]) % params if params else str(MESSAGES[code])


class Checker:
    """The rules of one file: each row alone, then against earlier rows and recorded people."""

    def __init__(self, centre_id: int, today: date):
        self.today = today
        self.valid: list[dict[str, Any]] = []
        self.problems: list[list[Any]] = []
        self.villages = {
            name.casefold(): village_id
            for village_id, name in db.session.execute(
                select(Village.id, Village.name).where(
                    Village.centre_id == centre_id, Village.is_active.is_(True)
                )
            )
        }
        recorded = db.session.execute(
            select(
                Participant.pesel,
                Participant.first_name,
                Participant.last_name,
                Participant.birth_date,
            ).where(Participant.centre_id == centre_id)
        ).all()
        self.recorded_pesels = {row.pesel for row in recorded if row.pesel}
        self.recorded_people = {
            _person_key(row.first_name, row.last_name, row.birth_date)
            for row in recorded
            if row.birth_date
        }
        self.pesels_seen: dict[str, int] = {}
        self.people_seen: dict[tuple[str, str, date], int] = {}

    def header(self, names: list[str]) -> list[tuple[int, ImportColumn]]:
        found: dict[str, int] = {}
        for index, name in enumerate(names):
            if not name:
                continue
            column = BY_HEADER.get(name.casefold())
            if column is None:
                self._problem(1, name[:100], "column_unknown")
            elif column.key in found:
                self._problem(1, column.header, "column_twice")
            else:
                found[column.key] = index
        missing = [c.header for c in COLUMNS if c.required and c.key not in found]
        if missing:
            raise import_files.UnreadableFile(
                _l(
                    "The first row must hold the template's column names; missing: %(names)s.",
                    names=", ".join(missing),
                )
            )
        return [(index, next(c for c in COLUMNS if c.key == key)) for key, index in found.items()]

    def _problem(
        self, row: int, column: str, code: str, params: dict[str, Any] | None = None
    ) -> None:
        self.problems.append([row, column, code, params or {}])

    def row(self, number: int, cells: dict[ImportColumn, import_files.Cell]) -> None:
        before = len(self.problems)
        values: dict[str, Any] = {}
        for column, cell in cells.items():
            values[column.key] = self._cell(number, column, cell)
        for column in COLUMNS:
            values.setdefault(column.key, None)
        record = self._record(number, values)
        if len(self.problems) == before:
            self.valid.append(record)

    def _cell(self, number: int, column: ImportColumn, cell: import_files.Cell) -> Any:
        """The cell's text, stripped, or a date; None (and a problem) when it cannot be used."""
        if isinstance(cell, date):
            if column.key == "birth_date":
                return cell
            cell = cell.isoformat()
        text = (cell or "").strip()
        code = None
        if text.startswith("=") or (text.startswith(_FORMULA_START) and column.key != "phone"):
            code = "formula"
        elif _CONTROL.search(text):
            code = "control"
        elif len(text) > column.max_length:
            self._problem(number, column.header, "too_long", {"max": column.max_length})
            return None
        elif not text and column.required:
            code = "required"
        if code:
            self._problem(number, column.header, code)
            return None
        return text

    def _record(self, number: int, values: dict[str, Any]) -> dict[str, Any]:
        header = {column.key: column.header for column in COLUMNS}

        def problem(key: str, code: str, **params: Any) -> None:
            self._problem(number, header[key], code, params)

        _check_names(values, problem)
        birth, sex, encoded = self._identity(number, values, problem)
        village_id = self._village(values["village"], problem)
        if values["email"] and not _EMAIL.fullmatch(values["email"]):
            problem("email", "email_invalid")
        if values["phone"] and not _PHONE.fullmatch(values["phone"]):
            problem("phone", "phone_invalid")
        paths = {}
        for key in ("contract_path", "pal_path"):
            paths[key] = _YES_NO.get((values[key] or "").casefold())
            if paths[key] is None:
                problem(key, "yes_no")
        if birth and values["first_name"] and values["last_name"]:
            person = _person_key(values["first_name"], values["last_name"], birth)
            if person in self.people_seen:
                problem("last_name", "person_in_file", row=self.people_seen[person])
            elif not encoded and person in self.recorded_people:
                problem("last_name", "person_recorded")
            self.people_seen.setdefault(person, number)
        return {
            "row": number,
            "first_name": values["first_name"],
            "last_name": values["last_name"],
            "pesel": encoded,
            "birth_date": birth.isoformat() if birth else None,
            "sex": sex.value if sex else None,
            "village_id": village_id,
            "email": values["email"] or None,
            "phone": values["phone"] or None,
            "contract_path": bool(paths["contract_path"]),
            "pal_path": bool(paths["pal_path"]),
        }

    def _identity(
        self, number: int, values: dict[str, Any], problem: Problem
    ) -> tuple[date | None, Sex | None, str | None]:
        """Birth date, sex and PESEL; a PESEL given decides the other two."""
        number_given = values["pesel"] or None
        birth, sex, encoded = self._birth_date(values["birth_date"], problem), None, None
        if number_given:
            encoded = self._pesel(number, number_given, problem)
        if values["sex"]:
            sex = _SEX.get(values["sex"].casefold())
            if sex is None:
                problem("sex", "sex_unknown")
        if encoded:
            if birth and birth != pesel.birth_date(encoded):
                problem("birth_date", "date_not_pesel")
            if sex and sex != pesel.sex(encoded):
                problem("sex", "sex_not_pesel")
            birth, sex = pesel.birth_date(encoded), pesel.sex(encoded)
        return birth, sex, encoded

    def _village(self, name: str | None, problem: Problem) -> int | None:
        if not name:
            return None
        village_id = self.villages.get(name.casefold())
        if village_id is None:
            problem("village", "village_unknown")
        return village_id

    def _pesel(self, number: int, text: str, problem: Problem) -> str | None:
        try:
            encoded = stdnum_pesel.validate(text)
        except InvalidChecksum:
            problem("pesel", "pesel_checksum")
        except InvalidComponent:
            problem("pesel", "pesel_date")
        except ValidationError:
            problem("pesel", "pesel_length")
        else:
            if encoded in self.pesels_seen:
                problem("pesel", "pesel_in_file", row=self.pesels_seen[encoded])
            elif encoded in self.recorded_pesels:
                problem("pesel", "pesel_recorded")
            self.pesels_seen.setdefault(encoded, number)
            return encoded
        return None

    def _birth_date(self, value: Any, problem: Problem) -> date | None:
        if not value:
            return None
        if isinstance(value, str):
            dots, iso = _DATE_DOTS.fullmatch(value), _DATE_ISO.fullmatch(value)
            if not (dots or iso):
                problem("birth_date", "date_format")
                return None
            day, month, year = dots.groups() if dots else reversed(iso.groups())  # type: ignore[union-attr]
            try:
                value = date(int(year), int(month), int(day))
            except ValueError:
                problem("birth_date", "date_impossible")
                return None
        born: date = value  # a date cell, or the text just read
        if not EARLIEST_BIRTH <= born <= self.today:
            problem("birth_date", "date_range")
            return None
        return born


def _check_names(values: dict[str, Any], problem: Problem) -> None:
    """A name holds letters of any alphabet, spaces, hyphens and apostrophes (as on the forms)."""
    for key in ("first_name", "last_name"):
        if values[key] and not names.is_name(values[key]):
            problem(key, "name_chars")


def _person_key(first: str, last: str, born: date) -> tuple[str, str, date]:
    return (first.strip().casefold(), last.strip().casefold(), born)
