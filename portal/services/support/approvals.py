"""Deciding allowance requests: four-eyes, rejecting, approving many at once (the queue and
"approve all that match" are in approval_queue).

Whoever prepared or changed a request may not decide it (the audit trail says who did; a
CHECK constraint backs the preparer). Approving is set-based: the budget lines are locked
first, then the requests are read again, so what another coordinator decided meanwhile is seen;
the decision itself is a conditional UPDATE (status = 'submitted'), so it has one effect.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, insert, select

from portal.extensions import db
from portal.models import Allowance, AuditEntry, Instalment, Participant, User
from portal.models.enums import AllowanceKind, AllowanceStatus, BudgetLineKind
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.lifecycle import transitions
from portal.services.money import budget
from portal.services.support import entitlements
from portal.services.support.allowances import (
    AllowanceRefused,
    BudgetExceeded,
    OwnRequest,
    instalment_plan,
)


@dataclass
class _Approval:
    allowance: Allowance
    line_id: int
    plan: list[tuple[date, int]]

    @property
    def amount(self) -> int:
        return sum(amount for _month, amount in self.plan)


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
