"""Every record with a lifecycle moves along its own table of allowed moves, here and only here.

A move is one conditional write, `UPDATE … SET status = :new WHERE id = :id AND status = :seen`,
checked by its row count: a double click or two people at once have one effect, and the loser is
told so. The move is audited in the same transaction. Pages ask `allowed()` which buttons to
show instead of comparing status strings.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from portal import database
from portal.extensions import db
from portal.models import (
    AccountRequest,
    Allowance,
    CourseAssignment,
    Event,
    ImportBatch,
    IndividualPlan,
    Registration,
    SocialContract,
    User,
)
from portal.models.enums import (
    AllowanceStatus,
    ContractStatus,
    CourseStatus,
    EventStatus,
    PlanStatus,
    RegistrationStatus,
    RequestStatus,
)
from portal.models.imports import ImportStatus
from portal.services.audit import audit
from portal.services.common.errors import PortalError


@dataclass(frozen=True)
class Move:
    sources: frozenset[Enum]
    target: Enum


def _move(sources: set[Enum] | Enum, target: Enum) -> Move:
    return Move(frozenset(sources if isinstance(sources, set) else {sources}), target)


@dataclass(frozen=True)
class Lifecycle:
    name: str  # the audit trail's prefix: "contract.signed"
    moves: dict[str, Move]  # by the action's name: "sign", "approve"
    # Records edited with optimistic locking: a move makes an open edit form stale.
    bumps_version: bool = False
    lost_race: Any = field(
        default=_l("Someone else has just changed this record. Reload the page.")
    )


C, P, K = ContractStatus, PlanStatus, CourseStatus
A, E, R, G = AllowanceStatus, EventStatus, RequestStatus, RegistrationStatus

# A registration simply goes to a status; its moves are named by the status they lead to.
REGISTRATION_MOVES: dict[Enum, frozenset[Enum]] = {
    G.CONFIRMED: frozenset({G.CANCELLED, G.ATTENDED, G.ABSENT}),
    G.WAITING: frozenset({G.CONFIRMED, G.CANCELLED}),
    G.CANCELLED: frozenset({G.CONFIRMED, G.WAITING}),  # signing up again
    G.ATTENDED: frozenset({G.ABSENT}),  # correcting the attendance list
    G.ABSENT: frozenset({G.ATTENDED}),
}


def _by_target(table: dict[Enum, frozenset[Enum]]) -> dict[str, Move]:
    targets = {target for reachable in table.values() for target in reachable}
    return {
        target.value: Move(frozenset(s for s, reach in table.items() if target in reach), target)
        for target in targets
    }


LIFECYCLES: dict[type, Lifecycle] = {
    SocialContract: Lifecycle(
        "contract",
        {
            "sign": _move(C.DRAFT, C.SIGNED),
            "activate": _move(C.SIGNED, C.ACTIVE),
            "complete": _move({C.SIGNED, C.ACTIVE}, C.COMPLETED),
            "terminate": _move({C.SIGNED, C.ACTIVE}, C.TERMINATED),
        },
        bumps_version=True,
    ),
    IndividualPlan: Lifecycle(
        "plan",
        {
            "share": _move({P.DRAFT, P.SHARED, P.ACKNOWLEDGED, P.IN_PROGRESS}, P.SHARED),
            "acknowledge": _move(P.SHARED, P.ACKNOWLEDGED),
            "begin": _move(P.ACKNOWLEDGED, P.IN_PROGRESS),
            "complete": _move({P.ACKNOWLEDGED, P.IN_PROGRESS}, P.COMPLETED),
            "reopen": _move(P.COMPLETED, P.IN_PROGRESS),
        },
        bumps_version=True,
        lost_race=_l("Someone else has just changed this plan."),
    ),
    CourseAssignment: Lifecycle(
        "course",
        {
            "enrol": _move(K.PROPOSED, K.ENROLLED),
            "complete": _move(K.ENROLLED, K.COMPLETED),
            "drop": _move({K.PROPOSED, K.ENROLLED}, K.DROPPED),
        },
        lost_race=_l("Someone else has just changed this course."),
    ),
    Allowance: Lifecycle(
        "allowance",
        {
            "submit": _move(A.DRAFT, A.SUBMITTED),
            "withdraw": _move({A.DRAFT, A.SUBMITTED}, A.WITHDRAWN),
            # An approved request is withdrawn only while none of its instalments is paid.
            "withdraw_approved": _move(A.APPROVED, A.WITHDRAWN),
            "approve": _move(A.SUBMITTED, A.APPROVED),
            "reject": _move(A.SUBMITTED, A.REJECTED),
            "pay": _move(A.APPROVED, A.PAID),
        },
        lost_race=_l("Someone else has just decided or changed this request."),
    ),
    Event: Lifecycle(
        "event",
        {
            "publish": _move(E.DRAFT, E.PUBLISHED),
            "cancel": _move({E.DRAFT, E.PUBLISHED}, E.CANCELLED),
        },
    ),
    Registration: Lifecycle("registration", _by_target(REGISTRATION_MOVES)),
    AccountRequest: Lifecycle(
        "account_request",
        {"accept": _move(R.PENDING, R.ACCEPTED), "refuse": _move(R.PENDING, R.REFUSED)},
        lost_race=_l("This request has already been decided."),
    ),
    # An uploaded file is imported or discarded once; a second click finds it moved.
    ImportBatch: Lifecycle(
        "import",
        {
            "import": _move(ImportStatus.PENDING, ImportStatus.IMPORTED),
            "discard": _move(ImportStatus.PENDING, ImportStatus.DISCARDED),
        },
        lost_race=_l("This file has already been imported or discarded."),
    ),
}


def allowed(record: Any) -> frozenset[str]:
    """The actions this record's lifecycle allows from its status now."""
    return frozenset(
        action
        for action, step in LIFECYCLES[type(record)].moves.items()
        if record.status in step.sources
    )


def can(record: Any, action: str) -> bool:
    step = LIFECYCLES[type(record)].moves[action]  # an unknown action is a programming error
    return record.status in step.sources


def move(
    record: Any,
    action: str,
    *,
    actor: User | None,
    refusal: PortalError,
    now: datetime | None = None,
    audit_extra: dict[str, tuple[Any, Any]] | None = None,
    lost: PortalError | None = None,
    audit_action: str | None = None,
    **values: Any,
) -> None:
    """Take `action` if the record's table allows it from the status it was read in.

    `refusal` is raised when the action is not allowed; a lost race raises `lost`, or the same
    kind of error as `refusal` with the lifecycle's "someone else" message. `values` are written
    with the move.
    """
    lifecycle = LIFECYCLES[type(record)]
    step = lifecycle.moves[action]
    model, seen = type(record), record.status
    if seen not in step.sources:
        raise refusal
    written = {"status": step.target, **values}
    if lifecycle.bumps_version:
        written["version_id"] = model.version_id + 1
    changed = database.rows_changed(
        update(model)
        .where(model.id == record.id, model.status == seen)
        .values(**written)
        .execution_options(synchronize_session=False),
    )
    if changed != 1:
        raise lost or type(refusal)(lifecycle.lost_race)
    db.session.refresh(record)
    audit.record(
        audit_action or f"{lifecycle.name}.{step.target.value}",
        record,
        actor=actor,
        at=now,
        changes={"status": (seen, step.target)}
        | {name: (None, value) for name, value in values.items()}
        | (audit_extra or {}),
    )
