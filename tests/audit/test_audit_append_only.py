"""Audit entries are append-only, and the database itself says so: an UPDATE or a DELETE is
refused whether it comes through the ORM or as raw SQL, on a schema built by create_all (the
model's triggers) and on one built by the migrations."""

import pytest
from sqlalchemy import create_engine, delete, insert, text, update
from sqlalchemy.exc import DBAPIError

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import AuditEntry

REFUSED = "append-only"


@pytest.fixture
def entry_id(app, make_centre):
    centre_id = make_centre()
    with app.app_context():
        entry = AuditEntry(
            centre_id=centre_id,
            action="participant.update",
            entity_type="participants",
            entity_id=1,
            changes={"phone": {"old": "1", "new": "2"}},
        )
        db.session.add(entry)
        db.session.commit()
        return entry.id


def refused(app, change) -> None:
    with app.app_context():
        with pytest.raises(DBAPIError, match=REFUSED):
            change()
        db.session.rollback()


def test_the_orm_can_neither_change_nor_remove_an_entry(app, entry_id):
    def change_one():
        db.session.get(AuditEntry, entry_id).action = "participant.create"
        db.session.flush()

    def remove_one():
        db.session.delete(db.session.get(AuditEntry, entry_id))
        db.session.flush()

    refused(app, change_one)
    refused(app, remove_one)
    refused(app, lambda: db.session.execute(update(AuditEntry).values(changes={})))
    refused(app, lambda: db.session.execute(delete(AuditEntry)))
    with app.app_context():
        assert db.session.get(AuditEntry, entry_id).action == "participant.update"


def test_raw_sql_can_neither_change_nor_remove_an_entry(app, entry_id):
    with app.app_context():
        for statement in (
            "UPDATE audit_entries SET entity_id = 2",
            "UPDATE audit_entries SET changes = '{}' WHERE id = :id",
            "DELETE FROM audit_entries WHERE id = :id",
            "DELETE FROM audit_entries",
        ):
            with db.engine.connect() as connection, pytest.raises(DBAPIError, match=REFUSED):
                connection.execute(text(statement), {"id": entry_id})
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 1


def test_truncate_is_refused_on_postgresql(app, entry_id):
    """TRUNCATE fires no row trigger; a statement trigger refuses it, even to the table's owner
    (the suite's role). SQLite has no TRUNCATE."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
        for statement in ("TRUNCATE audit_entries", "TRUNCATE centres, audit_entries CASCADE"):
            with db.engine.connect() as connection, pytest.raises(DBAPIError, match=REFUSED):
                connection.execute(text(statement))
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 1


def test_new_entries_are_still_written(app, entry_id):
    with app.app_context():
        db.session.execute(
            insert(AuditEntry),
            [{"action": "user.invite", "entity_type": "users", "entity_id": 1, "changes": {}}],
        )
        db.session.commit()
        assert db.session.query(AuditEntry).count() == 2


def _migrated_database_refuses_changes(url: str) -> None:
    app = create_app(type("MigrationConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_entries (action, entity_type, at, changes) "
                    "VALUES ('user.invite', 'users', CURRENT_TIMESTAMP, '{}')"
                )
            )
        statements = ["UPDATE audit_entries SET entity_id = 2", "DELETE FROM audit_entries"]
        if engine.dialect.name == "postgresql":
            statements.append("TRUNCATE audit_entries")  # a statement trigger: even its owner
        for statement in statements:
            with engine.connect() as connection, pytest.raises(DBAPIError, match=REFUSED):
                connection.execute(text(statement))
        # One step down takes the rule away (and the trail can be changed again); up restores it.
        assert runner.invoke(args=["db", "downgrade", "1a2b3c4d5e01"]).exit_code == 0
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_entries SET entity_id = 2"))
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with engine.connect() as connection, pytest.raises(DBAPIError, match=REFUSED):
            connection.execute(text("DELETE FROM audit_entries"))
    finally:
        engine.dispose()
        with app.app_context():
            db.engine.dispose()


@pytest.mark.usefixtures("keep_logging")
def test_the_migration_builds_the_rule_on_sqlite(tmp_path):
    _migrated_database_refuses_changes(f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.usefixtures("keep_logging")
def test_the_migration_builds_the_rule_on_postgresql(fresh_postgresql_url):
    _migrated_database_refuses_changes(fresh_postgresql_url)
