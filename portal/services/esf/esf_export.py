"""The ESF monitoring export of a project's stage: one versioned column definition, two formats.

The columns are the participant data set of MONITORING.md (SL2014, a superset of PEFS 2007)
and nothing else: no casework, advisor notes or allowances. `COLUMNS` is the only place they
are defined; a change of a column is a new `VERSION`, printed in every file's name.

Who is in the file is stage_people's definition: the people who received support in the stage,
each with the start of participation taken from their first support (never typed), the exit as
recorded, and the paths they actually took in the stage (a path merely ticked on the record is
not support).

The pseudonymised variant is for statistics: the PESEL becomes a keyed HMAC-SHA256 (the key is
the configuration's, never in the file) and the columns that name or reach the person (names,
street, telephone, e-mail) are left out.
"""

import hashlib
import hmac
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import Participant, ProjectStage, User
from portal.models.centres import Area
from portal.models.people import Answer, Education, LabourMarketStatus, Sex
from portal.services.audit import audit
from portal.services.common import exports
from portal.services.reporting import stage_people
from portal.services.reporting.stage_people import Participation

VERSION = "SL2014-1"

# The values as the monitoring system names them (Polish: the file is read by its system).
_SEX = {Sex.FEMALE: "Kobieta", Sex.MALE: "Mężczyzna"}
_EDUCATION = {
    Education.NONE: "niższe niż podstawowe (ISCED 0)",
    Education.PRIMARY: "podstawowe (ISCED 1)",
    Education.LOWER_SECONDARY: "gimnazjalne (ISCED 2)",
    Education.UPPER_SECONDARY: "ponadgimnazjalne (ISCED 3)",
    Education.POST_SECONDARY: "policealne (ISCED 4)",
    Education.TERTIARY: "wyższe (ISCED 5-8)",
}
_AREA = {Area.URBAN: "miejski", Area.RURAL: "wiejski"}
_STATUS = {
    LabourMarketStatus.UNEMPLOYED_REGISTERED: (
        "osoba bezrobotna zarejestrowana w ewidencji urzędów pracy"
    ),
    LabourMarketStatus.UNEMPLOYED_UNREGISTERED: (
        "osoba bezrobotna niezarejestrowana w ewidencji urzędów pracy"
    ),
    LabourMarketStatus.INACTIVE: "osoba bierna zawodowo",
    LabourMarketStatus.EMPLOYED: "osoba pracująca",
}
_ANSWER = {Answer.YES: "Tak", Answer.NO: "Nie", Answer.REFUSED: "Odmowa podania informacji"}

Value = str | int | None
Getter = Callable[[Participant, ProjectStage, Participation], Value]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    get: Getter
    identifying: bool = False  # left out of the pseudonymised variant


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Tak" if value else "Nie")


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _mapped(table: dict[Any, str]) -> Callable[[Enum | None], str]:
    return lambda value: table.get(value, "") if value is not None else ""


def age_at_entry(person: Participant, start: date) -> int | None:
    """Age in whole years on the first day of support (never typed, MONITORING.md)."""
    born = person.birth_date
    if born is None:
        return None
    return start.year - born.year - ((start.month, start.day) < (born.month, born.day))


def _field(name: str, convert: Callable[[Any], Any] = lambda value: value or "") -> Getter:
    return lambda person, _stage, _took: convert(getattr(person, name))


COLUMNS: tuple[Column, ...] = (
    Column("project_number", "Nr projektu", lambda p, s, t: s.project.number or ""),
    Column("stage", "Etap", lambda p, s, t: s.year),
    Column("first_name", "Imię", _field("first_name"), identifying=True),
    Column("last_name", "Nazwisko", _field("last_name"), identifying=True),
    Column("pesel", "PESEL", _field("pesel")),
    Column("no_pesel_country", "Brak PESEL – kraj", _field("no_pesel_country")),
    Column("sex", "Płeć", _field("sex", _mapped(_SEX))),
    Column(
        "age", "Wiek w chwili przystąpienia do projektu", lambda p, s, t: age_at_entry(p, t.start)
    ),
    Column("education", "Wykształcenie", _field("education", _mapped(_EDUCATION))),
    Column("voivodeship", "Województwo", _field("voivodeship")),
    Column("county", "Powiat", _field("county")),
    Column("commune", "Gmina", _field("commune")),
    Column("town", "Miejscowość", _field("town")),
    Column("street", "Ulica", _field("street"), identifying=True),
    Column("building_number", "Nr budynku", _field("building_number"), identifying=True),
    Column("flat_number", "Nr lokalu", _field("flat_number"), identifying=True),
    Column("postcode", "Kod pocztowy", _field("postcode")),
    Column("area", "Obszar", _field("area", _mapped(_AREA))),
    Column("phone", "Telefon kontaktowy", _field("phone"), identifying=True),
    Column("email", "Adres e-mail", _field("email"), identifying=True),
    Column(
        "child_under_7", "Opieka nad dzieckiem do lat 7", _field("cares_for_child_under_7", _yes_no)
    ),
    Column("dependant", "Opieka nad osobą zależną", _field("cares_for_dependant", _yes_no)),
    # The first support delivered; the end is the exit as recorded (a person who has not left
    # has none yet).
    Column("support_start", "Data rozpoczęcia udziału w projekcie", lambda p, s, t: _date(t.start)),
    Column("support_end", "Data zakończenia udziału w projekcie", lambda p, s, t: _date(t.exit)),
    Column("contract_path", "Wsparcie: kontrakt socjalny", lambda p, s, t: _yes_no(t.on_contract)),
    Column("pal_path", "Wsparcie: Program Aktywności Lokalnej", lambda p, s, t: _yes_no(t.in_pal)),
    Column(
        "labour_status",
        "Status osoby na rynku pracy w chwili przystąpienia do projektu",
        _field("labour_market_status", _mapped(_STATUS)),
    ),
    Column("long_term", "Osoba długotrwale bezrobotna", _field("is_long_term_unemployed", _yes_no)),
    Column("in_education", "Osoba ucząca się lub kształcąca", _field("is_in_education", _yes_no)),
    Column("occupation", "Wykonywany zawód", _field("occupation")),
    Column("employer_kind", "Zatrudniona w", _field("employer_kind")),
    Column(
        "minority",
        "Osoba należąca do mniejszości narodowej lub etnicznej, migrant, osoba obcego pochodzenia",
        _field("minority", _mapped(_ANSWER)),
    ),
    Column(
        "homeless",
        "Osoba bezdomna lub dotknięta wykluczeniem z dostępu do mieszkań",
        _field("homeless", _mapped(_ANSWER)),
    ),
    Column("disability", "Osoba z niepełnosprawnościami", _field("disability", _mapped(_ANSWER))),
    Column(
        "jobless_household",
        "Osoba przebywająca w gospodarstwie domowym bez osób pracujących",
        _field("jobless_household", _mapped(_ANSWER)),
    ),
    Column(
        "jobless_with_children",
        "W tym: w gospodarstwie z dziećmi pozostającymi na utrzymaniu",
        _field("jobless_household_with_children", _mapped(_ANSWER)),
    ),
    Column(
        "single_adult",
        "Osoba żyjąca w gospodarstwie składającym się z jednej osoby dorosłej "
        "i dzieci pozostających na utrzymaniu",
        _field("single_adult_with_children", _mapped(_ANSWER)),
    ),
    Column(
        "other_disadvantage",
        "Osoba w innej niekorzystnej sytuacji społecznej",
        _field("other_disadvantage", _mapped(_ANSWER)),
    ),
    Column("left_early", "Zakończenie udziału przed terminem", _field("left_early", _yes_no)),
    Column(
        "completed_path",
        "Zakończenie udziału zgodnie z zaplanowaną ścieżką",
        _field("exit_completed_path", _yes_no),
    ),
    Column(
        "exit_employed",
        "Sytuacja po zakończeniu udziału: osoba pracująca",
        _field("exit_employed", _yes_no),
    ),
    Column(
        "exit_job_seeking",
        "Sytuacja po zakończeniu udziału: osoba poszukująca pracy",
        _field("exit_job_seeking", _yes_no),
    ),
    Column(
        "exit_in_education",
        "Sytuacja po zakończeniu udziału: osoba podejmująca kształcenie lub szkolenie",
        _field("exit_in_education", _yes_no),
    ),
    Column(
        "exit_qualification",
        "Sytuacja po zakończeniu udziału: osoba, która uzyskała kwalifikacje",
        _field("exit_qualification", _yes_no),
    ),
)

PSEUDONYM_HEADER = "Pseudonim (HMAC-SHA256 numeru PESEL)"


def header(*, pseudonymised: bool = False) -> list[str]:
    """The file's first row, straight from `COLUMNS`."""
    return [_header_of(column, pseudonymised) for column in _columns(pseudonymised)]


def _columns(pseudonymised: bool) -> list[Column]:
    return [c for c in COLUMNS if not (pseudonymised and c.identifying)]


def _header_of(column: Column, pseudonymised: bool) -> str:
    return PSEUDONYM_HEADER if pseudonymised and column.key == "pesel" else column.header


def pseudonym(person: Participant, key: bytes) -> str:
    """A keyed HMAC of the PESEL (of the record's id when there is none): the same person has
    the same pseudonym in every export made with one key, and nobody without it can reverse it."""
    subject = person.pesel or f"participant:{person.centre_id}:{person.id}"
    return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()


def participants_of(stage: ProjectStage, *, now: datetime | None = None) -> list[Participant]:
    """The people who took part in the stage (stage_people), by name: one statement."""
    return list(
        db.session.scalars(
            select(Participant)
            .where(Participant.id.in_(stage_people.activated(stage, now=now)))
            .order_by(Participant.last_name, Participant.first_name, Participant.id)
        )
    )


def count_of(stage: ProjectStage) -> int:
    """How many people the stage's export holds, counted by the database (the page shows it)."""
    return stage_people.counts(stage).activated


def rows(
    stage: ProjectStage,
    people: Sequence[Participant],
    *,
    pseudonym_key: bytes | None = None,
    now: datetime | None = None,
) -> list[list[Value]]:
    """One row per person who took part, with their participation (one statement for all)."""
    pseudonymised = pseudonym_key is not None
    columns = _columns(pseudonymised)
    taking_part = stage_people.participation(stage, now=now)
    return [
        [
            pseudonym(person, pseudonym_key)
            if pseudonym_key is not None and column.key == "pesel"
            else column.get(person, stage, took)
            for column in columns
        ]
        for person in people
        if (took := taking_part.get(person.id)) is not None
    ]


@dataclass(frozen=True)
class ExportFile:
    body: bytes
    filename: str
    mimetype: str
    row_count: int


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export(
    stage: ProjectStage,
    *,
    file_format: str,
    pseudonym_key: bytes | None,
    actor: User,
    now: datetime,
) -> ExportFile:
    """The stage's monitoring file (audited: who exported which stage, how, how many rows)."""
    exported = build(stage, file_format=file_format, pseudonym_key=pseudonym_key, now=now)
    record_export(
        stage,
        exported,
        file_format=file_format,
        pseudonymised=pseudonym_key is not None,
        actor=actor,
        now=now,
    )
    return exported


def build(
    stage: ProjectStage, *, file_format: str, pseudonym_key: bytes | None, now: datetime
) -> ExportFile:
    """The stage's monitoring file, read only (a worker builds it outside any write)."""
    people = participants_of(stage, now=now)
    pseudonymised = pseudonym_key is not None
    table = rows(stage, people, pseudonym_key=pseudonym_key, now=now)
    head = header(pseudonymised=pseudonymised)
    if file_format == "xlsx":
        body, mimetype = _xlsx(f"{VERSION} {stage.year}", head, table), XLSX
    else:
        body, mimetype = exports.to_csv(head, table).encode("utf-8"), "text/csv"
    suffix = "-pseudonimy" if pseudonymised else ""
    name = f"monitoring-{VERSION}-etap-{stage.year}{suffix}.{file_format}"
    return ExportFile(body, name, mimetype, len(table))


def record_export(
    stage: ProjectStage,
    exported: ExportFile,
    *,
    file_format: str,
    pseudonymised: bool,
    actor: User,
    now: datetime,
) -> None:
    """The export's audit entry: who exported which stage, how, how many rows."""
    audit.record(
        "esf.export",
        stage,
        actor=actor,
        at=now,
        centre_id=stage.project.centre_id,
        changes={
            "format": (None, file_format),
            "pseudonymised": (None, pseudonymised),
            "version": (None, VERSION),
            "rows": (None, exported.row_count),
        },
    )


def _xlsx(title: str, head: Sequence[str], table: Sequence[Sequence[Value]]) -> bytes:
    """Numbers stay numbers; every text is neutralised like the CSV (exports.safe_cell)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in (head, *table):
        sheet.append(
            [
                value
                if isinstance(value, int)
                else ILLEGAL_CHARACTERS_RE.sub("", exports.safe_cell(value))
                for value in row
            ]
        )
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
