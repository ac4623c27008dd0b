"""Monthly payment lists: the approved instalments due, marked paid once and never changed."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from portal.extensions import db
from portal.models import Allowance, Instalment, Participant, PaymentList, User
from portal.models.enums import AllowanceStatus, InstalmentStatus
from portal.services.audit import audit
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.common.pages import Pages
from portal.services.lifecycle import transitions
from portal.services.money import budget
from portal.services.support import entitlements, list_locks


class PaymentRefused(PortalError):
    message = _l("The payment list cannot be changed this way.")


def get_or_create(centre_id: int, month: date, *, actor: User, now: datetime) -> PaymentList:
    """The month's open list, taking every approved instalment of the month not yet on a list
    (and none dated after its contract's end or the person's exit: services/support/
    entitlements). When the month's list has been exported to the bank (services/support/
    list_locks) what came due since goes on a correction list, the month's next one.

    A month that has not begun in Warsaw has no list yet: nothing for it can be paid before
    then, and what ends before it (a contract, a person's exit) must still be able to take its
    instalments off without a list in the way."""
    month = month.replace(day=1)
    if month > dates.local_date(now).replace(day=1):
        raise PaymentRefused(
            _l("This month has not begun yet: its payment list can be made from its first day."),
            field="month",
        )
    latest = _latest(centre_id, month)
    if latest is None:
        payment_list = _create(centre_id, month, 1, actor=actor, now=now)
    elif latest.is_locked and _pending(centre_id, month):
        payment_list = _create(centre_id, month, latest.sequence + 1, actor=actor, now=now)
    else:
        payment_list = latest
    # Read afresh under the row's lock: an export in between has locked the list.
    (payment_list,) = list_locks.locked([payment_list.id])
    if payment_list.is_locked:
        return payment_list
    db.session.execute(
        update(Instalment)
        .where(_pending_in(centre_id, month))
        .values(payment_list_id=payment_list.id)
        .execution_options(synchronize_session=False)
    )
    return payment_list


def _latest(centre_id: int, month: date) -> PaymentList | None:
    return db.session.scalar(
        select(PaymentList)
        .where(PaymentList.centre_id == centre_id, PaymentList.month == month)
        .order_by(PaymentList.sequence.desc())
        .limit(1)
    )


def _pending_in(centre_id: int, month: date) -> ColumnElement[bool]:
    """Instalments of the month a list would take: approved, due, on no list, not ended."""
    approved = select(Allowance.id).where(Allowance.status == AllowanceStatus.APPROVED)
    return and_(
        Instalment.centre_id == centre_id,
        Instalment.month == month,
        Instalment.status == InstalmentStatus.DUE,
        Instalment.payment_list_id.is_(None),
        Instalment.allowance_id.in_(approved),
        entitlements.not_ended_in(month),
    )


def _pending(centre_id: int, month: date) -> bool:
    return bool(db.session.scalar(select(exists().where(_pending_in(centre_id, month)))))


def _create(
    centre_id: int, month: date, sequence: int, *, actor: User, now: datetime
) -> PaymentList:
    payment_list = PaymentList(
        centre_id=centre_id, month=month, sequence=sequence, created_by_id=actor.id
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment_list)
            db.session.flush()
    except IntegrityError:  # created by someone else just now
        return db.session.scalars(
            select(PaymentList).where(
                PaymentList.centre_id == centre_id,
                PaymentList.month == month,
                PaymentList.sequence == sequence,
            )
        ).one()
    audit.record(
        "payment_list.create",
        payment_list,
        actor=actor,
        at=now,
        changes={"month": (None, month)} | ({"sequence": (None, sequence)} if sequence > 1 else {}),
    )
    return payment_list


def list_for(centre_id: int) -> list[PaymentList]:
    """The centre's payment lists, the latest month first."""
    return list(
        db.session.scalars(
            select(PaymentList)
            .where(PaymentList.centre_id == centre_id)
            .order_by(PaymentList.month.desc(), PaymentList.sequence.desc())
        )
    )


def items(payment_list: PaymentList) -> list[Instalment]:
    return list(
        db.session.scalars(
            select(Instalment)
            .where(Instalment.payment_list_id == payment_list.id)
            .options(
                selectinload(Instalment.allowance)
                .selectinload(Allowance.participant)
                .selectinload(Participant.village)
            )
            .join(Allowance)
            .join(Participant)
            .order_by(Participant.last_name, Participant.first_name, Instalment.id)
        )
    )


@dataclass(frozen=True)
class Figures:
    """A list's number of items and its amounts, from one aggregate statement."""

    count: int
    all: int
    paid: int
    due: int


def figures(payment_list: PaymentList) -> Figures:
    """The whole list's figures for its page (the files add up their own rows)."""

    def amount_if(status: InstalmentStatus) -> ColumnElement[int]:
        return func.coalesce(
            func.sum(case((Instalment.status == status, Instalment.amount_grosze), else_=0)), 0
        )

    row = db.session.execute(
        select(
            func.count(Instalment.id),
            func.coalesce(func.sum(Instalment.amount_grosze), 0),
            amount_if(InstalmentStatus.PAID),
            amount_if(InstalmentStatus.DUE),
        ).where(Instalment.payment_list_id == payment_list.id)
    ).one()
    return Figures(*(int(figure) for figure in row))


def page(payment_list: PaymentList, pages: Pages) -> list[Instalment]:
    """One page of the list in its order (by name), each person with their village read in the
    same statement."""
    return list(
        db.session.scalars(
            pages.of(
                select(Instalment)
                .join(Instalment.allowance)
                .join(Allowance.participant)
                .outerjoin(Participant.village)
                .where(Instalment.payment_list_id == payment_list.id)
                .options(
                    contains_eager(Instalment.allowance)
                    .contains_eager(Allowance.participant)
                    .contains_eager(Participant.village)
                )
                .order_by(Participant.last_name, Participant.first_name, Instalment.id)
            )
        )
    )


def totals(instalments: list[Instalment]) -> dict[str, int]:
    return {
        "all": sum(i.amount_grosze for i in instalments),
        "paid": sum(i.amount_grosze for i in instalments if i.status == InstalmentStatus.PAID),
        "due": sum(i.amount_grosze for i in instalments if i.status == InstalmentStatus.DUE),
    }


def mark_paid(
    payment_list: PaymentList,
    instalment_ids: list[int],
    *,
    paid_on: date,
    actor: User,
    now: datetime,
) -> int:
    """Mark items paid on a date, within the list's month or after it, never in the future; a
    paid item is never changed again. Returns how many."""
    if paid_on > dates.local_date(now):
        raise PaymentRefused(_l("The payment date cannot be in the future."), field="paid_on")
    if paid_on < payment_list.month:
        raise PaymentRefused(
            _l(
                "The list's month has not begun on that date: the items can be marked paid "
                "from %(day)s.",
                day=payment_list.month.isoformat(),
            ),
            field="paid_on",
        )
    chosen = db.session.scalars(
        select(Instalment)
        .where(
            Instalment.id.in_(instalment_ids),
            Instalment.payment_list_id == payment_list.id,
            Instalment.status == InstalmentStatus.DUE,
        )
        .options(selectinload(Instalment.allowance))
    ).all()
    if not chosen:
        return 0
    ids = [i.id for i in chosen]
    budget.lock({i.allowance.budget_line_id for i in chosen})
    someone_else = PaymentRefused(
        _l("Someone else has just marked some of these items paid. Reload the list.")
    )
    transitions.move_many(
        Instalment,
        ids,
        "pay",
        actor=actor,
        centre_id=payment_list.centre_id,
        lost=someone_else,
        now=now,
        paid_on=paid_on,
    )
    by_line: dict[int, int] = defaultdict(int)
    for instalment in chosen:
        by_line[instalment.allowance.charged_line_id] += instalment.amount_grosze
    budget.pay(by_line)
    # An allowance whose every instalment is paid is paid.
    allowance_ids = {i.allowance_id for i in chosen}
    unpaid = select(Instalment.allowance_id).where(
        Instalment.allowance_id.in_(allowance_ids), Instalment.status == InstalmentStatus.DUE
    )
    fully_paid = db.session.scalars(
        select(Allowance.id).where(
            Allowance.id.in_(allowance_ids),
            Allowance.status == AllowanceStatus.APPROVED,
            Allowance.id.not_in(unpaid),
        )
    ).all()
    transitions.move_many(
        Allowance,
        fully_paid,
        "pay",
        actor=actor,
        centre_id=payment_list.centre_id,
        lost=someone_else,
        now=now,
    )
    return len(ids)
