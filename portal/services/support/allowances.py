"""Allowance requests: drafted and corrected by a social worker, submitted, withdrawn; the
centre's limits per request. Deciding them is `portal.services.support.approvals`.

Every change of status is a conditional UPDATE (from the status that was read), so a double
click or two people at once have one effect.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.base import ExecutableOption

from portal import database
from portal.extensions import db
from portal.formatting import money, month
from portal.models import Allowance, Centre, Instalment, Participant, SocialContract, User
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    ContractStatus,
    InstalmentCancellation,
    InstalmentStatus,
    PurposeCategory,
)
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import PortalError
from portal.services.lifecycle import transitions
from portal.services.money import budget
from portal.services.support import entitlements

EDITABLE = (AllowanceStatus.DRAFT, AllowanceStatus.SUBMITTED)


class AllowanceRefused(PortalError):
    message = _l("The request cannot be changed this way.")


class OwnRequest(AllowanceRefused):
    message = _l("You prepared or changed this request, so someone else must decide it.")


class BudgetExceeded(AllowanceRefused):
    message = _l("Not enough money left on the allowance budget line.")


@dataclass
class AllowanceFields:
    kind: AllowanceKind
    amount_grosze: int
    first_month: date | None = None
    last_month: date | None = None
    category: PurposeCategory | None = None
    purpose: str = ""
    justification: str = ""


def month_start(day: date) -> date:
    return day.replace(day=1)


def months(first: date, last: date) -> list[date]:
    result, current = [], month_start(first)
    while current <= last:
        result.append(current)
        if current.year == date.max.year and current.month == 12:
            break  # a record typed before dates were bounded must not break a list page
        current = dates.next_month(current)
    return result


def instalment_plan(allowance: Allowance, *, decided_on: date) -> list[tuple[date, int]]:
    """One instalment per month of a periodic allowance; otherwise one, in its month."""
    # A periodic request always has both months (a table constraint).
    if allowance.kind == AllowanceKind.PERIODIC and allowance.first_month and allowance.last_month:
        return [
            (m, allowance.amount_grosze)
            for m in months(allowance.first_month, allowance.last_month)
        ]
    return [(month_start(allowance.first_month or decided_on), allowance.amount_grosze)]


def total(allowance: Allowance) -> int:
    if allowance.kind == AllowanceKind.PERIODIC and allowance.first_month and allowance.last_month:
        return allowance.amount_grosze * len(months(allowance.first_month, allowance.last_month))
    return allowance.amount_grosze


def _limit(centre: Centre, kind: AllowanceKind) -> int | None:
    return {
        AllowanceKind.PERIODIC: centre.max_periodic_grosze,
        AllowanceKind.PURPOSE: centre.max_purpose_grosze,
        AllowanceKind.IN_KIND: centre.max_in_kind_grosze,
    }[kind]


def check(person: Participant, contract: SocialContract | None, fields: AllowanceFields) -> None:
    """A request's rules (limits, months, the contract); also run by the form in its one pass."""
    centre = db.session.get_one(Centre, person.centre_id)
    limit = _limit(centre, fields.kind)
    if limit is not None and fields.amount_grosze > limit:
        raise AllowanceRefused(
            _l("The limit for this kind of allowance is %(limit)s.", limit=money(limit)),
            field="amount",
        )
    if contract is not None and (
        contract.participant_id != person.id
        or contract.status not in (ContractStatus.SIGNED, ContractStatus.ACTIVE)
    ):
        raise AllowanceRefused(
            _l("Choose a signed or active contract of this person."), field="contract_id"
        )
    if fields.kind == AllowanceKind.PERIODIC:
        if contract is None:
            raise AllowanceRefused(
                _l("A periodic allowance needs a signed contract."), field="contract_id"
            )
        if fields.first_month is None or fields.last_month is None:
            raise AllowanceRefused(_l("Give the first and the last month."), field="first_month")
        if fields.last_month < fields.first_month:
            raise AllowanceRefused(
                _l("The last month cannot be before the first."), field="last_month"
            )
        if month_start(fields.first_month) < month_start(contract.start_date) or month_start(
            fields.last_month
        ) > month_start(contract.end_date):
            raise AllowanceRefused(
                _l(
                    "The months must lie within the contract period (%(start)s – %(end)s).",
                    # Months as every page names them ("październik 2026"), never ISO.
                    start=month(contract.start_date),
                    end=month(contract.end_date),
                ),
                field="first_month",
            )
    else:
        if fields.kind == AllowanceKind.PURPOSE and fields.category is None:
            raise AllowanceRefused(_l("Choose what the allowance is for."), field="category")
        if not fields.purpose.strip():
            raise AllowanceRefused(
                _l("Describe the need.")
                if fields.kind == AllowanceKind.PURPOSE
                else _l("Describe what is given."),
                field="purpose",
            )


def create(
    person: Participant,
    contract: SocialContract | None,
    fields: AllowanceFields,
    *,
    prepared_by: User,
    now: datetime,
) -> Allowance:
    check(person, contract, fields)
    values = vars(fields).copy()
    if fields.kind != AllowanceKind.PERIODIC:
        values["first_month"] = month_start(fields.first_month or dates.local_date(now))
        values["last_month"] = None
    allowance = Allowance(
        centre_id=person.centre_id,
        participant_id=person.id,
        contract_id=contract.id if contract else None,
        prepared_by_id=prepared_by.id,
        **values,
    )
    db.session.add(allowance)
    audit.record(
        "allowance.create",
        allowance,
        actor=prepared_by,
        at=now,
        changes={k: (None, v) for k, v in values.items()},
    )
    return allowance


def update_request(
    allowance: Allowance,
    contract: SocialContract | None,
    fields: AllowanceFields,
    *,
    actor: User,
    now: datetime,
) -> None:
    """Only undecided requests can be edited; whoever edits may not decide it afterwards."""
    if allowance.status not in EDITABLE:
        raise AllowanceRefused(
            _l("A decided request cannot be edited. Withdraw it and prepare a new one.")
        )
    check(allowance.participant, contract, fields)
    values = vars(fields).copy() | {"contract_id": contract.id if contract else None}
    if fields.kind != AllowanceKind.PERIODIC:  # as in create(): one month, no last month
        values["first_month"] = month_start(fields.first_month or dates.local_date(now))
        values["last_month"] = None
    # Still undecided at the moment of writing (a decision may have been saved since the read).
    changed = database.rows_changed(
        update(Allowance)
        .where(Allowance.id == allowance.id, Allowance.status.in_(EDITABLE))
        .values(updated_at=now)
        .execution_options(synchronize_session=False),
    )
    if changed != 1:
        raise AllowanceRefused(_l("Someone else has just decided or changed this request."))
    changes = audit.diff(allowance, values)
    if changes:
        audit.record("allowance.update", allowance, actor=actor, changes=changes, at=now)


def submit(allowance: Allowance, *, actor: User, now: datetime) -> None:
    transitions.move(
        allowance, "submit", refusal=AllowanceRefused(), actor=actor, now=now, submitted_at=now
    )


def withdraw(allowance: Allowance, *, actor: User, now: datetime) -> None:
    """Take a request back; an approved one only while nothing of it is paid (budget released)."""
    if allowance.status == AllowanceStatus.APPROVED:
        # The budget line first, as in payments.mark_paid: one lock order, no deadlock.
        budget.lock({allowance.budget_line_id})
        instalments = db.session.scalars(
            select(Instalment)
            .where(Instalment.allowance_id == allowance.id)
            .options(selectinload(Instalment.allowance))
        ).all()
        if any(i.status == InstalmentStatus.PAID for i in instalments):
            raise AllowanceRefused(
                _l("Part of this allowance is already paid: it cannot be withdrawn.")
            )
        transitions.move(
            allowance,
            "withdraw_approved",
            refusal=AllowanceRefused(),
            actor=actor,
            now=now,
            withdrawn_at=now,
        )
        # Cancelled, not deleted: the trail and the allowance's page keep what was granted. Only
        # while still due: one paid in a parallel request since the read above stays paid.
        try:
            entitlements.cancel(
                [i for i in instalments if i.status == InstalmentStatus.DUE],
                cause=InstalmentCancellation.ALLOWANCE_WITHDRAWN,
                audit_values={},
                actor=actor,
                now=now,
            )
        except entitlements.EntitlementsChanged as error:
            raise AllowanceRefused(
                _l("Part of this allowance is already paid: it cannot be withdrawn.")
            ) from error
        return
    transitions.move(
        allowance, "withdraw", refusal=AllowanceRefused(), actor=actor, now=now, withdrawn_at=now
    )


def received_in_year(participant_id: int, year: int) -> int:
    """What the person was granted this year (approved or paid instalments), in grosze."""
    return db.session.scalars(
        select(func.coalesce(func.sum(Instalment.amount_grosze), 0))
        .join(Allowance)
        .where(
            Allowance.participant_id == participant_id,
            Allowance.status.in_((AllowanceStatus.APPROVED, AllowanceStatus.PAID)),
            Instalment.status != InstalmentStatus.CANCELLED,
            Instalment.month >= date(year, 1, 1),
            Instalment.month <= date(year, 12, 31),
        )
    ).one()


def shown() -> list[ExecutableOption]:
    """What a request's own pages show beside it (its contract, its instalments, who prepared
    and who decided it), loaded with it."""
    return [
        joinedload(Allowance.contract),
        selectinload(Allowance.instalments),
        *loading.names(Allowance.prepared_by, Allowance.decided_by),
    ]


def list_for_participant(participant_id: int, *, limit: int | None = None) -> list[Allowance]:
    """The person's requests, newest first (the `limit` newest: their home page shows five)."""
    return list(
        db.session.scalars(
            select(Allowance)
            .where(
                Allowance.participant_id == participant_id,
                Allowance.status != AllowanceStatus.DRAFT,
            )
            .options(selectinload(Allowance.instalments))
            .order_by(Allowance.created_at.desc(), Allowance.id.desc())
            .limit(limit)
        )
    )


def set_limits(
    centre: Centre,
    *,
    periodic: int | None,
    purpose: int | None,
    in_kind: int | None,
    warning_days: int,
    actor: User,
) -> None:
    """The administrator's limits per request, and when a waiting request counts as overdue."""
    if not 1 <= warning_days <= 365:
        raise AllowanceRefused(
            _l("Enter a number of days from 1 to 365."), field="decision_warning_days"
        )
    changes = audit.diff(
        centre,
        {
            "max_periodic_grosze": periodic,
            "max_purpose_grosze": purpose,
            "max_in_kind_grosze": in_kind,
            "decision_warning_days": warning_days,
        },
    )
    if changes:
        audit.record(
            "centre.allowance_limits", centre, actor=actor, centre_id=centre.id, changes=changes
        )
