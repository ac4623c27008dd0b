"""The migrations build, on an empty database, exactly the schema the models describe.

Alembic's compare covers tables, columns, types, nullability, indexes, unique and foreign keys
but not CHECK constraints, which carry rules such as four-eyes and no overbooking: those are
compared by name here. Runs on a fresh SQLite file, and on a freshly created PostgreSQL
database when TEST_DATABASE_URL points at PostgreSQL.
"""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect

from config import TestConfig
from portal import create_app
from portal.extensions import db

# Alembic reconfigures logging (tests/conftest.py, keep_logging).
pytestmark = pytest.mark.usefixtures("keep_logging")


def upgrade_and_compare(url: str) -> None:
    app = create_app(type("MigrationConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        with app.app_context(), db.engine.connect() as connection:
            assert inspect(connection).get_table_names() == []  # really empty

        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output

        with app.app_context(), db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert tables == {table.name for table in db.metadata.sorted_tables} | {
                "alembic_version"
            }
            options = {
                key: value
                for key, value in app.extensions["migrate"].configure_args.items()
                if key.startswith("compare_")
            }
            context = MigrationContext.configure(connection, opts={"compare_type": True, **options})
            assert compare_metadata(context, db.metadata) == []

            inspector = inspect(connection)
            for table in db.metadata.sorted_tables:
                wanted = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
                built = {c["name"] for c in inspector.get_check_constraints(table.name)}
                assert built == wanted, table.name
    finally:
        with app.app_context():
            db.engine.dispose()


def test_upgrade_builds_the_models_schema_on_sqlite(tmp_path):
    upgrade_and_compare(f"sqlite:///{tmp_path / 'migrated.db'}")


def test_upgrade_builds_the_models_schema_on_postgresql(fresh_postgresql_url):
    upgrade_and_compare(fresh_postgresql_url)
