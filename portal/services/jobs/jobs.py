"""A job's life: requested once per request, claimed by one worker at a time, kept alive by its
heartbeat, finished once with its file.

Every write that decides who holds a job is one conditional UPDATE (the lifecycle's table in
services/lifecycle/transitions.py): a job is claimed while queued, or again once the lease of a
worker that stopped beating has run out; it is finished only by the claim that holds it, counted
by `attempts`. A worker that was presumed dead and wakes up finds its claim gone and writes
nothing.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Job, JobStatus, User
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.jobs import kinds
from portal.services.lifecycle import transitions

# The session's `info` key of the jobs to hand to the task queue once the transaction commits:
# a worker must never look for a row that is not there yet (portal/jobs/queue.py sends them).
TO_SEND = "portal_jobs_to_send"


class JobTaken(PortalError):
    """The job is held by another claim (or already finished): this worker writes nothing."""


@dataclass(frozen=True)
class Built:
    """A finished document: its bytes and how it is offered."""

    body: bytes
    filename: str
    mimetype: str


@dataclass(frozen=True)
class Claim:
    """What a worker got: the job to build, or the moment its current holder's lease ends."""

    job: Job | None
    look_again_at: datetime | None = None


def request_key(
    kind: str, params: Mapping[str, Any], *, centre_id: int, actor_id: int, token: str
) -> str:
    """One request's identity: what is asked, by whom, in which centre, from which sent form."""
    named = json.dumps(
        {"kind": kind, "params": params, "centre": centre_id, "actor": actor_id, "token": token},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(named.encode()).hexdigest()


def enqueue(
    kind: str,
    params: Mapping[str, Any],
    *,
    centre_id: int,
    actor: User,
    locale: str,
    token: str,
    now: datetime,
) -> Job:
    """The job of this request: a new one, or the one the same request already made (a double
    click or a form sent again never builds the document twice)."""
    if kind not in kinds.KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    key = request_key(kind, params, centre_id=centre_id, actor_id=actor.id, token=token)
    existing = _by_key(key)
    if existing is not None:
        return existing
    job = Job(
        centre_id=centre_id,
        kind=kind,
        params=dict(params),
        requested_by_id=actor.id,
        locale=locale,
        request_key=key,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
            db.session.flush()
    except IntegrityError:
        # The same request, sent at the same moment from another tab, inserted it first.
        return loading.found(_by_key(key))
    audit.record("job.requested", job, actor=actor, at=now, changes={"kind": (None, kind)})
    db.session.info.setdefault(TO_SEND, []).append(job.id)
    return job


def _by_key(key: str) -> Job | None:
    return db.session.scalars(select(Job).where(Job.request_key == key)).one_or_none()


def claim(job_id: int, *, now: datetime, lease: timedelta, max_attempts: int) -> Claim:
    """Take the job if it waits, or if its worker's lease ran out (the worker died)."""
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return Claim(None)
    if job.status == JobStatus.RUNNING and job.lease_until and job.lease_until > now:
        return Claim(None, look_again_at=job.lease_until)
    if job.attempts >= max_attempts:
        fail(
            job,
            str(_l("The document could not be prepared: the work stopped too many times.")),
            attempt=job.attempts,
            now=now,
        )
        return Claim(None)
    try:
        transitions.move(
            job,
            "claim",
            actor=None,
            refusal=JobTaken(_l("Another worker has taken this job.")),
            now=now,
            where=or_(Job.status == JobStatus.QUEUED, Job.lease_until < now),
            unaudited={
                "attempts": job.attempts + 1,
                "lease_until": now + lease,
                "started_at": now,
                "progress": 0,
                "progress_message": "",
            },
        )
    except JobTaken:
        return Claim(None)
    return Claim(job)


def heartbeat(
    job_id: int,
    attempt: int,
    *,
    now: datetime,
    lease: timedelta,
    progress: int | None = None,
    message: str | None = None,
) -> bool:
    """Extend the lease (and say how far the work is) while this claim still holds the job.

    Written on a connection of its own, in a moment: the build reads in a long transaction of
    its own, and a page polling the job must see the progress at once. False: the claim is lost.
    """
    values: dict[str, Any] = {"lease_until": now + lease}
    if progress is not None:
        values["progress"] = max(0, min(100, progress))
    if message is not None:
        values["progress_message"] = message[:200]
    statement = (
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.attempts == attempt)
        .values(**values)
    )
    with db.engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def finish(job: Job, built: Built, *, attempt: int, now: datetime) -> None:
    """Keep the file; only the claim that holds the job may (JobTaken otherwise)."""
    checksum = hashlib.sha256(built.body).hexdigest()
    transitions.move(
        job,
        "finish",
        actor=None,
        refusal=JobTaken(_l("Another worker has taken this job.")),
        now=now,
        where=Job.attempts == attempt,
        result_sha256=checksum,
        result_size=len(built.body),
        unaudited={
            "result_body": built.body,
            "result_filename": built.filename,
            "result_mimetype": built.mimetype,
            "progress": 100,
            "progress_message": "",
            "finished_at": now,
            "lease_until": None,
        },
    )


def fail(job: Job, error: str, *, attempt: int, now: datetime) -> None:
    """Give up on the job with a message for the person who asked (JobTaken: not ours)."""
    transitions.move(
        job,
        "fail",
        actor=None,
        refusal=JobTaken(_l("Another worker has taken this job.")),
        now=now,
        where=Job.attempts == attempt,
        error=error[:500],
        unaudited={"finished_at": now, "lease_until": None},
    )


def stalled(*, now: datetime, queued_for: timedelta) -> list[int]:
    """Jobs no worker is on: waiting longer than a message takes to arrive, or held by a lease
    that ran out (the periodic sweep sends them again; a claim decides who takes them)."""
    statement = select(Job.id).where(
        or_(
            (Job.status == JobStatus.QUEUED) & (Job.created_at < now - queued_for),
            (Job.status == JobStatus.RUNNING) & (Job.lease_until < now),
        )
    )
    return list(db.session.scalars(statement.order_by(Job.id)))


def readable(job_id: int, *, reader: User) -> Job:
    """The job, for someone who may read the page it came from in its centre (404 otherwise)."""
    job = loading.of_centre(Job, job_id, loading.centre_id_of(reader))
    kind = loading.found(kinds.KINDS.get(job.kind))
    return loading.found(job if reader.has_role(*kind.readers) else None)


def body_of(job: Job) -> bytes:
    """The finished file's bytes (loaded only when downloaded)."""
    return loading.found(job.result_body if job.status == JobStatus.DONE else None)
