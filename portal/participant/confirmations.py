"""Pages that say what will happen before a participant gives something up.

Each is a GET that changes nothing and ends in a form posting to the action's own endpoint in
`portal.participant.views` (which does it): cancelling a place or leaving a waiting list, and
switching the private calendar address off. Plain HTML: no JavaScript needed.
"""

from datetime import datetime

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from portal.forms import CsrfForm
from portal.models import Event, Registration
from portal.models.base import utcnow
from portal.models.enums import RegistrationStatus
from portal.participant.blueprint import _me, bp, feed_url
from portal.participant.forms import CalendarForm
from portal.services.events import events, signups


def too_late_to_cancel(event: Event, registration: Registration, now: datetime) -> bool:
    """Whether `signups.cancel` would refuse this participant now (it decides; the page only
    leaves out a button that could not work): a confirmed place at or after the cut-off, or
    once the event has begun. Leaving a waiting list is always possible."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return False
    cutoff = event.cancellation_cutoff_at
    return event.starts_at <= now or (cutoff is not None and now >= cutoff)


@bp.get("/events/<int:event_id>/cancel")
def cancel_confirm(event_id: int) -> ResponseReturnValue:
    person = _me()
    event = events.get_for_participant(person, event_id)
    registration = signups.find(event.id, person.id)
    if registration is None or registration.status not in signups.ACTIVE:
        # Nothing to give up (cancelled already, or never signed up): the event page shows it.
        return redirect(url_for(".event_detail", event_id=event.id))
    position = None
    if registration.status == RegistrationStatus.WAITING:
        position = signups.waiting_positions([event.id]).get(registration.id)
    return render_template(
        "participant/cancel_confirm.html",
        event=event,
        registration=registration,
        position=position,
        waiting_list=registration.status == RegistrationStatus.WAITING,
        waiting=signups.waiting_count(event.id),
        too_late=too_late_to_cancel(event, registration, utcnow()),
        form=CsrfForm(),
    )


@bp.get("/calendar/switch-off")
def calendar_switch_off() -> ResponseReturnValue:
    person = _me()
    return render_template(
        "participant/calendar_switch_off.html", feed_url=feed_url(person), form=CalendarForm()
    )
