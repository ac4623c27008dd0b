"""The real app under gunicorn (3 workers) on the test database, for tests with parallel clients.

Shared by the race tests of events, allowances and plans: the server processes share nothing
but the database the `app` fixture prepared, so the tests run on SQLite (BEGIN IMMEDIATE, WAL)
and, with TEST_DATABASE_URL, on PostgreSQL (row locks).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.helpers import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class LiveServer(str):
    """The server's base URL, which also knows where gunicorn writes its logs."""

    log_path: Path

    def __new__(cls, url: str, log_path: Path):
        server = super().__new__(cls, url)
        server.log_path = log_path
        return server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    """The app under gunicorn on the test database, shared by a module's tests.

    Each test seeds its own data through the `app` fixture (which empties the database first);
    the server keeps nothing between requests but idle database connections.
    """
    port = _free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "race-tests-secret-key-0123456789abcdef",
        # Fifty people sign in from one address within seconds; that limit is not tested here.
        "LOGIN_RATE_LIMIT": "10000 per minute",
        # The suite's users carry cheap hashes; production cost would rehash each at sign-in.
        "PASSWORD_HASHING": "cheap-for-tests",
    }
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                # The production settings (preload, post_fork), with the test's bind and workers.
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "-w",
                "3",
                "-k",
                "sync",
                "-b",
                f"127.0.0.1:{port}",
                "portal:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the master and its workers
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield LiveServer(url, log_path)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # An unexpected exception would have been logged with its traceback.
    assert "Traceback" not in log_path.read_text(), log_path.read_text()


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def signed_in(
    url: str, email: str, password: str = PASSWORD, *, timeout: float
) -> requests.Session:
    """A session of its own (cookie and connection), signed in through the server's login form."""
    http = requests.Session()
    page = http.get(f"{url}/auth/login", timeout=timeout)
    response = http.post(
        f"{url}/auth/login",
        data={"csrf_token": csrf(page.text), "email": email, "password": password},
        allow_redirects=False,
        timeout=timeout,
    )
    assert response.status_code == 302, response.status_code
    return http
