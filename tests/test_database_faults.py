"""A database that is busy or full: a clear 503 in the person's language, nothing half-written.

The sign-up writes a registration, moves the event's place counter, queues an e-mail and an
audit entry: after a refused commit none of them is there, and the same sign-up succeeds once
the fault is gone.
"""

import sqlite3

import psycopg
import pytest
from sqlalchemy import func, select, text

from portal import database
from portal.extensions import db
from portal.models import AuditEntry, Event, OutboxMessage, Registration
from tests.helpers import email_of, translated

BUSY = "Too many changes are being saved at this moment. Nothing was saved. Try again in a moment."
FULL = (
    "The server has no room left to save data. Nothing was saved. "
    "The fault has been recorded for the administrators; try again later."
)
TITLE = "The service is temporarily unavailable"


def nothing_written(app, event_id: int) -> None:
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action.like("registration.%"))
            )
            == 0
        )
        assert db.session.get(Event, event_id).places_taken == 0
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        db.session.rollback()


@pytest.fixture
def signing_up(app, login_as, make_centre, make_participant, make_event):
    """A participant signed in in `locale`, on an event with free places: (client, event id)."""

    def prepare(locale: str):
        centre = make_centre()
        person = make_participant(centre)
        event = make_event(centre, capacity=3)
        client = login_as(email_of(app, person))
        client.get(f"/me/events/{event}?lang={locale}")  # the language chosen in the session
        return client, event

    return prepare


def sign_up(client, event_id: int):
    return client.post(f"/me/events/{event_id}/sign-up", data={"companions": "0"})


def assert_clear_page(app, response, message: str, locale: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert translated(app, TITLE, locale=locale) in page
    assert translated(app, message, locale=locale) in page
    assert "Traceback" not in page
    assert "OperationalError" not in page


@pytest.fixture
def short_busy_timeout(app):
    """New SQLite connections wait 200 ms for a lock instead of the configured seconds."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's busy timeout; PostgreSQL waits on row locks instead")
        database.configure_sqlite(200)
        db.engine.dispose()
    yield db
    database.configure_sqlite(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_a_write_lock_held_past_the_busy_timeout_gives_a_clear_page(
    app, signing_up, short_busy_timeout, locale
):
    client, event = signing_up(locale)
    with app.app_context():
        path = db.engine.url.database
    # Another program (a long import, a backup tool that writes) holds the write lock.
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        response = sign_up(client, event)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_clear_page(app, response, BUSY, locale)
    nothing_written(app, event)
    # The lock gone, the same press of the button works.
    assert sign_up(client, event).status_code == 302
    with app.app_context():
        assert db.session.get(Event, event).places_taken == 1


def disk_full(dialect_name: str) -> Exception:
    """The error the driver raises when the disk fills during the commit."""
    if dialect_name == "sqlite":
        return sqlite3.OperationalError("database or disk is full")
    return psycopg.errors.DiskFull(
        'could not extend file "base/16384/16385": No space left on device'
    )


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_a_full_disk_at_commit_gives_a_clear_page_and_keeps_nothing(
    app, signing_up, monkeypatch, locale
):
    client, event = signing_up(locale)
    with app.app_context():
        dialect = db.engine.dialect

    def full(_connection):
        raise disk_full(dialect.name)

    monkeypatch.setattr(dialect, "do_commit", full)
    response = sign_up(client, event)
    monkeypatch.undo()

    assert_clear_page(app, response, FULL, locale)
    nothing_written(app, event)
    assert sign_up(client, event).status_code == 302
    with app.app_context():
        assert db.session.get(Event, event).places_taken == 1
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
