"""Entitlements end with the contract: a periodic allowance is never paid for a month after the
contract ended or the person left the project.

"After the end" is decided by month: an instalment is dated after the end when its month starts
after the end day. The month holding the end day is still due (the person was supported in it);
the next one is not. The same rule refuses approving a periodic request for months after the
end, keeps such months off payment lists, and is what the confirmation pages count.

When a contract ends (terminated or completed) or a person leaves, every due periodic instalment
dated after the end is cancelled, taken off the unpaid payment list it may be on, and its money
is released to the line it was committed to; a paid instalment is never touched: the pages
say beforehand how many after the end are paid already (and how much), and afterwards warn on the
contract's and the person's pages, since the centre may have to recover that money.

Race-safety: the allowance lines are locked first (the order payments.mark_paid uses), then the
instalments themselves (FOR UPDATE), and the cancellation is one UPDATE … WHERE status = 'due'
whose row count must match what the person confirmed (a fingerprint of the instalments shown). A
payment list made at the same time asks for status = 'due' too, so it either took an instalment
first (which is then taken off it here) or never sees it; one being paid at the same time is
either paid first (the confirmation no longer matches: nothing is cancelled, the page asks again)
or finds it cancelled. A CHECK constraint keeps a cancelled instalment off every list. An
instalment on a list already exported to the bank is not cancelled: the whole change is refused
(services/support/list_locks), since the money has left or is leaving.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Allowance, Instalment, Participant, SocialContract, User
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    ContractStatus,
    InstalmentCancellation,
    InstalmentStatus,
)
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.lifecycle import transitions
from portal.services.money import budget
from portal.services.support import list_locks

ENDED = (ContractStatus.TERMINATED, ContractStatus.COMPLETED)


class EntitlementsChanged(PortalError):
    message = _l(
        "The instalments to cancel have changed since you were asked to confirm "
        "(one was paid or granted meanwhile). Check the new figures and confirm again."
    )


def first_month_after(end: date) -> date:
    """The first month an entitlement ending on `end` no longer covers."""
    return dates.next_month(end)


def is_after(month: date, end: date | None) -> bool:
    """Whether an instalment of `month` is dated after an end on `end` (None: no end)."""
    return end is not None and month >= first_month_after(end)


def contract_end(contract: SocialContract) -> date | None:
    """The day a contract's entitlements end: the day it ended, once it has ended."""
    return contract.ended_on if contract.status in ENDED else None


def earliest(*ends: date | None) -> date | None:
    known = [end for end in ends if end is not None]
    return min(known) if known else None


@dataclass(frozen=True)
class Instalments:
    """A set of periodic instalments, as a confirmation page counts them."""

    instalments: list[Instalment]

    @property
    def count(self) -> int:
        return len(self.instalments)

    @property
    def total_grosze(self) -> int:
        return sum(i.amount_grosze for i in self.instalments)

    @property
    def months(self) -> list[date]:
        return sorted({i.month for i in self.instalments})


@dataclass(frozen=True)
class Paid(Instalments):
    """Periodic instalments paid for months after their entitlement ended: nothing takes them
    back, so they stay paid and the centre recovers them from the person if due."""


@dataclass(frozen=True)
class Ending(Instalments):
    """The instalments ending the entitlements on `end` cancels, as the confirmation shows, and
    those after it already paid, which it cannot cancel."""

    end: date
    paid: Paid = field(default_factory=lambda: Paid([]))

    @property
    def on_lists(self) -> int:
        """How many are on a payment list not paid yet (they are taken off it)."""
        return sum(1 for i in self.instalments if i.payment_list_id is not None)

    @property
    def fingerprint(self) -> str:
        """Names exactly these instalments: a confirmation is only good for what it showed."""
        named = ",".join(f"{i.id}:{i.amount_grosze}" for i in sorted(self.instalments, key=_id))
        return hashlib.sha256(named.encode()).hexdigest()[:32]


def _id(instalment: Instalment) -> int:
    return instalment.id


def _due_after(whose: ColumnElement[bool], end: date, *, lock: bool) -> list[Instalment]:
    query: Select[Any] = (
        select(Instalment)
        .join(Allowance, Allowance.id == Instalment.allowance_id)
        .where(
            whose,
            Allowance.kind == AllowanceKind.PERIODIC,
            Instalment.status == InstalmentStatus.DUE,
            Instalment.month >= first_month_after(end),
        )
        .options(selectinload(Instalment.allowance))
        .order_by(Instalment.month, Instalment.id)
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(of=Instalment)
    return list(db.session.scalars(query))


def _paid_after(whose: ColumnElement[bool], end: date | None = None) -> list[Instalment]:
    """The paid periodic instalments of `whose` from the month after `end` (None: any month)."""
    return list(
        db.session.scalars(
            select(Instalment)
            .join(Allowance, Allowance.id == Instalment.allowance_id)
            .where(
                whose,
                Allowance.kind == AllowanceKind.PERIODIC,
                Instalment.status == InstalmentStatus.PAID,
                Instalment.month >= first_month_after(end) if end is not None else true(),
            )
            .order_by(Instalment.month, Instalment.id)
        )
    )


def _of_contract(contract: SocialContract) -> ColumnElement[bool]:
    return Allowance.contract_id == contract.id


def _of_person(person: Participant) -> ColumnElement[bool]:
    return Allowance.participant_id == person.id


def preview_for_contract(contract: SocialContract, end: date) -> Ending:
    """What ending `contract` on `end` would cancel, and what after it is paid (read only)."""
    whose = _of_contract(contract)
    return Ending(_due_after(whose, end, lock=False), end=end, paid=Paid(_paid_after(whose, end)))


def preview_for_person(person: Participant, end: date) -> Ending:
    """What the person's leaving on `end` would cancel, and what after it is paid (read only)."""
    whose = _of_person(person)
    return Ending(_due_after(whose, end, lock=False), end=end, paid=Paid(_paid_after(whose, end)))


def paid_after_end_of_contract(contract: SocialContract) -> Paid:
    """The contract's instalments paid for months after its end or the person's exit."""
    return _paid_after_end(_of_contract(contract))


def paid_after_end_of_person(person: Participant) -> Paid:
    """The person's instalments paid for months after their contract's end or their exit."""
    return _paid_after_end(_of_person(person))


def _paid_after_end(whose: ColumnElement[bool]) -> Paid:
    paid = _paid_after(whose)
    ends = ends_of_allowances(sorted({i.allowance_id for i in paid}))
    return Paid([i for i in paid if is_after(i.month, ends.get(i.allowance_id))])


def end_for_contract(
    contract: SocialContract,
    end: date,
    *,
    reason: str,
    confirmed: str | None,
    actor: User,
    now: datetime,
) -> Ending:
    """Cancel the contract's periodic instalments dated after `end` (see the module); the
    trail names the contract, how it ended and the reason given, if any."""
    how = {"contract_id": contract.id, "contract_status": contract.status}
    return _cancel(
        _of_contract(contract),
        end,
        cause=InstalmentCancellation.CONTRACT_ENDED,
        audit_values=how | ({"reason": reason} if reason else {}),
        confirmed=confirmed,
        actor=actor,
        now=now,
    )


def end_for_person(
    person: Participant,
    end: date,
    *,
    reason: str,
    confirmed: str | None,
    actor: User,
    now: datetime,
) -> Ending:
    """Cancel the person's periodic instalments dated after their exit on `end`; the trail
    names the person and the reason for leaving, if any."""
    return _cancel(
        _of_person(person),
        end,
        cause=InstalmentCancellation.PERSON_LEFT,
        audit_values={"participant_id": person.id} | ({"reason": reason} if reason else {}),
        confirmed=confirmed,
        actor=actor,
        now=now,
    )


def _cancel(
    whose: ColumnElement[bool],
    end: date,
    *,
    cause: InstalmentCancellation,
    audit_values: dict[str, Any],
    confirmed: str | None,
    actor: User,
    now: datetime,
) -> Ending:
    """`confirmed` is the fingerprint the person saw (None: they were shown nothing to cancel)."""
    seen = _due_after(whose, end, lock=False)
    budget.lock({i.allowance.budget_line_id for i in seen})
    # Lists before instalments, the order a payment list takes them in (payments.get_or_create).
    list_locks.refuse_if_exported(i.payment_list_id for i in seen)
    ending = Ending(_due_after(whose, end, lock=True), end=end)
    expected = confirmed or Ending([], end=end).fingerprint
    if ending.fingerprint != expected:
        raise EntitlementsChanged()
    cancel(
        ending.instalments,
        cause=cause,
        audit_values=audit_values | {"ended_on": end},
        actor=actor,
        now=now,
    )
    return ending


def cancel(
    instalments: list[Instalment],
    *,
    cause: InstalmentCancellation,
    audit_values: dict[str, Any],
    actor: User,
    now: datetime,
) -> None:
    """Cancel these due instalments (their lines already locked): off their lists, the money
    back to the lines, each audited with why. One conditional UPDATE; a lost race refuses all."""
    if not instalments:
        return
    # What was sent to the bank stays on its list (services/support/list_locks).
    list_locks.refuse_if_exported(i.payment_list_id for i in instalments)
    centre_id = instalments[0].centre_id
    # Each entry says which month and amount will not be paid, and the list it left.
    each = {
        i.id: {
            "month": (None, i.month),
            "amount_grosze": (None, i.amount_grosze),
            **(
                {"payment_list_id": (i.payment_list_id, None)}
                if i.payment_list_id is not None
                else {}
            ),
            **{name: (None, value) for name, value in audit_values.items()},
        }
        for i in instalments
    }
    transitions.move_many(
        Instalment,
        [i.id for i in instalments],
        "cancel",
        actor=actor,
        centre_id=centre_id,
        lost=EntitlementsChanged(),
        now=now,
        audit_each=each,
        unaudited={"payment_list_id": None},
        cancelled_because=cause,
    )
    by_line: dict[int, int] = defaultdict(int)
    for instalment in instalments:
        by_line[instalment.allowance.charged_line_id] += instalment.amount_grosze
    for line_id, amount in sorted(by_line.items()):
        budget.release(line_id, amount)
    for instalment in instalments:
        db.session.expire(instalment)
    _settle(
        {i.allowance_id for i in instalments},
        centre_id=centre_id,
        actor=actor,
        now=now,
    )


def _settle(allowance_ids: set[int], *, centre_id: int, actor: User, now: datetime) -> None:
    """An approved allowance with nothing left due and something paid is paid (as mark_paid
    says of one whose last instalment is paid); one with nothing paid stays approved."""
    left_due = select(Instalment.allowance_id).where(
        Instalment.allowance_id.in_(allowance_ids), Instalment.status == InstalmentStatus.DUE
    )
    some_paid = select(Instalment.allowance_id).where(
        Instalment.allowance_id.in_(allowance_ids), Instalment.status == InstalmentStatus.PAID
    )
    settled = list(
        db.session.scalars(
            select(Allowance.id).where(
                Allowance.id.in_(allowance_ids),
                Allowance.status == AllowanceStatus.APPROVED,
                Allowance.id.not_in(left_due),
                Allowance.id.in_(some_paid),
            )
        )
    )
    transitions.move_many(
        Allowance,
        settled,
        "pay",
        actor=actor,
        centre_id=centre_id,
        lost=EntitlementsChanged(),
        now=now,
    )


def ends_of_allowances(allowance_ids: list[int]) -> dict[int, date]:
    """allowance id -> the day its entitlement ended (its contract's end, the person's exit,
    whichever came first), for those that have one: one statement."""
    if not allowance_ids:
        return {}
    rows = db.session.execute(
        select(
            Allowance.id,
            SocialContract.status,
            SocialContract.ended_on,
            Participant.support_end,
        )
        .join(Participant, Participant.id == Allowance.participant_id)
        .outerjoin(SocialContract, SocialContract.id == Allowance.contract_id)
        .where(Allowance.id.in_(allowance_ids))
    )
    ends = {}
    for allowance_id, status, ended_on, support_end in rows:
        end = earliest(ended_on if status in ENDED else None, support_end)
        if end is not None:
            ends[allowance_id] = end
    return ends


def not_ended_in(month: date) -> ColumnElement[bool]:
    """Instalments of `month` whose entitlement had not ended before it: a payment list never
    holds a periodic instalment dated after its contract's end or the person's exit."""
    first = month.replace(day=1)
    ended_before = (
        select(Allowance.id)
        .join(Participant, Participant.id == Allowance.participant_id)
        .outerjoin(SocialContract, SocialContract.id == Allowance.contract_id)
        .where(
            Allowance.kind == AllowanceKind.PERIODIC,
            or_(
                Participant.support_end < first,
                and_(SocialContract.status.in_(ENDED), SocialContract.ended_on < first),
            ),
        )
    )
    return Instalment.allowance_id.not_in(ended_before)
