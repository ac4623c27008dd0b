"""Goals and actions of an individual plan: each change is a new version and a revision."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import IndividualPlan, PlanAction, PlanGoal, User
from portal.models.enums import ActionKind, ActionStatus, GoalStatus
from portal.services.common import dates, loading
from portal.services.lifecycle import transitions
from portal.services.plans import action_progress
from portal.services.plans.plans import HAS_CONTENT, PlanRefused, lock_for_edit, revise


def _touch(
    plan: IndividualPlan, version: int, now: datetime, *, part: str, base: str | None
) -> None:
    """Goals and actions are part of the plan: changing one bumps the plan's version too; a
    form opened on an older version still lands while its own list is as it saw it."""
    lock_for_edit(plan, version, part=part, base=base)
    plan.updated_at = now


def add_goal(
    plan: IndividualPlan,
    *,
    description: str,
    target_date: date | None,
    version: int,
    actor: User,
    now: datetime,
    base: str | None = None,
) -> PlanGoal:
    """A goal needs words and a target date that is not past; refused when the goals changed
    since the form was opened."""
    description = description.strip()
    if not HAS_CONTENT.search(description):
        raise PlanRefused(_l("Describe the goal."), field="description")
    if target_date is not None and target_date < dates.local_date(now):
        raise PlanRefused(_l("The target date cannot be in the past."), field="target_date")
    _touch(plan, version, now, part="goals", base=base)
    goal = PlanGoal(
        plan_id=plan.id,
        description=description[:500],
        target_date=target_date,
        position=len(plan.goals),
    )
    db.session.add(goal)
    revise(plan, actor=actor, now=now, changes={"goal": (None, description)})
    return goal


def add_action(
    plan: IndividualPlan,
    *,
    kind: ActionKind,
    description: str,
    due_date: date | None,
    responsible: str,
    version: int,
    actor: User,
    now: datetime,
    base: str | None = None,
    course_assignment_id: int | None = None,
    event_id: int | None = None,
) -> PlanAction:
    """An action needs words and a due date that is not past; refused when the actions changed
    since the form was opened."""
    description = description.strip()
    if not HAS_CONTENT.search(description):
        raise PlanRefused(_l("Describe the action."), field="description")
    if due_date is not None and due_date < dates.local_date(now):
        raise PlanRefused(_l("The due date cannot be in the past."), field="due_date")
    action_progress.check_named(plan.participant_id, course_assignment_id, event_id)
    _touch(plan, version, now, part="actions", base=base)
    action = PlanAction(
        plan_id=plan.id,
        kind=kind,
        description=description[:500],
        due_date=due_date,
        responsible=responsible.strip()[:200],
        course_assignment_id=course_assignment_id or None,
        event_id=event_id or None,
    )
    db.session.add(action)
    revise(plan, actor=actor, now=now, changes={"action": (None, description)})
    return action


def set_goal_status(
    plan: IndividualPlan,
    goal_id: int,
    status: GoalStatus,
    *,
    version: int,
    actor: User,
    now: datetime,
    base: str | None = None,
) -> None:
    """A goal of this plan changes state; refused on an old version."""
    _touch(plan, version, now, part="goals", base=base)
    goal = loading.found(next((g for g in plan.goals if g.id == goal_id), None))
    old = goal.status
    transitions.move(goal, status.value, actor=actor, refusal=PlanRefused(), now=now)
    revise(plan, actor=actor, now=now, changes={f"goal {goal.description}": (old, status)})


def set_action_status(
    plan: IndividualPlan,
    action_id: int,
    status: ActionStatus,
    *,
    version: int,
    actor: User,
    now: datetime,
    base: str | None = None,
) -> None:
    """An action of this plan changes state; refused on an old version."""
    _touch(plan, version, now, part="actions", base=base)
    action = loading.found(next((a for a in plan.actions if a.id == action_id), None))
    old = action.status
    transitions.move(action, status.value, actor=actor, refusal=PlanRefused(), now=now)
    revise(plan, actor=actor, now=now, changes={f"action {action.description}": (old, status)})
