"""Monthly payment lists: the approved instalments due, marked paid once and never changed."""

from collections import defaultdict
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import database
from portal.extensions import db
from portal.models import Allowance, Instalment, Participant, PaymentList, User
from portal.models.enums import AllowanceStatus, InstalmentStatus
from portal.services.audit import audit
from portal.services.common import dates
from portal.services.common.errors import NotFound, PortalError
from portal.services.money import budget
from portal.services.support import entitlements


class PaymentRefused(PortalError):
    message = _l("The payment list cannot be changed this way.")


def get_or_create(centre_id: int, month: date, *, actor: User, now: datetime) -> PaymentList:
    """The month's list, taking every approved instalment of the month not yet on a list (and
    none dated after its contract's end or the person's exit: services/support/entitlements)."""
    month = month.replace(day=1)
    payment_list = db.session.scalar(
        select(PaymentList).where(PaymentList.centre_id == centre_id, PaymentList.month == month)
    )
    if payment_list is None:
        payment_list = PaymentList(centre_id=centre_id, month=month, created_by_id=actor.id)
        try:
            with db.session.begin_nested():
                db.session.add(payment_list)
                db.session.flush()
        except IntegrityError:  # created by someone else just now
            payment_list = db.session.scalars(
                select(PaymentList).where(
                    PaymentList.centre_id == centre_id, PaymentList.month == month
                )
            ).one()
        else:
            audit.record(
                "payment_list.create",
                payment_list,
                actor=actor,
                at=now,
                changes={"month": (None, month)},
            )
    approved = select(Allowance.id).where(Allowance.status == AllowanceStatus.APPROVED)
    db.session.execute(
        update(Instalment)
        .where(
            Instalment.centre_id == centre_id,
            Instalment.month == month,
            Instalment.status == InstalmentStatus.DUE,
            Instalment.payment_list_id.is_(None),
            Instalment.allowance_id.in_(approved),
            entitlements.not_ended_in(month),
        )
        .values(payment_list_id=payment_list.id)
        .execution_options(synchronize_session=False)
    )
    return payment_list


def get(centre_id: int, list_id: int) -> PaymentList:
    payment_list = db.session.scalar(
        select(PaymentList).where(PaymentList.id == list_id, PaymentList.centre_id == centre_id)
    )
    if payment_list is None:
        raise NotFound()
    return payment_list


def list_for(centre_id: int) -> list[PaymentList]:
    """The centre's payment lists, the latest month first."""
    return list(
        db.session.scalars(
            select(PaymentList)
            .where(PaymentList.centre_id == centre_id)
            .order_by(PaymentList.month.desc())
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
    """Mark items paid on a date; a paid item is never changed again. Returns how many."""
    if paid_on > dates.local_date(now):
        raise PaymentRefused(_l("The payment date cannot be in the future."), field="paid_on")
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
    changed = database.rows_changed(
        update(Instalment)
        .where(Instalment.id.in_(ids), Instalment.status == InstalmentStatus.DUE)
        .values(status=InstalmentStatus.PAID, paid_on=paid_on)
        .execution_options(synchronize_session=False),
    )
    if changed != len(ids):
        raise PaymentRefused(
            _l("Someone else has just marked some of these items paid. Reload the list.")
        )
    by_line: dict[int, int] = defaultdict(int)
    for instalment in chosen:
        by_line[instalment.allowance.charged_line_id] += instalment.amount_grosze
    budget.pay(by_line)
    audit.record_many(
        "instalment.paid",
        Instalment.__tablename__,
        ids,
        actor=actor,
        centre_id=payment_list.centre_id,
        at=now,
        changes={
            "status": (InstalmentStatus.DUE, InstalmentStatus.PAID),
            "paid_on": (None, paid_on),
        },
    )
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
    if fully_paid:
        db.session.execute(
            update(Allowance)
            .where(Allowance.id.in_(fully_paid))
            .values(status=AllowanceStatus.PAID)
            .execution_options(synchronize_session=False)
        )
        audit.record_many(
            "allowance.paid",
            Allowance.__tablename__,
            list(fully_paid),
            actor=actor,
            centre_id=payment_list.centre_id,
            at=now,
            changes={"status": (AllowanceStatus.APPROVED, AllowanceStatus.PAID)},
        )
    return len(ids)
