"""Every export and document download leaves an audit entry: who took which file of which record.

The routes are read from the url_map (every rule naming a file, and the ESF export): a new
download fails this test by name until it is listed here with its records, or set apart with
the reason it holds nobody's personal data.
"""

import hashlib
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Event,
    IndividualPlan,
    PaymentList,
    Placement,
    ProjectStage,
    SocialContract,
    TransferFile,
    TransferFileFormat,
    User,
)
from portal.models.base import utcnow
from portal.models.centres import Project
from tests.jobs.helpers import job_of, run_queued
from tests.urlmap import fill, routes

COORDINATOR = "koordynator@example.org"
DEMO_PASSWORD = "pierwszy-krok"
DOWNLOAD_ACTIONS = ("document.download", "esf.export", "stage.export", "participant.data_export")

# Files that hold no one's personal data: not audited on purpose.
NOT_PERSONAL = {
    "staff.esf.import_template": "an empty template: the column headers only",
    "participant.event_ics": "the event's own public details, for the participant's calendar",
    "public.calendar_feed": "the participant's own events, read with their secret link",
}
# Downloads sent by POST (with a form), and what they post.
POSTED = {
    "staff.esf.export_stage": {"file_format": "csv", "variant": "pseudonymised"},
    "staff.stage_export": {},
    "staff.esf.central_system_download": {},
    "staff.reports.report_document": {},
}
# Documents built by a worker: the form leads to the job's page, and the file leaves the portal
# from the job's own download (staff.job_file), which is what is audited.
BUILT_AS_JOBS = {
    "staff.esf.export_stage",
    "staff.esf.central_system_download",
    "staff.reports.report_document",
}


def _is_download(rule: str, endpoint: str) -> bool:
    return bool(re.search(r"\.(\w+|<fmt>)$", rule)) or endpoint in POSTED


@pytest.fixture
def records(app, demo):
    """One record of each kind a download is about, in the demo coordinator's centre."""
    with app.app_context():
        centre_id = db.session.scalar(select(User.centre_id).where(User.email == COORDINATOR))

        def first(model):
            found = db.session.scalar(
                select(model.id).where(model.centre_id == centre_id).order_by(model.id)
            )
            assert found is not None, model
            return found

        stage_id = db.session.scalar(
            select(ProjectStage.id)
            .join(Project)
            .where(Project.centre_id == centre_id)
            .order_by(ProjectStage.id)
        )
        list_id = first(PaymentList)
        _exported(list_id, centre_id)
        return {
            "contract_id": first(SocialContract),
            "list_id": list_id,
            "event_id": first(Event),
            "plan_id": first(IndividualPlan),
            "placement_id": first(Placement),
            "stage_id": stage_id,
            "name": "participants",
            "fmt": "csv",
            "file_format": "pdf",
        }


def _exported(list_id: int, centre_id: int) -> None:
    """The list as if sent to the bank: its kept files are downloads too (the files' contents
    are tested in tests/support/test_transfer_files.py)."""
    payment_list = db.session.get(PaymentList, list_id)
    if payment_list.is_locked:
        return
    coordinator = db.session.scalar(select(User.id).where(User.email == COORDINATOR))
    now = utcnow()
    payment_list.exported_at, payment_list.exported_by_id = now, coordinator
    for file_format in TransferFileFormat:
        db.session.add(
            TransferFile(
                centre_id=centre_id,
                payment_list_id=list_id,
                file_format=file_format,
                body=b"kept",
                sha256=hashlib.sha256(b"kept").hexdigest(),
                items=1,
                total_grosze=1,
                made_at=now,
                made_by_id=coordinator,
            )
        )
    db.session.commit()


def downloads(app):
    return [
        route
        for route in routes(app, lambda r: _is_download(r.rule, r.endpoint))
        if route.endpoint not in NOT_PERSONAL and route.method in ("GET", "POST")
        if not (route.endpoint in POSTED and route.method == "GET")
    ]


def audited(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action.in_(DOWNLOAD_ACTIONS))
        )


def test_every_download_of_staff_is_audited(app, client, login_as, records):
    login_as(COORDINATOR, DEMO_PASSWORD)
    checked = []
    for route in downloads(app):
        if not route.endpoint.startswith("staff."):
            continue
        url = fill(route.rule, records)
        before = audited(app)
        if route.endpoint in BUILT_AS_JOBS:
            job_id = job_of(client.post(url, data=POSTED[route.endpoint]))
            run_queued(app)
            before = audited(app)  # the export's own entry, written as the worker built it
            response = client.get(f"/staff/jobs/{job_id}/file")
        elif route.method == "POST":
            response = client.post(url, data=POSTED[route.endpoint])
        else:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert "attachment" in response.headers.get("Content-Disposition", ""), url
        assert audited(app) == before + 1, f"{url} left no audit entry"
        checked.append(route.endpoint)
    # contract, plan, payment list ×3, its bank files ×3, hours ×3, event ×2, stage ×4…
    assert len(checked) >= 17


def test_a_participant_downloading_their_data_is_audited(app, client, login_as, demo):
    login_as("uczestnik@example.org", DEMO_PASSWORD)
    for url in ("/me/my-data.json", "/me/my-data?format=pdf"):
        before = audited(app)
        response = client.get(url)
        assert response.status_code == 200, url
        assert audited(app) == before + 1, url


def test_the_entry_says_who_took_which_file(app, client, login_as, records):
    login_as(COORDINATOR, DEMO_PASSWORD)
    client.get(f"/staff/contracts/{records['contract_id']}/contract.pdf")
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "document.download")
        ).one()
        coordinator = db.session.scalar(select(User.id).where(User.email == COORDINATOR))
        assert (entry.actor_id, entry.entity_type, entry.entity_id) == (
            coordinator,
            "social_contracts",
            records["contract_id"],
        )
        assert entry.changes == {
            "document": {"old": None, "new": "contract"},
            "format": {"old": None, "new": "pdf"},
        }
