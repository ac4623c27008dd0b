"""Reading the audit trail, and the kinds of entry a reading itself leaves: a page of one
participant's data viewed by staff, a list of people shown to staff, and a document or export
downloaded.

The trail grows to millions of rows, so it is read a page at a time by keyset
(`id < :before ORDER BY id DESC LIMIT n`), in one query a page whatever its length.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, exists, select

from portal.extensions import db
from portal.models import AccountRequest, AuditEntry, Centre, Participant, User, UserRole
from portal.models.base import Base
from portal.models.enums import STAFF_ROLES, Role
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import Forbidden

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    centre_id: int | None = None  # None: every centre (installation administrators only)
    actor_id: int | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    since: date | None = None  # local dates, both included
    until: date | None = None


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    actor_name: str | None  # staff by name; a participant acting on their own record by number
    centre_name: str | None

    @property
    def by_participant(self) -> bool:
        return self.entry.actor_id is not None and self.actor_name is None


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_before: int | None  # the `before` of the next (older) page; None on the last one


def reads_every_centre(viewer: User) -> bool:
    return viewer.has_role(Role.ADMIN) and viewer.centre_id is None


def visible_centre(viewer: User, chosen: int | None) -> int | None:
    """The centre whose entries `viewer` reads: an installation administrator (no centre of
    their own) any (None: all); everyone else, an administrator of a centre too, only their own,
    as on every other page."""
    if reads_every_centre(viewer):
        return chosen
    if viewer.centre_id is None or not viewer.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Forbidden()
    return viewer.centre_id


def _query(filters: Filters) -> Select[AuditEntry, str, str, str, bool]:
    # Staff are named; a participant who acted is not (the entry holds only their account's id).
    is_staff = (
        exists()
        .where(UserRole.user_id == AuditEntry.actor_id, UserRole.role.in_(STAFF_ROLES))
        .label("is_staff")
    )
    query = (
        select(AuditEntry, User.first_name, User.last_name, Centre.name, is_staff)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .outerjoin(Centre, Centre.id == AuditEntry.centre_id)
    )
    if filters.centre_id is not None:
        query = query.where(AuditEntry.centre_id == filters.centre_id)
    if filters.actor_id is not None:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.entity_type:
        query = query.where(AuditEntry.entity_type == filters.entity_type)
    if filters.entity_id is not None:
        query = query.where(AuditEntry.entity_id == filters.entity_id)
    if filters.since is not None:
        query = query.where(AuditEntry.at >= dates.local_to_utc(filters.since, time.min))
    if filters.until is not None:
        next_day = filters.until + timedelta(days=1)
        query = query.where(AuditEntry.at < dates.local_to_utc(next_day, time.min))
    return query


def read(filters: Filters, *, before: int | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of entries, newest first, older than the entry `before`."""
    query = _query(filters)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    found = db.session.execute(query.order_by(AuditEntry.id.desc()).limit(size + 1)).all()
    rows = [
        Row(entry, f"{first} {last}" if staff else None, centre)
        for entry, first, last, centre, staff in found[:size]
    ]
    return Page(rows, rows[-1].entry.id if len(found) > size else None)


def history(viewer: User, entity_type: str, entity_id: int, *, before: int | None = None) -> Page:
    """The entries of one record, for `viewer`; a record of another centre is as good as missing
    (404), so is a record neither in the database nor in the trail."""
    centre_id = visible_centre(viewer, None)
    model = loading.found(_model_of(entity_type))
    if centre_id is not None:
        loading.same_centre(centre_id, _owner_centre(model.__table__, entity_id))
    page = read(
        Filters(centre_id=centre_id, entity_type=entity_type, entity_id=entity_id), before=before
    )
    if not page.rows and before is None:
        _existing(model, entity_id, centre_id)
    return page


def _model_of(entity_type: str) -> Any:
    """The model of a kind of record the trail names by id (a role, keyed by its account and
    name, is none: its entries are its account's)."""
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == entity_type:
            return mapper.class_ if "id" in mapper.class_.__table__.c else None
    return None


class Owner(NamedTuple):
    centre_id: int | None  # None: no centre's (an installation administrator's account)


def _owner_centre(table: Any, entity_id: int) -> Owner | None:
    """The centre a row belongs to; None when there is no such row.

    A centre is its own; a row without a `centre_id` belongs to its parent's: the first foreign
    key it cannot exist without (a stage's project, a goal's plan, a role's account). A row no
    such chain leads to a centre from belongs to none (fails closed for a centre's staff).
    """
    source, current, seen = table, table, {table.name}
    while current.name != Centre.__tablename__ and "centre_id" not in current.c:
        parent_key = next((c for c in current.c if c.foreign_keys and not c.nullable), None)
        parent = next(iter(parent_key.foreign_keys)).column if parent_key is not None else None
        if parent is None or parent.table.name in seen:
            exists_at_all = db.session.execute(select(table.c.id).where(table.c.id == entity_id))
            return Owner(None) if exists_at_all.first() is not None else None
        source = source.join(parent.table, parent_key == parent)
        current = parent.table
        seen.add(current.name)
    column = current.c.id if current.name == Centre.__tablename__ else current.c.centre_id
    row = db.session.execute(
        select(column).select_from(source).where(table.c.id == entity_id)
    ).first()
    return Owner(row[0]) if row is not None else None


def _existing(model: Any, entity_id: int, centre_id: int | None) -> None:
    """The record the trail has nothing on must be there at least (of the centre, if any)."""
    table = model.__table__
    condition = table.c.id == entity_id
    if centre_id is not None and "centre_id" in table.c:
        condition &= table.c.centre_id == centre_id
    loading.one(select(table.c.id).where(condition))


def actors(centre_id: int | None) -> list[User]:
    """The staff whose entries can be looked for: of one centre, or of all of them."""
    query = select(User).where(
        User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(STAFF_ROLES)))
    )
    if centre_id is not None:
        query = query.where(User.centre_id == centre_id)
    return list(db.session.scalars(query.order_by(User.last_name, User.first_name, User.id)))


def centres() -> list[Centre]:
    return list(db.session.scalars(select(Centre).order_by(Centre.name)))


def record_view(
    person: Participant, *, actor: User, page: str, record_id: int | None = None
) -> None:
    """Staff opened a page showing one participant's data (ASVS 8.3.5): which page, and which of
    their records (a contract, a plan, an allowance...) when the page is one record's."""
    changes: dict[str, tuple[Any, Any]] = {"page": (None, page)}
    if record_id is not None:
        changes["record"] = (None, record_id)
    audit.record("participant.viewed", person, actor=actor, changes=changes)


def record_list_view(people: Sequence[Participant], *, actor: User, page: str) -> None:
    """Staff were shown a list of people: one entry for the whole page, naming them by id only.
    What was searched for is not kept (it may be a PESEL); an empty list shows no one."""
    _record_listing("participant.listed", "participants", people, actor=actor, page=page)


def record_request_list_view(requests: Sequence[AccountRequest], *, actor: User) -> None:
    """Staff were shown the residents asking for an account (no participants yet): one entry
    naming the requests by id."""
    _record_listing(
        "account_request.listed", "account_requests", requests, actor=actor, page="account_requests"
    )


def _record_listing(
    action: str, entity_type: str, shown: Sequence[Any], *, actor: User, page: str
) -> None:
    # Each once, in the page's order: a person with two rows (two instalments, a registration
    # and a place offered) was still shown once.
    ids = list(dict.fromkeys(record.id for record in shown))
    if not ids:
        return
    audit.record_reading(
        action,
        entity_type,
        actor=actor,
        centre_id=actor.centre_id,
        changes={"page": (None, page), "shown": (None, ids)},
    )


def record_download(
    entity: Any,
    *,
    actor: User,
    document: str,
    file_format: str,
    centre_id: int | None = None,
    month: date | None = None,
) -> None:
    """A document or an export left the portal, as `file_format` (pdf, csv, xlsx, docx);
    `centre_id` for a record that does not carry its centre itself (a project stage)."""
    audit.record(
        "document.download",
        entity,
        actor=actor,
        centre_id=centre_id,
        changes={"document": (None, document), "format": (None, file_format)}
        | ({"month": (None, f"{month:%Y-%m}")} if month else {}),
    )
