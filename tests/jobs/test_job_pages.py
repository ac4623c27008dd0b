"""A heavy document asked from its page becomes one job per request; the job's page follows it
without JavaScript and offers the file only to those who may read the page it came from."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.jobs import queue
from portal.models import AuditEntry, Job, JobStatus, User
from portal.models.base import utcnow
from portal.services.esf import esf_export
from portal.services.jobs import jobs, kinds
from tests.helpers import demo_stage
from tests.jobs.helpers import job_of, report_url, run_queued

PASSWORD = "pierwszy-krok"
COORDINATOR = "koordynator@example.org"
TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def stage_id(app, demo):
    with app.app_context():
        return demo_stage("ops-janow", 2013).id


def _jobs(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Job.id)))


def test_the_same_request_sent_twice_makes_one_job(app, client, login_as, stage_id):
    login_as(COORDINATOR, PASSWORD)
    form = {"file_format": "csv", "variant": "full", "request_token": TOKEN}
    url = f"/staff/esf-export/stages/{stage_id}"
    first, second = job_of(client.post(url, data=form)), job_of(client.post(url, data=form))
    assert first == second
    assert _jobs(app) == 1
    # Another sending of the form (a new page, a new token) is another request.
    third = job_of(client.post(url, data=form | {"request_token": "f" * 32}))
    assert third != first
    assert _jobs(app) == 2
    # Built once each, whatever the queue delivers twice.
    assert run_queued(app) == [first, third]
    assert run_queued(app) == []


def test_the_file_is_the_same_bytes_as_the_direct_build(app, client, login_as, stage_id):
    login_as(COORDINATOR, PASSWORD)
    job_id = job_of(
        client.post(
            f"/staff/esf-export/stages/{stage_id}", data={"file_format": "csv", "variant": "full"}
        )
    )
    run_queued(app)
    response = client.get(f"/staff/jobs/{job_id}/file")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        direct = esf_export.build(stage, file_format="csv", pseudonym_key=None, now=utcnow())
        job = db.session.get_one(Job, job_id)
        assert (job.status, job.attempts, job.progress) == (JobStatus.DONE, 1, 100)
        assert job.result_size == len(direct.body)
        # The export is on the trail once, by the coordinator who asked, and so is the download.
        actions = db.session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.action.in_(("esf.export", "document.download"))
            )
        ).all()
        assert sorted(actions) == ["document.download", "esf.export"]
    assert response.data == direct.body


def test_the_page_refreshes_itself_until_the_file_is_ready(app, client, login_as, stage_id):
    login_as(COORDINATOR, PASSWORD)
    job_id = job_of(client.post(report_url(stage_id, "docx")))
    waiting = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert f'href="/staff/jobs/{job_id}"' in waiting  # the link to come back with
    assert 'id="job-file"' not in waiting
    assert client.get(f"/staff/jobs/{job_id}/file").status_code == 404  # nothing yet
    run_queued(app)
    ready = client.get(f"/staff/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in ready
    assert f'href="/staff/jobs/{job_id}/file"' in ready
    word = client.get(f"/staff/jobs/{job_id}/file")
    assert word.status_code == 200
    assert word.data[:2] == b"PK"  # a DOCX is a zip


def test_only_the_centres_readers_of_the_page_see_the_job(app, client, login_as, stage_id):
    login_as(COORDINATOR, PASSWORD)
    job_id = job_of(client.post(report_url(stage_id, "pdf")))
    run_queued(app)
    assert client.get(f"/staff/jobs/{job_id}/file").status_code == 200
    urls = (f"/staff/jobs/{job_id}", f"/staff/jobs/{job_id}/file")
    # Another centre's coordinator, and a social worker of the same centre (who may not read
    # the report's page): as if there were no such job.
    for email in ("chrzanow@example.org", "pracownik@example.org"):
        other = login_as(email, PASSWORD, fresh=True)
        for url in urls:
            assert other.get(url).status_code == 404, (email, url)
    # A participant never reaches a staff page at all.
    participant = login_as("uczestnik@example.org", PASSWORD, fresh=True)
    for url in urls:
        response = participant.get(url)
        assert response.status_code in (403, 404), url
        assert response.mimetype == "text/html"
    # Signed out: the sign-in page, not the file.
    assert app.test_client().get(urls[1]).status_code == 302


def test_a_worker_overtaken_after_its_lease_ran_out_keeps_nothing(app, stage_id):
    with app.app_context():
        coordinator = db.session.scalars(select(User).where(User.email == COORDINATOR)).one()
        lease = timedelta(seconds=30)
        job = jobs.enqueue(
            kinds.YEARLY_DOCX,
            {"stage_id": stage_id},
            centre_id=coordinator.centre_id,
            actor=coordinator,
            locale="pl",
            token=TOKEN,
            now=utcnow(),
        )
        job_id = job.id
        db.session.commit()
        start = utcnow()
        first = jobs.claim(job_id, now=start, lease=lease, max_attempts=3)
        assert first.job is not None
        assert first.job.attempts == 1
        # Held: another worker is told when to look again.
        held = jobs.claim(job_id, now=start + timedelta(seconds=5), lease=lease, max_attempts=3)
        assert held.job is None
        assert held.look_again_at == start + lease
        # The first worker stops beating; after its lease another one takes the job.
        later = start + timedelta(seconds=31)
        assert jobs.stalled(now=later, queued_for=lease) == [job_id]
        second = jobs.claim(job_id, now=later, lease=lease, max_attempts=3)
        assert second.job is not None
        assert second.job.attempts == 2
        db.session.commit()
        built = jobs.Built(b"late", "late.docx", "application/octet-stream")
        job = db.session.get_one(Job, job_id)
        with pytest.raises(jobs.JobTaken):
            jobs.finish(job, built, attempt=1, now=later)
        db.session.rollback()
        # Its heartbeat finds the claim gone (written apart, as a worker beats).
        assert not jobs.heartbeat(job_id, 1, now=later, lease=lease)
        job = db.session.get_one(Job, job_id)
        jobs.finish(
            job, jobs.Built(b"kept", "kept.docx", "application/octet-stream"), attempt=2, now=later
        )
        db.session.commit()
        job = db.session.get_one(Job, job_id)
        assert (job.status, job.attempts, job.result_body) == (JobStatus.DONE, 2, b"kept")
        done = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "job.done")
        )
        assert done == 1


def test_a_job_whose_workers_keep_dying_fails_with_a_reason(app, stage_id):
    with app.app_context():
        coordinator = db.session.scalars(select(User).where(User.email == COORDINATOR)).one()
        lease = timedelta(seconds=1)
        job = jobs.enqueue(
            kinds.YEARLY_DOCX,
            {"stage_id": stage_id},
            centre_id=coordinator.centre_id,
            actor=coordinator,
            locale="pl",
            token=TOKEN,
            now=utcnow(),
        )
        job_id = job.id
        now = utcnow()
        for _attempt in (1, 2):
            assert jobs.claim(job_id, now=now, lease=lease, max_attempts=2).job is not None
            now += timedelta(seconds=2)
        assert jobs.claim(job_id, now=now, lease=lease, max_attempts=2).job is None
        job = db.session.get_one(Job, job_id)
        assert job.status == JobStatus.FAILED
        assert job.error
        db.session.rollback()


def test_a_file_of_a_whole_stages_personal_data_needs_a_recent_sign_in(
    app, client, login_as, stage_id
):
    login_as(COORDINATOR, PASSWORD)
    job_id = job_of(
        client.post(
            f"/staff/esf-export/stages/{stage_id}", data={"file_format": "csv", "variant": "full"}
        )
    )
    run_queued(app)
    with client.session_transaction() as session:
        session["signed_in_at"] -= 11 * 60  # signed in longer ago than FRESH_LOGIN_MINUTES
    response = client.get(f"/staff/jobs/{job_id}/file")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/confirm")
    assert f"/staff/jobs/{job_id}/file" in response.headers["Location"].replace("%2F", "/")
    # The yearly report asked for in the same stale session is offered at once.
    report = job_of(client.post(report_url(stage_id, "docx")))
    run_queued(app)
    assert client.get(f"/staff/jobs/{report}/file").status_code == 200


def test_the_message_leaves_once_the_job_is_committed_and_the_sweep_sends_stalled_ones(
    app, stage_id
):
    queue.huey.storage.flush_all()
    with app.app_context():
        coordinator = db.session.scalars(select(User).where(User.email == COORDINATOR)).one()

        def ask(token: str) -> Job:
            return jobs.enqueue(
                kinds.YEARLY_PDF,
                {"stage_id": stage_id},
                centre_id=coordinator.centre_id,
                actor=coordinator,
                locale="pl",
                token=token,
                now=utcnow(),
            )

        ask("1" * 32)
        db.session.rollback()  # never written: nothing is sent
        assert queue.huey.pending_count() == 0
        job_id = ask("2" * 32).id
        assert queue.huey.pending_count() == 0  # not before the commit
        db.session.commit()
        assert queue.huey.pending_count() == 1
    queue.huey.storage.flush_all()  # the message lost on its way
    with app.app_context():
        queue.sweep.call_local()
        assert queue.huey.pending_count() == 0  # too recent to be counted as lost
        db.session.execute(
            update(Job).where(Job.id == job_id).values(created_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
        queue.sweep.call_local()
        assert queue.huey.pending_count() == 1
    queue.huey.storage.flush_all()
