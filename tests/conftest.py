"""Fixtures: an app and a clean database per test, clients, factories, a query counter."""

import os
import tempfile
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, text
from werkzeug.serving import make_server

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import Centre, Participant, Project, ProjectStage, User, Village
from portal.models.enums import CentreKind, Role
from portal.services import accounts, participants, passwords

# The gunicorn `server` fixture for the race tests.
pytest_plugins = ["tests.live"]

PASSWORD = "correct horse battery staple"
# Hashed with the suite's cheap parameters (TestConfig), as every login then checks it.
passwords.configure(passwords.CHEAP_FOR_TESTS)
_PASSWORD_HASH = passwords.hash_password(PASSWORD)
_schema_ready: set[str] = set()


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def database_url():
    with tempfile.TemporaryDirectory(prefix="portal-test-") as tmp:
        yield _database_url(Path(tmp))


def _clean(url: str) -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if url not in _schema_ready:
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        _schema_ready.add(url)
        return
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def app(database_url):
    # The URI must be in the config create_app() sees: Flask-SQLAlchemy builds the engine in
    # init_app, so changing it afterwards would leave the tests on the instance database.
    config = type(
        "SuiteConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False},
    )
    app = create_app(config)
    with app.app_context():
        _clean(database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An application context for service-level tests."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login_as(client):
    def login(email: str, password: str = PASSWORD, test_client=None):
        response = (test_client or client).post(
            "/auth/login", data={"email": email, "password": password}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return login


# Factories: callables with keyword overrides, usable inside an app context.


@pytest.fixture
def make_centre(app):
    counter = iter(range(1, 10_000))

    def make(**overrides) -> Centre:
        n = next(counter)
        with app.app_context():
            centre = Centre(
                name=overrides.pop("name", f"Ośrodek Pomocy Społecznej nr {n}"),
                short_name=overrides.pop("short_name", f"ops-{n}"),
                kind=overrides.pop("kind", CentreKind.OPS),
                town=overrides.pop("town", "Janów Lubelski"),
                **overrides,
            )
            db.session.add(centre)
            db.session.flush()
            project = Project(
                centre_id=centre.id, title=f"Projekt {n}", start_date=date(2026, 1, 1)
            )
            db.session.add(project)
            db.session.flush()
            db.session.add(
                ProjectStage(
                    project_id=project.id,
                    year=2026,
                    start_date=date(2026, 1, 1),
                    end_date=date(2026, 12, 31),
                )
            )
            db.session.add_all(
                [
                    Village(centre_id=centre.id, name="Biała Pierwsza"),
                    Village(centre_id=centre.id, name="Biała Druga"),
                ]
            )
            db.session.commit()
            return centre.id

    return make


@pytest.fixture
def make_user(app, make_centre):
    counter = iter(range(1, 10_000))

    def make(*roles: Role, centre_id: int | None = None, email: str | None = None, **kw) -> int:
        n = next(counter)
        with app.app_context():
            if centre_id is None and Role.ADMIN not in roles:
                centre_id = make_centre()
            centre = db.session.get(Centre, centre_id) if centre_id else None
            user = accounts.create_user(
                email=email or f"user{n}@example.org",
                first_name=kw.get("first_name", "Anna"),
                last_name=kw.get("last_name", f"Testowa{n}"),
                roles=set(roles or {Role.COORDINATOR}),
                centre=centre,
                actor=None,
            )
            user.password_hash = _PASSWORD_HASH
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_participant(app, make_centre):
    counter = iter(range(1, 10_000))

    def make(centre_id: int | None = None, *, with_account: bool = True, **kw) -> int:
        """Returns the participant's id; their account (if any) is participantN@example.org."""
        n = next(counter)
        with app.app_context():
            centre_id = centre_id or make_centre()
            centre = db.session.get(Centre, centre_id)
            project = participants.current_project(centre_id)
            person = participants.create_participant(
                centre=centre,
                project=project,
                first_name=kw.pop("first_name", "Jan"),
                last_name=kw.pop("last_name", f"Uczestnik{n}"),
                actor=None,
                **kw,
            )
            if with_account:
                user = participants.create_account(
                    person, email=f"participant{n}@example.org", actor=None
                )
                user.password_hash = _PASSWORD_HASH
            db.session.commit()
            return person.id

    return make


def user_of(participant_id: int) -> User:
    return db.session.get(Participant, participant_id).user


@contextmanager
def count_queries(app):
    """Count the SQL statements the app runs inside the block (for fixed-query-count tests)."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_execute(_conn, _cursor, statement, *_args):
        if (
            not statement.lstrip()
            .upper()
            .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"))
        ):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


@pytest.fixture
def query_counter(app):
    return lambda: count_queries(app)


class LiveServer:
    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app on a free loopback port, in a thread of this process, sharing the test database."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = LiveServer(app).start()
    yield server
    server.stop()
