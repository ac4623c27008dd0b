"""The ESF monitoring export: one versioned column definition, XLSX and CSV, a pseudonymised
variant, monitoring fields only, one row per participant of the stage, audited."""

import csv
import hashlib
import hmac
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    CaseworkEntry,
    IndividualPlan,
    Participant,
    Project,
    ProjectStage,
    User,
)
from portal.models.enums import Role
from portal.models.people import Answer, Education
from portal.models.support import ContactKind
from portal.services.esf import esf_export
from tests.jobs.helpers import prepared

PESEL = "44051401359"
NOTE = "Notatka doradcy: tylko dla doradcy"


@pytest.fixture
def centre(app, make_user, make_participant):
    """A coordinator's centre with three people supported in its 2026 stage and one who left in
    2025."""
    make_user(Role.COORDINATOR, email="coordinator@example.org")
    make_user(Role.SOCIAL_WORKER, email="worker@example.org", centre_id=_centre_of(app))
    centre_id = _centre_of(app)
    ids = [
        make_participant(centre_id, last_name="Nowak", pesel_number=PESEL),
        make_participant(centre_id, last_name='=HYPERLINK("http://x")', with_account=False),
        make_participant(centre_id, last_name="Kowalska", with_account=False),
        make_participant(centre_id, last_name="Dawna", with_account=False),
    ]
    with app.app_context():
        first = db.session.get(Participant, ids[0])
        first.education = Education.UPPER_SECONDARY
        first.disability = Answer.REFUSED
        left = db.session.get(Participant, ids[3])
        left.support_start, left.support_end = date(2025, 2, 1), date(2025, 11, 30)
        # A participant is someone who received support: a social worker's contact each, the
        # first person's on 1 March 2026, the one who left in 2025 before she left.
        worker_id = db.session.scalar(select(User.id).where(User.email == "worker@example.org"))
        for person, day in zip(
            ids,
            (date(2026, 3, 1), date(2026, 4, 2), date(2026, 5, 4), date(2025, 2, 1)),
            strict=True,
        ):
            db.session.add(
                CaseworkEntry(
                    centre_id=centre_id,
                    worker_id=worker_id,
                    participant_id=person,
                    happened_on=day,
                    contact_kind=ContactKind.INTERVIEW,
                    minutes=30,
                )
            )
        db.session.add(
            IndividualPlan(centre_id=centre_id, participant_id=ids[0], advisor_notes=NOTE)
        )
        db.session.commit()
        stage_id = db.session.scalar(
            select(ProjectStage.id).join(Project).where(Project.centre_id == centre_id)
        )
    return {"id": centre_id, "people": ids, "stage_id": stage_id}


def _centre_of(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(User.centre_id).where(User.email == "coordinator@example.org")
        )


def _download(client, stage_id: int, **form):
    # Built by a worker: the form leads to the job's page, which offers the file.
    response = prepared(client, f"/staff/esf-export/stages/{stage_id}", form)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _xlsx_rows(body: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_header_is_the_versioned_definition_in_both_formats(client, login_as, centre):
    login_as("coordinator@example.org")
    expected = [column.header for column in esf_export.COLUMNS]
    assert esf_export.header() == expected
    assert (
        esf_export.VERSION
        in _download(client, centre["stage_id"], file_format="xlsx", variant="full").headers[
            "Content-Disposition"
        ]
    )
    xlsx = _xlsx_rows(_download(client, centre["stage_id"], file_format="xlsx").data)
    plain = _csv_rows(_download(client, centre["stage_id"], file_format="csv").data)
    assert xlsx[0] == expected
    assert plain[0] == expected
    # The keys are unique and the definition names only monitoring data.
    keys = [column.key for column in esf_export.COLUMNS]
    assert len(keys) == len(set(keys))
    assert not {"notes", "advisor", "allowance", "contract_number"} & set(keys)


def test_one_row_per_participant_of_the_stage_monitoring_fields_only(client, login_as, centre):
    login_as("coordinator@example.org")
    for file_format, read in (("xlsx", _xlsx_rows), ("csv", _csv_rows)):
        rows = read(_download(client, centre["stage_id"], file_format=file_format).data)
        body = rows[1:]
        assert len(body) == 3, file_format  # the person who left in 2025 is not in 2026
        surnames = {row[3] for row in body}
        assert "Dawna" not in surnames
        assert '\'=HYPERLINK("http://x")' in surnames  # neutralised, never a formula
        flat = " ".join(str(cell) for row in rows for cell in row)
        assert NOTE not in flat
        nowak = next(row for row in body if row[3] == "Nowak")
        by_key = dict(zip([c.key for c in esf_export.COLUMNS], nowak, strict=True))
        assert by_key["pesel"] == PESEL
        assert by_key["age"] in (81, "81")  # born 1944-05-14, support from 2026-03-01
        assert by_key["education"] == "ponadgimnazjalne (ISCED 3)"
        assert by_key["disability"] == "Odmowa podania informacji"


def test_the_pseudonymised_variant_hides_the_pesel_behind_a_keyed_hmac(
    app, client, login_as, centre
):
    login_as("coordinator@example.org")
    rows = _xlsx_rows(
        _download(client, centre["stage_id"], file_format="xlsx", variant="pseudonymised").data
    )
    assert rows[0] == esf_export.header(pseudonymised=True)
    assert esf_export.PSEUDONYM_HEADER in rows[0]
    assert "Imię" not in rows[0]
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert PESEL not in flat
    assert "Nowak" not in flat
    assert app.config["PSEUDONYM_KEY"] not in flat
    csv_rows = _csv_rows(
        _download(client, centre["stage_id"], file_format="csv", variant="pseudonymised").data
    )
    assert csv_rows == [[str(cell) for cell in row] for row in rows]
    # Computed here, not by the function under test: HMAC-SHA256 under the installation's key of
    # the PESEL, or of the centre's and the record's number for a person without one.
    key = app.config["PSEUDONYM_KEY"].encode()
    subjects = [PESEL.encode()] + [
        f"participant:{centre['id']}:{person}".encode() for person in centre["people"][1:3]
    ]
    column = rows[0].index(esf_export.PSEUDONYM_HEADER)
    expected = {hmac.new(key, subject, hashlib.sha256).hexdigest() for subject in subjects}
    assert {row[column] for row in rows[1:]} == expected
    assert hashlib.sha256(PESEL.encode()).hexdigest() not in flat  # never a plain hash
    # Another installation's key gives other pseudonyms for the same people.
    other_key = "another key of at least thirty-two bytes"
    app.config["PSEUDONYM_KEY"] = other_key
    again = _csv_rows(
        _download(client, centre["stage_id"], file_format="csv", variant="pseudonymised").data
    )
    nowak = hmac.new(other_key.encode(), PESEL.encode(), hashlib.sha256).hexdigest()
    assert nowak in {row[column] for row in again[1:]}
    assert not expected & {row[column] for row in again[1:]}


def test_every_export_is_audited_with_the_stage(app, client, login_as, centre):
    login_as("coordinator@example.org")
    _download(client, centre["stage_id"], file_format="csv", variant="pseudonymised")
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "esf.export")
        ).one()
        assert (entry.entity_type, entry.entity_id) == ("project_stages", centre["stage_id"])
        assert entry.centre_id == centre["id"]
        assert entry.changes["pseudonymised"]["new"] is True
        assert entry.changes["rows"]["new"] == 3
        assert entry.actor_id is not None


def test_a_bad_choice_is_shown_beside_the_field_and_nothing_is_exported(
    app, client, login_as, centre
):
    login_as("coordinator@example.org")
    response = client.post(
        f"/staff/esf-export/stages/{centre['stage_id']}?lang=en",
        data={"file_format": "pdf", "variant": "full"},
    )
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert 'aria-invalid="true"' in response.get_data(as_text=True) or "Not a valid choice" in (
        response.get_data(as_text=True)
    )
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEntry).where(AuditEntry.action == "esf.export")) is None
        )


def test_pages_and_roles(app, client, login_as, make_user, centre):
    login_as("coordinator@example.org")
    assert client.get("/staff/esf-export").status_code == 200
    page = client.get(f"/staff/esf-export/stages/{centre['stage_id']}?lang=en")
    assert page.status_code == 200
    assert esf_export.VERSION in page.get_data(as_text=True)
    # The count the page states is the number of people the file holds.
    with app.app_context():
        stage = db.session.get(ProjectStage, centre["stage_id"])
        held = len(esf_export.participants_of(stage))
    assert held > 0
    assert f"Participants in the file: {held} " in page.get_data(as_text=True)
    client.post("/auth/logout")
    login_as("worker@example.org")
    assert client.get("/staff/esf-export").status_code == 403
    assert client.post(f"/staff/esf-export/stages/{centre['stage_id']}").status_code == 403
    client.post("/auth/logout")
    make_user(Role.COORDINATOR, email="elsewhere@example.org")  # another centre's coordinator
    login_as("elsewhere@example.org")
    assert client.get(f"/staff/esf-export/stages/{centre['stage_id']}").status_code == 404
    assert client.post(f"/staff/esf-export/stages/{centre['stage_id']}", data={}).status_code == 404


def test_production_refuses_to_start_without_a_real_pseudonym_key(database_url):
    from config import DEVELOPMENT_PSEUDONYM_KEY, ProductionConfig
    from portal import create_app
    from portal.services.accounts import passwords

    base = {
        "SECRET_KEY": "s" * 48,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",  # never reached here
    }
    for key in ("", "short", DEVELOPMENT_PSEUDONYM_KEY):
        config = type("Production", (ProductionConfig,), {**base, "PSEUDONYM_KEY": key})
        with pytest.raises(RuntimeError, match="PSEUDONYM_KEY"):
            create_app(config)
    try:
        create_app(type("Production", (ProductionConfig,), {**base, "PSEUDONYM_KEY": "p" * 48}))
    finally:
        passwords.configure(passwords.CHEAP_FOR_TESTS)  # the suite's users carry cheap hashes
