"""Progress recorded elsewhere moves the plan actions that name it: a course completed, a group
session attended. The courses and sessions services call it where they record that progress,
so an action never stays "planned" after what it stands for has happened; the plan's history
says why the action moved.

It imports no other subject's services (they import it): the plans subject must not depend
on events or support, or the subjects would form a cycle.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.formatting import iso_date
from portal.models import (
    CourseAssignment,
    Event,
    IndividualPlan,
    PlanAction,
    PlanRevision,
    Registration,
    User,
)
from portal.models.enums import (
    ActionStatus,
    CourseStatus,
    EventStatus,
    PlanStatus,
    RegistrationStatus,
)
from portal.services.common import dates
from portal.services.lifecycle import transitions
from portal.services.plans.plans import PlanRefused, revise

# An action still waiting for what it names; a done or cancelled one is left as it is.
OPEN = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
# The key of a revision's change that says why an action was marked done (see plan_history).
MARKED_DONE = "marked_done"


def linkable(participant_id: int) -> tuple[list[CourseAssignment], list[Event]]:
    """What an action of this person's plan may stand for: their courses not yet completed or
    dropped, and the sessions and events they have a place on that are still to be held."""
    assignments = db.session.scalars(
        select(CourseAssignment)
        .where(
            CourseAssignment.participant_id == participant_id,
            CourseAssignment.status.in_((CourseStatus.PROPOSED, CourseStatus.ENROLLED)),
        )
        .options(joinedload(CourseAssignment.course))
        .order_by(CourseAssignment.id)
    ).all()
    events = db.session.scalars(
        select(Event)
        .join(Registration, Registration.event_id == Event.id)
        .where(
            Registration.participant_id == participant_id,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)),
            Event.status.in_((EventStatus.DRAFT, EventStatus.PUBLISHED)),
        )
        .order_by(Event.starts_at, Event.id)
    ).all()
    return list(assignments), list(events)


def check_named(
    participant_id: int, course_assignment_id: int | None, event_id: int | None
) -> None:
    """An action may name only one of the person's own open courses or coming sessions."""
    assignments, events = linkable(participant_id)
    if course_assignment_id and course_assignment_id not in {a.id for a in assignments}:
        raise PlanRefused(
            _l("Choose one of the participant's courses from the list."),
            field="course_assignment_id",
        )
    if event_id and event_id not in {e.id for e in events}:
        raise PlanRefused(
            _l("Choose one of the participant's sessions from the list."), field="event_id"
        )


def course_completed(assignment: CourseAssignment, *, actor: User, now: datetime) -> None:
    """The actions naming this course are done: the course is completed."""
    found = _open_actions(PlanAction.course_assignment_id == assignment.id, assignment.centre_id)
    reason = {
        "course": assignment.course.name,
        "on": (assignment.completed_on or dates.local_date(now)).isoformat(),
    }
    _mark_done(found, reason, actor=actor, now=now)


def sessions_attended(
    event: Event, participant_ids: Iterable[int], *, actor: User, now: datetime
) -> None:
    """The actions of these people's plans naming this session are done: they attended it."""
    people = list(participant_ids)
    if not people:
        return
    found = _open_actions(
        (PlanAction.event_id == event.id) & IndividualPlan.participant_id.in_(people),
        event.centre_id,
    )
    reason = {"session": event.title, "on": dates.local_date(event.starts_at).isoformat()}
    _mark_done(found, reason, actor=actor, now=now)


def _open_actions(condition: ColumnElement[bool], centre_id: int) -> Sequence[PlanAction]:
    return db.session.scalars(
        select(PlanAction)
        .join(IndividualPlan, PlanAction.plan_id == IndividualPlan.id)
        .where(
            condition,
            IndividualPlan.centre_id == centre_id,
            PlanAction.status.in_(OPEN),
        )
        .order_by(PlanAction.id)
    ).all()


def _mark_done(
    actions: Sequence[PlanAction], reason: dict[str, str], *, actor: User, now: datetime
) -> None:
    """Each action moves to done as a revision of its plan, which names what happened."""
    for action in actions:
        plan = db.session.get_one(IndividualPlan, action.plan_id)
        # The same lock as an advisor's save: a form opened on the actions before this move
        # is refused instead of putting the old state back.
        db.session.refresh(plan, with_for_update=True)
        if plan.status == PlanStatus.COMPLETED:
            continue  # a completed plan is read-only until it is reopened
        db.session.refresh(action)
        if action.status not in OPEN:
            continue  # marked meanwhile, by an advisor or a parallel record of the same
        old = action.status
        plan.updated_at = now
        transitions.move(
            action,
            ActionStatus.DONE.value,
            actor=actor,
            refusal=PlanRefused(_l("The action cannot be marked done.")),
            now=now,
        )
        revision = revise(
            plan,
            actor=actor,
            now=now,
            changes={f"action {action.description}": (old, ActionStatus.DONE)},
        )
        revision.changes = revision.changes | {MARKED_DONE: {"action": action.description} | reason}


def reasons(revisions: Iterable[PlanRevision]) -> dict[int, str]:
    """Revision number -> why an action was marked done in it, in the reader's language."""
    found: dict[int, str] = {}
    for revision in revisions:
        reason = revision.changes.get(MARKED_DONE)
        if not isinstance(reason, dict):
            continue
        on = iso_date(reason.get("on"))
        if "course" in reason:
            text = _(
                "%(action)s marked done: course %(course)s completed on %(date)s",
                action=reason.get("action", ""),
                course=reason["course"],
                date=on,
            )
        else:
            text = _(
                "%(action)s marked done: session %(session)s attended on %(date)s",
                action=reason.get("action", ""),
                session=reason.get("session", ""),
                date=on,
            )
        found[revision.number] = text
    return found
