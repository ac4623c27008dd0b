"""The queue of requests waiting for a decision: a filter, its figures, one page of it, and
"approve all that match" decided by the filter on the server.

A centre may have thousands of requests waiting, so nothing here grows with them: the number and
the amounts come from one aggregate statement, a page is a LIMIT/OFFSET of the ordered queue,
and the approver's own requests (four-eyes) are told apart by the database. "Approve all" is
confirmed with the number and the amount the approver was shown; the decision is refused, and
nothing changes, when the requests that match are no longer exactly those.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Integer, case, cast, exists, extract, func, or_, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Allowance, AuditEntry, Participant, User
from portal.models.enums import AllowanceKind, AllowanceStatus
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.common.pages import Pages
from portal.services.support import approvals
from portal.services.support.allowances import AllowanceRefused


class ListChanged(AllowanceRefused):
    message = _l(
        "The requests waiting have changed since you were asked to confirm. "
        "Check the new number and confirm again."
    )


@dataclass(frozen=True)
class Filter:
    """Which waiting requests the queue shows (and "approve all that match" approves)."""

    kind: AllowanceKind | None = None
    month: date | None = None
    prepared_by_id: int | None = None
    submitted_before: datetime | None = None  # waiting longer than the centre's warning


@dataclass(frozen=True)
class Confirmed:
    """What the approver was shown and confirmed: the number of requests they may decide, what
    those ask for, and the sum of their ids. The last one tells one set from another of the same
    size and amount (one request decided and another of the same amount added meanwhile)."""

    count: int
    total_grosze: int
    check: int


@dataclass(frozen=True)
class Summary:
    """The figures of every request a filter matches, from one aggregate statement."""

    count: int
    total_grosze: int  # what they all ask for
    own: int  # of them, those the approver prepared or changed: never theirs to decide
    decidable_total_grosze: int  # what the others ask for
    check: int  # the sum of the others' ids (see Confirmed)

    @property
    def decidable(self) -> int:
        return self.count - self.own

    @property
    def confirmed(self) -> Confirmed:
        """What a confirmation of this summary carries."""
        return Confirmed(self.decidable, self.decidable_total_grosze, self.check)


def _months() -> ColumnElement[int]:
    """The months from a request's first to its last, both counted."""

    def ordinal(month: ColumnElement[date | None]) -> ColumnElement[int]:
        return cast(extract("year", month), Integer) * 12 + cast(extract("month", month), Integer)

    return (
        ordinal(Allowance.__table__.c.last_month) - ordinal(Allowance.__table__.c.first_month) + 1
    )


def total() -> ColumnElement[int]:
    """A request's amount in all, as `allowances.total` reckons it: a periodic allowance's
    monthly amount times its months, any other its one amount."""
    return case(
        (
            (Allowance.kind == AllowanceKind.PERIODIC)
            & Allowance.first_month.is_not(None)
            & Allowance.last_month.is_not(None),
            Allowance.amount_grosze * _months(),
        ),
        else_=Allowance.amount_grosze,
    )


def _own(approver: User) -> ColumnElement[bool]:
    """The approver prepared the request or changed it (the audit trail says who did), as
    `approvals.editors` reads it."""
    changed = exists().where(
        AuditEntry.entity_type == Allowance.__tablename__,
        AuditEntry.entity_id == Allowance.id,
        AuditEntry.action.in_(("allowance.create", "allowance.update")),
        AuditEntry.actor_id == approver.id,
    )
    return or_(Allowance.prepared_by_id == approver.id, changed)


def _matching(centre_id: int, chosen: Filter) -> list[ColumnElement[bool]]:
    where = [Allowance.centre_id == centre_id, Allowance.status == AllowanceStatus.SUBMITTED]
    if chosen.kind is not None:
        where.append(Allowance.kind == chosen.kind)
    if chosen.month is not None:
        where += [
            Allowance.first_month <= chosen.month,
            func.coalesce(Allowance.last_month, Allowance.first_month) >= chosen.month,
        ]
    if chosen.prepared_by_id is not None:
        where.append(Allowance.prepared_by_id == chosen.prepared_by_id)
    if chosen.submitted_before is not None:
        where.append(Allowance.submitted_at < chosen.submitted_before)
    return where


def summary(centre_id: int, chosen: Filter, approver: User) -> Summary:
    """How many requests match, what they ask for, and how many of them are the approver's own:
    one statement, whatever their number."""
    own = _own(approver)
    amount = total()
    row = db.session.execute(
        select(
            func.count(Allowance.id),
            func.coalesce(func.sum(amount), 0),
            func.coalesce(func.sum(case((own, 1), else_=0)), 0),
            func.coalesce(func.sum(case((own, 0), else_=amount)), 0),
            func.coalesce(func.sum(case((own, 0), else_=Allowance.id)), 0),
        ).where(*_matching(centre_id, chosen))
    ).one()
    return Summary(*(int(figure) for figure in row))


def page(centre_id: int, chosen: Filter, pages: Pages) -> list[Allowance]:
    """One page of the matching requests, oldest first, with the person (and their village) and
    the preparer read in the same statement."""
    return list(
        db.session.scalars(
            pages.of(
                select(Allowance)
                .where(*_matching(centre_id, chosen))
                .options(
                    joinedload(Allowance.participant).joinedload(Participant.village),
                    *loading.names(Allowance.prepared_by),
                )
                .order_by(Allowance.submitted_at, Allowance.id)
            )
        )
    )


def own_of(approver: User, shown: list[Allowance]) -> set[int]:
    """Of the requests shown, those the approver prepared or changed (one statement)."""
    edited_by = approvals.editors([a.id for a in shown])
    return {
        a.id for a in shown if approver.id == a.prepared_by_id or approver.id in edited_by[a.id]
    }


def approve_all(
    centre_id: int, chosen: Filter, *, confirmed: Confirmed, approver: User, now: datetime
) -> tuple[list[int], dict[int, PortalError]]:
    """Approve every request the filter matches that the approver may decide, as long as they
    are still exactly the ones confirmed (their number, amount and ids); otherwise ListChanged
    and nothing is decided. The budget stops where it runs out, oldest first."""
    own = _own(approver)
    found = db.session.execute(
        select(Allowance.id, total()).where(*_matching(centre_id, chosen), ~own)
    ).all()
    now_matching = Confirmed(
        len(found), sum(amount for _id, amount in found), sum(i for i, _amount in found)
    )
    if now_matching != confirmed:
        raise ListChanged()
    if not found:
        return [], {}
    return approvals.approve_many(
        [i for i, _amount in found], centre_id=centre_id, approver=approver, now=now
    )
