"""A gunicorn worker killed (SIGKILL) while sign-ups pour in leaves no half-done change.

The kill comes without warning: no handler runs, no rollback is sent. What must hold is the
database's own all-or-nothing: the place counter equals the confirmed places, every sign-up
that exists has its audit entry (and nothing else exists without it), and the master replaces
the worker, which then serves the people whose requests were cut off.
"""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import AuditEntry, Event, Registration
from portal.models.enums import RegistrationStatus
from tests.helpers import email_of
from tests.live import csrf, signed_in

pytestmark = pytest.mark.live

PEOPLE = 40
TIMEOUT = 120


def gunicorn_processes(url: str) -> tuple[int, set[int]]:
    """The master's pid and its workers' pids, found in /proc by the address they serve."""
    bind = urlsplit(url).netloc
    serving: dict[int, int] = {}  # pid -> parent pid
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        if b"gunicorn" in command[0] + (command[1] if len(command) > 1 else b"") and (
            bind.encode() in command
        ):
            # The state and parent come after the command name in parentheses.
            serving[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    [master] = [pid for pid, parent in serving.items() if parent not in serving]
    return master, {pid for pid, parent in serving.items() if parent == master}


class Person:
    def __init__(self, url: str, email: str, event_id: int):
        self.url, self.event_id = url, event_id
        self.http = signed_in(url, email, timeout=TIMEOUT)
        page = self.http.get(f"{url}/me/events/{event_id}", timeout=TIMEOUT)
        assert page.status_code == 200
        self.token = csrf(page.text)

    def sign_up(self) -> int | None:
        """The response status, or None when the connection was cut (the worker was killed)."""
        try:
            return self.http.post(
                f"{self.url}/me/events/{self.event_id}/sign-up",
                data={"csrf_token": self.token, "companions": "0"},
                allow_redirects=False,
                timeout=TIMEOUT,
            ).status_code
        except requests.ConnectionError:
            return None


def wait_for_waiting_workers(holder, workers: int) -> None:
    """Until each worker waits on the held lock (PostgreSQL shows it; SQLite waits in silence)."""
    if holder.dialect.name != "postgresql":
        time.sleep(2)  # forty requests for three workers: each has taken one long before
        return
    deadline = time.monotonic() + 30
    query = text(
        "select count(*) from pg_stat_activity"
        " where datname = current_database() and wait_event_type = 'Lock'"
    )
    while holder.execute(query).scalar_one() < workers:
        assert time.monotonic() < deadline, "the workers never reached the held row"
        time.sleep(0.02)


def test_a_worker_killed_during_sign_ups_leaves_nothing_half_done(
    app, server, make_centre, make_participant, make_event
):
    centre = make_centre()
    people = [make_participant(centre) for _ in range(PEOPLE)]
    event = make_event(centre, capacity=10)
    with ThreadPoolExecutor(max_workers=20) as pool:
        browsers = list(pool.map(lambda p: Person(server, email_of(app, p), event), people))
    master, workers = gunicorn_processes(server)
    assert len(workers) == 3

    # The event's row is held by the test: every worker takes a sign-up and waits inside it (on
    # PostgreSQL at the event's row lock, half-way through its transaction; on SQLite at the
    # write lock), so the kill falls on a request in flight whatever the machine's load.
    with app.app_context():
        holder = db.engine.connect()
    holder.begin()
    holder.execute(select(Event.id).where(Event.id == event).with_for_update())
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            pressed = [pool.submit(browser.sign_up) for browser in browsers]
            wait_for_waiting_workers(holder, len(workers))
            victim = min(workers)
            os.kill(victim, signal.SIGKILL)
            killed = [victim]
            time.sleep(0.2)
            holder.rollback()
            statuses = [press.result() for press in pressed]
    finally:
        holder.close()
    # The kill cut the request the worker was serving.
    assert None in statuses

    # Each answer was a redirect (signed up or waiting) or a cut connection, never a 5xx.
    assert set(statuses) <= {302, None}, statuses

    with app.app_context():
        registrations = db.session.scalars(
            select(Registration).where(Registration.event_id == event)
        ).all()
        audited = set(
            db.session.scalars(
                select(AuditEntry.entity_id).where(AuditEntry.action == "registration.sign_up")
            )
        )
        taken = db.session.get(Event, event).places_taken
        confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
        # The counter and the rows agree; no place was taken without its registration.
        assert taken == sum(r.places for r in confirmed) <= 10
        # Every sign-up written has its audit entry, and no entry lacks its sign-up.
        assert audited == {r.id for r in registrations}
        queue = [r.queue_number for r in registrations]
        assert len(set(queue)) == len(queue)
        signed_up = {r.participant_id for r in registrations}
        db.session.rollback()
    # Everyone answered with a redirect has their registration.
    for person, status in zip(people, statuses, strict=True):
        if status == 302:
            assert person in signed_up

    # The master replaced the worker, and the portal serves again: those cut off retry.
    deadline = time.monotonic() + 30
    while True:
        _master, now_serving = gunicorn_processes(server)
        if len(now_serving) == 3 and killed[0] not in now_serving:
            break
        assert time.monotonic() < deadline, now_serving
        time.sleep(0.1)
    assert _master == master
    assert len(now_serving - workers) == 1
    retried = [b.sign_up() for p, b in zip(people, browsers, strict=True) if p not in signed_up]
    assert set(retried) <= {302}
    assert requests.get(f"{server}/healthz", timeout=TIMEOUT).status_code == 200
    with app.app_context():
        assert len(db.session.scalars(select(Registration)).all()) == PEOPLE
        assert db.session.get(Event, event).places_taken == 10
