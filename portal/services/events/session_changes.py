"""Changing a session of a group instrument after it was planned: editing and cancelling it.

Both reuse the events' own rules (services/events.py): an edit is refused when someone else
saved the session meanwhile (the version column) or once it is cancelled or held; cancelling
tells the enrolled people by e-mail, as for any event.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Event, Participant, Registration, User
from portal.models.enums import Audience, EventStatus
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.events import events, sessions, signups
from portal.services.lifecycle import transitions
from portal.services.people import consents


def editable(event: Event) -> bool:
    """A session is edited until it is cancelled or its attendance is recorded."""
    return event.status not in (EventStatus.CANCELLED, EventStatus.HELD)


def update(event_id: int, fields: sessions.SessionFields, *, version: int, actor: User) -> Event:
    """Save an edit of the session's title, times, place, trainer, topics and group size.

    The group never shrinks below the places taken (update_event refuses it beside the field);
    the instrument and the project stay."""
    event = signups.lock_event(event_id)
    instrument = loading.found(event.instrument)  # a PAL event is no session
    sessions.check(event.project, fields)
    events.update_event(
        event.id,
        events.EventFields(
            event_type=event.event_type,
            title=fields.title.strip() or str(instrument.label),
            description=event.description,
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
        version=version,
        actor=actor,
    )
    changes = audit.diff(
        event,
        {"trainer": fields.trainer.strip(), "topics": sessions.clean_topics(fields.topics)},
    )
    if changes:
        db.session.flush()
        audit.record("session.update", event, actor=actor, changes=changes)
    return event


@dataclass
class CancelOutlook:
    """What cancelling the session does: whom it tells by e-mail, whom staff must tell."""

    enrolled: list[Participant]
    told: list[Participant]  # the portal writes to them and the session has not begun
    # No address, no consent to e-mail contact, or the session has begun: staff tell them.
    not_told: list[Participant]
    tells: bool
    not_emailed: dict[int, LazyString]  # why the portal does not e-mail one of them


def cancel_outlook(event: Event, *, now: datetime) -> CancelOutlook:
    """The people whose places a cancellation gives back, and who of them gets an e-mail."""
    people = list(
        db.session.scalars(
            select(Participant)
            .join(Registration, Registration.participant_id == Participant.id)
            .where(Registration.event_id == event.id, Registration.status.in_(signups.ACTIVE))
            .options(selectinload(Participant.user))
            .order_by(Participant.last_name, Participant.first_name, Participant.id)
        )
    )
    tells = event.starts_at > now
    not_emailed = consents.not_emailed(people)
    told = [person for person in people if tells and person.id not in not_emailed]
    return CancelOutlook(
        enrolled=people,
        told=told,
        not_told=[person for person in people if person not in told],
        tells=tells,
        not_emailed=not_emailed,
    )


def cancellable(event: Event) -> bool:
    return transitions.can(event, "cancel")


def cancel(event_id: int, *, centre_id: int, reason: str, actor: User, now: datetime) -> Event:
    """Cancel the session with a reason; everyone enrolled loses the place. Before the session
    begins they are told by e-mail (those with an address); once it has begun nobody is written
    to: it is a record being corrected, and staff tell whom they need to."""
    event = sessions.get(centre_id, event_id)
    if not reason.strip():
        raise PortalError(_l("Enter the reason."), field="reason")
    if not cancellable(event):
        raise PortalError(_l("A session whose attendance is recorded cannot be cancelled."))
    events.cancel_event(
        event.id, reason=reason.strip(), actor=actor, now=now, tell=event.starts_at > now
    )
    return event
