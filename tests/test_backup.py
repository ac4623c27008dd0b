"""`backup` while the portal writes, `restore` into an empty database.

A fair test of consistency: one writer signs people up, one commit at a time, and after each
commit notes the row count of every table (it is the only writer, so the database holds
exactly that until its next commit). The restored copy must match one of those states as a
whole — every table at the same moment — and a moment between the start and the end of the
backup: nothing committed before the backup began is missing, nothing half-done is there.
"""

import os
import threading
import time

import psycopg
import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, make_url, select, table, text

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import Participant, Registration
from portal.models.base import utcnow
from portal.services.events import signups

PEOPLE = 60


# Alembic reconfigures logging (tests/conftest.py, keep_logging).
pytestmark = pytest.mark.usefixtures("keep_logging")


@pytest.fixture
def empty_database(database_url, tmp_path):
    """The URL of a new, empty database of the suite's kind."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_restored"
    server = url.set(drivername="postgresql", database="postgres")
    conninfo = server.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def stamped(app, runner):
    """The test database (built by create_all) marked as being at the newest migration, as a
    migrated installation is."""
    result = runner.invoke(args=["db", "stamp", "head"])
    assert result.exit_code == 0, result.output
    yield
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def counts_statement(tables: list[str]):
    # All counts in one statement: one snapshot, whatever the database.
    return select(*(select(func.count()).select_from(table(t)).scalar_subquery() for t in tables))


def table_names(app) -> list[str]:
    with app.app_context(), db.engine.connect() as connection:
        return sorted(inspect(connection).get_table_names())


class Writer(threading.Thread):
    """Signs people up one commit at a time, noting every table's count after each commit."""

    def __init__(self, app, people: list[int], event_id: int, tables: list[str]):
        super().__init__()
        self.app, self.people, self.event_id, self.tables = app, people, event_id, tables
        self.states: list[tuple[int, ...]] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def counts(self) -> tuple[int, ...]:
        return tuple(db.session.execute(counts_statement(self.tables)).one())

    def run(self):
        try:
            with self.app.app_context():
                self.states.append(self.counts())
                db.session.commit()
                for person_id in self.people:
                    if self.stop.is_set():
                        break
                    person = db.session.get_one(Participant, person_id)
                    signups.sign_up(person, self.event_id, now=utcnow(), actor=None)
                    db.session.commit()
                    self.states.append(self.counts())
                    db.session.commit()
                    time.sleep(0.01)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - the test reads it after join()
            self.error = error


def test_backup_while_people_sign_up_restores_a_consistent_copy(
    app,
    runner,
    demo,
    stamped,
    make_centre,
    make_participant,
    make_event,
    tmp_path,
    empty_database,
):
    centre = make_centre()
    people = [make_participant(centre, with_account=False) for _ in range(PEOPLE)]
    event = make_event(centre, capacity=20)
    tables = table_names(app)
    writer = Writer(app, people, event, tables)
    writer.start()
    while len(writer.states) < 10 and writer.is_alive():
        time.sleep(0.01)
    committed_before = len(writer.states)

    path = tmp_path / "portal.backup"
    result = runner.invoke(args=["backup", str(path)])
    committed_after = len(writer.states)
    assert result.exit_code == 0, result.output
    time.sleep(0.1)  # the writer goes on after the backup
    writer.stop.set()
    writer.join()
    assert writer.error is None, writer.error
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # personal data: the owner's eyes only

    restored = create_app(
        type("Restored", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": empty_database})
    )
    try:
        result = restored.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 0, result.output
        assert table_names(restored) == tables
        with restored.app_context():
            snapshot = tuple(db.session.execute(counts_statement(tables)).one())
            db.session.rollback()
        # Every table as one commit left it, and a commit made while the backup ran.
        moment = writer.states.index(snapshot)
        assert committed_before - 1 <= moment <= committed_after - 1
        assert moment > 0
        column = tables.index(Registration.__tablename__)
        assert snapshot[column] == writer.states[0][column] + moment  # one sign-up per commit
        assert len(writer.states) - 1 > moment  # later sign-ups are not in the copy

        # `flask db current` answers, and what it reads is the newest migration.
        assert restored.test_cli_runner().invoke(args=["db", "current"]).exit_code == 0
        with restored.app_context(), db.engine.connect() as connection:
            config = restored.extensions["migrate"].migrate.get_config()
            heads = ScriptDirectory.from_config(config).get_heads()
            assert MigrationContext.configure(connection).get_current_heads() == tuple(heads)
    finally:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(app, runner, make_centre, tmp_path):
    make_centre()
    path = tmp_path / "portal.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    before = table_names(app)

    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "The database is not empty" in result.output
    assert "only into an empty database" in result.output
    assert table_names(app) == before


def test_backup_never_overwrites_a_file(app, runner, tmp_path):
    path = tmp_path / "portal.backup"
    path.write_text("an earlier backup")
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert path.read_text() == "an earlier backup"


def test_a_damaged_or_foreign_file_is_not_restored(app, runner, tmp_path, empty_database):
    path = tmp_path / "not-a-backup"
    path.write_bytes(os.urandom(4096))
    restored = create_app(
        type("Restored", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": empty_database})
    )
    result = restored.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    with restored.app_context():
        assert table_names(restored) == []
        db.engine.dispose()


def test_without_pg_dump_the_backup_says_what_to_install(app, runner, tmp_path, monkeypatch):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: SQLite needs no outside program")
    monkeypatch.setattr("portal.cli.backup.shutil.which", lambda _name: None)
    path = tmp_path / "portal.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 1
    assert "pg_dump was not found" in result.output
    assert "postgresql-client" in result.output
    assert not path.exists()  # no empty file that looks like a backup
