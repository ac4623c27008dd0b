"""The start of participation: the day of the first support delivered, unless staff corrected it
on the monitoring form with a reason. The report, the ESF export, the dashboard's months, the
central system's file and the person's own page all state the same day, and the check of the
figures finds nothing in a correction."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.formatting import short_date
from portal.models import AuditEntry, Participant, Project, ProjectStage
from portal.models.enums import Role
from portal.services.esf import central_system, esf_export
from portal.services.people import participation_start
from portal.services.reporting import dashboard, figures_check, stage_exports_people, stage_people

SUPPORT_FROM = date(2026, 3, 1)  # the contract's start: the first support
CORRECTED = date(2026, 2, 10)
REASON = "Pierwsza rozmowa doradcza 10 lutego, zapisana na papierze przed wpisem do portalu"
LATER = datetime(2026, 7, 1, 10, tzinfo=UTC)
WORKER = "worker@example.org"


@pytest.fixture
def case(app, make_centre, make_user, make_participant, make_contract, login_as):
    """A person whose first support is a contract from 1 March 2026, and a social worker signed
    in."""
    centre = make_centre()
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre, email=WORKER)
    person = make_participant(centre)
    make_contract(person, worker, start_date=SUPPORT_FROM, end_date=date(2026, 8, 31))
    with app.app_context():
        stage = db.session.scalar(
            select(ProjectStage.id).join(Project).where(Project.centre_id == centre)
        )
    login_as(WORKER)
    return {"person": person, "stage": stage, "url": f"/staff/participants/{person}/monitoring"}


def _version(app, person_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Participant, person_id).version_id)


def _post(app, client, case, **fields):
    data = {"version": _version(app, case["person"])} | fields
    return client.post(case["url"], data=data)


def _start_everywhere(app, case) -> dict[str, object]:
    """The person's start as each output states it, and their months on the dashboard."""
    with app.test_request_context():
        stage = db.session.get(ProjectStage, case["stage"])
        person = db.session.get(Participant, case["person"])
        took = stage_people.participation(stage, now=LATER)[person.id]
        report = stage_exports_people.participants(stage)
        (report_row,) = report.rows
        header = esf_export.header()
        (esf_row,) = esf_export.rows(stage, [person], now=LATER)
        checked = central_system.check(stage, now=LATER)
        ((central_person, central_took),) = checked.people
        central_row = checked.template.row(central_person, central_took, 1)
        central_start = central_row[
            checked.template.header.index("Data rozpoczęcia udziału w projekcie")
        ]
        months = dashboard.people(stage, now=LATER).months
        return {
            "participation": took.start,
            "report": next(cell for cell in report_row if isinstance(cell, date)),
            "esf": esf_row[header.index("Data rozpoczęcia udziału w projekcie")],
            "central": central_start,
            "own": participation_start.of(person, now=LATER),
            "february": months[1][3],
            "march": months[2][3],
            "found": figures_check.check_stage(stage, now=LATER),
        }


def test_the_start_is_the_first_support_until_staff_correct_it_with_a_reason(app, client, case):
    page = client.get(case["url"]).get_data(as_text=True)
    with app.test_request_context():
        derived = short_date(SUPPORT_FROM)
    shown = re.search(r'<p id="start-derived">(.*?)</p>', page, re.S)
    assert shown
    assert derived in shown.group(1)
    before = _start_everywhere(app, case)
    assert before["participation"] == before["report"] == before["own"] == SUPPORT_FROM
    assert before["esf"] == before["central"] == SUPPORT_FROM.isoformat()
    assert (before["february"], before["march"]) == (0, 1)

    # Without a reason the form refuses beside the reason, keeps what was typed, saves nothing.
    refused = _post(app, client, case, support_start=CORRECTED.isoformat())
    assert refused.status_code == 200
    text = refused.get_data(as_text=True)
    assert 'id="support_start_reason-error"' in text
    assert 'value="2026-02-10"' in text
    with app.app_context():
        assert db.session.get(Participant, case["person"]).support_start is None
        assert not db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.monitoring")
        ).all()

    saved = _post(
        app, client, case, support_start=CORRECTED.isoformat(), support_start_reason=REASON
    )
    assert saved.status_code == 302
    with app.app_context():
        person = db.session.get(Participant, case["person"])
        assert (person.support_start, person.support_start_reason) == (CORRECTED, REASON)
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.monitoring")
        ).one()
        assert entry.changes["support_start"] == {"old": None, "new": "2026-02-10"}
        assert entry.changes["support_start_reason"] == {"old": None, "new": REASON}

    after = _start_everywhere(app, case)
    assert after["participation"] == after["report"] == after["own"] == CORRECTED
    assert after["esf"] == after["central"] == CORRECTED.isoformat()
    assert (after["february"], after["march"]) == (1, 1)  # counted from February
    assert after["found"] == []  # a correction is no discrepancy

    # The staff page and the person's own page state the corrected start.
    with app.test_request_context():
        corrected = short_date(CORRECTED)
    detail = client.get(f"/staff/participants/{case['person']}").get_data(as_text=True)
    assert re.search(r'<dd id="start">\s*' + re.escape(corrected), detail)

    # Cleared, the start follows the first support again; the reason goes with the date.
    cleared = _post(app, client, case, support_start="", support_start_reason=REASON)
    assert cleared.status_code == 302
    with app.app_context():
        person = db.session.get(Participant, case["person"])
        assert (person.support_start, person.support_start_reason) == (None, None)
        last = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "participant.monitoring")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert last is not None
        assert last.changes["support_start"] == {"old": "2026-02-10", "new": None}
        assert last.changes["support_start_reason"] == {"old": REASON, "new": None}
    again = _start_everywhere(app, case)
    assert again["participation"] == again["report"] == again["own"] == SUPPORT_FROM
    assert again["esf"] == again["central"] == SUPPORT_FROM.isoformat()
    assert (again["february"], again["march"]) == (0, 1)


def test_the_persons_own_page_shows_the_corrected_start(app, client, case, login_as):
    _post(app, client, case, support_start=CORRECTED.isoformat(), support_start_reason=REASON)
    own = login_as("participant1@example.org", fresh=True)
    page = own.get("/me/my-details").get_data(as_text=True)
    with app.test_request_context():
        corrected = short_date(CORRECTED)
    assert re.search(r'<dd id="start">\s*' + re.escape(corrected), page)


def test_the_first_supports_own_date_is_no_correction(app, client, case):
    saved = _post(app, client, case, support_start=SUPPORT_FROM.isoformat())
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Participant, case["person"]).support_start is None


@pytest.mark.parametrize(
    "typed",
    [
        date(2025, 12, 20),  # another stage: the person would count in another year
        date(2026, 9, 1),  # after the exit recorded below
    ],
)
def test_a_start_outside_the_stage_or_after_the_exit_is_refused_beside_it(app, client, case, typed):
    with app.app_context():
        db.session.get(Participant, case["person"]).support_end = date(2026, 8, 31)
        db.session.commit()
    refused = _post(app, client, case, support_start=typed.isoformat(), support_start_reason=REASON)
    assert refused.status_code == 200
    assert 'id="support_start-error"' in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Participant, case["person"]).support_start is None


def test_an_exit_is_refused_before_the_start_and_accepted_after_a_corrected_one(app, client, case):
    exit_url = f"/staff/participants/{case['person']}/exit"
    before = {
        "version": _version(app, case["person"]),
        "support_end": "2026-02-20",
        "how": "completed",
    }
    refused = client.post(exit_url, data=before)
    assert refused.status_code == 200
    assert 'id="support_end-error"' in refused.get_data(as_text=True)
    _post(app, client, case, support_start=CORRECTED.isoformat(), support_start_reason=REASON)
    before["version"] = _version(app, case["person"])
    assert client.post(exit_url, data=before).status_code == 302  # after the corrected start
    with app.app_context():
        assert db.session.get(Participant, case["person"]).support_end == date(2026, 2, 20)
