"""On SQLite, pages that only read never queue behind a writer; writes still queue.

Every SQLite transaction used to begin with BEGIN IMMEDIATE, so two workers' GET requests waited
for each other and for every write. Now a GET begins deferred (portal/database.py): in WAL mode
it reads its snapshot while another connection holds the write lock. The test holds that lock
from outside the portal, as a long write would, and asks the live server (gunicorn, 3 workers)
for two pages at once: both must answer while the lock is still held. A sign-out, which writes,
must wait for the lock and complete once it is released. The race tests prove the writes still
never overbook. A page that shows people's data records who read it (an entry written apart,
portal/services/audit.py), so it queues like a write: the staff page read here shows none.
"""

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import make_url

from tests.live import csrf, signed_in

pytestmark = pytest.mark.live

DEMO_PASSWORD = "pierwszy-krok"
# Far below the server's busy timeout (15 s): a read that queued would miss it.
READ_TIMEOUT = 8


@pytest.fixture
def sqlite_path(database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers; this is SQLite's locking")
    return url.database


def test_two_readers_are_served_while_a_writer_holds_the_lock(demo, server, sqlite_path):
    participant = signed_in(server, "uczestnik@example.org", DEMO_PASSWORD, timeout=30)
    coordinator = signed_in(server, "koordynator@example.org", DEMO_PASSWORD, timeout=30)
    logout_token = csrf(coordinator.get(f"{server}/staff/", timeout=30).text)

    writer = sqlite3.connect(sqlite_path, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")  # the write lock, held as by a long change
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            started = time.monotonic()
            reads = [
                pool.submit(participant.get, f"{server}/me/events", timeout=READ_TIMEOUT),
                pool.submit(coordinator.get, f"{server}/staff/events", timeout=30),
            ]
            statuses = [future.result().status_code for future in reads]
            read_seconds = time.monotonic() - started

            sign_out = pool.submit(
                coordinator.post,
                f"{server}/auth/logout",
                data={"csrf_token": logout_token},
                allow_redirects=False,
                timeout=30,
            )
            time.sleep(1.5)
            write_waited = not sign_out.done()
            writer.execute("ROLLBACK")
            write_status = sign_out.result().status_code
    finally:
        writer.close()

    assert statuses == [200, 200]
    assert read_seconds < READ_TIMEOUT
    assert write_waited, "the sign-out did not wait for the write lock"
    assert write_status == 302
