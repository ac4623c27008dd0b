"""Fixtures: an app as built and a clean database per test, clients, sign-in, a query counter.

The factories (make_centre, make_event, ...) are in tests/factories.py.
"""

import copy
import logging
import os
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Callable
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from flask import Flask
from sqlalchemy import event, make_url, text
from werkzeug.serving import make_server

import portal
from config import TestConfig
from portal.extensions import db, limiter
from portal.models.audit import SQLITE_TRIGGERS
from tests.helpers import PASSWORD, sign_in

# The factories, and the gunicorn `server` fixture for the race tests.
pytest_plugins = ["tests.factories", "tests.live"]

_schema_ready: set[str] = set()
WARSAW = ZoneInfo("Europe/Warsaw")


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
            # The trail refuses TRUNCATE by trigger; the suite's role owns it, and an owner may
            # switch its triggers off (the portal's serving role may not), inside this
            # transaction only.
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
        else:
            # The append-only triggers refuse DELETE on SQLite.
            for name in SQLITE_TRIGGERS:
                connection.execute(text(f"DROP TRIGGER {name}"))
            for table in tables:
                connection.execute(table.delete())
            for statement in SQLITE_TRIGGERS.values():
                connection.execute(text(statement))


# Building an app compiles a URL builder for every route (about a tenth of a second): each worker
# builds one per database and hands every test the same, with the configuration as it was built.
# An app made by a test itself resets process-wide settings (password hashing, the limiter's
# storage, SQLite's busy timeout) for its own configuration, so any other app built since
# means building afresh.
_built = 0


def _counted_create_app(config=None):
    global _built
    _built += 1
    return _create_app(config)


_create_app, portal.create_app = portal.create_app, _counted_create_app


@dataclass
class _Built:
    app: Flask
    config: dict
    attributes: dict  # the app's own attributes: a test may set one (its test client's class)
    generation: int

    def as_built(self) -> Flask:
        app = self.app
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))
        for name in set(vars(app)) - set(self.attributes):
            delattr(app, name)
        for name, value in self.attributes.items():
            setattr(app, name, value)
        if limiter.enabled:
            limiter.reset()  # the counts of sign-in attempts and of every other limit
        return app


_shared: dict[str, _Built] = {}


def _dispose(app: Flask) -> None:
    """Close the app's pooled connections (psycopg warns of any left to the garbage collector)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _shared_app(database_url: str) -> Flask:
    found = _shared.get(database_url)
    if found is not None and found.generation == _built:
        return found.as_built()
    if found is not None:
        _dispose(found.app)
    # The URI must be in the config create_app() sees: Flask-SQLAlchemy builds the engine in
    # init_app, so changing it afterwards would leave the tests on the instance database.
    config = type(
        "SuiteConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False},
    )
    app = portal.create_app(config)
    _shared[database_url] = _Built(app, copy.deepcopy(dict(app.config)), dict(vars(app)), _built)
    return app


@pytest.fixture(scope="session", autouse=True)
def _shared_apps_closed():
    yield
    for built in _shared.values():
        _dispose(built.app)


@pytest.fixture
def app(database_url):
    app = _shared_app(database_url)
    with app.app_context():
        _clean(database_url)
    yield app
    with app.app_context():
        db.session.remove()


# SQLite copies of seeded data, by database, kind of seed and the day (or frozen clock) it was
# seeded for.
_seeded_copies: dict[tuple[str, str, str], Path] = {}
_copies_folder = tempfile.TemporaryDirectory(prefix="portal-seeded-")  # removed at exit


def seed_once(app, database_url: str, kind: str, seed: Callable[[], None]) -> None:
    """Run `seed` on the test database, or, on SQLite, put back the copy an earlier test made.

    The copy is taken with SQLite's online backup API and put back the same way, in milliseconds
    instead of the second a demo seed takes. It is valid for the same day only: every demo date
    is counted from today.
    """
    url = make_url(database_url)
    key = (database_url, kind, _seed_clock())
    if url.get_backend_name() != "sqlite":
        seed()
        return
    copy = _seeded_copies.get(key)
    if copy is not None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        _copy_sqlite(copy, Path(url.database))
        return
    seed()
    copy = Path(_copies_folder.name) / f"{kind}-{len(_seeded_copies)}.db"
    _copy_sqlite(Path(url.database), copy)
    _seeded_copies[key] = copy


@pytest.fixture
def demo(app, runner, database_url):
    """The demo centres, seeded through the CLI as `make run` does."""

    def seed() -> None:
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output

    seed_once(app, database_url, "demo", seed)


def _seed_clock() -> str:
    """The day the demo would be seeded for; the exact instant while a test freezes the clock."""
    now = datetime.now(WARSAW)  # the demo counts its dates from Warsaw's today
    frozen = type(now).__module__.startswith("freezegun")
    return now.isoformat() if frozen else now.date().isoformat()


def _copy_sqlite(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)


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
        return sign_in(test_client or (app.test_client() if fresh else client), email, password)

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


@pytest.fixture
def keep_logging():
    """Alembic's env.py reconfigures logging from alembic.ini; the other tests need it as it was."""
    loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
    saved = [(lg, lg.disabled, lg.level, list(lg.handlers), lg.propagate) for lg in loggers]
    yield
    for logger, disabled, level, handlers, propagate in saved:
        logger.disabled, logger.level, logger.handlers, logger.propagate = (
            disabled,
            level,
            handlers,
            propagate,
        )


@pytest.fixture
def fresh_postgresql_url():
    configured = os.environ.get("TEST_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
    url = make_url(configured)
    name = f"portal_migrations_{uuid.uuid4().hex[:12]}"
    server = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(
            server.render_as_string(hide_password=False), autocommit=True
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
