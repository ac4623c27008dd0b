"""Background jobs: a heavy document built by a worker of the task queue, and its file.

The row is the job's truth; the task queue only carries "run job 7" messages, so a message lost,
repeated or delivered to a worker that dies costs nothing: whoever claims the row builds it.
"""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from portal.models.base import Base, CentreOwned, UTCDateTime, str_enum, utcnow
from portal.models.enums import LabelledEnum, Labels


class JobStatus(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.QUEUED: _l("Waiting for its turn"),
            cls.RUNNING: _l("Being prepared"),
            cls.DONE: _l("Ready"),
            cls.FAILED: _l("Failed"),
        }


class Job(CentreOwned, Base):
    """One request for a document, built once by whichever worker claims it."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # services/jobs/kinds.py
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The requester's language: a document whose wording follows the reader is built in it.
    locale: Mapped[str] = mapped_column(String(8), default="pl")
    # The same request sent twice (a double click, a form sent again) names the same job.
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"), default=JobStatus.QUEUED
    )
    progress: Mapped[int] = mapped_column(default=0)
    progress_message: Mapped[str] = mapped_column(String(200), default="")
    # Each claim counts one; the claim's number fences a worker whose lease was taken over.
    attempts: Mapped[int] = mapped_column(default=0)
    # The worker's heartbeat: past this moment, another worker may take the job.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_filename: Mapped[str | None] = mapped_column(String(200))
    result_mimetype: Mapped[str | None] = mapped_column(String(120))
    # Deferred: the job's page polls the row every few seconds and never needs the file.
    result_body: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    result_size: Mapped[int | None]
    result_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
