"""The README's production procedure as a user runs it: the wheel, installed outside the checkout.

`make wheel` (compile the catalogues, then build the wheel) is done on a copy of the checkout, so
the shared working tree gets no build/ or dist/. The wheel goes with `pip install --no-deps` into
a fresh virtual environment in a temporary folder; `flask --app portal db upgrade` and gunicorn
with the checkout's gunicorn.conf.py then run from another temporary working directory with the
production settings. Nothing is downloaded: instead of `pip install -r requirements.lock`, a .pth
file lets the new environment see the project environment's packages (the ones the lock
installed there). That file only adds a folder to sys.path, so the checkout's editable `portal`
(installed by a .pth of its own, which is not read) cannot stand in for the wheel; the tests
check that `portal` and `config` are imported from the new environment.

The entry points are run as `python -m flask` and `python -m gunicorn`: the same functions as
the README's venv/bin/flask and venv/bin/gunicorn, whose scripts pip writes only when it
installs flask and gunicorn into that environment itself.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import psycopg
import pytest
import requests
import sqlalchemy
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# What a copy of the checkout leaves out: environments, build output, the compiled catalogues
# (the copy compiles its own, as `make wheel` does), caches.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "instance", "build", "dist", "*.egg-info", "__pycache__", "*.mo",
    ".pytest_cache", ".ruff_cache", "node_modules",
)  # fmt: skip
# What a user's shell passes on; everything else (the suite's TEST_DATABASE_URL, SECRET_KEY,
# PYTHONPATH, a virtual environment's variables) stays out, and HOME is a folder of the test's.
PASSED_ON = ("PATH", "LANG", "LC_ALL", "TMPDIR")
# A string the Polish catalogue translates on the login page ("Sign in" in the source).
POLISH_SIGN_IN = "Zaloguj się"
# The limiter's shared storage (.ci/run starts Redis and sets TEST_REDIS_URL). The tests that
# sign in need it to answer; the others only start and read pages, which never reach it.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _user_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home)} | {k: os.environ[k] for k in PASSED_ON if k in os.environ}


def _setuptools_can_build() -> str | None:
    """Why the project environment cannot build a wheel without downloading, or None."""
    try:
        import setuptools
    except ImportError:
        return "the project environment has no setuptools (make install takes it from the lock)"
    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    if (major, minor) < (70, 1):
        try:
            import wheel  # noqa: F401  (bdist_wheel before setuptools 70.1)
        except ImportError:
            return (
                f"setuptools {setuptools.__version__} cannot build wheels by itself; "
                "`make install` installs the version pinned in requirements-test.lock"
            )
    return None


class Installed:
    """The wheel installed in a fresh environment, and a working directory outside the checkout."""

    def __init__(self, wheel: Path, venv: Path, workdir: Path, home: Path):
        self.wheel = wheel
        self.venv = venv
        self.python = venv / "bin" / "python"
        self.workdir = workdir
        self.home = home

    def env(self, database_url: str | None, **settings: str) -> dict[str, str]:
        """The README's exports: production, a random key, the database, the limiter storage."""
        env = _user_env(self.home)
        env.update(
            PORTAL_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(48),
            PSEUDONYM_KEY=secrets.token_urlsafe(48),
            RATELIMIT_STORAGE_URI=REDIS_URL,
            BASE_URL="https://portal.example.gov.pl",
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        env.update(settings)
        return env

    def flask(self, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.python), "-m", "flask", "--app", "portal", *args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def gunicorn(self, env: dict[str, str], log: Path) -> subprocess.Popen:
        with log.open("w") as out:
            return subprocess.Popen(
                [
                    str(self.python),
                    "-m",
                    "gunicorn",
                    "-c",
                    str(ROOT / "gunicorn.conf.py"),
                    "portal:create_app()",
                ],
                cwd=self.workdir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the master and its workers
            )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    reason = _setuptools_can_build()
    if reason:
        pytest.skip(f"cannot build the wheel: {reason}")
    base = tmp_path_factory.mktemp("production")
    home = base / "home"
    home.mkdir()

    # make wheel: compile the catalogues, then build (on a copy of the checkout).
    source = base / "checkout"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    _run([str(BIN / "pybabel"), "compile", "-d", "translations"], cwd=source)
    build = ("wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", "dist", ".")
    _run([sys.executable, "-m", "pip", *build], cwd=source)
    (wheel,) = (source / "dist").glob("portal-*.whl")

    # python3 -m venv …/venv && …/venv/bin/pip install --no-deps dist/portal-*.whl
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    pip_env = {**_user_env(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], env=pip_env)

    # In place of `pip install -r requirements.lock`: the project environment's packages, added
    # after the wheel is installed so that pip saw only the new environment.
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site_packages = Path(_run([str(python), "-c", purelib]).stdout.strip())
    project = {"base": sys.prefix, "platbase": sys.prefix}
    folders = dict.fromkeys(sysconfig.get_path(k, vars=project) for k in ("purelib", "platlib"))
    (site_packages / "project-dependencies.pth").write_text("".join(f"{f}\n" for f in folders))

    workdir = base / "site"
    workdir.mkdir()
    # The wheel's code and resources, not the checkout's editable install.
    where = "import config, portal; print(portal.__file__, config.__file__, portal.RESOURCES)"
    found = _run([str(python), "-c", where], cwd=workdir, env=_user_env(home)).stdout.split()
    assert len(found) == 3
    for path in found:
        assert Path(path).is_relative_to(site_packages), f"not from the new venv: {path}"
    return Installed(wheel, venv, workdir, home)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, or a PostgreSQL database of this test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portal.db'}"
        return
    # Beside the suite's database on the same server, never in it: a database created for this
    # test (named after the process, so parallel runs do not meet) and dropped afterwards.
    suite = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"portal_prod_test_{os.getpid()}"
    server = suite.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield suite.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_wheel_carries_templates_translations_and_migrations(installed):
    with zipfile.ZipFile(installed.wheel) as wheel:
        shipped = set(wheel.namelist())
    expected = {"config.py", "portal/static/portal.css", "portal/data/common-passwords.txt"}
    expected |= {
        f"portal/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
        for p in (ROOT / "templates").rglob("*")
        if p.suffix in {".html", ".txt"}
    }
    expected |= {
        f"portal/translations/{p.parent.relative_to(ROOT / 'translations').as_posix()}/messages.mo"
        for p in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po")
    }
    expected |= {
        f"portal/migrations/{p.relative_to(ROOT / 'migrations').as_posix()}"
        for p in (ROOT / "migrations").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected - shipped == set()


def test_the_installed_wheel_serves_the_portal(installed, database_url, tmp_path):
    upgrade = installed.flask("db", "upgrade", env=installed.env(database_url))
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(sqlalchemy.text("SELECT version_num FROM alembic_version"))
    finally:
        engine.dispose()

    port = _free_port()
    env = installed.env(database_url, WEB_CONCURRENCY="2", BIND=f"127.0.0.1:{port}")
    log = tmp_path / "gunicorn.log"
    process = installed.gunicorn(env, log)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)

        response = requests.get(f"{url}/auth/login", timeout=10)
        assert response.status_code == 200
        # The template came from the wheel and its text from the compiled Polish catalogue.
        assert POLISH_SIGN_IN in response.text
        assert "<h1>Sign in</h1>" not in response.text
        assert "Strict-Transport-Security" in response.headers
        cookies = response.raw.headers.getlist("Set-Cookie")
        session = [c for c in cookies if c.startswith("session=")]
        assert session, f"no session cookie among {cookies}"
        attributes = {part.strip().lower() for part in session[0].split(";")[1:]}
        assert {"secure", "httponly"} <= attributes
    finally:
        _stop(process)
    assert "Traceback" not in log.read_text(), log.read_text()


def test_the_sqlite_default_stays_out_of_site_packages(installed, tmp_path):
    """Without DATABASE_URL the database is instance/portal.db of the working directory."""
    result = installed.flask("db", "upgrade", env=installed.env(None))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (installed.workdir / "instance" / "portal.db").is_file()
    assert not list(installed.venv.rglob("portal.db"))

    elsewhere = tmp_path / "data"
    env = installed.env(None, INSTANCE_PATH=str(elsewhere))
    result = installed.flask("db", "upgrade", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (elsewhere / "portal.db").is_file()


@pytest.mark.parametrize(
    "key",
    # Unset, the value development runs with (config.py), and a random but short one.
    [None, "development-only-not-secret", "short-but-random-Zx81"],
    ids=["unset", "development-default", "short"],
)
def test_production_refuses_to_start_without_a_strong_secret_key(installed, key, tmp_path):
    env = installed.env(
        f"sqlite:///{tmp_path / 'portal.db'}", WEB_CONCURRENCY="1", BIND=f"127.0.0.1:{_free_port()}"
    )
    if key is None:
        del env["SECRET_KEY"]
    else:
        env["SECRET_KEY"] = key
    log = tmp_path / "gunicorn.log"
    process = installed.gunicorn(env, log)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"gunicorn started with SECRET_KEY={key!r}:\n{log.read_text()}")
    finally:
        _stop(process)
    assert process.returncode != 0
    assert "SECRET_KEY" in log.read_text(), log.read_text()


@pytest.mark.parametrize("storage", [None, "memory://"], ids=["unset", "memory"])
def test_production_refuses_to_start_with_per_process_login_throttling(
    installed, storage, tmp_path
):
    """memory:// counts sign-in attempts in each worker: four workers, four times the limit."""
    env = installed.env(
        f"sqlite:///{tmp_path / 'portal.db'}", WEB_CONCURRENCY="1", BIND=f"127.0.0.1:{_free_port()}"
    )
    if storage is None:
        del env["RATELIMIT_STORAGE_URI"]
    else:
        env["RATELIMIT_STORAGE_URI"] = storage
    log = tmp_path / "gunicorn.log"
    process = installed.gunicorn(env, log)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"gunicorn started with RATELIMIT_STORAGE_URI={storage!r}:\n{log.read_text()}")
    finally:
        _stop(process)
    assert process.returncode != 0
    assert "RATELIMIT_STORAGE_URI" in log.read_text(), log.read_text()


def _failed_sign_in(url: str) -> int:
    """One wrong password for an account that does not exist (no account gets locked)."""
    page = requests.get(f"{url}/auth/login", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, page.text
    data = {"csrf_token": token[1], "email": "nobody@example.org", "password": "wrong-password!"}
    # The session cookie (which the CSRF token belongs to) is Secure: a browser sends it back
    # over HTTPS only, so over this test's plain HTTP it is passed on by hand.
    cookies = {"session": page.cookies["session"]}
    return requests.post(f"{url}/auth/login", data=data, cookies=cookies, timeout=30).status_code


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_the_sign_in_limit_holds_across_processes(installed, tmp_path):
    """Two gunicorns (two processes, as two hosts would be) share one count per address."""
    import redis

    limiter_keys = redis.Redis.from_url(REDIS_URL)
    try:
        for key in limiter_keys.scan_iter("LIMITER*"):  # the counts of an earlier run
            limiter_keys.delete(key)
    finally:
        limiter_keys.close()
    database_url = f"sqlite:///{tmp_path / 'portal.db'}"
    upgrade = installed.flask("db", "upgrade", env=installed.env(database_url))
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr

    processes, urls = [], []
    try:
        for name in ("first", "second"):
            port = _free_port()
            env = installed.env(database_url, WEB_CONCURRENCY="1", BIND=f"127.0.0.1:{port}")
            processes.append(installed.gunicorn(env, tmp_path / f"{name}.log"))
            urls.append(f"http://127.0.0.1:{port}")
        for process, url, name in zip(processes, urls, ("first", "second"), strict=True):
            deadline = time.monotonic() + 60
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"gunicorn did not start:\n{(tmp_path / f'{name}.log').read_text()}"
                    )
                time.sleep(0.2)

        # 20 per minute (LOGIN_RATE_LIMIT), taken in turns: ten on each process.
        statuses = [_failed_sign_in(urls[i % 2]) for i in range(20)]
        assert statuses == [200] * 20
        # Per-process counts would let ten more through on each; the shared count refuses both.
        assert _failed_sign_in(urls[0]) == 429
        assert _failed_sign_in(urls[1]) == 429
    finally:
        for process in processes:
            _stop(process)
    for name in ("first", "second"):
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text()
