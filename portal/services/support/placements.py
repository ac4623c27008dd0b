"""Work placements (work training, socially useful work) and their monthly hours sheets.

Socially useful work is paid by the hour, so it needs an hourly rate; work training is not paid
by the centre, so it has none. A placement is edited with version protection (the model's
`version_id`); saving a month's sheet also moves the version, so two sheets of one placement
saved at once, or a sheet saved over a changed placement, are refused instead of mixed. A
month's hours never exceed the placement's hours per month, fall only on days of its period
that have come and not after the support ended (the person's exit, the placement's contract's
end), and are at most 24 on one day; nor does a placement start after that end. Pay is hours ×
rate, in exact grosze.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.models import Participant, SocialContract, User
from portal.models.support import Placement, PlacementDay, PlacementKind
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import Forbidden, PortalError
from portal.services.support import entitlements
from portal.services.support.casework import WORKERS, month_bounds

MAX_HOURS_PER_MONTH = 744  # 31 days of 24 hours, the table's own bound
MAX_HOURS_PER_DAY = 24
NAME_LENGTH = 200


class PlacementRefused(PortalError):
    message = _l("The placement cannot be saved this way.")


class PlacementConflict(PlacementRefused):
    message = _l(
        "Someone else changed this placement meanwhile. Your entries are kept below: "
        "check them against the current version and save again."
    )


@dataclass(frozen=True)
class PlacementFields:
    kind: PlacementKind
    employer: str
    starts_on: date
    ends_on: date
    hours_per_month: int
    hourly_rate_grosze: int | None = None
    supervisor: str = ""
    contract_id: int | None = None

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "employer": self.employer.strip(),
            "supervisor": self.supervisor.strip(),
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "hours_per_month": self.hours_per_month,
            "hourly_rate_grosze": self.hourly_rate_grosze,
            "contract_id": self.contract_id,
        }


@dataclass
class SheetDay:
    day: date
    hours: int | None


@dataclass
class MonthSheet:
    """A placement's month: a line per day of the period in that month, the total and the pay."""

    placement: Placement
    month: date
    days: list[SheetDay] = field(default_factory=list)

    @property
    def total_hours(self) -> int:
        return sum(d.hours or 0 for d in self.days)

    @property
    def pay_grosze(self) -> int | None:
        rate = self.placement.hourly_rate_grosze
        return None if rate is None else self.total_hours * rate

    @property
    def worked(self) -> list[SheetDay]:
        return [d for d in self.days if d.hours]


def _require_worker(actor: User) -> int:
    if actor.centre_id is None or not actor.has_role(*WORKERS):
        raise Forbidden()
    return actor.centre_id


def _check(fields: PlacementFields, person: Participant) -> None:
    values = fields.values()
    if not values["employer"]:
        raise PlacementRefused(_l("Enter the employer or institution."), field="employer")
    for name in ("employer", "supervisor"):
        if len(values[name]) > NAME_LENGTH:
            raise PlacementRefused(_l("Shorten this to 200 characters."), field=name)
    if fields.ends_on < fields.starts_on:
        raise PlacementRefused(_l("The placement cannot end before it starts."), field="ends_on")
    if not 1 <= fields.hours_per_month <= MAX_HOURS_PER_MONTH:
        raise PlacementRefused(_l("Enter from 1 to 744 hours."), field="hours_per_month")
    rate = fields.hourly_rate_grosze
    if fields.kind == PlacementKind.SOCIALLY_USEFUL_WORK and not rate:
        raise PlacementRefused(
            _l("Socially useful work is paid by the hour: enter the hourly rate."),
            field="hourly_rate",
        )
    if fields.kind == PlacementKind.WORK_TRAINING and rate is not None:
        raise PlacementRefused(
            _l("Work training is not paid by the hour: leave the rate empty."),
            field="hourly_rate",
        )
    if fields.contract_id is not None and (
        db.session.scalar(
            select(SocialContract.id).where(
                SocialContract.id == fields.contract_id,
                SocialContract.participant_id == person.id,
                SocialContract.centre_id == person.centre_id,
            )
        )
        is None
    ):
        raise PlacementRefused(_l("Choose one of this person's contracts."), field="contract_id")
    _check_start(fields, person)


def _check_start(fields: PlacementFields, person: Participant) -> None:
    """A placement starting after the support ended could never take an hour (see hours_end):
    refused beside its start instead of leaving an empty sheet."""
    contract = db.session.get(SocialContract, fields.contract_id) if fields.contract_id else None
    contract_end = entitlements.contract_end(contract) if contract is not None else None
    end = entitlements.earliest(person.support_end, contract_end)
    if end is None or fields.starts_on <= end:
        return
    if end == person.support_end:
        message = _l(
            "The person left the project on %(date)s: a placement cannot start after that day.",
            date=end.isoformat(),
        )
    else:
        message = _l(
            "The contract ended on %(date)s: a placement under it cannot start after that day.",
            date=end.isoformat(),
        )
    raise PlacementRefused(message, field="starts_on")


def create(
    participant_id: int,
    *,
    kind: PlacementKind,
    employer: str,
    starts_on: date,
    ends_on: date,
    hours_per_month: int,
    hourly_rate_grosze: int | None = None,
    supervisor: str = "",
    contract_id: int | None = None,
    actor: User,
    now: datetime,
) -> Placement:
    """A placement for a person of the actor's centre (a social worker or coordinator)."""
    centre_id = _require_worker(actor)
    person = loading.of_centre(Participant, participant_id, centre_id)
    fields = PlacementFields(
        kind, employer, starts_on, ends_on, hours_per_month, hourly_rate_grosze, supervisor,
        contract_id,
    )  # fmt: skip
    _check(fields, person)
    values = fields.values()
    placement = Placement(centre_id=centre_id, participant_id=person.id, **values)
    placement.created_at = placement.updated_at = now
    db.session.add(placement)
    audit.record(
        "placement.create",
        placement,
        actor=actor,
        changes={"participant_id": (None, person.id)} | {k: (None, v) for k, v in values.items()},
        at=now,
    )
    return placement


def _recorded_days(placement_id: int) -> list[PlacementDay]:
    return list(
        db.session.scalars(
            select(PlacementDay)
            .where(PlacementDay.placement_id == placement_id)
            .order_by(PlacementDay.worked_on)
        )
    )


def _check_recorded_hours(placement: Placement, fields: PlacementFields) -> None:
    """A new period or monthly limit must still hold the hours already recorded."""
    by_month: dict[date, int] = {}
    for day in _recorded_days(placement.id):
        if day.worked_on < fields.starts_on:
            raise PlacementRefused(
                _l("Hours are recorded before this date. Clear them in the sheet first."),
                field="starts_on",
            )
        if day.worked_on > fields.ends_on:
            raise PlacementRefused(
                _l("Hours are recorded after this date. Clear them in the sheet first."),
                field="ends_on",
            )
        month = day.worked_on.replace(day=1)
        by_month[month] = by_month.get(month, 0) + day.hours
    if by_month and max(by_month.values()) > fields.hours_per_month:
        raise PlacementRefused(
            _l("A month already has more hours recorded than this."), field="hours_per_month"
        )


def _write(placement: Placement) -> None:
    """Flush the placement; a save by someone else since it was read is a conflict."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError as error:
        raise PlacementConflict() from error


def update(
    placement_id: int, fields: PlacementFields, *, version: int, actor: User, now: datetime
) -> Placement:
    """Change a placement opened at `version`; a newer version is not overwritten."""
    placement = get(_require_worker(actor), placement_id)
    if placement.version_id != version:
        raise PlacementConflict()
    _check(fields, placement.participant)
    _check_recorded_hours(placement, fields)
    changes = audit.diff(placement, fields.values())
    if changes:
        placement.updated_at = now
        _write(placement)
        audit.record("placement.update", placement, actor=actor, changes=changes, at=now)
    return placement


def get(centre_id: int, placement_id: int) -> Placement:
    """A placement of this centre, its person and contract loaded with it."""
    return loading.of_centre(
        Placement,
        placement_id,
        centre_id,
        options=(joinedload(Placement.participant), joinedload(Placement.contract)),
    )


def list_for_participant(participant_id: int) -> list[Placement]:
    return list(
        db.session.scalars(
            select(Placement)
            .where(Placement.participant_id == participant_id)
            .order_by(Placement.starts_on.desc(), Placement.id.desc())
        )
    )


def months_of(placement: Placement) -> list[date]:
    """The first day of every month the placement runs in."""
    months, month = [], placement.starts_on.replace(day=1)
    while month <= placement.ends_on:
        months.append(month)
        month = month_bounds(month)[1]
    return months


def default_month(placement: Placement, today: date) -> date:
    """This month while the placement runs; else its first or its last month."""
    return min(max(today, placement.starts_on), placement.ends_on).replace(day=1)


def period_days(placement: Placement, month: date) -> list[date]:
    """The days of `month` inside the placement's period."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start, end = max(first, placement.starts_on), min(last, placement.ends_on)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def month_sheet(placement: Placement, month: date) -> MonthSheet:
    """The month's sheet of a placement (one query for its days)."""
    first, after = month_bounds(month)
    recorded = {
        d.worked_on: d.hours
        for d in db.session.scalars(
            select(PlacementDay).where(
                PlacementDay.placement_id == placement.id,
                PlacementDay.worked_on >= first,
                PlacementDay.worked_on < after,
            )
        )
    }
    return MonthSheet(
        placement, first, [SheetDay(d, recorded.get(d)) for d in period_days(placement, first)]
    )


def day_field(day: date) -> str:
    """The name of a day's field on the sheet form: refusals about one day are shown there."""
    return f"day-{day.day:02d}"


def hours_end(placement: Placement) -> date | None:
    """The last day hours may be recorded for, when the support has ended: the person's exit
    or the end of the placement's contract, whichever came first."""
    contract = placement.contract
    return entitlements.earliest(
        placement.participant.support_end,
        entitlements.contract_end(contract) if contract is not None else None,
    )


def _after_the_end(placement: Placement, day: date, end: date) -> PlacementRefused:
    if end == placement.participant.support_end:
        message = _l(
            "The person left the project on %(date)s: hours after that day cannot be recorded.",
            date=end.isoformat(),
        )
    else:
        message = _l(
            "The contract ended on %(date)s: hours after that day cannot be recorded.",
            date=end.isoformat(),
        )
    return PlacementRefused(message, field=day_field(day))


def _check_month(
    placement: Placement, month: date, hours: Mapping[date, int | None], today: date
) -> dict[date, int]:
    in_period = set(period_days(placement, month))
    end = hours_end(placement)
    worked: dict[date, int] = {}
    for day, value in sorted(hours.items()):
        if not value:
            continue
        if day not in in_period:
            raise PlacementRefused(
                _l("This day is outside the placement's period."), field=day_field(day)
            )
        if end is not None and day > end:
            raise _after_the_end(placement, day, end)
        if day > today:
            raise PlacementRefused(
                _l("Hours cannot be recorded for a day that has not come yet."),
                field=day_field(day),
            )
        if not 0 < value <= MAX_HOURS_PER_DAY:
            raise PlacementRefused(_l("Enter from 0 to 24 hours."), field=day_field(day))
        worked[day] = value
    total = sum(worked.values())
    if total > placement.hours_per_month:
        raise PlacementRefused(
            _l(
                "%(total)d hours in this month is more than the placement's %(limit)d hours "
                "per month.",
                total=total,
                limit=placement.hours_per_month,
            )
        )
    return worked


def save_month(
    placement_id: int,
    month: date,
    hours: Mapping[date, int | None],
    *,
    actor: User,
    now: datetime,
    version: int | None = None,
) -> MonthSheet:
    """Replace the month's hours with `hours` (day -> hours; empty or 0 = not worked).

    `version` is the placement's version the sheet was opened on (None: the current one)."""
    placement = get(_require_worker(actor), placement_id)
    if version is not None and placement.version_id != version:
        raise PlacementConflict()
    first = month.replace(day=1)
    worked = _check_month(placement, first, hours, dates.local_date(now))
    # Moving the version first makes a parallel save of this placement wait, then fail.
    placement.updated_at = now
    flag_modified(placement, "updated_at")  # written even when `now` is the same as before
    _write(placement)
    first_day, after = month_bounds(first)
    existing = {
        d.worked_on: d
        for d in db.session.scalars(
            select(PlacementDay).where(
                PlacementDay.placement_id == placement.id,
                PlacementDay.worked_on >= first_day,
                PlacementDay.worked_on < after,
            )
        )
    }
    changes = {
        day.isoformat(): (existing[day].hours if day in existing else None, worked.get(day))
        for day in sorted(set(existing) | set(worked))
        if (existing[day].hours if day in existing else None) != worked.get(day)
    }
    if changes:
        for day, row in existing.items():
            if day not in worked:
                db.session.delete(row)
            else:
                row.hours = worked[day]
        db.session.add_all(
            PlacementDay(
                centre_id=placement.centre_id, placement_id=placement.id, worked_on=d, hours=h
            )
            for d, h in worked.items()
            if d not in existing
        )
        db.session.flush()
        audit.record("placement.hours", placement, actor=actor, changes=changes, at=now)
    return MonthSheet(
        placement, first, [SheetDay(d, worked.get(d)) for d in period_days(placement, first)]
    )
