"""Fixtures: an app and a clean database per test, clients, sign-in, a query counter.

The factories (make_centre, make_event, ...) are in tests/factories.py.
"""

import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event, make_url, text
from werkzeug.serving import make_server

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models.audit import SQLITE_TRIGGERS
from tests.helpers import PASSWORD

# The factories, and the gunicorn `server` fixture for the race tests.
pytest_plugins = ["tests.factories", "tests.live"]

_schema_ready: set[str] = set()


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own, made afresh."""
    configured = make_url(url)
    name = f"{configured.database}_{worker}"
    server = configured.set(drivername="postgresql", database="postgres")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return configured.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url():
    """SQLite in a temporary folder (one per xdist worker), or TEST_DATABASE_URL's PostgreSQL."""
    configured = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if configured and worker:
        yield _worker_database(configured, worker)
    elif configured:
        yield configured
    else:
        with tempfile.TemporaryDirectory(prefix="portal-test-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'test.db'}"


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
            # The append-only triggers refuse DELETE on SQLite (a PostgreSQL TRUNCATE fires none).
            for name in SQLITE_TRIGGERS:
                connection.execute(text(f"DROP TRIGGER {name}"))
            for table in tables:
                connection.execute(table.delete())
            for statement in SQLITE_TRIGGERS.values():
                connection.execute(text(statement))


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
def demo(runner):
    """The demo centres, seeded through the CLI as `make run` does."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


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
def login_as(app, client):
    """Sign someone in through the login form; the signed-in client is returned.

    The test's `client` by default; `fresh=True` for a client of their own (a second person at
    the same time), or `test_client=` for one the test already holds.
    """

    def login(email: str, password: str = PASSWORD, test_client=None, *, fresh: bool = False):
        signed_in = test_client or (app.test_client() if fresh else client)
        response = signed_in.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return signed_in

    return login


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
