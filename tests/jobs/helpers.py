"""Jobs in the tests that do not test the queue itself: run in process, as a worker would."""

import re

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import runner
from portal.models import Job, JobStatus

JOB_PAGE = re.compile(r"/staff/jobs/(\d+)$")


def run_queued(app) -> list[int]:
    """Build every waiting job, in order, through the worker's own code."""
    with app.app_context():
        waiting = list(
            db.session.scalars(
                select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id)
            )
        )
    for job_id in waiting:
        runner.run(app, job_id, look_again=lambda _at: None)
    return waiting


def job_of(response) -> int:
    """The job a "prepare the file" answer leads to."""
    assert response.status_code == 302, response.status_code
    found = JOB_PAGE.search(response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def file_of(client, response):
    """Follow a "prepare the file" answer to the file: build the job, download what it made."""
    job_id = job_of(response)
    run_queued(client.application)
    return client.get(f"/staff/jobs/{job_id}/file")


def prepared(client, url: str, data: dict | None = None):
    """Ask for a document (POST `url`) and download the file its job made."""
    return file_of(client, client.post(url, data=data or {}))


def report_url(stage_id: int, file_format: str, query: str = "") -> str:
    """Where the yearly report's page asks for its PDF or DOCX."""
    return f"/staff/stages/{stage_id}/report/documents/{file_format}{query}"
