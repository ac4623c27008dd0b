"""Reaching a participant the portal does not e-mail: what a printed letter about an event says
to them. Who they are, and why (no address, or no consent to e-mail contact), is the rule the
portal's e-mails follow: consents.not_emailed."""

from dataclasses import dataclass

from sqlalchemy import select

from portal.models import Centre, Event, Participant, Registration
from portal.services.common import loading
from portal.services.events import signups


@dataclass(frozen=True)
class Letter:
    centre: Centre
    event: Event
    registration: Registration
    person: Participant
    position: int | None  # on the waiting list


def letter(centre_id: int, event_id: int, registration_id: int) -> Letter:
    """A registration of this centre's event, with what its letter needs; not found otherwise."""
    registration = loading.one(
        select(Registration).where(
            Registration.id == registration_id,
            Registration.event_id == event_id,
            Registration.centre_id == centre_id,
        )
    )
    return Letter(
        centre=loading.centre(centre_id),
        event=registration.event,
        registration=registration,
        person=registration.participant,
        position=signups.waiting_positions([event_id]).get(registration.id),
    )
