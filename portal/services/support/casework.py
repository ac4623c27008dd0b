"""The casework log: contacts of social work with a person or their family, and hours a month.

An entry is corrected by editing it (by its author or a coordinator). The edit form carries a
fingerprint of the values it was opened on; the change is one conditional UPDATE that only
matches while the row still holds those values, so of two people correcting one entry at once
the second is told instead of overwriting the first. Every record and correction is audited.
The note is for staff only: it is never shown to the participant nor written to an export.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from portal.database import rows_changed
from portal.extensions import db
from portal.models import Participant, SocialContract, User, UserRole
from portal.models.enums import Role
from portal.models.support import CaseworkEntry, ContactKind
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import Forbidden, PortalError

# Who keeps the casework log.
WORKERS = (Role.SOCIAL_WORKER, Role.COORDINATOR)
MAX_MINUTES = 24 * 60
NOTE_LENGTH = 1000


class CaseworkRefused(PortalError):
    message = _l("The contact cannot be recorded this way.")


class CaseworkConflict(CaseworkRefused):
    message = _l("Someone else changed this entry meanwhile. Check it and save again.")


@dataclass(frozen=True)
class ContactFields:
    happened_on: date
    contact_kind: ContactKind
    minutes: int
    with_family: bool = False
    note: str = ""
    contract_id: int | None = None

    def values(self) -> dict[str, Any]:
        return {
            "happened_on": self.happened_on,
            "contact_kind": self.contact_kind,
            "minutes": self.minutes,
            "with_family": self.with_family,
            "note": self.note.strip(),
            "contract_id": self.contract_id,
        }


@dataclass(frozen=True)
class WorkerHours:
    """One worker's casework in a month: how many contacts and how many minutes in all."""

    worker_id: int
    first_name: str
    last_name: str
    contacts: int
    minutes: int

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def whole_hours(self) -> int:
        return self.minutes // 60

    @property
    def rest_minutes(self) -> int:
        return self.minutes % 60


def _require_worker(actor: User) -> int:
    """The actor's centre, when they keep the casework log there."""
    if actor.centre_id is None or not actor.has_role(*WORKERS):
        raise Forbidden()
    return actor.centre_id


def _check(fields: ContactFields, person: Participant, now: datetime) -> None:
    if fields.happened_on > dates.local_date(now):
        raise CaseworkRefused(_l("The contact cannot be in the future."), field="happened_on")
    if fields.happened_on < dates.EARLIEST:
        raise CaseworkRefused(_l("Enter a later date."), field="happened_on")
    if not 1 <= fields.minutes <= MAX_MINUTES:
        raise CaseworkRefused(_l("Enter from 1 to 1440 minutes."), field="minutes")
    if len(fields.note.strip()) > NOTE_LENGTH:
        raise CaseworkRefused(_l("Shorten the note to 1000 characters."), field="note")
    if fields.contract_id is not None and not _is_contract_of(person, fields.contract_id):
        raise CaseworkRefused(_l("Choose one of this person's contracts."), field="contract_id")


def _is_contract_of(person: Participant, contract_id: int) -> bool:
    return (
        db.session.scalar(
            select(SocialContract.id).where(
                SocialContract.id == contract_id,
                SocialContract.participant_id == person.id,
                SocialContract.centre_id == person.centre_id,
            )
        )
        is not None
    )


def record(
    participant_id: int,
    *,
    happened_on: date,
    contact_kind: ContactKind,
    minutes: int,
    with_family: bool = False,
    note: str = "",
    contract_id: int | None = None,
    actor: User,
    now: datetime,
) -> CaseworkEntry:
    """A contact the actor (a social worker or coordinator) had with a person of their centre."""
    person = loading.of_centre(Participant, participant_id, _require_worker(actor))
    fields = ContactFields(happened_on, contact_kind, minutes, with_family, note, contract_id)
    _check(fields, person, now)
    values = fields.values()
    entry = CaseworkEntry(
        centre_id=person.centre_id, participant_id=person.id, worker_id=actor.id, **values
    )
    entry.created_at = entry.updated_at = now
    db.session.add(entry)
    audit.record(
        "casework.record",
        entry,
        actor=actor,
        changes={"participant_id": (None, person.id)} | {k: (None, v) for k, v in values.items()},
        at=now,
    )
    return entry


def fingerprint(entry: CaseworkEntry) -> str:
    """What the edit form was opened on: changes when any value of the entry changes."""
    seen = "|".join(
        str(value)
        for value in (
            entry.happened_on.isoformat(),
            entry.contact_kind.value,
            entry.minutes,
            entry.with_family,
            entry.note,
            entry.contract_id,
        )
    )
    return hashlib.sha256(seen.encode()).hexdigest()[:32]


def correct(
    entry_id: int, fields: ContactFields, *, seen: str, actor: User, now: datetime
) -> CaseworkEntry:
    """Correct an entry: its author or a coordinator, on the values they saw."""
    entry = get(_require_worker(actor), entry_id)
    if entry.worker_id != actor.id and not actor.has_role(Role.COORDINATOR):
        raise Forbidden()
    if seen != fingerprint(entry):
        raise CaseworkConflict()
    _check(fields, entry.participant, now)
    values = fields.values()
    changes = {k: (getattr(entry, k), v) for k, v in values.items() if getattr(entry, k) != v}
    if not changes:
        return entry
    unchanged_since_read = [
        column.is_(None) if old is None else column == old
        for column, old in ((getattr(CaseworkEntry, name), getattr(entry, name)) for name in values)
    ]
    changed = rows_changed(
        update(CaseworkEntry)
        .where(CaseworkEntry.id == entry.id, *unchanged_since_read)
        .values(**values, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed != 1:  # corrected in a parallel request since this one read it
        raise CaseworkConflict()
    db.session.expire(entry)
    audit.record("casework.correct", entry, actor=actor, changes=changes, at=now)
    return entry


def get(centre_id: int, entry_id: int) -> CaseworkEntry:
    """An entry of this centre's casework log, with its person."""
    return loading.of_centre(
        CaseworkEntry, entry_id, centre_id, options=(joinedload(CaseworkEntry.participant),)
    )


def list_for_participant(participant_id: int, *, limit: int = 500) -> list[CaseworkEntry]:
    """A person's contacts, newest first, with the worker and the contract (one query)."""
    return list(
        db.session.scalars(
            select(CaseworkEntry)
            .options(joinedload(CaseworkEntry.worker), joinedload(CaseworkEntry.contract))
            .where(CaseworkEntry.participant_id == participant_id)
            .order_by(CaseworkEntry.happened_on.desc(), CaseworkEntry.id.desc())
            .limit(limit)
        ).unique()
    )


def month_bounds(month: date) -> tuple[date, date]:
    """The first day of `month` and the first day of the month after it."""
    first = month.replace(day=1)
    after = dates.next_month(first)
    return first, after


def own_log(worker_id: int, centre_id: int, month: date) -> list[CaseworkEntry]:
    """A worker's own contacts in a month, oldest first, with the people (one query)."""
    first, after = month_bounds(month)
    return list(
        db.session.scalars(
            select(CaseworkEntry)
            .options(joinedload(CaseworkEntry.participant))
            .where(
                CaseworkEntry.worker_id == worker_id,
                CaseworkEntry.centre_id == centre_id,
                CaseworkEntry.happened_on >= first,
                CaseworkEntry.happened_on < after,
            )
            .order_by(CaseworkEntry.happened_on, CaseworkEntry.id)
        )
    )


def monthly_hours(
    centre_id: int, month: date, *, worker_id: int | None = None
) -> Sequence[WorkerHours]:
    """Each worker's contacts and minutes in a month, summed by the database in one query.

    The centre's active social workers and coordinators are listed even without a contact that
    month; anyone else who recorded one then (a worker who has since left) is listed too."""
    first, after = month_bounds(month)
    in_month = and_(
        CaseworkEntry.worker_id == User.id,
        CaseworkEntry.centre_id == centre_id,
        CaseworkEntry.happened_on >= first,
        CaseworkEntry.happened_on < after,
    )
    keeps_log = User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(WORKERS)))
    query = (
        select(
            User.id,
            User.first_name,
            User.last_name,
            func.count(CaseworkEntry.id),
            func.coalesce(func.sum(CaseworkEntry.minutes), 0),
        )
        .select_from(User)
        .outerjoin(CaseworkEntry, in_month)
        .where(
            User.centre_id == centre_id,
            or_(and_(User.is_active.is_(True), keeps_log), CaseworkEntry.id.is_not(None)),
        )
        .group_by(User.id, User.first_name, User.last_name)
        .order_by(User.last_name, User.first_name, User.id)
    )
    if worker_id is not None:
        query = query.where(User.id == worker_id)
    return [WorkerHours(*row) for row in db.session.execute(query)]
