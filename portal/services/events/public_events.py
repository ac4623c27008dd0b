"""The public list of upcoming events, for people without an account: what, when, where and how
many places are left, of every centre. Nothing about who signed up."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Centre, Event
from portal.models.enums import EventStatus, EventType


@dataclass(frozen=True)
class PublicEvent:
    """Only the fields the public page shows: no registrations, no names, no ids of people."""

    id: int
    title: str
    event_type: EventType
    starts_at: datetime
    ends_at: datetime
    place: str
    places_left: int
    villages: tuple[str, ...]


LIMIT = 200


def upcoming(*, now: datetime) -> list[tuple[Centre, list[PublicEvent]]]:
    """Published Local Activity Programme events not yet started, per centre (by name), soonest
    first. Sessions of group instruments are not offered: staff enrol their participants."""
    events = db.session.scalars(
        select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.instrument.is_(None),
            Event.starts_at >= now,
        )
        .options(selectinload(Event.villages))
        .order_by(Event.starts_at)
        .limit(LIMIT)
    ).all()
    centres = {
        c.id: c
        for c in db.session.scalars(
            select(Centre).where(Centre.id.in_({e.centre_id for e in events}))
        )
    }
    grouped: dict[int, list[PublicEvent]] = {}
    for e in events:
        grouped.setdefault(e.centre_id, []).append(
            PublicEvent(
                id=e.id,
                title=e.title,
                event_type=e.event_type,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                place=e.place,
                places_left=e.places_left,
                villages=tuple(v.name for v in e.villages),
            )
        )
    return sorted(
        ((centres[cid], items) for cid, items in grouped.items()), key=lambda pair: pair[0].name
    )
