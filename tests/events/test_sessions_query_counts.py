"""The session list and a session's page run the same number of SQL statements for N and for
10×N sessions and participants."""

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Centre, Event, User, Village
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.models.support import GroupInstrument
from portal.services.events import sessions, signups
from portal.services.people import participants

N = 2


class World:
    """One centre with a coordinator and a watched session; units of people and sessions."""

    def __init__(self, app, make_centre, make_user):
        self.app = app
        self.centre = make_centre()
        self.coordinator = make_user(
            Role.COORDINATOR, centre_id=self.centre, email="koordynator@example.org"
        )
        self.units = 0
        with app.app_context():
            self.watched = self._session("Obserwowane", 0, capacity=1000).id
            db.session.commit()

    def _session(self, title: str, n: int, *, capacity: int = 10, instrument=None) -> Event:
        starts = (utcnow() + timedelta(days=3, minutes=n)).replace(second=0, microsecond=0)
        return sessions.create(
            db.session.get(Centre, self.centre),
            participants.current_project(self.centre),
            sessions.SessionFields(
                instrument=instrument or GroupInstrument.SOCIAL_SKILLS,
                title=f"{title} {n}",
                place="Sala",
                starts_at=starts,
                ends_at=starts + timedelta(minutes=90),
                capacity=capacity,
                trainer="Ewa Trenerska",
                topics="Asertywność\nKomunikacja",
            ),
            actor=db.session.get(User, self.coordinator),
            now=utcnow(),
        )

    def grow(self, units: int) -> None:
        with self.app.app_context():
            for _ in range(units):
                self.units += 1
                self._unit(self.units)
            db.session.commit()

    def _unit(self, n: int) -> None:
        centre = db.session.get(Centre, self.centre)
        project = participants.current_project(self.centre)
        actor = db.session.get(User, self.coordinator)
        village = Village(centre_id=centre.id, name=f"Wieś {n}")
        db.session.add(village)
        db.session.flush()
        people = [
            participants.create_participant(
                centre=centre,
                project=project,
                first_name=f"Osoba{n}",
                last_name=f"Nr{n}{k}",
                village=village,
                actor=None,
            )
            for k in range(3)
        ]
        db.session.flush()
        now = utcnow()
        # Two of the three go into the watched session; the third is offered on its page.
        sessions.enrol(self.watched, people[:2], actor=actor, now=now)
        coming = self._session("Nadchodzące", n, instrument=GroupInstrument.CLUB_MEETING)
        sessions.enrol(coming.id, people, actor=actor, now=now)
        past = self._session("Minione", n)
        enrolled = sessions.enrol(past.id, people[:2], actor=actor, now=now)
        later = past.ends_at + timedelta(minutes=1)
        signups.record_attendance(
            past.id, {enrolled[0].id: True, enrolled[1].id: False}, actor=actor, now=later
        )
        sessions.walk_in(people[2], past.id, reason="Zastępstwo", actor=actor, now=later)
        db.session.flush()
        past.starts_at -= timedelta(days=10)
        past.ends_at -= timedelta(days=10)


def _counts(query_counter, client, paths: list[str]) -> dict[str, int]:
    for path in paths:  # once before measuring, so nothing is counted that a first visit adds
        assert client.get(path).status_code == 200, path
    result = {}
    for path in paths:
        with query_counter() as statements:
            assert client.get(path).status_code == 200, path
        result[path] = len(statements)
    return result


def test_session_pages_do_not_grow_with_the_data(
    app, client, make_centre, make_user, login_as, query_counter
):
    world = World(app, make_centre, make_user)
    login_as("koordynator@example.org")
    paths = [
        "/staff/sessions",
        "/staff/sessions?tab=past",
        f"/staff/sessions/{world.watched}",
        f"/staff/sessions/{world.watched}/walk-in",
        f"/staff/events/{world.watched}/attendance",
    ]
    world.grow(N)
    small = _counts(query_counter, client, paths)

    world.grow(9 * N)
    large = _counts(query_counter, client, paths)

    assert world.units == 10 * N
    assert large == small
    # The pages really show the grown data.
    detail = client.get(f"/staff/sessions/{world.watched}").get_data(as_text=True)
    assert f"Nr{10 * N}0" in detail  # enrolled
    assert f"Nr{10 * N}2" in detail  # offered
    past = client.get("/staff/sessions?tab=past").get_data(as_text=True)
    assert f"Minione {10 * N}" in past
    with app.app_context():
        held = db.session.scalars(select(Event).where(Event.title == f"Minione {10 * N}")).one()
        assert sessions.counts([held.id]) == {held.id: (3, 2)}
