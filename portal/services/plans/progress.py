"""A participant's progress, recorded once where it happens: events attended, counselling
sessions and completed courses, and how it counts towards the actions of their plan."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import CourseAssignment, IndividualPlan, Registration
from portal.models.enums import ActionKind, CourseStatus, RegistrationStatus
from portal.services.common import dates
from portal.services.events import sessions
from portal.services.plans import diagnosis


def get_for(person_id: int) -> dict[str, list[Any]]:
    """What the person has done, recorded elsewhere once: events attended, sessions, courses."""
    attended = db.session.scalars(
        select(Registration)
        .where(
            Registration.participant_id == person_id,
            Registration.status == RegistrationStatus.ATTENDED,
        )
        .options(selectinload(Registration.event))
    ).all()
    courses_done = db.session.scalars(
        select(CourseAssignment)
        .where(
            CourseAssignment.participant_id == person_id,
            CourseAssignment.status == CourseStatus.COMPLETED,
        )
        .options(selectinload(CourseAssignment.course))
    ).all()
    _, counselling = diagnosis.list_for_participant(person_id)
    return {
        "events": list(attended),
        "sessions": counselling,
        "courses": list(courses_done),
        # Hours of group sessions attended, per instrument: from the registrations above.
        "instrument_minutes": list(
            sessions.minutes_by_instrument(r.event for r in attended).items()
        ),
    }


def action_evidence(plan: IndividualPlan, found: dict[str, list[Any]]) -> dict[int, int]:
    """Action id -> how many recorded activities of its kind happened since the plan began."""
    start = dates.local_date(plan.created_at)
    counts = {
        ActionKind.COUNSELLING: sum(1 for s in found["sessions"] if s.held_on >= start),
        ActionKind.COURSE: len(found["courses"]),
        ActionKind.OTHER: sum(
            1 for r in found["events"] if dates.local_date(r.event.starts_at) >= start
        ),
    }
    return {a.id: counts.get(a.kind, 0) for a in plan.actions}
