"""On PostgreSQL the portal serves as a role that may only read and add to the audit trail.

The README's "Two database roles": the owner role owns the schema and runs `flask db upgrade`
and `flask restore` (MIGRATION_DATABASE_URL); the portal serves as the serving role
(DATABASE_URL), set up by docs/database-privileges.sql exactly as the README runs it. Through
the portal's own connection every way round the append-only triggers fails: TRUNCATE, switching
the triggers off before an UPDATE, and a DELETE under `session_replication_role = replica`.

Roles belong to the whole server. With a suite role that may create roles, each test makes a
pair of its own (random names, so parallel workers never meet) and drops it afterwards; .ci/run
instead runs the suite as a plain owner role and names its serving role in TEST_SERVING_ROLE.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
from psycopg import errors, sql
from sqlalchemy.engine import URL, make_url

from tests.live import csrf, signed_in

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parent.parent
PRIVILEGES = ROOT / "docs" / "database-privileges.sql"
DEMO_COORDINATOR, DEMO_PASSWORD = "koordynator@example.org", "pierwszy-krok"
TIMEOUT = 30


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Roles:
    """The owner and serving roles, and databases set up for them as the README says."""

    def __init__(self, suite: URL):
        self.suite = suite  # the suite's own role, which creates and drops the databases
        self.made_roles: list[str] = []
        self.databases: list[str] = []
        with self._admin() as admin:
            me, may_create_roles = admin.execute(
                "SELECT rolname, rolsuper OR rolcreaterole FROM pg_roles"
                " WHERE rolname = current_user"
            ).fetchone()
            if may_create_roles:
                suffix = uuid.uuid4().hex[:12]
                self.owner, self.app = f"portal_owner_{suffix}", f"portal_app_{suffix}"
                self.password: str | None = secrets.token_urlsafe(18)
                for role in (self.owner, self.app):
                    # NOSUPERUSER NOCREATEDB NOCREATEROLE are the defaults: spelled out anyway.
                    admin.execute(
                        sql.SQL(
                            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}"
                        ).format(sql.Identifier(role), sql.Literal(self.password))
                    )
                    self.made_roles.append(role)
            elif os.environ.get("TEST_SERVING_ROLE"):
                self.owner, self.app, self.password = me, os.environ["TEST_SERVING_ROLE"], None
            else:
                pytest.skip(f"{me} may not create roles and TEST_SERVING_ROLE is not set")

    def _admin(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(_conninfo(self.suite.set(database=database)), autocommit=True)

    def database(self) -> str:
        """A new, empty database owned by the owner role, with docs/database-privileges.sql run
        in it (by the suite's role: a superuser, or the owner itself)."""
        name = f"portal_roles_{uuid.uuid4().hex[:12]}"
        with self._admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            self.databases.append(name)
            if self.made_roles:
                admin.execute(
                    sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                        sql.Identifier(name), sql.Identifier(self.owner)
                    )
                )
        env = {**os.environ}
        if self.suite.password is not None:
            env["PGPASSWORD"] = str(self.suite.password)
        done = subprocess.run(
            [
                shutil.which("psql") or "psql",
                "-X",
                "-q",
                f"--dbname={_conninfo(self.suite.set(database=name, password=None))}",
                "-v",
                f"owner={self.owner}",
                "-v",
                f"app={self.app}",
                "-f",
                str(PRIVILEGES),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return name

    def url(self, role: str, database: str) -> URL:
        password = self.password if self.made_roles else self.suite.password
        if role == self.owner and not self.made_roles:
            return self.suite.set(database=database)
        return self.suite.set(username=role, password=password, database=database)

    def close(self) -> None:
        with self._admin() as admin:
            for name in self.databases:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            for role in self.made_roles:
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture
def roles():
    configured = os.environ.get("TEST_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
    if shutil.which("psql") is None:
        pytest.skip("psql is missing (the postgresql-client package)")
    made = Roles(make_url(configured))
    try:
        yield made
    finally:
        made.close()


def _env(roles: Roles, database: str, **settings: str) -> dict[str, str]:
    """The README's two URLs: the portal serves as the serving role, migrates as the owner."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST_"))},
        "PORTAL_ENV": "development",
        "DATABASE_URL": roles.url(roles.app, database).render_as_string(hide_password=False),
        "MIGRATION_DATABASE_URL": roles.url(roles.owner, database).render_as_string(
            hide_password=False
        ),
        "SECRET_KEY": "database-roles-test-secret-key-0123456789",
        "PASSWORD_HASHING": "cheap-for-tests",
    }
    env.update(settings)
    return env


def _flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portal", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _connect(roles: Roles, role: str, database: str) -> psycopg.Connection:
    return psycopg.connect(_conninfo(roles.url(role, database)), autocommit=True)


def _owners(roles: Roles, database: str) -> set[str]:
    with _connect(roles, roles.app, database) as connection:
        rows = connection.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {owner for (owner,) in rows}


class Gunicorn:
    """The portal under gunicorn (gunicorn.conf.py), serving as the serving role."""

    def __init__(self, env: dict[str, str], log: Path):
        with socket.socket() as probe:  # a free loopback port, released for gunicorn
            probe.bind(("127.0.0.1", 0))
            self.url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    str(ROOT / "gunicorn.conf.py"),
                    "-w",
                    "2",
                    "-b",
                    self.url.removeprefix("http://"),
                    "portal:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the master and its workers
            )
        deadline = time.monotonic() + 60
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.1)

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _refused(connection: psycopg.Connection, statement: str) -> str:
    """The statement fails for want of a privilege (or by the trail's trigger): its message."""
    with pytest.raises(errors.InsufficientPrivilege) as refusal:
        connection.execute(statement)
    return str(refusal.value)


def _held_on_the_trail(connection: psycopg.Connection) -> list[str]:
    """What the connection's role may do to the audit trail beyond reading and adding."""
    rows = connection.execute(
        "SELECT privilege FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER'])"
        " AS privilege WHERE has_table_privilege('audit_entries', privilege)"
    ).fetchall()
    return [privilege for (privilege,) in rows]


def test_the_serving_role_can_only_read_and_add_to_the_audit_trail(roles, tmp_path):
    database = roles.database()
    env = _env(roles, database)
    # flask db upgrade as the owner (MIGRATION_DATABASE_URL); the demo seeded as the portal.
    _flask(env, "db", "upgrade")
    assert _owners(roles, database) == {roles.owner}
    _flask(env, "seed-demo")

    # The portal serves as the serving role: a sign-in and a sign-out, each audited.
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    try:
        http = signed_in(server.url, DEMO_COORDINATOR, DEMO_PASSWORD, timeout=TIMEOUT)
        page = http.get(f"{server.url}/staff/", timeout=TIMEOUT)
        assert page.status_code == 200
        out = http.post(
            f"{server.url}/auth/logout",
            data={"csrf_token": csrf(page.text)},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert out.status_code == 302
    finally:
        server.stop()
    assert "Traceback" not in server.log.read_text(), server.log.read_text()

    with _connect(roles, roles.app, database) as portal:
        assert portal.execute("SELECT current_user").fetchone() == (roles.app,)
        last = portal.execute("SELECT action FROM audit_entries ORDER BY id DESC LIMIT 2")
        assert [action for (action,) in last] == ["user.sign_out", "user.sign_in"]
        # Adding and reading an entry directly works too.
        portal.execute(
            "INSERT INTO audit_entries (action, entity_type, at, changes)"
            " VALUES ('user.invite', 'users', CURRENT_TIMESTAMP, '{}')"
        )
        entries = portal.execute("SELECT id, action, changes::text FROM audit_entries").fetchall()

        # 1. TRUNCATE: no privilege (and the owner's TRUNCATE meets the trigger, below).
        _refused(portal, "TRUNCATE audit_entries")
        _refused(portal, "TRUNCATE audit_entries, users CASCADE")
        # 2. Triggers off, then UPDATE: only the owner may alter the table; no UPDATE privilege.
        assert "owner" in _refused(portal, "ALTER TABLE audit_entries DISABLE TRIGGER USER")
        _refused(portal, "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only")
        _refused(portal, "UPDATE audit_entries SET action = 'user.sign_in'")
        # 3. Triggers skipped as on a replica, then DELETE: setting it needs a superuser.
        _refused(portal, "SET session_replication_role = replica")
        _refused(portal, "DELETE FROM audit_entries")
        # Nor can the serving role give itself what it lacks (PostgreSQL warns, or refuses),
        # or take the table over.
        with contextlib.suppress(errors.InsufficientPrivilege):
            portal.execute(f'GRANT UPDATE, DELETE, TRUNCATE ON audit_entries TO "{roles.app}"')
        assert _held_on_the_trail(portal) == []
        _refused(portal, f'ALTER TABLE audit_entries OWNER TO "{roles.app}"')
        _refused(portal, "DROP TRIGGER audit_entries_append_only ON audit_entries")
        _refused(portal, "CREATE TABLE audit_copy (id integer)")

        assert portal.execute("SELECT id, action, changes::text FROM audit_entries").fetchall() == (
            entries
        )

    # The owner can do more, but not TRUNCATE the trail while its triggers are on.
    with _connect(roles, roles.owner, database) as owner:
        with pytest.raises(errors.InsufficientPrivilege, match="append-only"):
            owner.execute("TRUNCATE audit_entries")
        assert owner.execute("SELECT count(*) FROM audit_entries").fetchone() == (len(entries),)


def test_a_restore_leaves_the_serving_role_the_same_rights(roles, tmp_path):
    """`flask restore` creates the tables afresh: as the owner, and the trail read-and-add."""
    source = roles.database()
    _flask(_env(roles, source), "db", "upgrade")
    with _connect(roles, roles.app, source) as portal:
        portal.execute(
            "INSERT INTO audit_entries (action, entity_type, at, changes)"
            " VALUES ('user.invite', 'users', CURRENT_TIMESTAMP, '{}')"
        )
    copy = tmp_path / "portal.backup"
    _flask(_env(roles, source), "backup", str(copy))  # as the serving role

    restored = roles.database()
    _flask(_env(roles, restored), "restore", str(copy))
    assert _owners(roles, restored) == {roles.owner}
    with _connect(roles, roles.app, restored) as portal:
        assert portal.execute("SELECT action FROM audit_entries").fetchall() == [("user.invite",)]
        assert _held_on_the_trail(portal) == []
        _refused(portal, "UPDATE audit_entries SET entity_id = 2")
        _refused(portal, "DELETE FROM audit_entries")
        _refused(portal, "TRUNCATE audit_entries")
        _refused(portal, "ALTER TABLE audit_entries DISABLE TRIGGER USER")
        # The other tables are the portal's to change, as before the backup.
        portal.execute("UPDATE outbox_messages SET attempts = attempts")
