"""`backup` and `restore`: a consistent copy of the database, taken while the portal runs.

SQLite: the online backup API copies the database in one step inside a read transaction, so
the copy is the database as one commit left it, whatever writers do meanwhile (WAL mode lets
them go on). PostgreSQL: pg_dump reads everything in one snapshot (one transaction at
REPEATABLE READ); its custom format is what pg_restore reads.

A restore goes only into an empty database: mixing a copy with existing records would leave
neither the copy nor the original.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from portal.extensions import db
from portal.models.audit import POSTGRESQL_REVOKE


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH (a new file), while the portal runs."""
    url = db.engine.url
    _create_private(path)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(path)
        else:
            _run("pg_dump", "--format=custom", f"--file={path}", url=url)
    except BaseException:
        path.unlink(missing_ok=True)  # never leave half a copy that looks like a backup
        raise
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore the copy in PATH into the configured database, which must be empty."""
    # The restored tables belong to whoever creates them: the schema's owner when the portal
    # serves as a role of its own (MIGRATION_DATABASE_URL, README "Two database roles").
    owner_url = current_app.config.get("MIGRATION_DATABASE_URL")
    engine = create_engine(owner_url, poolclass=NullPool) if owner_url else db.engine
    url = engine.url
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        raise click.ClickException(
            f"The database is not empty ({len(tables)} tables): a backup is restored only "
            "into an empty database. Create a new database, point DATABASE_URL at it and "
            "run restore again."
        )
    db.engine.dispose()  # no connection of ours holds the file while it is written
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(path, url)
    else:
        _run(
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            str(path),
            url=url,
        )
        # The owner's default privileges gave the serving role UPDATE and DELETE on every new
        # table; on the audit trail it keeps reading and adding only (as after a migration).
        with engine.begin() as connection:
            connection.execute(text(POSTGRESQL_REVOKE))
    click.echo(f"Restored {path}. Check it with: flask --app portal db current")


def _create_private(path: Path) -> None:
    """The copy holds personal data: a new file that only its owner can read."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError as error:
        raise click.ClickException(f"{path} already exists; choose a new file name.") from error
    except OSError as error:
        raise click.ClickException(f"Cannot create {path}: {error.strerror}.") from error


def _sqlite_backup(path: Path) -> None:
    source = db.engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        try:
            # pages=-1 (the default): all in one step, so no writer can restart it half-way.
            source.driver_connection.backup(target)  # type: ignore[union-attr]
            # One self-contained file, not a database with a write-ahead log beside it.
            target.execute("PRAGMA journal_mode = DELETE")
            _check_integrity(target, path)
        finally:
            target.close()
    finally:
        source.close()


def _sqlite_restore(path: Path, url: URL) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _check_integrity(source, path)
        target = sqlite3.connect(url.database or "")
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not a SQLite database: {error}.") from error
    if verdict != "ok":
        raise click.ClickException(f"{path} is damaged: {verdict}")


def _run(program: str, *arguments: str, url: URL) -> None:
    """Run a PostgreSQL client program on `url`; the password goes in the environment, never
    on the command line (where any user of the machine could read it)."""
    executable = shutil.which(program)
    if executable is None:
        raise click.ClickException(
            f"{program} was not found. Install the PostgreSQL client programs (the same major "
            "version as the server, e.g. the postgresql-client package) and try again."
        )
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string()
    done = subprocess.run(  # noqa: S603 - the program is found on PATH, arguments are ours
        [executable, f"--dbname={conninfo}", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise click.ClickException(f"{program} failed: {done.stderr.strip()}")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
