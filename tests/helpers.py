"""Helpers shared by the test modules: signing a client in, messages in the portal's language,
form fields, logs, and records read back for assertions (each in its own application context)."""

import io
import logging
import re
from contextlib import contextmanager

from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    Centre,
    Event,
    Participant,
    Project,
    ProjectStage,
    Registration,
    User,
    Village,
)

# Every account the factories make signs in with this.
PASSWORD = "correct horse battery staple"


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> FlaskClient:
    """The suite's one way to sign a test client in: the login form, as a person sends it (CSRF
    is off in the suite), which must let them in. Tests use the `login_as` fixture built on it;
    this is for a client of an app of the test's own, where that fixture's app is not the one.
    """
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 302, (email, response.get_data(as_text=True))
    return client


def translated(app, msgid: str, *, locale: str = "pl", html: bool = True, **params) -> str:
    """`msgid` as the portal shows it in `locale` (escaped as on a page unless html=False).

    Tests assert on what the person reads, whatever state the catalogue is in.
    """
    with app.test_request_context(), force_locale(locale):
        text = gettext(msgid, **params)
    return str(escape(text)) if html else text


def input_tag(page: str, name: str) -> str:
    """The <input> element named `name` in a rendered page."""
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert match, f"no input named {name}"
    return match.group(0)


@contextmanager
def app_log():
    """What the app's own log handler writes (it does not propagate to pytest's caplog)."""
    handler = logging.getLogger("portal").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def user_of(participant_id: int) -> User:
    """The participant's account (inside an application context)."""
    return db.session.get(Participant, participant_id).user


def email(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def email_of(app, participant_id: int) -> str:
    with app.app_context():
        return db.session.get(Participant, participant_id).user.email


def village_id(app, centre_id: int, name: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Village.id).where(Village.centre_id == centre_id, Village.name == name)
        )


def registrations(app, event_id: int) -> list[Registration]:
    """The event's registrations in sign-up order, detached for assertions."""
    with app.app_context():
        rows = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id)
            .order_by(Registration.queue_number)
        ).all()
        db.session.expunge_all()
        return list(rows)


def event_state(app, event_id: int) -> Event:
    with app.app_context():
        event = db.session.get(Event, event_id)
        db.session.expunge_all()
        return event


def audit_rows(app, entity_id: int, entity_type: str = Allowance.__tablename__):
    """(action, actor id, at) of every audit entry about one record, oldest first."""
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.at)
                .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
                .order_by(AuditEntry.id)
            )
        ]


class EnglishClient(FlaskClient):
    """A browser whose language is English: for tests that read the pages' English wording."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def demo_stage(short_name: str, year: int) -> ProjectStage:
    """A demo centre's stage of a year (inside an app context), e.g. ("ops-janow", 2013)."""
    return db.session.scalars(
        select(ProjectStage)
        .join(Project)
        .join(Centre, Centre.id == Project.centre_id)
        .where(Centre.short_name == short_name, ProjectStage.year == year)
    ).one()
