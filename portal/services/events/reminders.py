"""Reminders the day before an event, queued once even when cron runs on several machines."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal import database
from portal.extensions import db
from portal.models import Event, Participant, Registration
from portal.models.enums import EventStatus, RegistrationStatus
from portal.services.common import dates
from portal.services.events import signups


def queue_reminders(*, now: datetime) -> int:
    """Queue a reminder to everyone with a place at an event that is tomorrow (Warsaw time)."""
    tomorrow = dates.local_date(now) + timedelta(days=1)
    start = dates.local_to_utc(tomorrow, datetime.min.time())
    end = dates.local_to_utc(tomorrow + timedelta(days=1), datetime.min.time())
    event_ids = db.session.scalars(
        select(Event.id).where(
            Event.status == EventStatus.PUBLISHED,
            Event.reminders_queued_at.is_(None),
            Event.starts_at >= start,
            Event.starts_at < end,
        )
    ).all()
    queued = 0
    for event_id in event_ids:
        changed = database.rows_changed(
            update(Event)
            .where(Event.id == event_id, Event.reminders_queued_at.is_(None))
            .values(reminders_queued_at=now)
            .execution_options(synchronize_session=False),
        )
        if changed != 1:
            continue  # another runner took this event
        event = db.session.get_one(Event, event_id)
        registrations = db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .options(selectinload(Registration.participant).selectinload(Participant.user))
        ).all()
        for registration in registrations:
            if signups._tell(registration, event, "reminder"):
                queued += 1
    return queued
