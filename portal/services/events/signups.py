"""Sign-ups for events: places are never overbooked, the waiting list is fair, every move audited.

Every change to an event's places first locks the event row (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite the transaction already holds the write lock from BEGIN IMMEDIATE), then
changes counters with conditional UPDATEs. The CHECK constraint places_taken <= capacity is the
last line: even a faulty caller cannot overbook.
"""

from datetime import datetime
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal import database, formatting
from portal.extensions import db
from portal.models import Event, Participant, Registration, User
from portal.models.enums import Audience, EventStatus, RegistrationStatus
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.events import signup_mail
from portal.services.lifecycle import transitions
from portal.services.plans import action_progress

# The only moves a registration can make. Anything else is refused.
# The registration's lifecycle lives with every other one; tests read it from here too.
TRANSITIONS = transitions.REGISTRATION_MOVES
ACTIVE = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING})
MAX_COMPANIONS = 10


class SignUpRefused(PortalError):
    message = _l("You cannot sign up for this event.")


class CancellationClosed(PortalError):
    message = _l("It is too late to cancel online. Please phone the centre if you cannot come.")


class IllegalTransition(PortalError):
    message = _l("This registration cannot be changed this way any more.")


def lock_event(event_id: int) -> Event:
    """Take the event's lock for the rest of the transaction and return its current state."""
    return loading.one(select(Event).where(Event.id == event_id), for_update=True)


def refusal_reason(person: Participant, event: Event, *, now: datetime) -> LazyString | None:
    """Why this person may not sign up for this event now, in words they understand; or None."""
    if event.status == EventStatus.CANCELLED:
        return _l("This event has been cancelled.")
    if event.status != EventStatus.PUBLISHED or event.starts_at <= now:
        return _l("This event has already taken place or is not open for sign-up.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _l("Sign-up for this event has not opened yet.")
    if event.registration_closes_at and now >= event.registration_closes_at:
        return _l("Sign-up for this event is closed.")
    if event.audience == Audience.PAL and not person.on_pal_path:
        return _l("This event is only for participants of the Local Activity Programme.")
    if event.audience == Audience.VILLAGES and person.village_id not in {
        village.id for village in event.villages
    }:
        return _l(
            "This event is only for residents of: %(villages)s.",
            villages=", ".join(village.name for village in event.villages),
        )
    return None


def take_places(event_id: int, places: int) -> bool:
    """Raise the confirmed places counter by `places` only if they fit (one conditional UPDATE)."""
    changed = database.rows_changed(
        update(Event)
        .where(Event.id == event_id, Event.places_taken + places <= Event.capacity)
        .values(places_taken=Event.places_taken + places)
        .execution_options(synchronize_session=False),
    )
    return changed == 1


def _release_places(event_id: int, places: int) -> None:
    db.session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(places_taken=Event.places_taken - places)
        .execution_options(synchronize_session=False)
    )


def next_queue_number(event_id: int) -> int:
    db.session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(last_queue_number=Event.last_queue_number + 1)
        .execution_options(synchronize_session=False)
    )
    return db.session.scalars(select(Event.last_queue_number).where(Event.id == event_id)).one()


def move(
    registration: Registration,
    new: RegistrationStatus,
    *,
    actor: User | None,
    action: str,
    note: str | None = None,
) -> None:
    """Change a registration's status along TRANSITIONS, once, and record it."""
    values: dict[str, Any] = {"note": note} if note is not None else {}
    transitions.move(
        registration,
        new.value,
        refusal=IllegalTransition(),
        lost=IllegalTransition(),  # somebody else moved it first
        actor=actor,
        audit_action=action,
        **values,
    )


def find(event_id: int, participant_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.participant_id == participant_id)
        .execution_options(populate_existing=True)
    )


def sign_up(
    person: Participant,
    event_id: int,
    *,
    now: datetime,
    actor: User | None,
    companions: int = 0,
    companion_names: str = "",
    on_behalf: bool = False,
) -> Registration:
    """A confirmed place while places remain (companions too, all or none), else the waiting list.

    Signing up twice (a double click, a retried POST) returns the first registration unchanged.
    Staff signing someone up `on_behalf` are not held to the sign-up window or the audience; for
    an event recorded afterwards they put down who came, after the event, and nobody is told.
    """
    # Another centre's or another project's event is as good as missing.
    event = loading.one(
        select(Event).where(
            Event.id == event_id,
            Event.centre_id == person.centre_id,
            Event.project_id == person.project_id,
        ),
        for_update=True,
    )
    if event.instrument is not None:  # a group session: staff enrol (services/sessions.py)
        raise SignUpRefused()
    existing = find(event.id, person.id)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return existing
    afterwards = on_behalf and recording_afterwards(event)
    reason = refusal_reason(person, event, now=now)
    if reason is not None and not (
        (on_behalf and event.status == EventStatus.PUBLISHED and event.starts_at > now)
        or afterwards
    ):
        raise SignUpRefused(reason)
    if not 0 <= companions <= MAX_COMPANIONS:
        raise SignUpRefused(
            _l("You can bring at most %(n)d family members.", n=MAX_COMPANIONS), field="companions"
        )
    places = 1 + companions
    status = (
        RegistrationStatus.CONFIRMED
        if take_places(event.id, places)
        else RegistrationStatus.WAITING
    )
    queue_number = next_queue_number(event.id)
    if existing is None:
        registration = Registration(
            centre_id=event.centre_id,
            event_id=event.id,
            participant_id=person.id,
            status=transitions.initial(Registration, status),
            companions=companions,
            companion_names=companion_names.strip(),
            queue_number=queue_number,
            created_by_id=actor.id if actor else None,
        )
        db.session.add(registration)
        audit.record(
            "registration.sign_up",
            registration,
            actor=actor,
            changes={"status": (None, status), "companions": (None, companions)},
        )
    else:
        registration = existing
        registration.companions = companions
        registration.companion_names = companion_names.strip()
        registration.queue_number = queue_number
        db.session.flush()
        move(registration, status, actor=actor, action="registration.sign_up_again")
    if afterwards:  # the event is over: a place in it is no news to anyone
        return registration
    position = (
        waiting_positions([event.id]).get(registration.id)
        if status == RegistrationStatus.WAITING
        else None
    )
    signup_mail.confirm_sign_up(registration, event, position=position)
    return registration


def recording_afterwards(event: Event) -> bool:
    """A PAL event recorded after it took place, whose list of who came staff are still
    putting down (until it is cancelled)."""
    return event.recorded_afterwards_reason is not None and event.status in (
        EventStatus.PUBLISHED,
        EventStatus.HELD,
    )


def cancel(
    registration_id: int,
    *,
    now: datetime,
    actor: User | None,
    owner: Participant | None = None,
    by_staff: bool = False,
    note: str | None = None,
) -> Registration:
    """Give up a place or leave the waiting list; the freed places go to the waiting list at once.

    Participants (`owner`) may cancel a confirmed place only until the event's cut-off; leaving
    the waiting list is always possible. Cancelling twice has one effect.
    """
    query = select(Registration).where(Registration.id == registration_id)
    if owner is not None:  # a participant's own registrations only
        query = query.where(Registration.participant_id == owner.id)
    registration = loading.one(query)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    if registration.status not in ACTIVE:
        raise IllegalTransition()
    if (
        not by_staff
        and registration.status == RegistrationStatus.CONFIRMED
        and (
            event.starts_at <= now
            or (event.cancellation_cutoff_at is not None and now >= event.cancellation_cutoff_at)
        )
    ):
        raise CancellationClosed()
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    move(
        registration,
        RegistrationStatus.CANCELLED,
        actor=actor,
        action="registration.cancel",
        note=note,
    )
    if was_confirmed:
        _release_places(event.id, registration.places)
        promote_waiting(event.id, actor=actor)
    return registration


def promote_waiting(event_id: int, *, actor: User | None) -> list[Registration]:
    """Give free places to the waiting list in sign-up order: the first who fit get them.

    A family keeps its one position: when the first family on the list does not fit, the next
    person who fits is promoted, and the family stays first in line for the next free places.
    """
    event = db.session.scalars(
        select(Event).where(Event.id == event_id).execution_options(populate_existing=True)
    ).one()
    if event.status != EventStatus.PUBLISHED:
        return []
    promoted = []
    free = event.capacity - event.places_taken
    waiting = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITING)
        .order_by(Registration.queue_number)
    ).all()
    for registration in waiting:
        if free <= 0:
            break
        if registration.places <= free and take_places(event_id, registration.places):
            move(
                registration,
                RegistrationStatus.CONFIRMED,
                actor=actor,
                action="registration.promote",
            )
            free -= registration.places
            promoted.append(registration)
            _tell(registration, event, "place_confirmed")
    return promoted


def _tell(registration: Registration, event: Event, template: str, **context: Any) -> bool:
    """Queue a message to the registered person; False when there is no address to write to."""
    return signup_mail.tell(registration, event, template, **context)


def admit(
    registration_id: int, *, reason: str, actor: User, now: datetime, walk_in: bool = False
) -> Registration:
    """Staff give a waiting person a place by hand; if none is free, capacity grows to make one.

    A `walk_in` (someone who came without a place) is admitted from the event's start onwards,
    while attendance can be taken, and is not sent a confirmation.
    """
    registration = loading.found(db.session.get(Registration, registration_id))
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.WAITING:
        raise IllegalTransition(_l("Only a person on the waiting list can be given a place."))
    if walk_in and (refusal := attendance_refusal(event, now=now)) is not None:
        raise IllegalTransition(refusal)
    if not walk_in and (event.status != EventStatus.PUBLISHED or event.starts_at <= now):
        raise IllegalTransition(_l("The event is not open any more."))
    missing = registration.places - (event.capacity - event.places_taken)
    if missing > 0:
        db.session.execute(
            update(Event)
            .where(Event.id == event.id)
            .values(capacity=Event.capacity + missing)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            "event.capacity",
            event,
            actor=actor,
            changes={"capacity": (event.capacity, event.capacity + missing)},
        )
    if not take_places(event.id, registration.places):
        raise IllegalTransition()
    move(
        registration,
        RegistrationStatus.CONFIRMED,
        actor=actor,
        action="registration.admit",
        note=reason,
    )
    if not walk_in:
        _tell(registration, event, "place_confirmed")
    return registration


def attendance_refusal(event: Event, *, now: datetime) -> LazyString | None:
    """Why attendance cannot be taken for this event now; None from the event's start onwards.

    Saving attendance makes the event "held": before it began, nobody can have come."""
    if not transitions.can(event, "hold"):
        return _l("Attendance can only be taken for a published event.")
    if now < event.starts_at:
        return _l(
            "Attendance can be taken from the start of the event: %(when)s.",
            when=formatting.date_time(event.starts_at),
        )
    return None


def record_attendance(
    event_id: int, present: dict[int, bool], *, actor: User, now: datetime
) -> int:
    """Mark who came; the event becomes held. Returns how many registrations changed."""
    event = lock_event(event_id)
    if (refusal := attendance_refusal(event, now=now)) is not None:
        raise IllegalTransition(refusal)
    changed, came = 0, []
    registrations = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.status.in_(
                (
                    RegistrationStatus.CONFIRMED,
                    RegistrationStatus.ATTENDED,
                    RegistrationStatus.ABSENT,
                )
            ),
        )
    ).all()
    for registration in registrations:
        if registration.id not in present:
            continue
        new = RegistrationStatus.ATTENDED if present[registration.id] else RegistrationStatus.ABSENT
        if registration.status != new:
            move(registration, new, actor=actor, action="registration.attendance")
            changed += 1
            if new == RegistrationStatus.ATTENDED:
                came.append(registration.participant_id)
    if event.status != EventStatus.HELD or event.attendance_recorded_at is None:
        transitions.move(
            event,
            "hold",
            refusal=IllegalTransition(_l("Attendance can only be taken for a published event.")),
            actor=actor,
            audit_action="event.attendance_recorded",
            unaudited={"attendance_recorded_at": now},
        )
    # The plan actions naming this session are done for those who came.
    action_progress.sessions_attended(event, came, actor=actor, now=now)
    return changed


def waiting_positions(event_ids: list[int]) -> dict[int, int]:
    """Registration id -> place on its event's waiting list (1 = next in line), in one query."""
    if not event_ids:
        return {}
    position = func.row_number().over(
        partition_by=Registration.event_id, order_by=Registration.queue_number
    )
    rows = db.session.execute(
        select(Registration.id, position).where(
            Registration.event_id.in_(event_ids), Registration.status == RegistrationStatus.WAITING
        )
    )
    return {key: value for key, value in rows}


def waiting_count(event_id: int) -> int:
    return db.session.scalars(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITING
        )
    ).one()
