"""The yearly report of a stage: the seed reports' facts come out of the data in the PDF and
the DOCX, change with the data, stay put once the report is closed; texts are kept with
revisions and conflict protection; only the centre's coordinator sees it; a fixed number of
queries whatever the data size."""

import io
import re
from datetime import UTC, date, datetime, timedelta

import docx
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Centre,
    Course,
    CourseAssignment,
    Event,
    Project,
    ProjectStage,
    Registration,
    StageReport,
    User,
)
from portal.models.enums import CourseStatus, EventStatus, EventType, RegistrationStatus, Role
from portal.services.people import participants
from portal.services.reporting import yearly_figures
from portal.services.support import contracts
from tests.helpers import input_tag
from tests.jobs.helpers import prepared, report_url

JANOW_COURSES = [
    "Prawo jazdy kat. B",
    "Prawo jazdy kat. C",
    "Prawo jazdy kat. D",
    "Przewóz osób",
    "Wizaż i stylizacja paznokci",
    "Krawiectwo",
    "Fryzjerstwo",
    "Operator koparko-ładowarki",
    "Obsługa komputera i kasy fiskalnej",
    "Księgowość",
    "Operator wózka widłowego",
    "Pracownik ochrony",
    "Operator obrabiarek CNC",
    "Pielęgnacja terenów zielonych",
]
DEMO_PASSWORD = "pierwszy-krok"
JANOW_DATES = ["24.04.2013", "29.05.2013", "20.06.2013", "02.08.2013", "28.08.2013", "12.12.2013"]


def _flat(text: str) -> str:
    """Every run of white space (line breaks, non-breaking spaces) as one space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def pdf_text(body: bytes) -> str:
    return _flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages))


def docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return _flat("\n".join(parts))


def _stage_id(app, short_name: str, year: int) -> int:
    with app.app_context():
        return db.session.scalars(
            select(ProjectStage.id)
            .join(Project)
            .join(Centre, Centre.id == Project.centre_id)
            .where(Centre.short_name == short_name, ProjectStage.year == year)
        ).one()


def _documents(client, stage_id: int) -> list[str]:
    pdf = prepared(client, report_url(stage_id, "pdf"))
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    word = prepared(client, report_url(stage_id, "docx"))
    assert word.status_code == 200
    return [pdf_text(pdf.data), docx_text(word.data)]


def _sign_one_more(app, stage_id: int) -> None:
    """A new person of the project signs a contract in June 2013, through the services."""
    with app.app_context():
        stage = db.session.get(ProjectStage, stage_id)
        project = stage.project
        person = participants.create_participant(
            centre=project.centre,
            project=project,
            first_name="Nowa",
            last_name="Uczestniczka",
            actor=None,
            on_contract_path=True,
        )
        worker = db.session.scalars(select(User).where(User.email == "pracownik@example.org")).one()
        now = datetime(2013, 6, 1, 10, tzinfo=UTC)
        contract = contracts.create(
            person,
            contracts.ContractFields(
                start_date=date(2013, 6, 1),
                end_date=date(2013, 11, 30),
                problem="Bezrobocie",
                goal="Praca",
                participant_obligations="Udział w zajęciach",
                centre_obligations="Wsparcie",
                instruments=[],
                support="Doradztwo",
            ),
            social_worker=worker,
            now=now,
        )
        contracts.sign(contract, signed_on=date(2013, 6, 1), actor=worker, now=now)
        db.session.commit()


def test_janow_2013_report_states_the_seed_report_and_follows_the_data(app, demo, client, login_as):
    stage_id = _stage_id(app, "ops-janow", 2013)
    login_as("koordynator@example.org", DEMO_PASSWORD)
    for text in _documents(client, stage_id):
        assert "Pierwszy krok do powrotu" in text
        assert "POKL.07.01.01-06-001/08" in text
        assert "37 osób: 17 na kontraktach socjalnych i 20 w Programie Aktywności Lokalnej" in text
        assert "Biała Pierwsza, Biała Druga" in text
        for day in JANOW_DATES:
            assert day in text
        assert "Spotkanie podsumowujące PAL" in text
        assert "Zwierzyniec" in text
        assert "gospodarstw agroturystycznych" in text
        for course in JANOW_COURSES:
            assert course in text
        assert "Trening umiejętności i kompetencji społecznych" in text
        assert "Zasiłek okresowy" in text
        assert "Pracownik socjalny: 3" in text
        assert "353 456,00 zł" in text
        assert "117 000,00 zł" in text
    # The page shows the same figures.
    page = _flat(client.get(f"/staff/stages/{stage_id}/report").get_data(as_text=True))
    assert "37 osób" in page
    assert "24.04.2013" in page

    _sign_one_more(app, stage_id)
    for text in _documents(client, stage_id):
        assert "38 osób: 18 na kontraktach socjalnych i 20 w Programie" in text
        assert "37 osób" not in text


def test_chrzanow_2009_report_has_its_contracts_tests_and_course(app, demo, client, login_as):
    stage_id = _stage_id(app, "gops-chrzanow", 2009)
    login_as("chrzanow@example.org", DEMO_PASSWORD)
    for text in _documents(client, stage_id):
        assert "Aktywna integracja na terenie Gminy Chrzanów" in text
        assert "2 osoby: 2 na kontraktach socjalnych i 0 w Programie" in text
        assert text.index("Multiselect") < text.index("WIS")
        assert "Stylizacja paznokci – osób: 2, ukończyło: 2" in text


def test_english_on_request(app, demo, client, login_as):
    stage_id = _stage_id(app, "ops-janow", 2013)
    login_as("koordynator@example.org", DEMO_PASSWORD)
    word = prepared(client, report_url(stage_id, "docx", "?lang=en"))
    text = docx_text(word.data)
    assert "37 people were activated: 17 on social contracts and 20 in the Local" in text


def _version(page: str) -> str:
    return re.search(r'value="(\d+)"', input_tag(page, "version")).group(1)


def test_a_closed_report_keeps_its_figures(app, demo, client, login_as):
    stage_id = _stage_id(app, "ops-janow", 2013)
    login_as("koordynator@example.org", DEMO_PASSWORD)
    url = f"/staff/stages/{stage_id}/report"
    form = client.get(f"{url}/sections/people")
    saved = client.post(
        f"{url}/sections/people",
        data={"text": "Tekst koordynatora o aktywizacji.", "version": _version(form.text)},
    )
    assert saved.status_code == 302
    confirm = client.get(f"{url}/close")
    assert confirm.status_code == 200
    assert "37" in confirm.get_data(as_text=True)
    assert client.post(f"{url}/close", data={"version": _version(confirm.text)}).status_code == 302

    closed_page = client.get(url).get_data(as_text=True)
    assert "Sprawozdanie zamknięto" in closed_page
    assert f"{url}/sections/" not in closed_page  # no edit links once closed

    _sign_one_more(app, stage_id)
    for text in _documents(client, stage_id):
        assert "37 osób: 17 na kontraktach socjalnych" in text
        assert "Tekst koordynatora o aktywizacji." in text
    # A closed report's texts are no longer edited.
    with app.app_context():
        version = db.session.scalars(select(StageReport.version_id)).one()
    refused = client.post(f"{url}/sections/people", data={"text": "Zmiana", "version": version})
    assert refused.status_code == 400
    with app.app_context():
        report = db.session.scalars(select(StageReport)).one()
        assert report.texts["people"] == "Tekst koordynatora o aktywizacji."
        assert report.frozen_figures["activated"] == 37
    # The live figures have moved on.
    with app.app_context():
        assert yearly_figures.figures(stage_id).activated == 38


def test_two_editors_of_a_section_conflict_and_revisions_are_kept(
    app, demo, client, login_as, make_user
):
    stage_id = _stage_id(app, "ops-janow", 2013)
    with app.app_context():
        centre_id = db.session.scalars(
            select(Centre.id).where(Centre.short_name == "ops-janow")
        ).one()
    make_user(Role.COORDINATOR, centre_id=centre_id, email="druga@example.org")
    other = app.test_client()
    login_as("koordynator@example.org", DEMO_PASSWORD)
    login_as("druga@example.org", test_client=other)
    url = f"/staff/stages/{stage_id}/report/sections/pal"
    mine, theirs = client.get(url), other.get(url)
    first = other.post(url, data={"text": "Tekst drugiej osoby.", "version": _version(theirs.text)})
    assert first.status_code == 302
    late = client.post(url, data={"text": "Mój tekst.", "version": _version(mine.text)})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Mój tekst." in page
    assert "Tekst drugiej osoby." in page
    # Saving again from the conflict page, on the version it carries, goes through.
    again = client.post(url, data={"text": "Mój tekst.", "version": _version(page)})
    assert again.status_code == 302
    revisions = client.get(f"/staff/stages/{stage_id}/report/revisions").get_data(as_text=True)
    assert "Tekst drugiej osoby." in revisions
    assert "Mój tekst." in revisions
    with app.app_context():
        report = db.session.scalars(select(StageReport)).one()
        assert report.texts == {"pal": "Mój tekst."}


def test_only_the_centres_coordinator(app, demo, client, login_as):
    stage_id = _stage_id(app, "ops-janow", 2013)
    urls = [
        f"/staff/stages/{stage_id}/report",
        f"/staff/stages/{stage_id}/report/sections/pal",
        f"/staff/stages/{stage_id}/report/revisions",
        f"/staff/stages/{stage_id}/report/close",
    ]
    login_as("chrzanow@example.org", DEMO_PASSWORD)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[1], data={"text": "x", "version": 0}).status_code == 404
    for file_format in ("pdf", "docx"):
        assert client.post(report_url(stage_id, file_format)).status_code == 404
    for email in ("pracownik@example.org", "doradca@example.org"):
        staff = login_as(email, DEMO_PASSWORD, fresh=True)
        for url in urls:
            assert staff.get(url).status_code == 403, (email, url)
        assert staff.post(report_url(stage_id, "pdf")).status_code == 403, email


# -- a fixed number of queries -------------------------------------------------------------


def _grow(app, centre_id: int, worker_id: int, units: int) -> None:
    """Per unit: a PAL participant and one on a signed contract, an event both attended, a
    group session, a completed course place."""
    stage_start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    with app.app_context():
        centre = db.session.get(Centre, centre_id)
        project = participants.current_project(centre_id)
        worker = db.session.get(User, worker_id)
        course = Course(centre_id=centre_id, name=f"Kurs {units}")
        db.session.add(course)
        for n in range(units):
            pal = participants.create_participant(
                centre=centre,
                project=project,
                first_name="Ala",
                last_name=f"P{n}",
                actor=None,
                on_pal_path=True,
            )
            signed = participants.create_participant(
                centre=centre,
                project=project,
                first_name="Jan",
                last_name=f"K{n}",
                actor=None,
                on_contract_path=True,
            )
            contract = contracts.create(
                signed,
                contracts.ContractFields(
                    start_date=date(2026, 2, 1),
                    end_date=date(2026, 10, 31),
                    problem="B",
                    goal="P",
                    participant_obligations="U",
                    centre_obligations="W",
                    instruments=[],
                    support="D",
                ),
                social_worker=worker,
                now=stage_start,
            )
            contracts.sign(contract, signed_on=date(2026, 1, 15), actor=worker, now=stage_start)
            starts = stage_start + timedelta(days=n)
            for instrument in (None, "social_skills"):
                event = Event(
                    centre_id=centre_id,
                    project_id=project.id,
                    event_type=EventType.WORKSHOP,
                    title=f"Spotkanie {n}",
                    place="Świetlica",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    capacity=2,
                    places_taken=2,
                    status=EventStatus.HELD,
                    instrument=instrument,
                )
                db.session.add(event)
                db.session.flush()
                for number, person in enumerate((pal, signed), start=1):
                    db.session.add(
                        Registration(
                            centre_id=centre_id,
                            event_id=event.id,
                            participant_id=person.id,
                            status=RegistrationStatus.ATTENDED,
                            queue_number=number,
                        )
                    )
            db.session.add(
                CourseAssignment(
                    centre_id=centre_id,
                    participant_id=signed.id,
                    course_id=course.id,
                    status=CourseStatus.COMPLETED,
                    planned_start=date(2026, 4, 1),
                    planned_end=date(2026, 5, 1),
                    completed_on=date(2026, 5, 1),
                )
            )
        db.session.commit()


N = 3


def test_the_report_runs_a_fixed_number_of_queries(
    app, client, login_as, make_centre, make_user, query_counter
):
    centre_id = make_centre()
    make_user(Role.COORDINATOR, centre_id=centre_id, email="koordynator@example.org")
    worker_id = make_user(Role.SOCIAL_WORKER, centre_id=centre_id)
    with app.app_context():
        stage_id = db.session.scalars(
            select(ProjectStage.id).join(Project).where(Project.centre_id == centre_id)
        ).one()
    login_as("koordynator@example.org")

    def measure() -> tuple[int, int, int]:
        with app.app_context(), query_counter() as statements:
            facts = yearly_figures.figures(stage_id)
        computed = len(statements)
        with query_counter() as statements:
            assert client.get(f"/staff/stages/{stage_id}/report").status_code == 200
        page = len(statements)
        with query_counter() as statements:
            assert client.post(report_url(stage_id, "docx")).status_code == 302
        return facts.activated, computed, page + len(statements)

    _grow(app, centre_id, worker_id, N)
    small = measure()
    _grow(app, centre_id, worker_id, 9 * N)
    large = measure()
    assert (small[0], large[0]) == (2 * N, 20 * N)
    assert small[1:] == large[1:]
    assert small[1] <= 15
