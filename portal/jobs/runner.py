"""The worker's transaction boundary around one job: claim (commit), build (a read, with a
heartbeat beside it), keep the file or the failure (commit).

A worker that dies mid-job leaves the job running with a lease nobody extends; the look taken
again when the lease ends (scheduled at every claim and every look) finds it expired and claims
it anew, counting one more attempt. Only the claim that holds the job can keep its file.
"""

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from flask_babel import force_locale

from portal import database
from portal.extensions import db
from portal.jobs import documents
from portal.models import Job, User
from portal.models.base import utcnow
from portal.services.common.errors import PortalError
from portal.services.jobs import jobs

# Called with the moment the job should be looked at again (its holder's lease ends then).
LookAgain = Callable[[datetime], None]


def lease_of(app: Flask) -> timedelta:
    return timedelta(seconds=app.config["JOB_LEASE_SECONDS"])


class _Heartbeat:
    """Extends the lease from a thread of its own while the build runs, whatever it is doing."""

    def __init__(self, app: Flask, job_id: int, attempt: int) -> None:
        self.app, self.job_id, self.attempt = app, job_id, attempt
        self.lease = lease_of(app)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat")

    def _beat(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(self.lease.total_seconds() / 3):
                if not jobs.heartbeat(self.job_id, self.attempt, now=utcnow(), lease=self.lease):
                    return  # the claim is lost: another worker holds the job now

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopped.set()
        self.thread.join()


def run(app: Flask, job_id: int, *, look_again: LookAgain) -> None:
    """Claim the job and build it, or say when to look at it again."""
    with app.app_context():
        got = jobs.claim(
            job_id,
            now=utcnow(),
            lease=lease_of(app),
            max_attempts=app.config["JOB_MAX_ATTEMPTS"],
        )
        # Read before the commit expires the row: reading it again would open a transaction.
        attempt = got.job.attempts if got.job else 0
        until = got.job.lease_until if got.job else got.look_again_at
        db.session.commit()
        if until is not None:
            # Should the holder (this worker, or the one found holding the job) die, the look
            # at its lease's end takes the job again.
            look_again(until)
        if got.job is None:
            return
        with _Heartbeat(app, job_id, attempt):
            outcome = _build(app, job_id, attempt)
        _keep(job_id, attempt, outcome)


def _build(app: Flask, job_id: int, attempt: int) -> documents.Document | str:
    """The document, or the refusal to show its requester, read in the requester's language
    and scoped to the job's centre like the page it came from."""
    lease = lease_of(app)

    def progress(percent: int, message: str) -> None:
        jobs.heartbeat(
            job_id, attempt, now=utcnow(), lease=lease, progress=percent, message=message
        )

    # On SQLite a long read begins deferred: it takes no write lock from the pages, nor from
    # the heartbeat beside it.
    database.serve_reads_only(True)
    try:
        job = db.session.get_one(Job, job_id)
        build = documents.BUILDERS[job.kind]
        database.scope_session(db.session, job.centre_id)
        with app.test_request_context(base_url=app.config["BASE_URL"]), force_locale(job.locale):
            try:
                return build(job, progress)
            except PortalError as refusal:
                return str(refusal.message)
    finally:
        database.serve_reads_only(False)
        database.scope_session(db.session, None)
        db.session.rollback()


def _keep(job_id: int, attempt: int, outcome: documents.Document | str) -> None:
    job = db.session.get_one(Job, job_id)
    now = utcnow()
    try:
        if isinstance(outcome, str):
            jobs.fail(job, outcome, attempt=attempt, now=now)
        else:
            jobs.finish(job, outcome.built, attempt=attempt, now=now)
            if outcome.record is not None:
                outcome.record(db.session.get_one(User, job.requested_by_id), now)
    except jobs.JobTaken:
        # Presumed dead, this worker was overtaken: the claim that holds the job keeps its file.
        db.session.rollback()
        return
    db.session.commit()
