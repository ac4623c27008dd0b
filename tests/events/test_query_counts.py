"""The key event pages run the same number of SQL statements for N and for 10×N records."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Centre, Event, Participant, User, Village
from portal.models.base import utcnow
from portal.models.enums import Audience, EventStatus, EventType, Role
from portal.services.events import signups
from portal.services.people import participants

N = 3


class World:
    """One centre: a participant ("me"), a coordinator, and events that grow in units."""

    def __init__(self, app, make_centre, make_participant, make_user, make_event):
        self.app = app
        self.centre = make_centre()
        self.me = make_participant(self.centre, first_name="Ja", on_pal_path=True)
        self.coordinator = make_user(
            Role.COORDINATOR, centre_id=self.centre, email="koordynator@example.org"
        )
        self.units = 0
        # The event both detail pages show: full, with me on its waiting list.
        self.watched = make_event(self.centre, capacity=2, title="Obserwowane")
        self.grow(1)
        with app.app_context():
            signups.sign_up(self._person(self.me), self.watched, now=utcnow(), actor=None)
            db.session.commit()

    def _person(self, participant_id: int) -> Participant:
        return db.session.get(Participant, participant_id)

    def grow(self, units: int) -> None:
        """Add `units` × (two neighbours, five events, their registrations) in one transaction."""
        with self.app.app_context():
            for _ in range(units):
                self.units += 1
                self._unit(self.units, utcnow())
            db.session.commit()

    def _event(self, title: str, n: int, now, *, capacity=2, days=3, **fields) -> Event:
        project = participants.current_project(self.centre)
        starts = (now + timedelta(days=days, minutes=n)).replace(microsecond=0)
        event = Event(
            centre_id=self.centre,
            project_id=project.id,
            event_type=fields.pop("event_type", EventType.WORKSHOP),
            title=f"{title} {n}",
            place="Świetlica",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            status=EventStatus.PUBLISHED,
            **fields,
        )
        db.session.add(event)
        db.session.flush()
        return event

    def _unit(self, n: int, now) -> None:
        centre = db.session.get(Centre, self.centre)
        project = participants.current_project(self.centre)
        # A village of their own each time, so a page that loaded villages one by one would grow.
        village = Village(centre_id=centre.id, name=f"Wieś {n}")
        db.session.add(village)
        db.session.flush()
        others = select(Village).where(Village.centre_id == centre.id, Village.id != village.id)
        villages = [village, *db.session.scalars(others)]
        me = self._person(self.me)
        neighbours = [
            participants.create_participant(
                centre=centre,
                project=project,
                first_name=f"Sąsiad{n}",
                last_name=f"Nr{n}{k}",
                village=villages[k % 2],
                on_pal_path=True,
                actor=None,
            )
            for k in range(2)
        ]
        db.session.flush()
        full = self._event("Pełne", n, now, capacity=1)
        roomy = self._event("Wolne", n, now, capacity=5, event_type=EventType.FAMILY_PICNIC)
        left = self._event("Zrezygnowane", n, now)
        local = self._event("Wiejskie", n, now, audience=Audience.VILLAGES)
        local.villages = villages[:1]
        past = self._event("Minione", n, now, days=-2)
        before = now - timedelta(days=5)

        def register(person, event_id, *, at=now, **kwargs):
            return signups.sign_up(person, event_id, now=at, actor=None, **kwargs)

        register(neighbours[0], full.id)
        register(me, full.id)  # waiting
        register(me, roomy.id, companions=1)
        register(neighbours[1], roomy.id)
        signups.cancel(register(me, left.id).id, now=now, actor=None, owner=me)
        register(neighbours[0], local.id, on_behalf=True)
        register(neighbours[0], self.watched, on_behalf=True)
        mine = register(me, past.id, at=before)
        theirs = register(neighbours[0], past.id, at=before)
        signups.record_attendance(
            past.id,
            {mine.id: True, theirs.id: False},
            actor=db.session.get(User, self.coordinator),
            now=now,
        )


@pytest.fixture
def world(app, make_centre, make_participant, make_user, make_event):
    return World(app, make_centre, make_participant, make_user, make_event)


def _count(query_counter, client, path: str) -> int:
    with query_counter() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def _counts(query_counter, client, paths: list[str]) -> dict[str, int]:
    for path in paths:  # once before measuring, so nothing is counted that a first visit adds
        client.get(path)
    return {path: _count(query_counter, client, path) for path in paths}


def test_participant_pages_do_not_grow_with_the_data(app, client, world, login_as, query_counter):
    login_as("participant1@example.org")
    paths = ["/me/", "/me/events", "/me/events?tab=past", f"/me/events/{world.watched}"]
    paths.append("/me/my-events")
    world.grow(N - 1)
    small = _counts(query_counter, client, paths)

    world.grow(9 * N)
    large = _counts(query_counter, client, paths)

    assert world.units == 10 * N
    assert large == small
    # The pages really show the grown data.
    assert f"Pełne {10 * N}" in client.get("/me/my-events").get_data(as_text=True)


def test_staff_event_pages_do_not_grow_with_the_data(app, client, world, login_as, query_counter):
    login_as("koordynator@example.org")
    paths = ["/staff/events", "/staff/events?tab=past", f"/staff/events/{world.watched}"]
    world.grow(N - 1)
    small = _counts(query_counter, client, paths)

    world.grow(9 * N)
    large = _counts(query_counter, client, paths)

    assert large == small
    detail = client.get(f"/staff/events/{world.watched}").get_data(as_text=True)
    assert f"Sąsiad{10 * N}" in detail
