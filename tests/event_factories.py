"""Events and registrations for the event tests, made directly (the staff form is tested apart)."""

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, Participant, Registration, Village
from portal.models.base import utcnow
from portal.models.enums import Audience, EventStatus, EventType
from portal.services import participants, signups


def new_event(
    app,
    centre_id: int,
    *,
    capacity: int = 5,
    starts_in: timedelta = timedelta(days=3),
    starts_at: datetime | None = None,
    villages: tuple[str, ...] = (),
    **fields,
) -> int:
    """A published event of the centre's current project, a few days ahead, open to everyone."""
    with app.app_context():
        project = participants.current_project(centre_id)
        starts = starts_at or (utcnow() + starts_in).replace(second=0, microsecond=0)
        event = Event(
            centre_id=centre_id,
            project_id=project.id,
            event_type=fields.pop("event_type", EventType.INTEGRATION_MEETING),
            title=fields.pop("title", "Spotkanie integracyjne"),
            place=fields.pop("place", "Świetlica wiejska"),
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            status=fields.pop("status", EventStatus.PUBLISHED),
            audience=fields.pop("audience", Audience.PROJECT),
            **fields,
        )
        if villages:
            event.villages = list(
                db.session.scalars(
                    select(Village).where(
                        Village.centre_id == centre_id, Village.name.in_(villages)
                    )
                )
            )
        db.session.add(event)
        db.session.commit()
        return event.id


def village_id(app, centre_id: int, name: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Village.id).where(Village.centre_id == centre_id, Village.name == name)
        )


def sign_up(
    app, participant_id: int, event_id: int, *, companions: int = 0, now: datetime | None = None
) -> int:
    """Sign a person up through the service (as they would themselves); the registration id."""
    with app.app_context():
        person = db.session.get(Participant, participant_id)
        registration = signups.sign_up(
            person, event_id, now=now or utcnow(), actor=person.user, companions=companions
        )
        db.session.commit()
        return registration.id


def email_of(app, participant_id: int) -> str:
    with app.app_context():
        return db.session.get(Participant, participant_id).user.email


def registrations(app, event_id: int) -> list[Registration]:
    """The event's registrations in sign-up order, detached for assertions."""
    with app.app_context():
        rows = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id)
            .order_by(Registration.queue_number)
        ).all()
        db.session.expunge_all()
        return list(rows)


def event_state(app, event_id: int) -> Event:
    with app.app_context():
        event = db.session.get(Event, event_id)
        db.session.expunge_all()
        return event
