"""Every record with a lifecycle moves along its own table of allowed moves, here and only here.

A move is one conditional write, `UPDATE … SET status = :new WHERE id = :id AND status = :seen`,
checked by its row count: a double click or two people at once have one effect, and the loser is
told so. The move is audited in the same transaction. Pages ask `allowed()` which buttons to
show instead of comparing status strings.

Many rows moved by one decision (a payment list paid, requests approved in bulk) move together
through `move_many`, all or none. A record's first status is its model's column default, or,
where the rule chooses it, `initial()`; history that arrives already in a state (the demo, a
plan restored from a revision) is written through `recorded()`. Nothing else sets a status.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, update
from sqlalchemy.orm.util import identity_key

from portal import database
from portal.extensions import db
from portal.models import (
    AccountRequest,
    Allowance,
    BankAccountChange,
    BankAccountChangeStatus,
    CourseAssignment,
    Event,
    ImportBatch,
    IndividualPlan,
    Instalment,
    Job,
    JobStatus,
    PlanAction,
    PlanGoal,
    Registration,
    SocialContract,
    User,
)
from portal.models.enums import (
    ActionStatus,
    AllowanceStatus,
    ContractStatus,
    CourseStatus,
    EventStatus,
    GoalStatus,
    InstalmentStatus,
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
    # The statuses a new record may start in when the rule chooses one (`initial`); a record
    # that always starts in the same one takes its model's column default.
    initial: frozenset[Enum] = frozenset()
    # False where another record's history already tells the move (a plan's revision).
    audited: bool = True

    @property
    def statuses(self) -> frozenset[Enum]:
        reached = {status for step in self.moves.values() for status in step.sources}
        return frozenset(reached | {step.target for step in self.moves.values()} | self.initial)


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


def _any_to_any(states: type[Enum]) -> dict[str, Move]:
    """Moves named by their target, each reachable from every status (itself included)."""
    return _by_target({state: frozenset(states) for state in states})


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
            # Taking the attendance; taken again, it stays held.
            "hold": _move({E.PUBLISHED, E.HELD}, E.HELD),
        },
    ),
    Registration: Lifecycle(
        "registration",
        _by_target(REGISTRATION_MOVES),
        # A place, if one is free; otherwise the waiting list.
        initial=frozenset({G.CONFIRMED, G.WAITING}),
    ),
    # An approved allowance's monthly instalment: paid on its payment list, or cancelled when
    # the entitlement ends before its month.
    Instalment: Lifecycle(
        "instalment",
        {
            "pay": _move(InstalmentStatus.DUE, InstalmentStatus.PAID),
            "cancel": _move(InstalmentStatus.DUE, InstalmentStatus.CANCELLED),
        },
    ),
    # The advisor sets a goal or an action of a plan to any state; the plan's revision (with
    # its own audit entry) records the change, so the move adds no entry of its own.
    PlanGoal: Lifecycle("plan_goal", _any_to_any(GoalStatus), audited=False),
    PlanAction: Lifecycle("plan_action", _any_to_any(ActionStatus), audited=False),
    AccountRequest: Lifecycle(
        "account_request",
        {"accept": _move(R.PENDING, R.ACCEPTED), "refuse": _move(R.PENDING, R.REFUSED)},
        lost_race=_l("This request has already been decided."),
    ),
    # A participant's new bank account waits for staff; a second click finds it decided.
    BankAccountChange: Lifecycle(
        "bank_account_change",
        {
            "confirm": _move(BankAccountChangeStatus.PENDING, BankAccountChangeStatus.CONFIRMED),
            "refuse": _move(BankAccountChangeStatus.PENDING, BankAccountChangeStatus.REFUSED),
            # The person asked again: the newer request replaces the waiting one.
            "withdraw": _move(BankAccountChangeStatus.PENDING, BankAccountChangeStatus.WITHDRAWN),
        },
        lost_race=_l("This change has already been decided."),
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
    # A background job: claimed by one worker (again, once its lease has run out: the worker
    # died), then finished or failed by the claim that holds it (services/jobs).
    Job: Lifecycle(
        "job",
        {
            "claim": _move({JobStatus.QUEUED, JobStatus.RUNNING}, JobStatus.RUNNING),
            "finish": _move(JobStatus.RUNNING, JobStatus.DONE),
            "fail": _move({JobStatus.QUEUED, JobStatus.RUNNING}, JobStatus.FAILED),
        },
        lost_race=_l("Another worker has taken this job."),
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
    unaudited: dict[str, Any] | None = None,
    where: ColumnElement[bool] | None = None,
    **values: Any,
) -> None:
    """Take `action` if the record's table allows it from the status it was read in.

    `refusal` is raised when the action is not allowed; a lost race raises `lost`, or the same
    kind of error as `refusal` with the lifecycle's "someone else" message. `values` are written
    with the move and audited; `unaudited` ones are written only (the entry's actor and time
    already say them). `where` narrows the write further (a job's lease ran out, its claim is
    still the one that holds it): when it excludes the row, the race is lost.
    """
    lifecycle = LIFECYCLES[type(record)]
    step = lifecycle.moves[action]
    model, seen = type(record), record.status
    if seen not in step.sources:
        raise refusal
    written = {"status": step.target, **values, **(unaudited or {})}
    if lifecycle.bumps_version:
        written["version_id"] = model.version_id + 1
    statement = update(model).where(model.id == record.id, model.status == seen)
    if where is not None:
        statement = statement.where(where)
    changed = database.rows_changed(
        statement.values(**written).execution_options(synchronize_session=False),
    )
    if changed != 1:
        raise lost or type(refusal)(lifecycle.lost_race)
    db.session.refresh(record)
    if lifecycle.audited:
        audit.record(
            audit_action or f"{lifecycle.name}.{step.target.value}",
            record,
            actor=actor,
            at=now,
            changes=_changes(seen, step.target, values) | (audit_extra or {}),
        )


def move_many(
    model: type[Any],
    ids: Sequence[int],
    action: str,
    *,
    actor: User | None,
    centre_id: int,
    lost: PortalError,
    now: datetime | None = None,
    where: ColumnElement[bool] | None = None,
    audit_each: Mapping[int, dict[str, tuple[Any, Any]]] | None = None,
    unaudited: dict[str, Any] | None = None,
    **values: Any,
) -> None:
    """Take `action` on every one of these rows at once, or on none.

    The caller read and chose the rows in the action's source status (a move of many rows has
    one). One conditional `UPDATE … WHERE id IN (…) AND status IN (sources)` moves them; when it
    moves fewer than asked, another process changed one in between, its savepoint is rolled back
    so no row moved, and `lost` is raised. `where` narrows the rows further (four-eyes).

    Each row has its own audit entry: the move and `values`, then what `audit_each` adds for
    that row. `unaudited` values are written only. The session's copies of the rows, if any,
    read the written columns again when next used.
    """
    lifecycle = LIFECYCLES[model]
    step = lifecycle.moves[action]
    if len(step.sources) != 1:
        raise ValueError(f"{lifecycle.name} {action}: a move of many rows needs one source status")
    (seen,) = step.sources
    chosen = list(dict.fromkeys(ids))
    if not chosen:
        return
    written = {"status": step.target, **values, **(unaudited or {})}
    if lifecycle.bumps_version:
        written["version_id"] = model.version_id + 1
    statement = update(model).where(model.id.in_(chosen), model.status.in_(step.sources))
    if where is not None:
        statement = statement.where(where)
    with db.session.begin_nested():
        changed = database.rows_changed(
            statement.values(**written).execution_options(synchronize_session=False)
        )
        if changed != len(chosen):
            raise lost
    for row_id in chosen:
        if (copy := db.session.identity_map.get(identity_key(model, row_id))) is not None:
            db.session.expire(copy, list(written))
    if lifecycle.audited:
        audit.record_many(
            f"{lifecycle.name}.{step.target.value}",
            model.__tablename__,
            chosen,
            actor=actor,
            centre_id=centre_id,
            at=now,
            changes=_changes(seen, step.target, values),
            each=audit_each,
        )


def _changes(seen: Enum, target: Enum, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {"status": (seen, target)} | {name: (None, value) for name, value in values.items()}


S = TypeVar("S", bound=Enum)
Record = TypeVar("Record")


def initial(model: type[Any], status: S) -> S:
    """The status a new record starts in, where the rule chooses it (a place, or the waiting
    list); only a status its table names as a start."""
    if status not in LIFECYCLES[model].initial:
        raise ValueError(f"a new {LIFECYCLES[model].name} cannot start as {status.value}")
    return status


def recorded(record: Record, status: Enum) -> Record:
    """Write down a record that arrives already in a state: the demo's past, an import, a plan's
    goals restored from a revision. No move is taken and none is audited: the state is history,
    not a decision made now. Only a status of the record's own table."""
    lifecycle = LIFECYCLES[type(record)]
    if status not in lifecycle.statuses:
        raise ValueError(f"{lifecycle.name} has no status {status!r}")
    written: Any = record  # any model of the table: each has its status column
    written.status = status
    return record
