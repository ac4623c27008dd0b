"""A participant's progress, recorded once where it happens: events attended, counselling
sessions and completed courses, and how it counts towards the actions of their plan.

It reads the events' rows but never the events subject's services: those call the plans
subject (action_progress) when attendance is taken, and the subjects must not form a cycle.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from portal.extensions import db
from portal.models import CounsellingSession, CourseAssignment, Event, IndividualPlan, Registration
from portal.models.enums import ActionKind, CourseStatus, RegistrationStatus
from portal.models.support import GroupInstrument
from portal.services.common import dates
from portal.services.plans import diagnosis


def get_for(
    person_id: int,
    *,
    counselling: Sequence[CounsellingSession] | None = None,
    assignments: Sequence[CourseAssignment] | None = None,
) -> dict[str, list[Any]]:
    """What the person has done, recorded elsewhere once: events attended, sessions, courses.

    A page that already holds the person's counselling sessions or course assignments hands
    them over, and they are not read twice."""
    attended = db.session.scalars(
        select(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(
            Registration.participant_id == person_id,
            Registration.status == RegistrationStatus.ATTENDED,
        )
        .options(contains_eager(Registration.event))
    ).all()
    if assignments is None:
        courses_done = db.session.scalars(
            select(CourseAssignment)
            .where(
                CourseAssignment.participant_id == person_id,
                CourseAssignment.status == CourseStatus.COMPLETED,
            )
            .options(joinedload(CourseAssignment.course))
        ).all()
    else:
        courses_done = [a for a in assignments if a.status == CourseStatus.COMPLETED]
    if counselling is None:
        _, counselling = diagnosis.list_for_participant(person_id)
    return {
        "events": list(attended),
        "sessions": list(counselling),
        "courses": list(courses_done),
        # Hours of group sessions attended, per instrument: from the registrations above.
        "instrument_minutes": list(_minutes_by_instrument(r.event for r in attended).items()),
    }


def _minutes_by_instrument(attended: Iterable[Event]) -> dict[GroupInstrument, int]:
    """Instrument -> minutes of the sessions given, each from its start to its end (PAL events
    count none); the same sum as the events subject's, which this subject may not import."""
    minutes: dict[GroupInstrument, int] = {}
    for event in attended:
        if event.instrument is not None:
            length = int((event.ends_at - event.starts_at).total_seconds() // 60)
            minutes[event.instrument] = minutes.get(event.instrument, 0) + length
    return minutes


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
