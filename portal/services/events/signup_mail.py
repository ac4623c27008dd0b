"""What a registered person is told by mail: a place, a waiting-list position, a promotion,
a reminder, a cancelled event. Sign-ups and promotions carry the event as an .ics attachment
and the address of the event's page, where the person (signed in) can cancel.
"""

from typing import Any

from portal.models import Event, Registration
from portal.models.base import utcnow
from portal.models.enums import RegistrationStatus
from portal.services.common.links import external_url, site_domain
from portal.services.events import calendar
from portal.services.mail import mail
from portal.services.people import consents

# The messages that put the event in the person's calendar.
WITH_CALENDAR = frozenset({"signed_up", "waiting_list", "place_confirmed"})


def event_url(event: Event) -> str:
    return external_url("participant.event_detail", event_id=event.id)


def tell(registration: Registration, event: Event, template: str, **context: Any) -> bool:
    """Queue a message to the registered person; False when the portal does not write to them
    about the project (no address, or no consent to e-mail contact: consents.not_emailed)."""
    person = registration.participant
    address = consents.email_for_project(person)
    if address is None:
        return False
    attachment = None
    if template in WITH_CALENDAR:
        ics = calendar.event_ics(event, domain=site_domain(), now=utcnow())
        attachment = (f"event-{event.id}.ics", ics.decode("utf-8"))
    mail.queue(
        address,
        template,
        locale=person.user.locale if person.user else None,
        centre_id=event.centre_id,
        attachment=attachment,
        person=person,
        event=event,
        registration=registration,
        url=event_url(event),
        **context,
    )
    return True


def confirm_sign_up(registration: Registration, event: Event, *, position: int | None) -> bool:
    """A new sign-up: a place, or the waiting list at `position` (1 = next in line)."""
    if registration.status == RegistrationStatus.CONFIRMED:
        return tell(registration, event, "signed_up")
    return tell(registration, event, "waiting_list", position=position)
