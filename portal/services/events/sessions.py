"""Sessions of group instruments (social-skills training, group counselling, club meetings).

A session is an event with `instrument` set. Staff enrol the participants (confirmed places up
to the group's size, never a waiting list); it is not offered for sign-up. Attendance, the
attendance list and walk-ins use the events machinery (services/signups.py). The hours a person
attended are counted per instrument from the sessions' start and end.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Centre, Event, Participant, Project, Registration, User
from portal.models.enums import Audience, EventStatus, EventType, RegistrationStatus
from portal.models.support import GroupInstrument
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import PortalError
from portal.services.events import events, signups
from portal.services.lifecycle import transitions
from portal.services.plans import action_progress

# Everyone who had a place: the attendance list names them.
ON_THE_LIST = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.ABSENT)


class AlreadyEnrolled(PortalError):
    message = _l("This person is already enrolled.")


class GroupFull(PortalError):
    message = _l("The group is full.")


@dataclass
class SessionFields:
    """What staff type into the session form; times already converted to UTC."""

    instrument: GroupInstrument
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    trainer: str
    topics: str


def event_type_for(instrument: GroupInstrument) -> EventType:
    """The event type stored for a session (the column is required): a club meeting is one,
    a training or counselling session is a workshop."""
    if instrument == GroupInstrument.CLUB_MEETING:
        return EventType.CLUB_MEETING
    return EventType.WORKSHOP


def clean_topics(text: str) -> str:
    """One topic per line, without blank lines or surrounding spaces."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def check(project: Project, fields: SessionFields) -> None:
    """A session takes place within its project's period (and the portal's years); it may lie
    in the past: coordinators often record a session after it happened."""
    day = dates.local_date(fields.starts_at)
    first = max(project.start_date, dates.EARLIEST)
    last = min(project.end_date or dates.LATEST, dates.LATEST)
    if not first <= day <= last:
        raise PortalError(
            _l(
                "The session must take place within the project's period (%(first)s – %(last)s).",
                first=format_date(first, "long"),
                last=format_date(last, "long") if project.end_date else "…",
            ),
            field="day",
        )
    if fields.ends_at <= fields.starts_at:
        raise PortalError(_l("The session must end after it starts."), field="ends")
    if fields.capacity < 1:
        raise PortalError(_l("The group needs at least one place."), field="capacity")


def create(
    centre: Centre, project: Project, fields: SessionFields, *, actor: User, now: datetime
) -> Event:
    """A session is published at once (nobody signs up for it). One recorded after it began
    takes its enrolments and attendance straight away (see `enrolment_open`)."""
    loading.same_centre(centre.id, project)
    check(project, fields)
    event = events.create(
        centre,
        project,
        events.EventFields(
            event_type=event_type_for(fields.instrument),
            title=fields.title.strip() or str(fields.instrument.label),
            description="",
            place=fields.place.strip(),
            starts_at=fields.starts_at,
            ends_at=fields.ends_at,
            capacity=fields.capacity,
            audience=Audience.PROJECT,
            villages=[],
            registration_opens_at=None,
            registration_closes_at=None,
            cancellation_cutoff_at=None,
        ),
        actor=actor,
        now=now,
        past_allowed=True,
    )
    event.instrument = fields.instrument
    event.trainer = fields.trainer.strip()
    event.topics = clean_topics(fields.topics)
    audit.record(
        "session.create",
        event,
        actor=actor,
        changes={
            "instrument": (None, event.instrument),
            "trainer": (None, event.trainer),
            "topics": (None, event.topics),
        },
    )
    return events.publish(event.id, actor=actor, now=now, past_allowed=True)


def recorded_afterwards(event: Event) -> bool:
    """Whether the session was entered in the portal only after it had begun."""
    return event.created_at >= event.starts_at


def enrolment_open(event: Event, *, now: datetime) -> bool:
    """Staff enrol (and un-enrol) people before the session starts; for a session recorded
    after it began, until its attendance is recorded. Later comers are walk-ins."""
    if event.status != EventStatus.PUBLISHED or event.attendance_recorded_at is not None:
        return False
    return event.starts_at > now or recorded_afterwards(event)


def get(centre_id: int, session_id: int) -> Event:
    """A session of this centre; a PAL event or another centre's session is not found."""
    return loading.one(
        select(Event)
        .where(Event.id == session_id, Event.centre_id == centre_id, Event.instrument.is_not(None))
        # Its pages name the project (the session counts towards it): in the same statement.
        .options(joinedload(Event.project))
    )


def list_for_staff(centre_id: int, *, now: datetime, past: bool = False) -> list[Event]:
    """The centre's sessions: coming up (until they end, soonest first) or past (latest first)."""
    query = select(Event).where(Event.centre_id == centre_id, Event.instrument.is_not(None))
    if past:
        query = query.where(Event.ends_at < now).order_by(Event.starts_at.desc())
    else:
        query = query.where(Event.ends_at >= now).order_by(Event.starts_at)
    return list(db.session.scalars(query.limit(200)))


def counts(event_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Session id -> (enrolled, attended), in one query."""
    if not event_ids:
        return {}
    attended = func.count(Registration.id).filter(
        Registration.status == RegistrationStatus.ATTENDED
    )
    rows = db.session.execute(
        select(Registration.event_id, func.count(Registration.id), attended)
        .where(Registration.event_id.in_(event_ids), Registration.status.in_(ON_THE_LIST))
        .group_by(Registration.event_id)
    )
    return {event_id: (enrolled, came) for event_id, enrolled, came in rows}


def enrol(
    event_id: int, people: list[Participant], *, actor: User, now: datetime
) -> list[Registration]:
    """Confirmed places for the chosen people, all or none: nobody twice, never past the
    group's size (the places counter's conditional UPDATE), only before the session starts."""
    event = signups.lock_event(event_id)
    loading.found(event.instrument)  # a PAL event is no session
    if not enrolment_open(event, now=now):
        raise PortalError(_l("People can be enrolled only before the session starts."))
    if not people:
        raise PortalError(_l("Choose at least one participant."), field="participant_ids")
    enrolled = []
    for person in people:
        loading.same_centre(event.centre_id, person)
        if person.project_id != event.project_id:
            raise PortalError(
                _l("%(name)s takes part in another project.", name=person.full_name),
                field="participant_ids",
            )
        enrolled.append(_enrol_one(event, person, actor=actor))
    return enrolled


def _enrol_one(event: Event, person: Participant, *, actor: User) -> Registration:
    existing = signups.find(event.id, person.id)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise AlreadyEnrolled(
            _l("%(name)s is already enrolled.", name=person.full_name), field="participant_ids"
        )
    if not signups.take_places(event.id, 1):
        raise GroupFull(
            _l(
                "The group is full: all %(n)d places are taken. Un-enrol someone or choose "
                "fewer people.",
                n=event.capacity,
            ),
            field="participant_ids",
        )
    queue_number = signups.next_queue_number(event.id)
    if existing is not None:
        existing.queue_number = queue_number
        db.session.flush()
        signups.move(
            existing, RegistrationStatus.CONFIRMED, actor=actor, action="registration.enrol"
        )
        return existing
    registration = Registration(
        centre_id=event.centre_id,
        event_id=event.id,
        participant_id=person.id,
        status=transitions.initial(Registration, RegistrationStatus.CONFIRMED),
        queue_number=queue_number,
        created_by_id=actor.id,
    )
    db.session.add(registration)
    audit.record(
        "registration.enrol",
        registration,
        actor=actor,
        changes={"status": (None, RegistrationStatus.CONFIRMED)},
    )
    return registration


def unenrol(registration_id: int, *, centre_id: int, actor: User, now: datetime) -> Registration:
    """Take a place back while enrolment is open; afterwards the person is marked absent."""
    event = events.of_registration(centre_id, registration_id)
    loading.found(event.instrument)  # a PAL event is no session
    if not enrolment_open(event, now=now):
        raise PortalError(
            _l("The session has started: mark the person absent on the attendance list.")
        )
    return signups.cancel(registration_id, now=now, actor=actor, by_staff=True)


def walk_in(
    person: Participant, event_id: int, *, reason: str, actor: User, now: datetime
) -> Registration:
    """Someone who came without a place: from the session's start onwards, with a reason, they
    are given a place (the group grows if it is full) and marked present."""
    event = signups.lock_event(event_id)
    loading.found(event.instrument)  # a PAL event is no session
    loading.same_centre(person.centre_id, event)
    if person.project_id != event.project_id:
        raise PortalError(
            _l("%(name)s takes part in another project.", name=person.full_name),
            field="participant_id",
        )
    if not reason.strip():
        raise PortalError(_l("Enter the reason."), field="reason")
    existing = signups.find(event.id, person.id)
    if existing is not None and existing.status in ON_THE_LIST:
        raise AlreadyEnrolled(
            _l("%(name)s is already on the attendance list.", name=person.full_name),
            field="participant_id",
        )
    if existing is None:
        existing = Registration(
            centre_id=event.centre_id,
            event_id=event.id,
            participant_id=person.id,
            status=transitions.initial(Registration, RegistrationStatus.WAITING),
            queue_number=signups.next_queue_number(event.id),
            created_by_id=actor.id,
        )
        db.session.add(existing)
        audit.record(
            "registration.walk_in",
            existing,
            actor=actor,
            changes={"status": (None, RegistrationStatus.WAITING)},
        )
    elif existing.status == RegistrationStatus.CANCELLED:
        existing.queue_number = signups.next_queue_number(event.id)
        db.session.flush()
        signups.move(
            existing, RegistrationStatus.WAITING, actor=actor, action="registration.walk_in"
        )
    signups.admit(existing.id, reason=reason.strip(), actor=actor, now=now, walk_in=True)
    signups.move(
        existing, RegistrationStatus.ATTENDED, actor=actor, action="registration.attendance"
    )
    # The plan actions naming this session are done for the person who walked in.
    action_progress.sessions_attended(event, [person.id], actor=actor, now=now)
    return existing


def length_minutes(event: Event) -> int:
    """A session's length: from its start to its end."""
    return int((event.ends_at - event.starts_at).total_seconds() // 60)


def minutes_by_instrument(attended: Iterable[Event]) -> dict[GroupInstrument, int]:
    """Instrument -> minutes, summed over the sessions given (PAL events are skipped)."""
    minutes: dict[GroupInstrument, int] = {}
    for event in attended:
        if event.instrument is None:
            continue
        minutes[event.instrument] = minutes.get(event.instrument, 0) + length_minutes(event)
    return minutes


def hours_by_instrument(participant_id: int) -> dict[GroupInstrument, int]:
    """Instrument -> minutes of the sessions the person attended, in one query."""
    attended = db.session.scalars(
        select(Event)
        .join(Registration, Registration.event_id == Event.id)
        .where(
            Registration.participant_id == participant_id,
            Registration.status == RegistrationStatus.ATTENDED,
            Event.instrument.is_not(None),
        )
    )
    return minutes_by_instrument(attended)
