"""Engine behaviour that the race guarantees rest on, and the per-centre query scope.

SQLite: foreign keys on, WAL, a busy timeout, and every transaction that may write opened with
BEGIN IMMEDIATE so that two writers queue instead of failing half-way (pysqlite's own BEGIN is
deferred). A request that only reads (GET, HEAD) begins deferred: in WAL mode it reads its
snapshot while a writer holds the lock, so readers never queue behind writes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from sqlalchemy import event, insert
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.orm import ORMExecuteState, Session, scoped_session, with_loader_criteria
from sqlalchemy.sql import Executable

from portal.extensions import db
from portal.models.base import CentreOwned

_busy_timeout_ms = 15_000


def configure_sqlite(busy_timeout_ms: int) -> None:
    global _busy_timeout_ms
    _busy_timeout_ms = busy_timeout_ms


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    # Hand transaction control to SQLAlchemy's "begin" event below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA busy_timeout = {int(_busy_timeout_ms)}")
    cursor.close()


READ_APART = "portal_read_apart"
# On a SQLite connection: whether its current transaction began holding the write lock.
WRITE_LOCKED = "portal_write_locked"

# Set by the edge for each request: True while serving a method that changes nothing.
_reading_only: ContextVar[bool] = ContextVar("portal_reading_only", default=False)


def serve_reads_only(reading_only: bool) -> None:
    """Say whether the transactions opened from now on in this context only read (GET, HEAD)."""
    _reading_only.set(reading_only)


def serving_reads_only() -> bool:
    return _reading_only.get()


def insert_apart(model: type[Any], values: dict[str, Any]) -> None:
    """Insert one row in a short transaction of its own, beside a request that only reads.

    Its first statement is the write, so on SQLite it waits for the lock like any change instead
    of failing on a snapshot older than another writer's commit.
    """
    statement = insert(model).values(**values)
    session = db.session()
    if session.in_transaction() and session.connection().info.get(WRITE_LOCKED):
        # This context's transaction already holds SQLite's write lock (a script or a test that
        # serves a request inside its own application context): a second connection would wait
        # for it until the busy timeout, so the row goes with that transaction.
        session.execute(statement)
        return
    with db.engine.begin() as connection:
        connection.execute(statement)


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        # A read takes no write lock: in WAL mode it never waits for a writer.
        deferred = _reading_only.get() or connection.get_execution_options().get(READ_APART)
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")
        connection.info[WRITE_LOCKED] = not deferred


@event.listens_for(Session, "before_flush")
def _no_writes_while_reading(session: Session, _context: Any, _instances: Any) -> None:
    # A deferred SQLite transaction that writes after reading fails as soon as another writer
    # committed in between; a GET changes nothing (docs/architecture.md), and this keeps it so.
    if _reading_only.get() and (session.new or session.dirty or session.deleted):
        raise RuntimeError("A request that only reads (GET, HEAD) tried to change data.")


@contextmanager
def read_apart(engine: Engine) -> Iterator[Connection]:
    """A short read on a connection of its own, outside the request's transaction.

    For reads followed by slow work (a password hash takes half a second): the request's own
    transaction, and on SQLite its write lock, is not opened or held meanwhile.
    """
    with engine.connect() as connection:
        yield connection.execution_options(**{READ_APART: True})


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed: the test of a conditional write.

    Session.execute is typed as giving a plain Result; for a statement that changes rows it gives
    the CursorResult that carries the count.
    """
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


CENTRE_KEY = "centre_id"


def scope_session(session: Session | scoped_session[Any], centre_id: int | None) -> None:
    """Limit every ORM query of this session to one centre (None: no automatic scope).

    `session` may be the request's scoped proxy (`db.session`): its `info` is the session's.
    """
    if centre_id is None:
        session.info.pop(CENTRE_KEY, None)
    else:
        session.info[CENTRE_KEY] = centre_id


@event.listens_for(Session, "do_orm_execute")
def _add_centre_criteria(state: ORMExecuteState) -> None:
    centre_id = state.session.info.get(CENTRE_KEY)
    if (
        centre_id is None
        or not state.is_select
        or state.is_column_load
        or state.is_relationship_load
    ):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            CentreOwned,
            lambda cls: cls.centre_id == centre_id,
            include_aliases=True,
        )
    )
