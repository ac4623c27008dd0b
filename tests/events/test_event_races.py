"""No overbooking, ever: parallel clients against the real app under gunicorn (3 workers).

Each client is its own requests.Session (its own connection and cookie) and goes through the
pages as a person would: the login form, the event page, the sign-up or cancel button. The
server processes share nothing but the database the `app` fixture prepared, so this runs on
SQLite (BEGIN IMMEDIATE, WAL) and, with TEST_DATABASE_URL, on PostgreSQL (row lock).
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Event, Registration
from portal.models.enums import RegistrationStatus
from portal.services.events import signups
from tests.helpers import email_of
from tests.live import csrf as _csrf
from tests.live import signed_in

pytestmark = pytest.mark.live

S = RegistrationStatus
THREADS = 25
# Requests queue for the three workers while argon2 checks other logins: be patient.
TIMEOUT = 120


class Person:
    """One browser: its own session and connection, signed in through the login form."""

    def __init__(self, url: str, email: str):
        self.url = url
        self.http = signed_in(url, email, timeout=TIMEOUT)

    def open(self, event_id: int) -> "Person":
        """Open the event page, as before pressing its button (the form's CSRF token)."""
        page = self.http.get(f"{self.url}/me/events/{event_id}", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        self.token = _csrf(page.text)
        return self

    def press(self, event_id: int, button: str) -> int:
        """Press sign-up or cancel on the open page; the response status."""
        response = self.http.post(
            f"{self.url}/me/events/{event_id}/{button}",
            data={"csrf_token": self.token, "companions": "0"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        return response.status_code


def _browsers(url: str, app, people: list[int], event_id: int) -> dict[int, Person]:
    """Everyone signed in (in parallel: argon2 makes each login cost about half a second)."""
    emails = [email_of(app, person) for person in people]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        browsers = pool.map(lambda email: Person(url, email).open(event_id), emails)
        return dict(zip(people, browsers, strict=True))


def _together(actions) -> list[int]:
    """Fire the requests from THREADS threads at once; their statuses in the same order."""
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(lambda action: action(), actions))


def _registrations(app, event_id: int) -> list[Registration]:
    with app.app_context():
        rows = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id)
            .order_by(Registration.queue_number)
        ).all()
        db.session.expunge_all()
        return list(rows)


def _places_taken(app, event_id: int) -> tuple[int, int]:
    with app.app_context():
        event = db.session.get(Event, event_id)
        return event.places_taken, event.capacity


def _assert_no_errors(statuses: list[int]) -> None:
    assert all(status < 500 for status in statuses), statuses
    assert 429 not in statuses, statuses


def _assert_consistent(app, event_id: int) -> list[Registration]:
    """The counter equals the confirmed places and never exceeds the capacity."""
    rows = _registrations(app, event_id)
    taken, capacity = _places_taken(app, event_id)
    confirmed_places = sum(r.places for r in rows if r.status == S.CONFIRMED)
    assert taken == confirmed_places <= capacity
    queue = [r.queue_number for r in rows]
    assert len(set(queue)) == len(queue)
    return rows


def test_fifty_people_sign_up_at_once_for_five_places(
    app, make_centre, make_participant, server, make_event
):
    centre = make_centre()
    people = [make_participant(centre) for _ in range(50)]
    event = make_event(centre, capacity=5)
    browsers = _browsers(server, app, people, event)

    statuses = _together([lambda b=b: b.press(event, "sign-up") for b in browsers.values()])

    _assert_no_errors(statuses)
    assert set(statuses) == {302}
    rows = _assert_consistent(app, event)
    assert len(rows) == 50
    assert _places_taken(app, event) == (5, 5)
    confirmed = [r for r in rows if r.status == S.CONFIRMED]
    waiting = [r for r in rows if r.status == S.WAITING]
    assert (len(confirmed), len(waiting)) == (5, 45)
    # The first five in sign-up order have the places; the rest wait in that same order.
    assert [r.queue_number for r in confirmed] == [1, 2, 3, 4, 5]
    with app.app_context():
        positions = signups.waiting_positions([event])
        written = db.session.scalars(
            select(AuditEntry.entity_id)
            .where(AuditEntry.action == "registration.sign_up")
            .order_by(AuditEntry.id)
        ).all()
    assert [positions[r.id] for r in waiting] == list(range(1, 46))
    # Queue numbers were handed out in the order the sign-ups were written.
    assert written == [r.id for r in rows]


def test_cancellations_and_sign_ups_mixed_never_overbook(
    app, make_centre, make_participant, server, make_event, make_registration
):
    centre = make_centre()
    people = [make_participant(centre) for _ in range(45)]
    holders, queue, newcomers = people[:10], people[10:30], people[30:]
    event = make_event(centre, capacity=10)
    for person in holders + queue:
        make_registration(person, event)
    browsers = _browsers(server, app, holders + newcomers, event)

    statuses = _together(
        [lambda p=p: browsers[p].press(event, "cancel") for p in holders]
        + [lambda p=p: browsers[p].press(event, "sign-up") for p in newcomers]
    )

    _assert_no_errors(statuses)
    assert set(statuses) == {302}
    rows = _assert_consistent(app, event)
    by_person = {r.participant_id: r for r in rows}
    assert _places_taken(app, event) == (10, 10)
    assert all(by_person[p].status == S.CANCELLED for p in holders)
    # Each freed place went to the waiting list at once, first in line first; the newcomers
    # came after everyone already waiting, so they all wait.
    assert [by_person[p].status for p in queue] == [S.CONFIRMED] * 10 + [S.WAITING] * 10
    assert all(by_person[p].status == S.WAITING for p in newcomers)


def test_one_person_pressing_sign_up_ten_times_at_once_gets_one_registration(
    app, make_centre, make_participant, server, make_event
):
    centre = make_centre()
    person = make_participant(centre)
    event = make_event(centre, capacity=5)
    browser = Person(server, email_of(app, person)).open(event)

    def click() -> int:
        # The same cookie and form, each click on a connection of its own.
        twin = requests.Session()
        twin.cookies.update(browser.http.cookies)
        return twin.post(
            f"{server}/me/events/{event}/sign-up",
            data={"csrf_token": browser.token, "companions": "0"},
            allow_redirects=False,
            timeout=TIMEOUT,
        ).status_code

    statuses = _together([click] * 10)

    _assert_no_errors(statuses)
    assert set(statuses) == {302}
    rows = _assert_consistent(app, event)
    assert [(r.participant_id, r.status) for r in rows] == [(person, S.CONFIRMED)]
    assert _places_taken(app, event) == (1, 5)
