"""The people tables of a stage's exports: participants, registrations and attendance,
instruments and hours; and the table shape all six share (stage_exports.py writes them).

Each table is read in a fixed number of statements, whatever the number of people or records:
no query per row. Only the minimum a funder needs: no full PESEL (the last four digits, as lists
show it), no advisor notes, no casework notes. Who was supported in a stage is
stage_people.py's definition, never redefined here.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    CaseworkEntry,
    Event,
    Participant,
    Placement,
    PlacementDay,
    ProjectStage,
    Registration,
    SocialContract,
    Village,
)
from portal.models.enums import EventType, RegistrationStatus
from portal.models.support import GroupInstrument
from portal.services.common import dates
from portal.services.reporting import stage_people

# A cell: text (neutralised when written), a whole number, a decimal, a date, or nothing;
# money columns hold integer grosze.
Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Cell]]
    money_columns: frozenset[int] = frozenset()


# --- the window of a stage ----------------------------------------------------------------


def window(stage: ProjectStage) -> tuple[datetime, datetime]:
    """The stage's days as UTC moments: from its first midnight to the midnight after it."""
    return (
        dates.local_to_utc(stage.start_date, time(0)),
        dates.local_to_utc(stage.end_date + timedelta(days=1), time(0)),
    )


def hours(minutes: int) -> Decimal:
    """Minutes as hours, to the hundredth; whole hours without decimals."""
    value = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


# --- participants ---------------------------------------------------------------------------


def participants(stage: ProjectStage) -> Table:
    """Everybody who took part in the stage (stage_people): the paths they took in it (never the
    ones merely ticked on the record) and their participation, from the first support to the exit
    or the last support. Three statements."""
    taking_part = stage_people.participation(stage)
    people = db.session.execute(
        select(
            Participant.id,
            Participant.last_name,
            Participant.first_name,
            Participant.pesel,
            Participant.birth_date,
            Village.name,
        )
        .outerjoin(Village, Village.id == Participant.village_id)
        .where(Participant.id.in_(stage_people.activated(stage)))
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
    ).all()
    numbers: dict[int, list[str]] = {}
    signed = stage_people.on_contract(stage).with_only_columns(
        SocialContract.participant_id, SocialContract.number
    )
    for participant_id, number in db.session.execute(
        signed.order_by(SocialContract.start_date, SocialContract.id)
    ):
        numbers.setdefault(participant_id, []).append(number)
    rows: list[list[Cell]] = []
    for row in people:
        contracts = numbers.get(row.id, [])
        took = taking_part.get(row.id)
        paths = [_("social contract")] if contracts else []
        if took is not None and took.in_pal:
            paths.append(_("PAL"))
        rows.append(
            [
                row.last_name,
                row.first_name,
                f"*******{row.pesel[-4:]}" if row.pesel else "",
                row.birth_date.year if row.birth_date and not row.pesel else None,
                row.name or "",
                ", ".join(paths),
                took.start if took else None,
                took.end if took else None,
                ", ".join(contracts),
            ]
        )
    header = [
        _("Last name"),
        _("First name"),
        _("PESEL (last four digits)"),
        _("Year of birth (without PESEL)"),
        _("Village"),
        _("Path"),
        _("Support from"),
        _("Support until"),
        _("Social contracts"),
    ]
    return Table(_("Participants"), header, rows)


# --- registrations and attendance ------------------------------------------------------------


def _kind_of(event_type: EventType, instrument: GroupInstrument | None) -> tuple[str, str]:
    if instrument is not None:
        return _("Group session"), instrument.label
    return _("PAL event"), event_type.label


def registrations(stage: ProjectStage) -> Table:
    """Every registration for the project's events and group sessions held within the stage,
    with its status: one statement."""
    starts, ends = window(stage)
    found = db.session.execute(
        select(
            Event.id,
            Event.starts_at,
            Event.ends_at,
            Event.title,
            Event.event_type,
            Event.instrument,
            Event.place,
            Participant.last_name,
            Participant.first_name,
            Registration.status,
            Registration.companions,
        )
        .join(Event, Event.id == Registration.event_id)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(
            Event.project_id == stage.project_id,
            Event.starts_at >= starts,
            Event.starts_at < ends,
        )
        .order_by(Event.starts_at, Event.id, Participant.last_name, Participant.first_name)
    ).all()
    rows: list[list[Cell]] = []
    for row in found:
        kind, what = _kind_of(row.event_type, row.instrument)
        minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
        rows.append(
            [
                dates.local_date(row.starts_at),
                dates.to_local(row.starts_at).strftime("%H:%M"),
                row.title,
                kind,
                what,
                row.place,
                hours(minutes),
                row.last_name,
                row.first_name,
                row.status.label,
                row.companions,
            ]
        )
    header = [
        _("Date"),
        _("Start"),
        _("Event"),
        _("Form of support"),
        _("Kind"),
        _("Place"),
        _("Hours"),
        _("Last name"),
        _("First name"),
        _("Status"),
        _("Family members"),
    ]
    return Table(_("Registrations"), header, rows)


# --- instruments and hours -----------------------------------------------------------------


@dataclass
class _Sum:
    count: int = 0
    minutes: int = 0


def instruments(stage: ProjectStage) -> Table:
    """Per person: sessions of each group instrument and PAL events attended, with hours;
    casework contacts and their minutes (never their notes); placement hours by month. Three
    statements."""
    starts, ends = window(stage)
    names: dict[int, tuple[str, str]] = {}
    sums: dict[tuple[int, str, str], _Sum] = {}

    def add(person: int, last: str, first: str, what: str, month: str, n: int, m: int) -> None:
        names[person] = (last, first)
        found = sums.setdefault((person, what, month), _Sum())
        found.count += n
        found.minutes += m

    for row in db.session.execute(
        select(
            Participant.id,
            Participant.last_name,
            Participant.first_name,
            Event.event_type,
            Event.instrument,
            Event.starts_at,
            Event.ends_at,
        )
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(
            Event.project_id == stage.project_id,
            Event.starts_at >= starts,
            Event.starts_at < ends,
            Registration.status == RegistrationStatus.ATTENDED,
        )
    ):
        what = row.instrument.label if row.instrument is not None else _("PAL events")
        minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
        add(row.id, row.last_name, row.first_name, what, "", 1, minutes)

    for contact in db.session.execute(
        select(
            Participant.id,
            Participant.last_name,
            Participant.first_name,
            func.count(CaseworkEntry.id),
            func.coalesce(func.sum(CaseworkEntry.minutes), 0),
        )
        .join(Participant, Participant.id == CaseworkEntry.participant_id)
        .where(
            Participant.project_id == stage.project_id,
            CaseworkEntry.happened_on >= stage.start_date,
            CaseworkEntry.happened_on <= stage.end_date,
        )
        .group_by(Participant.id, Participant.last_name, Participant.first_name)
    ):
        what = _("Social work (casework contacts)")
        add(contact[0], contact[1], contact[2], what, "", int(contact[3]), int(contact[4]))

    for day in db.session.execute(
        select(
            Participant.id,
            Participant.last_name,
            Participant.first_name,
            Placement.kind,
            PlacementDay.worked_on,
            PlacementDay.hours,
        )
        .select_from(PlacementDay)
        .join(Placement, Placement.id == PlacementDay.placement_id)
        .join(Participant, Participant.id == Placement.participant_id)
        .where(
            Participant.project_id == stage.project_id,
            PlacementDay.worked_on >= stage.start_date,
            PlacementDay.worked_on <= stage.end_date,
        )
    ):
        month = f"{day.worked_on:%Y-%m}"
        add(day.id, day.last_name, day.first_name, day.kind.label, month, 1, day.hours * 60)

    def order(key: tuple[int, str, str]) -> tuple[str, str, int, str, str]:
        last, first = names[key[0]]
        return (last, first, key[0], key[2], key[1])

    rows: list[list[Cell]] = []
    for key in sorted(sums, key=order):
        last, first = names[key[0]]
        found = sums[key]
        rows.append([last, first, key[1], key[2], found.count, hours(found.minutes), found.minutes])
    header = [
        _("Last name"),
        _("First name"),
        _("Instrument"),
        _("Month"),
        _("Sessions, contacts or days"),
        _("Hours"),
        _("Minutes"),
    ]
    return Table(_("Instruments and hours"), header, rows)
