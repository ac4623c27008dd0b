"""Deciding allowance requests: four-eyes, the queue, rejecting, approving many at once.

Whoever prepared or changed a request may not decide it (the audit trail says who did; a
CHECK constraint backs the preparer). Approving is set-based: the budget lines are locked
first, then the requests are read again, so what another coordinator decided meanwhile is seen;
the decision itself is a conditional UPDATE (status = 'submitted'), so it has one effect.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, insert, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Allowance, AuditEntry, Instalment, Participant, User
from portal.models.enums import AllowanceKind, AllowanceStatus, BudgetLineKind
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.lifecycle import transitions
from portal.services.money import budget
from portal.services.support import allowances, entitlements
from portal.services.support.allowances import (
    AllowanceRefused,
    BudgetExceeded,
    OwnRequest,
    instalment_plan,
)


class ListChanged(AllowanceRefused):
    message = _l(
        "The requests waiting have changed since you were asked to confirm. "
        "Check the new number and confirm again."
    )


@dataclass
class _Approval:
    allowance: Allowance
    line_id: int
    plan: list[tuple[date, int]]

    @property
    def amount(self) -> int:
        return sum(amount for _month, amount in self.plan)


@dataclass(frozen=True)
class Filter:
    """Which waiting requests the queue shows (and "approve all shown" approves)."""

    kind: AllowanceKind | None = None
    month: date | None = None
    prepared_by_id: int | None = None
    submitted_before: datetime | None = None  # waiting longer than the centre's warning


@dataclass(frozen=True)
class Batch:
    """Every request a filter matches now, as "approve all shown" offers it."""

    ids: list[int]
    own: set[int]  # those the approver prepared or changed: never theirs to decide
    total_grosze: int  # what the ones the approver may decide ask for in all

    @property
    def decidable(self) -> int:
        return len(self.ids) - len(self.own)

    @property
    def fingerprint(self) -> str:
        """Names exactly this set: a confirmation is only good for the requests it showed."""
        return hashlib.sha256(",".join(map(str, sorted(self.ids))).encode()).hexdigest()[:32]


def _waiting(centre_id: int, chosen: Filter) -> Select[Allowance]:
    query = select(Allowance).where(
        Allowance.centre_id == centre_id, Allowance.status == AllowanceStatus.SUBMITTED
    )
    if chosen.kind is not None:
        query = query.where(Allowance.kind == chosen.kind)
    if chosen.month is not None:
        query = query.where(
            Allowance.first_month <= chosen.month,
            func.coalesce(Allowance.last_month, Allowance.first_month) >= chosen.month,
        )
    if chosen.prepared_by_id is not None:
        query = query.where(Allowance.prepared_by_id == chosen.prepared_by_id)
    if chosen.submitted_before is not None:
        query = query.where(Allowance.submitted_at < chosen.submitted_before)
    return query.order_by(Allowance.submitted_at, Allowance.id)


def queue(centre_id: int, chosen: Filter = Filter()) -> list[Allowance]:
    """Every submitted request the filter matches, oldest first: no cap, in three statements."""
    return list(
        db.session.scalars(
            _waiting(centre_id, chosen).options(
                selectinload(Allowance.participant), selectinload(Allowance.prepared_by)
            )
        )
    )


def not_for(approver: User, waiting: Sequence[Allowance]) -> set[int]:
    """The requests the approver prepared or changed (four-eyes), in one statement."""
    edited_by = editors([a.id for a in waiting])
    return {
        a.id for a in waiting if approver.id == a.prepared_by_id or approver.id in edited_by[a.id]
    }


def batch(centre_id: int, chosen: Filter, approver: User) -> Batch:
    """What "approve all shown" would decide now: the ids, the approver's own, the total."""
    waiting = list(db.session.scalars(_waiting(centre_id, chosen)))
    own = not_for(approver, waiting)
    total = sum(allowances.total(a) for a in waiting if a.id not in own)
    return Batch([a.id for a in waiting], own, total)


def approve_all(
    centre_id: int, chosen: Filter, *, fingerprint: str, approver: User, now: datetime
) -> tuple[list[int], dict[int, PortalError]]:
    """Approve every request the filter matches, as long as they are still the ones the
    approver confirmed; the approver's own are refused, the budget stops where it runs out."""
    found = batch(centre_id, chosen, approver)
    if found.fingerprint != fingerprint:
        raise ListChanged()
    if not found.ids:
        return [], {}
    return approve_many(found.ids, centre_id=centre_id, approver=approver, now=now)


def editors(allowance_ids: list[int]) -> dict[int, set[int]]:
    """Who prepared or changed each request (from the audit trail)."""
    rows = db.session.execute(
        select(AuditEntry.entity_id, AuditEntry.actor_id).where(
            AuditEntry.entity_type == Allowance.__tablename__,
            AuditEntry.entity_id.in_(allowance_ids),
            AuditEntry.action.in_(("allowance.create", "allowance.update")),
        )
    )
    found: dict[int, set[int]] = defaultdict(set)
    for entity_id, actor_id in rows:
        if entity_id is not None and actor_id is not None:  # a change by the system names nobody
            found[entity_id].add(actor_id)
    return found


def reject(allowance: Allowance, *, reason: str, approver: User, now: datetime) -> None:
    """Refuse a request with a reason; four-eyes as for approving."""
    if not reason.strip():
        raise AllowanceRefused(_l("Give the reason for rejecting."), field="reason")
    if approver.id in editors([allowance.id])[allowance.id] | {allowance.prepared_by_id}:
        raise OwnRequest()
    transitions.move(
        allowance,
        "reject",
        refusal=AllowanceRefused(),
        actor=approver,
        now=now,
        decided_by_id=approver.id,
        decided_at=now,
        rejection_reason=reason.strip(),
    )


def approve_many(
    allowance_ids: list[int], *, centre_id: int, approver: User, now: datetime
) -> tuple[list[int], dict[int, PortalError]]:
    """Approve the submitted requests that the approver may decide and the budget can carry.

    Oldest first. Returns the approved ids and, for the rest, why not. Set-based: a few
    statements whatever the number of requests.
    """
    decided_on = dates.local_date(now)
    candidates = db.session.scalars(
        select(Allowance).where(Allowance.id.in_(allowance_ids), Allowance.centre_id == centre_id)
    ).all()
    lines, refused = _lines_to_charge(candidates, decided_on)
    left = {line.id: line.left_grosze for line in budget.lock(lines.values()).values()}
    fresh = _waiting_now(list(lines))
    ends = entitlements.ends_of_allowances([a.id for a in fresh])
    approvals = _choose(fresh, lines, left, ends, approver, decided_on, refused)
    if not approvals:
        return [], refused
    _charge(approvals)
    _mark_approved(approvals, centre_id=centre_id, approver=approver, now=now)
    _schedule_instalments(approvals)
    return [a.allowance.id for a in approvals], refused


def _lines_to_charge(
    candidates: Sequence[Allowance], decided_on: date
) -> tuple[dict[int, int], dict[int, PortalError]]:
    """The allowance line of the stage (year) each request's first instalment falls in."""
    projects = dict(
        db.session.execute(
            select(Participant.id, Participant.project_id).where(
                Participant.id.in_({a.participant_id for a in candidates})
            )
        ).all()
    )
    line_ids = budget.line_ids(set(projects.values()), BudgetLineKind.ALLOWANCES)
    lines: dict[int, int] = {}
    refused: dict[int, PortalError] = {}
    for allowance in candidates:
        year = instalment_plan(allowance, decided_on=decided_on)[0][0].year
        line_id = line_ids.get((projects[allowance.participant_id], year))
        if line_id is None:
            refused[allowance.id] = BudgetExceeded(
                _l("There is no allowance budget line for %(year)d.", year=year)
            )
        else:
            lines[allowance.id] = line_id
    return lines, refused


def _waiting_now(allowance_ids: list[int]) -> list[Allowance]:
    """The requests as they are now, oldest first. Those still waiting are locked: a correction
    being saved right now (new amount, new editor) is waited for and read in full, never
    approved as it was before."""
    db.session.execute(
        select(Allowance.id)
        .where(Allowance.id.in_(allowance_ids), Allowance.status == AllowanceStatus.SUBMITTED)
        .with_for_update()
    )
    return list(
        db.session.scalars(
            select(Allowance)
            .where(Allowance.id.in_(allowance_ids))
            .order_by(Allowance.submitted_at, Allowance.id)
            .execution_options(populate_existing=True)
        )
    )


def _choose(
    fresh: list[Allowance],
    lines: dict[int, int],
    left: dict[int, int],
    ends: dict[int, date],
    approver: User,
    decided_on: date,
    refused: dict[int, PortalError],
) -> list[_Approval]:
    """Still waiting, not the approver's own, no month after its contract's end or the person's
    exit (`ends`), and within what is left on its line; the refusals are added to `refused`."""
    edited_by = editors([a.id for a in fresh])
    chosen: list[_Approval] = []
    for allowance in fresh:
        approval = _Approval(
            allowance, lines[allowance.id], instalment_plan(allowance, decided_on=decided_on)
        )
        if allowance.status != AllowanceStatus.SUBMITTED:
            refused[allowance.id] = AllowanceRefused(
                _l("This request is not waiting for a decision.")
            )
        elif approver.id == allowance.prepared_by_id or approver.id in edited_by[allowance.id]:
            refused[allowance.id] = OwnRequest()
        elif allowance.kind == AllowanceKind.PERIODIC and entitlements.is_after(
            approval.plan[-1][0], ends.get(allowance.id)
        ):
            refused[allowance.id] = AllowanceRefused(
                _l(
                    "The contract ended or the person left on %(date)s: a periodic allowance "
                    "cannot be granted for the months after that.",
                    date=ends[allowance.id].isoformat(),
                )
            )
        elif approval.amount > left[approval.line_id]:
            refused[allowance.id] = BudgetExceeded()
        else:
            left[approval.line_id] -= approval.amount
            chosen.append(approval)
    return chosen


def _charge(approvals: list[_Approval]) -> None:
    per_line: dict[int, int] = defaultdict(int)
    for approval in approvals:
        per_line[approval.line_id] += approval.amount
    for line_id, amount in sorted(per_line.items()):
        if not budget.charge(line_id, amount):
            raise BudgetExceeded()


def _mark_approved(
    approvals: list[_Approval], *, centre_id: int, approver: User, now: datetime
) -> None:
    """One conditional UPDATE, each request charged to its line; a request decided meanwhile
    undoes the whole batch. The trail names the decision only: its entry's actor and time are
    who decided and when."""
    per_line: dict[int, list[int]] = defaultdict(list)
    for approval in approvals:
        per_line[approval.line_id].append(approval.allowance.id)
    transitions.move_many(
        Allowance,
        [a.allowance.id for a in approvals],
        "approve",
        actor=approver,
        centre_id=centre_id,
        lost=AllowanceRefused(
            _l(
                "Someone else has just decided some of these requests. "
                "Nothing was approved; try again."
            )
        ),
        now=now,
        where=Allowance.prepared_by_id != approver.id,
        unaudited={
            "decided_by_id": approver.id,
            "decided_at": now,
            "budget_line_id": case(
                *((Allowance.id.in_(ids), line_id) for line_id, ids in per_line.items())
            ),
        },
    )


def _schedule_instalments(approvals: list[_Approval]) -> None:
    db.session.execute(
        insert(Instalment),
        [
            {
                "centre_id": approval.allowance.centre_id,
                "allowance_id": approval.allowance.id,
                "month": month,
                "amount_grosze": amount,
            }
            for approval in approvals
            for month, amount in approval.plan
        ],
    )
