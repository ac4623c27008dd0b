"""Jobs through the real task queue: a consumer process (`flask worker`) started by the test,
on SQLite storage beside the SQLite database, or on Redis (TEST_REDIS_URL) beside PostgreSQL.

A worker killed (SIGKILL) in the middle of a job leaves it running under a lease nobody renews;
a worker started afterwards takes it again when the lease ends, and the job is finished once.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.jobs import queue
from portal.models import AuditEntry, Job, JobStatus, User
from portal.models.base import utcnow
from portal.services.esf import esf_export
from portal.services.jobs import jobs, kinds
from tests.helpers import demo_stage
from tests.jobs import worker_process

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]
COORDINATOR = "koordynator@example.org"
LEASE_SECONDS = 2
TIMEOUT = 90


@pytest.fixture
def task_queue(database_url, tmp_path, monkeypatch):
    """The queue's URL, with this process sending to it as the pages would: Redis beside
    PostgreSQL (as several hosts run it), the SQLite storage beside SQLite (as `make run` does)."""
    redis_url = os.environ.get("TEST_REDIS_URL")
    on_postgresql = database_url.startswith("postgresql")
    url = redis_url if redis_url and on_postgresql else f"sqlite:///{tmp_path / 'tasks.db'}"
    storage = queue.storage_for(url, str(tmp_path))
    storage.flush_all()  # messages of an earlier run would name jobs that are not there
    monkeypatch.setattr(queue.huey, "storage", storage)
    # The kind that waits: sent from here, built by the worker (which registers it too).
    monkeypatch.setitem(kinds.KINDS, worker_process.WAIT, None)
    worker_process.register()
    yield url
    storage.flush_all()


@pytest.fixture
def start_worker(database_url, task_queue, tmp_path):
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        with (tmp_path / f"worker-{len(started)}.log").open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.jobs.worker_process"],
                cwd=ROOT,
                env={
                    **os.environ,
                    "PORTAL_ENV": "development",
                    "DATABASE_URL": database_url,
                    "TASK_QUEUE_URL": task_queue,
                    "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
                    "PASSWORD_HASHING": "cheap-for-tests",
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    for log in sorted(tmp_path.glob("worker-*.log")):
        assert "Traceback" not in log.read_text(), log.read_text()


def _ask(app, kind: str, params: dict, token: str) -> int:
    """Ask for a job as a page does: the message leaves once the transaction commits."""
    with app.app_context():
        coordinator = db.session.scalars(select(User).where(User.email == COORDINATOR)).one()
        job = jobs.enqueue(
            kind,
            params,
            centre_id=coordinator.centre_id,
            actor=coordinator,
            locale="pl",
            token=token,
            now=utcnow(),
        )
        db.session.commit()
        return job.id


def _job(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get_one(Job, job_id)
        job.result_body  # noqa: B018 (loaded while the session is open)
        db.session.expunge(job)
        return job


def _until(app, job_id: int, *statuses: JobStatus) -> Job:
    deadline = time.monotonic() + TIMEOUT
    while (job := _job(app, job_id)).status not in statuses:
        assert time.monotonic() < deadline, (job.status, job.attempts, job.progress)
        time.sleep(0.2)
    return job


def test_a_job_runs_through_the_queue_and_its_file_is_the_direct_build(app, demo, start_worker):
    with app.app_context():
        stage_id = demo_stage("ops-janow", 2013).id
    params = {"stage_id": stage_id, "file_format": "csv", "pseudonymised": False}
    job_id = _ask(app, kinds.ESF_EXPORT, params, "a" * 32)
    assert _ask(app, kinds.ESF_EXPORT, params, "a" * 32) == job_id  # the same request again
    start_worker()
    job = _until(app, job_id, JobStatus.DONE, JobStatus.FAILED)
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 1
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        direct = esf_export.build(stage, file_format="csv", pseudonym_key=None, now=utcnow())
        exports = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "esf.export")
        )
    assert job.result_body == direct.body
    assert exports == 1


def test_a_worker_killed_mid_job_is_replaced_and_the_job_finishes_once(
    app, demo, start_worker, tmp_path
):
    started, flag = tmp_path / "started", tmp_path / "flag"
    job_id = _ask(app, worker_process.WAIT, {"started": str(started), "flag": str(flag)}, "b" * 32)
    first = start_worker()
    deadline = time.monotonic() + TIMEOUT
    while not started.exists():
        assert time.monotonic() < deadline, "the first worker never started the job"
        assert first.poll() is None
        time.sleep(0.1)
    assert _job(app, job_id).status == JobStatus.RUNNING
    os.killpg(first.pid, signal.SIGKILL)  # no handler runs, nothing is rolled back by hand
    first.wait()
    flag.touch()
    # The job stays taken until the dead worker's lease ends; then a new worker takes it.
    start_worker()
    job = _until(app, job_id, JobStatus.DONE, JobStatus.FAILED)
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 2
    assert started.read_text().split() == ["1", "2"]  # begun twice, killed once
    assert job.result_body == b"built by attempt 2"
    time.sleep(LEASE_SECONDS + 2)  # any look still scheduled finds it done and does nothing
    with app.app_context():
        done = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "job.done", AuditEntry.entity_id == job_id
            )
        ).all()
        assert len(done) == 1
        assert db.session.get_one(Job, job_id).attempts == 2
