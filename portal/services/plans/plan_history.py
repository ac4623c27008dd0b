"""The history of an individual plan: its revisions, the differences between two, and restoring
an older one (as a new revision: history is never rewritten)."""

import difflib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, case, null, select, type_coerce
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.formatting import iso_date
from portal.models import IndividualPlan, PlanAction, PlanGoal, PlanRevision, User
from portal.models.base import LabelledEnum
from portal.models.enums import ActionKind, ActionStatus, GoalStatus
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.lifecycle import transitions
from portal.services.plans.plans import SECTIONS, SWOT, lock_for_edit, revise, revision

Differences = list[tuple[str, list[tuple[str, str]]]]


class Saves(NamedTuple):
    """When each save of a plan happened and which fields it changed, newest first, and the
    snapshot of the version shared with the participant (None while none is)."""

    changes: list[tuple[datetime, dict[str, Any]]]
    shared_snapshot: dict[str, Any] | None


def saves(plan: IndividualPlan) -> Saves:
    """The plan page's view of its revisions, in one statement: every save's time and changes,
    and only the shared version's snapshot (a snapshot holds the whole plan)."""
    shared = type_coerce(
        case(
            (PlanRevision.number == plan.shared_revision_number, PlanRevision.snapshot),
            else_=null(),
        ),
        JSON,
    )
    rows = db.session.execute(
        select(PlanRevision.created_at, PlanRevision.changes, shared)
        .where(PlanRevision.plan_id == plan.id)
        .order_by(PlanRevision.number.desc())
    ).all()
    snapshot = next((row[2] for row in rows if row[2] is not None), None)
    return Saves([(row[0], row[1]) for row in rows], snapshot)


def history(plan_id: int) -> list[PlanRevision]:
    return list(
        db.session.scalars(
            select(PlanRevision)
            .where(PlanRevision.plan_id == plan_id)
            .options(selectinload(PlanRevision.author))
            .order_by(PlanRevision.number.desc())
        )
    )


# How a goal's or an action's stored values read: enum values as their labels, dates in the
# reader's language (a snapshot keeps plain values: 'open', 'course', '2026-12-31').
_ITEM_VALUES: dict[str, dict[str, Callable[[str], str]]] = {
    "goals": {
        "status": lambda v: _label(GoalStatus, v),
        "target_date": iso_date,
    },
    "actions": {
        "kind": lambda v: _label(ActionKind, v),
        "status": lambda v: _label(ActionStatus, v),
        "due_date": iso_date,
    },
}


def _label(enum: type[LabelledEnum], value: str) -> str:
    try:
        return enum(value).label
    except ValueError:  # a value a later release no longer knows: shown as kept
        return value


def _item_text(item: dict[str, Any], field: str) -> str:
    readers = _ITEM_VALUES.get(field, {})
    return " · ".join(
        readers.get(key, str)(value) if isinstance(value, str) else str(value)
        for key, value in item.items()
        if value
    )


def _as_text(value: Any, field: str = "") -> str:
    if isinstance(value, list):
        return "\n".join(
            _item_text(item, field) if isinstance(item, dict) else str(item) for item in value
        )
    return "" if value is None else str(value)


def compare(older: PlanRevision, newer: PlanRevision) -> Differences:
    """Per field that differs: lines marked '-' (removed), '+' (added) or ' ' (kept)."""
    result = []
    for field in (*[f for fields in SECTIONS.values() for f in fields], "goals", "actions"):
        before = _as_text(older.snapshot.get(field), field).splitlines()
        after = _as_text(newer.snapshot.get(field), field).splitlines()
        if before == after:
            continue
        lines = [(line[0], line[2:]) for line in difflib.ndiff(before, after) if line[0] in "-+ "]
        result.append((field, lines))
    return result


def compared(
    plan_id: int, a: int | None, b: int | None
) -> tuple[PlanRevision, PlanRevision, Differences]:
    """Two revisions of one plan in either order, older first, and their differences; a number
    that is missing or not a revision of this plan is not found."""
    older, newer = sorted(
        (revision(plan_id, loading.found(a)), revision(plan_id, loading.found(b))),
        key=lambda r: r.number,
    )
    return older, newer, compare(older, newer)


def restore(
    plan: IndividualPlan, number: int, *, version: int, actor: User, now: datetime
) -> PlanRevision:
    """Bring back an older revision's content, as a new revision; refused on an old version."""
    old = revision(plan.id, number)
    lock_for_edit(plan, version)
    data = old.snapshot
    changes = audit.diff(
        plan,
        {
            field: data.get(field, [] if field in SWOT else "")
            for fields in SECTIONS.values()
            for field in fields
        },
    )
    for goal in list(plan.goals):
        db.session.delete(goal)
    # What an action stands for (a course, a session) is not in the snapshots: an action that
    # comes back as it is now keeps naming it.
    named = {
        (a.kind.value, a.description): (a.course_assignment_id, a.event_id) for a in plan.actions
    }
    for action in list(plan.actions):
        db.session.delete(action)
    db.session.flush()
    # The goals and actions come back in the states the revision kept.
    for position, goal in enumerate(data.get("goals", [])):
        restored_goal = PlanGoal(
            plan_id=plan.id,
            position=position,
            description=goal["description"],
            target_date=_date(goal["target_date"]),
        )
        db.session.add(transitions.recorded(restored_goal, GoalStatus(goal["status"])))
    for action in data.get("actions", []):
        restored_action = PlanAction(
            plan_id=plan.id,
            kind=ActionKind(action["kind"]),
            description=action["description"],
            due_date=_date(action["due_date"]),
            responsible=action["responsible"],
        )
        kept = named.get((action["kind"], action["description"]))
        if kept is not None:
            restored_action.course_assignment_id, restored_action.event_id = kept
        db.session.add(transitions.recorded(restored_action, ActionStatus(action["status"])))
    plan.updated_at = now
    db.session.flush()
    db.session.expire(plan, ["goals", "actions"])
    changes["restored"] = (None, number)
    return revise(plan, actor=actor, now=now, changes=changes)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
