"""Calendar files: one event as .ics, and a private feed of a participant's own events."""

import secrets
from datetime import datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Event, Participant, Registration
from portal.models.enums import EventStatus, RegistrationStatus
from portal.services.audit import audit

FEED_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITING,
    RegistrationStatus.ATTENDED,
)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Active integration portal//PL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _entry(event: Event, *, domain: str, now: datetime) -> CalendarEvent:
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@{domain}")
    entry.add("dtstamp", now)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    entry.add("location", event.place)
    if event.description:
        entry.add("description", event.description)
    if event.status == EventStatus.CANCELLED:
        entry.add("status", "CANCELLED")
    return entry


def event_ics(event: Event, *, domain: str, now: datetime) -> bytes:
    calendar = _calendar(event.title)
    calendar.add_component(_entry(event, domain=domain, now=now))
    ics: bytes = calendar.to_ical()  # icalendar leaves the return type unannotated
    return ics


def feed_ics(person: Participant, *, name: str, domain: str, now: datetime) -> bytes:
    """Every event the person is signed up for or waiting for (cancelled ones drop out)."""
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.participant_id == person.id, Registration.status.in_(FEED_STATUSES))
        .options(selectinload(Registration.event))
    ).all()
    calendar = _calendar(name)
    for registration in registrations:
        calendar.add_component(_entry(registration.event, domain=domain, now=now))
    ics: bytes = calendar.to_ical()
    return ics


def person_for_feed(token: str) -> Participant | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Participant).where(Participant.calendar_token == token))


def new_feed_token(person: Participant) -> str:
    """Create or replace the secret feed address; the old one stops working at once."""
    had_one = person.calendar_token is not None
    person.calendar_token = secrets.token_urlsafe(32)
    audit.record(
        "participant.calendar_feed",
        person,
        actor=person.user,
        changes={"calendar_feed": ("active" if had_one else None, "renewed")},
    )
    return person.calendar_token


def revoke_feed(person: Participant) -> None:
    if person.calendar_token is not None:
        person.calendar_token = None
        audit.record(
            "participant.calendar_feed",
            person,
            actor=person.user,
            changes={"calendar_feed": ("active", None)},
        )
