"""The task queue: one Huey instance, its storage named by TASK_QUEUE_URL.

Huey was chosen because it is a small, well-kept queue with the two storages the portal needs
and nothing else to run: SQLite (a file in the instance folder, for `make run` and one host) and
Redis (for several hosts), a scheduler for delayed and periodic tasks, and a consumer to wrap
in a Flask command (docs/architecture.md, "Background jobs").

The queue carries only "run job 7": the job's row is its truth (services/jobs). Messages are
sent once the transaction that wrote the job commits; a message lost, repeated or late costs
nothing, since a claim decides who builds the job and the periodic sweep sends again whatever
no worker is on.
"""

import logging
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.jobs import runner
from portal.models.base import utcnow
from portal.services.jobs import jobs

log = logging.getLogger(__name__)

NAME = "portal"
# The storage is chosen when the application is created (init_app); until then, and for tests
# that run their jobs in process, messages stay in memory.
huey = Huey(NAME, storage_class=MemoryStorage, utc=True)

# The application the consumer's tasks run in (the one `flask worker` was started with).
_apps: list[Flask] = []


def storage_for(url: str, instance_path: str) -> Any:
    """RedisStorage for redis://, rediss:// or unix://; MemoryStorage for memory:// (tests);
    otherwise SQLite: sqlite:///path, or tasks.db in the instance folder when unset."""
    scheme = url.partition("://")[0].lower()
    if scheme in {"redis", "rediss", "unix"}:
        return RedisStorage(NAME, url=url)
    if scheme == "memory":
        return MemoryStorage(NAME)
    if scheme == "sqlite":
        filename = url.removeprefix("sqlite:///")
    elif url:
        raise RuntimeError(f"TASK_QUEUE_URL must be redis://, sqlite:/// or empty, not {url!r}")
    else:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        filename = str(Path(instance_path) / "tasks.db")
    return SqliteStorage(NAME, filename=filename)


def init_app(app: Flask) -> None:
    huey.storage = storage_for(app.config["TASK_QUEUE_URL"], app.instance_path)
    _apps[:] = [app]


def _app() -> Flask:
    return _apps[0]


@huey.task()
def run_job(job_id: int) -> None:
    """Claim and build the job, or look at it again when its holder's lease ends."""

    def look_again(at: datetime) -> None:
        run_job.schedule((job_id,), eta=at + timedelta(seconds=1))

    runner.run(_app(), job_id, look_again=look_again)


@huey.periodic_task(crontab(minute="*"))
def sweep() -> None:
    """Send again every job no worker is on: a message lost before it reached the queue, or a
    worker that died while its next look was not yet scheduled."""
    app = _app()
    with app.app_context():
        stalled = jobs.stalled(
            now=utcnow(), queued_for=timedelta(seconds=app.config["JOB_LEASE_SECONDS"])
        )
        db.session.rollback()
    for job_id in stalled:
        run_job(job_id)


def send(job_ids: list[int]) -> None:
    for job_id in job_ids:
        try:
            run_job(job_id)
        except (RedisError, sqlite3.Error, OSError):
            # The job is written; the periodic sweep sends it once the queue answers again.
            log.warning("job %s: the task queue did not take the message", job_id, exc_info=True)


@event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    waiting = session.info.pop(jobs.TO_SEND, None)
    if waiting:
        send(waiting)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(jobs.TO_SEND, None)
