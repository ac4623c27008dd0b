"""Vocational courses a participant takes; their cost is charged to the stage's course line."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Course, CourseAssignment, Participant, User
from portal.models.enums import BudgetLineKind
from portal.services.audit import audit
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.lifecycle import transitions
from portal.services.money import budget


class CourseRefused(PortalError):
    message = _l("The course cannot be changed this way.")


class CourseBudgetExceeded(CourseRefused):
    message = _l("Not enough money left on the course budget line.")


def catalogue(centre_id: int) -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.centre_id == centre_id, Course.is_active.is_(True))
            .order_by(Course.name)
        )
    )


def propose(
    person: Participant,
    course_id: int,
    *,
    planned_start: date | None,
    planned_end: date | None,
    cost_grosze: int | None,
    actor: User,
    now: datetime,
) -> CourseAssignment:
    """Propose a course from the centre's catalogue; an unknown course is refused.

    The place costs the catalogue price unless another amount is given (`cost_grosze` None
    means none was): a place that costs nothing is one given as 0 on purpose, never a blank.
    """
    course = db.session.scalar(
        select(Course).where(
            Course.id == course_id, Course.centre_id == person.centre_id, Course.is_active.is_(True)
        )
    )
    if course is None:
        raise CourseRefused(_l("Choose a course from the catalogue."), field="course_id")
    if planned_start and planned_end and planned_end < planned_start:
        raise CourseRefused(_l("The course cannot end before it starts."), field="planned_end")
    if cost_grosze is None:
        if course.price_grosze is None:
            raise CourseRefused(
                _l(
                    "The catalogue gives no price for this course: enter the cost "
                    "(0 if it is free)."
                ),
                field="cost",
            )
        cost_grosze = course.price_grosze
    assignment = CourseAssignment(
        centre_id=person.centre_id,
        participant_id=person.id,
        course_id=course.id,
        planned_start=planned_start,
        planned_end=planned_end,
        cost_grosze=cost_grosze,
    )
    db.session.add(assignment)
    audit.record(
        "course.propose",
        assignment,
        actor=actor,
        at=now,
        changes={"course": (None, course.name), "cost_grosze": (None, cost_grosze)},
    )
    return assignment


def enrol(assignment: CourseAssignment, *, actor: User, now: datetime) -> None:
    """Enrolment buys the place: its cost is spent from the course line at once (committed and
    paid together), never beyond what is planned."""
    if assignment.cost_grosze:
        project_id = db.session.get_one(Participant, assignment.participant_id).project_id
        year = (assignment.planned_start or dates.local_date(now)).year
        line_id = budget.line_ids([project_id], BudgetLineKind.COURSES).get((project_id, year))
        if line_id is None:
            raise CourseBudgetExceeded(
                _l("There is no course budget line for %(year)d.", year=year)
            )
        if not budget.spend(line_id, assignment.cost_grosze):
            raise CourseBudgetExceeded()
    transitions.move(assignment, "enrol", refusal=CourseRefused(), actor=actor, now=now)


def complete(
    assignment: CourseAssignment,
    *,
    certificate_number: str,
    completed_on: date,
    actor: User,
    now: datetime,
) -> None:
    if not certificate_number.strip():
        raise CourseRefused(_l("Enter the certificate number."), field="certificate_number")
    if completed_on > dates.local_date(now):
        raise CourseRefused(_l("The date cannot be in the future."), field="completed_on")
    transitions.move(
        assignment,
        "complete",
        refusal=CourseRefused(),
        actor=actor,
        now=now,
        certificate_number=certificate_number.strip(),
        completed_on=completed_on,
    )


def drop(assignment: CourseAssignment, *, reason: str, actor: User, now: datetime) -> None:
    """A dropped proposal costs nothing; a dropped enrolment stays committed (it was bought)."""
    if not reason.strip():
        raise CourseRefused(_l("Give the reason."), field="reason")
    transitions.move(
        assignment,
        "drop",
        refusal=CourseRefused(),
        actor=actor,
        now=now,
        drop_reason=reason.strip(),
    )


def list_for_participant(participant_id: int) -> list[CourseAssignment]:
    return list(
        db.session.scalars(
            select(CourseAssignment)
            .where(CourseAssignment.participant_id == participant_id)
            # The course is one row per assignment: joined, in the same statement.
            .options(joinedload(CourseAssignment.course))
            .order_by(CourseAssignment.created_at.desc(), CourseAssignment.id.desc())
        )
    )
