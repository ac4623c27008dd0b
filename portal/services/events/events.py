"""Events as staff run them, and the catalogue participants browse."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import contains_eager, selectinload

from portal.extensions import db
from portal.models import Centre, Event, Participant, Project, Registration, User, Village
from portal.models.enums import Audience, EventStatus, EventType, RegistrationStatus
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import PortalError
from portal.services.events import signups
from portal.services.lifecycle import transitions


class EventConflict(PortalError):
    message = _l("Someone else changed this event while you were editing it. Check and try again.")


@dataclass
class EventFields:
    """What staff type into the event form; times already converted to UTC."""

    event_type: EventType
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    audience: Audience
    villages: list[Village]
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    cancellation_cutoff_at: datetime | None


def check(fields: EventFields) -> None:
    """An event's rules (times, places); also run by the form in its one pass."""
    if fields.ends_at < fields.starts_at:
        raise PortalError(_l("The end must not be before the start."), field="ends_at")
    if fields.capacity < 0:
        raise PortalError(_l("The number of places cannot be negative."), field="capacity")
    if (
        fields.registration_opens_at
        and fields.registration_closes_at
        and fields.registration_closes_at < fields.registration_opens_at
    ):
        raise PortalError(_l("Sign-up must close after it opens."), field="registration_closes_at")
    if fields.registration_closes_at and fields.registration_closes_at > fields.starts_at:
        raise PortalError(
            _l("Sign-up must close before the event starts."), field="registration_closes_at"
        )
    if fields.audience == Audience.VILLAGES and not fields.villages:
        raise PortalError(_l("Choose at least one village."), field="village_ids")


def check_new(
    project: Project,
    fields: EventFields,
    *,
    afterwards_reason: str,
    now: datetime,
    past_allowed: bool = False,
) -> None:
    """A new event lies in the future, unless it already took place and is recorded afterwards
    with the reason (a centre going live in the middle of a year records the year's events as
    they happened); then it lies within its project's period. A group session may always be
    entered after it began (`past_allowed`)."""
    check(fields)
    reason = afterwards_reason.strip()
    if reason and fields.starts_at > now:
        raise PortalError(
            _l("Only an event that has already started is recorded afterwards: leave this empty."),
            field="recorded_afterwards_reason",
        )
    if fields.starts_at <= now and not (reason or past_allowed):
        raise PortalError(
            _l(
                "The event must start in the future. To enter an event that has already taken "
                "place, give the reason it is recorded afterwards."
            ),
            field="starts_at",
        )
    if reason:
        day = dates.local_date(fields.starts_at)
        if not project.start_date <= day <= (project.end_date or dates.LATEST):
            raise PortalError(
                _l(
                    "An event recorded afterwards must lie within the project's period "
                    "(%(first)s – %(last)s).",
                    first=format_date(project.start_date, "long"),
                    last=format_date(project.end_date, "long") if project.end_date else "…",
                ),
                field="starts_at",
            )


def _values(fields: EventFields) -> dict[str, Any]:
    values = vars(fields).copy()
    values["villages"] = fields.villages if fields.audience == Audience.VILLAGES else []
    return values


def create(
    centre: Centre,
    project: Project,
    fields: EventFields,
    *,
    actor: User,
    now: datetime,
    past_allowed: bool = False,
    afterwards_reason: str = "",
) -> Event:
    """A new event starts as a draft; it must lie in the future (`check_new`).

    One that already took place is recorded afterwards, with the reason kept and audited, and
    is published at once without telling anyone (nobody signs up for the past): staff then put
    down who came and take the attendance.
    """
    check_new(
        project, fields, afterwards_reason=afterwards_reason, now=now, past_allowed=past_allowed
    )
    reason = afterwards_reason.strip() or None
    values = _values(fields)
    villages = values.pop("villages")
    event = Event(
        centre_id=centre.id,
        project_id=project.id,
        created_by_id=actor.id,
        recorded_afterwards_reason=reason,
        **values,
    )
    event.villages = villages
    db.session.add(event)
    changes = {key: (None, value) for key, value in values.items()}
    if reason:
        changes["recorded_afterwards_reason"] = (None, reason)
    audit.record("event.create", event, actor=actor, changes=changes)
    if reason:
        return publish(event.id, actor=actor, now=now, past_allowed=True)
    return event


def update_event(event_id: int, fields: EventFields, *, version: int, actor: User) -> Event:
    """Save an edit; refused if the event changed meanwhile or capacity falls below bookings."""
    check(fields)
    event = signups.lock_event(event_id)
    if event.version_id != version:
        raise EventConflict()
    if event.status in (EventStatus.CANCELLED, EventStatus.HELD):
        raise PortalError(_l("A cancelled or held event cannot be edited."))
    if fields.capacity < event.places_taken:
        raise PortalError(
            _l(
                "%(n)d places are already taken: the capacity cannot be lower.",
                n=event.places_taken,
            ),
            field="capacity",
        )
    values = _values(fields)
    villages = values.pop("villages")
    changes = audit.diff(event, values)
    old_villages = sorted(v.name for v in event.villages)
    if old_villages != sorted(v.name for v in villages):
        changes["villages"] = (old_villages, sorted(v.name for v in villages))
        event.villages = villages
    if changes:
        db.session.flush()  # the version check happens here
        audit.record("event.update", event, actor=actor, changes=changes)
        if "capacity" in changes:
            signups.promote_waiting(event.id, actor=actor)
    return event


def publish(event_id: int, *, actor: User, now: datetime, past_allowed: bool = False) -> Event:
    event = signups.lock_event(event_id)
    if not transitions.can(event, "publish"):
        raise PortalError(_l("Only a draft can be published."))
    if event.starts_at <= now and not past_allowed:
        raise PortalError(_l("An event in the past cannot be published."))
    transitions.move(
        event, "publish", refusal=PortalError(), lost=EventConflict(), actor=actor, now=now
    )
    return event


def cancel_event(
    event_id: int, *, reason: str, actor: User, now: datetime, tell: bool = True
) -> int:
    """Cancel the event and tell everyone registered (unless `tell` is off: a group session
    cancelled after it began); returns how many registrations were cancelled."""
    event = signups.lock_event(event_id)
    if not transitions.can(event, "cancel"):
        raise PortalError(_l("This event can no longer be cancelled."))
    registrations = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id, Registration.status.in_(signups.ACTIVE)
        )
    ).all()
    for registration in registrations:
        signups.move(
            registration,
            RegistrationStatus.CANCELLED,
            actor=actor,
            action="registration.event_cancelled",
            note=reason,
        )
        if tell:
            signups._tell(registration, event, "event_cancelled", reason=reason)
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(places_taken=0, cancelled_reason=reason)
        .execution_options(synchronize_session=False)
    )
    transitions.move(
        event,
        "cancel",
        refusal=PortalError(),
        lost=EventConflict(),
        actor=actor,
        now=now,
        audit_extra={"reason": (None, reason)} if reason else None,
    )
    return len(registrations)


def get(centre_id: int, event_id: int) -> Event:
    """An event of this centre, the villages it is for loaded with it."""
    return loading.of_centre(Event, event_id, centre_id, options=(selectinload(Event.villages),))


def of_registration(centre_id: int, registration_id: int) -> Event:
    """The event a registration of this centre belongs to."""
    return loading.one(
        select(Event)
        .join(Registration, Registration.event_id == Event.id)
        .where(Registration.id == registration_id, Registration.centre_id == centre_id)
    )


def list_for_staff(centre_id: int, *, now: datetime, past: bool = False) -> list[Event]:
    # Sessions of group instruments have their own list (services/sessions.py).
    query = (
        select(Event)
        .where(Event.centre_id == centre_id, Event.instrument.is_(None))
        .options(selectinload(Event.villages))
    )
    # An event stays "coming up" for staff until it ends: attendance is taken on the day.
    if past:
        query = query.where(Event.ends_at < now).order_by(Event.starts_at.desc())
    else:
        query = query.where(Event.ends_at >= now).order_by(Event.starts_at)
    return list(db.session.scalars(query.limit(200)))


def waiting_counts(event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Registration.event_id, func.count(Registration.id))
        .where(
            Registration.event_id.in_(event_ids), Registration.status == RegistrationStatus.WAITING
        )
        .group_by(Registration.event_id)
    )
    return {key: value for key, value in rows}


def _catalogue(person: Participant) -> Select[Event]:
    return (
        select(Event)
        .where(
            Event.centre_id == person.centre_id,
            Event.project_id == person.project_id,
            Event.status.in_((EventStatus.PUBLISHED, EventStatus.HELD, EventStatus.CANCELLED)),
            # Sessions of group instruments are not offered: staff enrol the participants.
            Event.instrument.is_(None),
        )
        .options(selectinload(Event.villages))
    )


def list_for_participant(
    person: Participant,
    *,
    now: datetime,
    past: bool = False,
    event_type: EventType | None = None,
    village_id: int | None = None,
) -> list[Event]:
    """The published events a participant can browse: upcoming (soonest first) or past."""
    query = _catalogue(person)
    if past:
        query = query.where(Event.starts_at < now).order_by(Event.starts_at.desc())
    else:
        query = query.where(Event.starts_at >= now, Event.status == EventStatus.PUBLISHED).order_by(
            Event.starts_at
        )
    if event_type is not None:
        query = query.where(Event.event_type == event_type)
    if village_id is not None:
        query = query.where(
            (Event.audience != Audience.VILLAGES) | Event.villages.any(Village.id == village_id)
        )
    return list(db.session.scalars(query.limit(100)))


def get_for_participant(person: Participant, event_id: int) -> Event:
    """An event of the person's catalogue; any other is as good as missing."""
    return loading.one(_catalogue(person).where(Event.id == event_id))


def registrations_of(
    person: Participant, event_ids: list[int] | None = None
) -> dict[int, Registration]:
    """The person's registrations, by event id (one query)."""
    query = select(Registration).where(Registration.participant_id == person.id)
    if event_ids is not None:
        query = query.where(Registration.event_id.in_(event_ids))
    return {r.event_id: r for r in db.session.scalars(query)}


def my_events(person: Participant, *, now: datetime, past: bool) -> list[Registration]:
    """The person's own registrations with their events, upcoming or past."""
    query = (
        select(Registration)
        .join(Event)
        .where(Registration.participant_id == person.id)
        # The event comes from the join the order needs: one statement.
        .options(contains_eager(Registration.event))
    )
    if past:
        query = query.where(Event.starts_at < now).order_by(Event.starts_at.desc())
    else:
        query = query.where(Event.starts_at >= now).order_by(Event.starts_at)
    return list(db.session.scalars(query.limit(100)))


_STATUS_ORDER = case(
    {
        RegistrationStatus.CONFIRMED.value: 0,
        RegistrationStatus.ATTENDED.value: 0,
        RegistrationStatus.ABSENT.value: 1,
        RegistrationStatus.WAITING.value: 2,
    },
    value=Registration.status,
    else_=3,
)


def registrations_for_staff(event_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id)
            .options(
                selectinload(Registration.participant).options(
                    selectinload(Participant.village), selectinload(Participant.user)
                )
            )
            .order_by(_STATUS_ORDER, Registration.queue_number)
        )
    )
