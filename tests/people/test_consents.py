"""Consent records: written where consent is given (the account request, staff registration with
a signed form), with the wording's version, shown to the person (page, PDF, data file) and to
staff; a withdrawal keeps the first moment; the migration turns `consent_at` into records."""

import io
import json
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, select, text

from portal.extensions import db
from portal.models import Consent, ConsentKind, Participant, User, Village
from portal.models.enums import Role
from portal.services.people import account_requests, consents

GIVEN = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)


def test_an_accepted_account_request_records_both_consents_it_asked_for(
    app, make_centre, make_user
):
    centre_id = make_centre()
    staff_id = make_user(Role.COORDINATOR, centre_id=centre_id)
    with app.app_context():
        village = db.session.scalar(select(Village).where(Village.centre_id == centre_id))
        request = account_requests.submit(
            first_name="Maria", last_name="Lis", email="maria.lis@example.org",
            village_id=village.id, consent=True, now=GIVEN, centre_id=centre_id,
        )  # fmt: skip
        user = account_requests.accept(
            request.id, centre_id, actor=db.session.get(User, staff_id), now=datetime.now(UTC)
        )
        records = consents.of_participant(user.participant.id)
        assert {c.kind for c in records} == {ConsentKind.PROCESSING, ConsentKind.EMAIL_CONTACT}
        for record in records:
            assert record.given_at == GIVEN  # when the box was ticked, not when staff accepted
            assert record.text_version == consents.current_version(record.kind)
            assert record.recorded_by_id is None
            assert record.withdrawn_at is None
            assert record.centre_id == centre_id


def test_staff_record_the_consents_of_a_signed_form_and_see_them(
    app, client, make_centre, make_user, login_as
):
    centre_id = make_centre()
    staff_id = make_user(Role.COORDINATOR, centre_id=centre_id, email="k@example.org")
    login_as("k@example.org")
    form = {"first_name": "Jan", "last_name": "Nowak", "consent_processing": "y"}
    response = client.post("/staff/participants/new", data=form)
    assert response.status_code == 302
    client.post("/staff/participants/new", data={"first_name": "Ewa", "last_name": "Bez"})
    with app.app_context():
        jan = db.session.scalar(select(Participant).where(Participant.last_name == "Nowak"))
        ewa = db.session.scalar(select(Participant).where(Participant.last_name == "Bez"))
        [record] = consents.of_participant(jan.id)
        assert record.kind == ConsentKind.PROCESSING
        assert record.recorded_by_id == staff_id
        assert consents.of_participant(ewa.id) == []  # no box ticked, nothing recorded
    html = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    shown = html.split('id="consents"')[1].split('id="courses"')[0]
    assert "Processing of personal data to run the project" in shown
    assert "Anna Testowa" in shown or "Testowa" in shown  # who took the signed form
    polish = client.get(response.headers["Location"] + "?lang=pl").get_data(as_text=True)
    assert "Przetwarzanie danych osobowych w celu realizacji projektu" in polish


def test_the_person_sees_their_consents_on_the_page_in_the_pdf_and_in_the_file(
    app, client, make_participant, login_as
):
    person_id = make_participant(email_consent=False)
    with app.app_context():
        person = db.session.get(Participant, person_id)
        email = person.user.email
        consents.give(person, ConsentKind.EMAIL_CONTACT, at=GIVEN, recorded_by=None)
        db.session.commit()
    login_as(email)
    client.get("/?lang=en")

    page = client.get("/me/my-data").get_data(as_text=True)
    assert "Your consents" in page
    assert "Contact by e-mail about the project" in page
    assert "Version of the consent text" in page

    pdf = client.get("/me/my-data?format=pdf")
    assert pdf.mimetype == "application/pdf"
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Your consents" in " ".join(words.split())
    assert "Contact by e-mail about the project" in " ".join(words.split())

    data = json.loads(client.get("/me/my-data.json").data)
    [record] = data["consents"]
    assert record["kind"] == "email_contact"
    assert record["text_version"] == "1"
    assert record["given_at"].startswith("2026-05-04")


def test_withdrawing_keeps_the_first_moment_and_is_audited(app, make_participant):
    person_id = make_participant(email_consent=False)
    with app.app_context():
        person = db.session.get(Participant, person_id)
        record = consents.give(person, ConsentKind.EMAIL_CONTACT, at=GIVEN, recorded_by=None)
        assert consents.has_consent(person.id, ConsentKind.EMAIL_CONTACT)
        later = datetime(2026, 6, 1, tzinfo=UTC)
        consents.withdraw(record, at=later, actor=None)
        consents.withdraw(record, at=datetime(2026, 7, 1, tzinfo=UTC), actor=None)
        assert record.withdrawn_at == later
        assert not consents.has_consent(person.id, ConsentKind.EMAIL_CONTACT)
        db.session.commit()


def test_every_consent_kind_has_a_dated_text_version():
    for kind in ConsentKind:
        versions = consents.TEXT_VERSIONS[kind]
        assert versions
        assert all(v.in_use_from for v in versions)
        assert [v.in_use_from for v in versions] == sorted(v.in_use_from for v in versions)


@pytest.mark.usefixtures("keep_logging")
def test_the_migration_turns_consent_at_into_records(tmp_path):
    from config import TestConfig
    from portal import create_app

    url = f"sqlite:///{tmp_path / 'consents.db'}"
    app = create_app(type("MigrationConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    runner = app.test_cli_runner()
    try:
        result = runner.invoke(args=["db", "upgrade", "2b3c4d5e6f02"])
        assert result.exit_code == 0, result.output
        stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        with app.app_context(), db.engine.begin() as connection:
            tables = MetaData()
            tables.reflect(connection)
            _insert(connection, tables.tables["centres"], id=1, kind="ops")
            _insert(connection, tables.tables["projects"], id=1, centre_id=1)
            for pid, consent_at in ((1, stamp), (2, None)):
                _insert(
                    connection, tables.tables["participants"],
                    id=pid, centre_id=1, project_id=1, consent_at=consent_at, user_id=None,
                )  # fmt: skip
        result = runner.invoke(args=["db", "upgrade", "3c4d5e6f7a03"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            rows = db.session.scalars(select(Consent).order_by(Consent.kind)).all()
            assert [(c.participant_id, c.kind, c.text_version) for c in rows] == [
                (1, ConsentKind.EMAIL_CONTACT, "1"),
                (1, ConsentKind.PROCESSING, "1"),
            ]
            assert rows[0].given_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        result = runner.invoke(args=["db", "downgrade", "2b3c4d5e6f02"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.connect() as connection:
            back = connection.execute(text("SELECT id, consent_at FROM participants")).all()
            assert [(i, c is not None) for i, c in back] == [(1, True), (2, False)]
    finally:
        with app.app_context():
            db.engine.dispose()


def _insert(connection, table, **values) -> None:
    """A row with the given values and a plain one in every other required column."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        if isinstance(column.type, Boolean):
            row[column.name] = False
        elif isinstance(column.type, Integer):
            row[column.name] = 1
        elif isinstance(column.type, DateTime):
            row[column.name] = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        elif isinstance(column.type, Date):
            row[column.name] = date(2026, 1, 1)
        else:
            row[column.name] = f"{table.name}-{column.name}-{values.get('id')}"
    connection.execute(table.insert().values(**row))
