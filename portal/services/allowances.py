"""Allowances: drafted by a social worker, decided by someone else, charged to the budget.

Decisions are conditional UPDATEs (status = 'submitted'), so a double click or two
coordinators at once have one effect; the budget line is locked while it is charged, and
its CHECK constraint (committed <= planned) is the last line against overspending.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BudgetLine,
    Centre,
    Instalment,
    Participant,
    ProjectStage,
    SocialContract,
    User,
)
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    BudgetLineKind,
    ContractStatus,
    InstalmentStatus,
    PurposeCategory,
)
from portal.services import audit, dates
from portal.services.errors import NotFound, PortalError

A = AllowanceStatus
EDITABLE = (A.DRAFT, A.SUBMITTED)


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
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return result


def instalment_plan(allowance: Allowance, *, decided_on: date) -> list[tuple[date, int]]:
    """One instalment per month of a periodic allowance; otherwise one, in its month."""
    if allowance.kind == AllowanceKind.PERIODIC:
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


def _check(person: Participant, contract: SocialContract | None, fields: AllowanceFields) -> None:
    centre = db.session.get(Centre, person.centre_id)
    limit = _limit(centre, fields.kind)
    if limit is not None and fields.amount_grosze > limit:
        from portal.i18n import money

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
                    start=contract.start_date.isoformat(),
                    end=contract.end_date.isoformat(),
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
    _check(person, contract, fields)
    values = vars(fields).copy()
    if fields.kind != AllowanceKind.PERIODIC:
        values["first_month"] = month_start(fields.first_month or dates.local_date(now))
        values["last_month"] = None
    allowance = Allowance(
        centre_id=person.centre_id,
        participant_id=person.id,
        contract_id=contract.id if contract else None,
        prepared_by_id=prepared_by.id,
        status=A.DRAFT,
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
    _check(allowance.participant, contract, fields)
    values = vars(fields).copy() | {"contract_id": contract.id if contract else None}
    if fields.kind != AllowanceKind.PERIODIC:  # as in create(): one month, no last month
        values["first_month"] = month_start(fields.first_month or dates.local_date(now))
        values["last_month"] = None
    # Still undecided at the moment of writing (a decision may have been saved since the read).
    result = db.session.execute(
        update(Allowance)
        .where(Allowance.id == allowance.id, Allowance.status.in_(EDITABLE))
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AllowanceRefused(_l("Someone else has just decided or changed this request."))
    changes = audit.diff(allowance, values)
    if changes:
        audit.record("allowance.update", allowance, actor=actor, changes=changes, at=now)


def _move(
    allowance: Allowance,
    old: tuple[AllowanceStatus, ...],
    new: AllowanceStatus,
    *,
    actor: User,
    now: datetime,
    **values,
) -> None:
    current = allowance.status
    if current not in old:
        raise AllowanceRefused()
    result = db.session.execute(
        update(Allowance)
        .where(Allowance.id == allowance.id, Allowance.status == current)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AllowanceRefused(_l("Someone else has just decided or changed this request."))
    db.session.refresh(allowance)
    audit.record(
        f"allowance.{new.value}",
        allowance,
        actor=actor,
        at=now,
        changes={"status": (current, new)} | {k: (None, v) for k, v in values.items()},
    )


def submit(allowance: Allowance, *, actor: User, now: datetime) -> None:
    _move(allowance, (A.DRAFT,), A.SUBMITTED, actor=actor, now=now, submitted_at=now)


def _editors(allowance_ids: list[int]) -> dict[int, set[int]]:
    """Who prepared or changed each request (from the audit trail)."""
    rows = db.session.execute(
        select(AuditEntry.entity_id, AuditEntry.actor_id).where(
            AuditEntry.entity_type == Allowance.__tablename__,
            AuditEntry.entity_id.in_(allowance_ids),
            AuditEntry.action.in_(("allowance.create", "allowance.update")),
        )
    )
    editors: dict[int, set[int]] = defaultdict(set)
    for entity_id, actor_id in rows:
        editors[entity_id].add(actor_id)
    return editors


def reject(allowance: Allowance, *, reason: str, approver: User, now: datetime) -> None:
    if not reason.strip():
        raise AllowanceRefused(_l("Give the reason for rejecting."), field="reason")
    if approver.id in _editors([allowance.id])[allowance.id] | {allowance.prepared_by_id}:
        raise OwnRequest()
    _move(
        allowance,
        (A.SUBMITTED,),
        A.REJECTED,
        actor=approver,
        now=now,
        decided_by_id=approver.id,
        decided_at=now,
        rejection_reason=reason.strip(),
    )


def _allowance_lines(project_ids: set[int]) -> dict[tuple[int, int], int]:
    """(project id, year) -> the id of that stage's allowance line, in one query."""
    rows = db.session.execute(
        select(ProjectStage.project_id, ProjectStage.year, BudgetLine.id)
        .join(BudgetLine, BudgetLine.stage_id == ProjectStage.id)
        .where(
            ProjectStage.project_id.in_(project_ids), BudgetLine.kind == BudgetLineKind.ALLOWANCES
        )
    )
    return {(project_id, year): line_id for project_id, year, line_id in rows}


def approve_many(
    allowance_ids: list[int], *, centre_id: int, approver: User, now: datetime
) -> tuple[list[int], dict[int, PortalError]]:
    """Approve the submitted requests that the approver may decide and the budget can carry.

    Oldest first. Returns the approved ids and, for the rest, why not. Set-based: a few
    statements whatever the number of requests.
    """
    candidates = db.session.scalars(
        select(Allowance).where(Allowance.id.in_(allowance_ids), Allowance.centre_id == centre_id)
    ).all()
    refused: dict[int, PortalError] = {}
    plans: dict[int, list[tuple[date, int]]] = {}
    lines: dict[int, int] = {}
    projects = {
        person_id: project_id
        for person_id, project_id in db.session.execute(
            select(Participant.id, Participant.project_id).where(
                Participant.id.in_({a.participant_id for a in candidates})
            )
        )
    }
    allowance_lines = _allowance_lines(set(projects.values()))
    for allowance in candidates:
        plans[allowance.id] = instalment_plan(allowance, decided_on=dates.local_date(now))
        first_month = plans[allowance.id][0][0]
        line = allowance_lines.get((projects[allowance.participant_id], first_month.year))
        if line is None:
            refused[allowance.id] = BudgetExceeded(
                _l(
                    "There is no allowance budget line for %(year)d.",
                    year=plans[allowance.id][0][0].year,
                )
            )
        else:
            lines[allowance.id] = line
    # Lock the lines, then read the requests again: what another coordinator decided
    # meanwhile is seen now.
    budget = {
        line.id: line
        for line in db.session.scalars(
            select(BudgetLine)
            .where(BudgetLine.id.in_(set(lines.values())))
            .order_by(BudgetLine.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    # Lock the requests still waiting too: a correction being saved right now (new amount, new
    # editor) is waited for and read in full, never approved as it was before.
    db.session.execute(
        select(Allowance.id)
        .where(Allowance.id.in_(list(lines)), Allowance.status == A.SUBMITTED)
        .with_for_update()
    )
    fresh = db.session.scalars(
        select(Allowance)
        .where(Allowance.id.in_(list(lines)))
        .order_by(Allowance.submitted_at, Allowance.id)
        .execution_options(populate_existing=True)
    ).all()
    editors = _editors([a.id for a in fresh])
    left = {
        line_id: line.planned_grosze - line.committed_grosze for line_id, line in budget.items()
    }
    charge: dict[int, int] = defaultdict(int)
    accepted: list[Allowance] = []
    for allowance in fresh:
        plans[allowance.id] = instalment_plan(allowance, decided_on=dates.local_date(now))
        if allowance.status != A.SUBMITTED:
            refused[allowance.id] = AllowanceRefused(
                _l("This request is not waiting for a decision.")
            )
        elif approver.id == allowance.prepared_by_id or approver.id in editors[allowance.id]:
            refused[allowance.id] = OwnRequest()
        elif (amount := sum(a for _, a in plans[allowance.id])) > left[lines[allowance.id]]:
            refused[allowance.id] = BudgetExceeded()
        else:
            left[lines[allowance.id]] -= amount
            charge[lines[allowance.id]] += amount
            accepted.append(allowance)
    if not accepted:
        return [], refused
    for line_id, amount in charge.items():
        result = db.session.execute(
            update(BudgetLine)
            .where(
                BudgetLine.id == line_id,
                BudgetLine.committed_grosze + amount <= BudgetLine.planned_grosze,
            )
            .values(committed_grosze=BudgetLine.committed_grosze + amount)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise BudgetExceeded()
    ids = [a.id for a in accepted]
    for line_id in set(lines[i] for i in ids):
        line_ids = [i for i in ids if lines[i] == line_id]
        result = db.session.execute(
            update(Allowance)
            .where(
                Allowance.id.in_(line_ids),
                Allowance.status == A.SUBMITTED,
                Allowance.prepared_by_id != approver.id,
            )
            .values(
                status=A.APPROVED, decided_by_id=approver.id, decided_at=now, budget_line_id=line_id
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != len(line_ids):
            raise AllowanceRefused(
                _l(
                    "Someone else has just decided some of these requests. "
                    "Nothing was approved; try again."
                )
            )
    db.session.execute(
        insert(Instalment),
        [
            {
                "centre_id": a.centre_id,
                "allowance_id": a.id,
                "month": month,
                "amount_grosze": amount,
                "status": InstalmentStatus.DUE,
            }
            for a in accepted
            for month, amount in plans[a.id]
        ],
    )
    audit.record_many(
        "allowance.approved",
        Allowance.__tablename__,
        ids,
        actor=approver,
        centre_id=centre_id,
        at=now,
        changes={"status": (A.SUBMITTED, A.APPROVED)},
    )
    return ids, refused


def lock_budget_lines(line_ids: set[int | None]) -> None:
    """Lock budget lines in id order (a no-op on SQLite, whose transaction holds the lock)."""
    ids = sorted(i for i in line_ids if i is not None)
    if ids:
        db.session.execute(
            select(BudgetLine.id)
            .where(BudgetLine.id.in_(ids))
            .order_by(BudgetLine.id)
            .with_for_update()
        )


def withdraw(allowance: Allowance, *, actor: User, now: datetime) -> None:
    """Take a request back; an approved one only while nothing of it is paid (budget released)."""
    if allowance.status == A.APPROVED:
        # The budget line first, as in payments.mark_paid: one lock order, no deadlock.
        lock_budget_lines({allowance.budget_line_id})
        instalments = db.session.scalars(
            select(Instalment).where(Instalment.allowance_id == allowance.id)
        ).all()
        if any(i.status == InstalmentStatus.PAID for i in instalments):
            raise AllowanceRefused(
                _l("Part of this allowance is already paid: it cannot be withdrawn.")
            )
        _move(allowance, (A.APPROVED,), A.WITHDRAWN, actor=actor, now=now, withdrawn_at=now)
        amount = sum(i.amount_grosze for i in instalments)
        db.session.execute(
            update(BudgetLine)
            .where(BudgetLine.id == allowance.budget_line_id)
            .values(committed_grosze=BudgetLine.committed_grosze - amount)
            .execution_options(synchronize_session=False)
        )
        # Only while still due: one paid in a parallel request since the read above stays.
        result = db.session.execute(
            delete(Instalment)
            .where(
                Instalment.allowance_id == allowance.id,
                Instalment.status == InstalmentStatus.DUE,
            )
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != len(instalments):
            raise AllowanceRefused(
                _l("Part of this allowance is already paid: it cannot be withdrawn.")
            )
        return
    _move(allowance, EDITABLE, A.WITHDRAWN, actor=actor, now=now, withdrawn_at=now)


def get(centre_id: int, allowance_id: int) -> Allowance:
    allowance = db.session.scalar(
        select(Allowance).where(Allowance.id == allowance_id, Allowance.centre_id == centre_id)
    )
    if allowance is None:
        raise NotFound()
    return allowance


def received_in_year(participant_id: int, year: int) -> int:
    """What the person was granted this year (approved or paid instalments), in grosze."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Instalment.amount_grosze), 0))
        .join(Allowance)
        .where(
            Allowance.participant_id == participant_id,
            Allowance.status.in_((A.APPROVED, A.PAID)),
            Instalment.month >= date(year, 1, 1),
            Instalment.month <= date(year, 12, 31),
        )
    )


def queue(
    centre_id: int,
    *,
    kind: AllowanceKind | None = None,
    month: date | None = None,
    prepared_by_id: int | None = None,
    limit: int = 500,
) -> list[Allowance]:
    """Submitted requests waiting for a decision, oldest first."""
    query = select(Allowance).where(
        Allowance.centre_id == centre_id, Allowance.status == A.SUBMITTED
    )
    if kind is not None:
        query = query.where(Allowance.kind == kind)
    if month is not None:
        query = query.where(
            Allowance.first_month <= month,
            func.coalesce(Allowance.last_month, Allowance.first_month) >= month,
        )
    if prepared_by_id is not None:
        query = query.where(Allowance.prepared_by_id == prepared_by_id)
    return list(
        db.session.scalars(
            query.options(selectinload(Allowance.participant), selectinload(Allowance.prepared_by))
            .order_by(Allowance.submitted_at, Allowance.id)
            .limit(limit)
        )
    )


def list_for_participant(participant_id: int) -> list[Allowance]:
    return list(
        db.session.scalars(
            select(Allowance)
            .where(Allowance.participant_id == participant_id, Allowance.status != A.DRAFT)
            .options(selectinload(Allowance.instalments))
            .order_by(Allowance.created_at.desc())
        )
    )


def set_limits(
    centre: Centre,
    *,
    periodic: int | None,
    purpose: int | None,
    in_kind: int | None,
    warning_days: str,
    actor: User,
) -> None:
    """The administrator's limits per request, and when a waiting request counts as overdue."""
    if not warning_days.strip().isdigit() or not 1 <= int(warning_days) <= 365:
        raise AllowanceRefused(
            _l("Enter a number of days from 1 to 365."), field="decision_warning_days"
        )
    changes = audit.diff(
        centre,
        {
            "max_periodic_grosze": periodic,
            "max_purpose_grosze": purpose,
            "max_in_kind_grosze": in_kind,
            "decision_warning_days": int(warning_days),
        },
    )
    if changes:
        audit.record(
            "centre.allowance_limits", centre, actor=actor, centre_id=centre.id, changes=changes
        )
