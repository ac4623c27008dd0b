"""Every PDF is a document fit to sign: in Polish whatever the reader's language, framed with the
centre, the record's own project, the EU marking, place and date, version and page numbers, with
people identified by a masked PESEL and a signature block for each party."""

import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    DiagnosisTest,
    DiagnosisTestType,
    Event,
    IndividualPlan,
    Instalment,
    Participant,
    PaymentList,
    Placement,
    PlacementDay,
    Project,
    ProjectStage,
    SocialContract,
    User,
)
from portal.models.base import utcnow
from portal.services.common.dates import local_date
from portal.services.reporting import yearly_report
from tests.jobs.helpers import prepared, report_url

PASSWORD = "pierwszy-krok"
CENTRE = "Ośrodek Pomocy Społecznej w Janowie Lubelskim"
ADDRESS = "ul. Ogrodowa 16, 23-300 Janów Lubelski"
PROJECT_TITLE = "Pierwszy krok do powrotu"
PROJECT_NUMBER = "POKL.07.01.01-06-001/08"
EU_MARKING = (
    "Projekt współfinansowany ze środków Unii Europejskiej "
    "w ramach Europejskiego Funduszu Społecznego"
)
# The centre's project of another programme period: never on a 2013 record's document.
LATER_NUMBER = "FELU.11.01-IZ.00-0001/26"


@pytest.fixture
def demo(demo, app):
    """The shared demo, its coordinator reading in English, and a later project of the centre."""
    with app.app_context():
        coordinator = db.session.scalars(
            select(User).where(User.email == "koordynator@example.org")
        ).one()
        coordinator.locale = "en"  # the account's interface language is English
        db.session.add(
            Project(
                centre_id=coordinator.centre_id,
                title="Aktywni razem – edycja 2026",
                number=LATER_NUMBER,
                programme="Fundusze Europejskie dla Lubelskiego 2021–2027",
                start_date=date(2026, 1, 1),
            )
        )
        db.session.commit()
        return coordinator.centre_id


@pytest.fixture
def english(demo, login_as):
    client = login_as("koordynator@example.org", PASSWORD, fresh=True)
    # The interface really is English for this reader.
    assert '<html lang="en">' in client.get("/staff/").get_data(as_text=True)
    return client


def _text(client, path: str) -> str:
    response = client.get(f"{path}{'&' if '?' in path else '?'}lang=en")
    assert response.status_code == 200, path
    assert response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def _report_text(client, stage_id: int) -> str:
    """The yearly report's PDF, asked for by a reader of the portal in English."""
    response = prepared(client, report_url(stage_id, "pdf", "?lang=en"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def _framed(text: str, dated: date) -> None:
    """The frame every document carries, in Polish."""
    for shown in (
        CENTRE,
        ADDRESS,
        PROJECT_TITLE,
        f"nr projektu {PROJECT_NUMBER}",
        "Program Operacyjny Kapitał Ludzki",
        EU_MARKING,
        f"Janów Lubelski, {dated:%d.%m.%Y}",
        "Strona 1 z",
        "Dokument:",
        "wygenerowano",
        "data i podpis",
    ):
        assert shown in text, shown
    assert LATER_NUMBER not in text
    for english in ("Page 1 of", "Signature", "Participant", "Project co-financed"):
        assert english not in text, english


def _identified(text: str, person: Participant) -> None:
    assert person.masked_pesel in text
    assert person.pesel not in text


def test_the_contract_is_polish_with_its_legal_basis_sections_and_parties(app, demo, english):
    with app.app_context():
        contract = db.session.scalars(
            select(SocialContract)
            .where(SocialContract.centre_id == demo, SocialContract.signed_on.is_not(None))
            .order_by(SocialContract.number)
        ).first()
        person, worker = contract.participant, contract.social_worker
        text = _text(english, f"/staff/contracts/{contract.id}/contract.pdf")
        _framed(text, contract.signed_on)
        _identified(text, person)
        assert f"Kontrakt socjalny nr {contract.number}" in text
        assert f"wersja {contract.version_id}" in text
        assert "art. 108 ustawy z dnia 12 marca 2004 r. o pomocy społecznej" in text, "legal basis"
        for section in (
            "1. Problem",
            "2. Cel",
            "3. Zobowiązania uczestnika",
            "4. Zobowiązania ośrodka",
            "5. Wsparcie",
            "6. Okres obowiązywania",
        ):
            assert section in text, section
        assert f"od {contract.start_date:%d.%m.%Y} do {contract.end_date:%d.%m.%Y}" in text
        # The parties: the participant with their address, the worker for the centre.
        assert person.full_name in text
        assert worker.full_name in text
        assert "adres zamieszkania" in text
        assert "Uczestnik projektu" in text
        assert "Pracownik socjalny (w imieniu ośrodka)" in text


def test_the_plan_has_the_test_results_and_the_labour_market_analysis(app, demo, english):
    with app.app_context():
        plan = db.session.scalars(
            select(IndividualPlan)
            .where(IndividualPlan.centre_id == demo, IndividualPlan.market_demand != "")
            .order_by(IndividualPlan.id)
        ).first()
        person = plan.participant
        kind = db.session.scalars(
            select(DiagnosisTestType).where(DiagnosisTestType.centre_id == demo)
        ).first()
        db.session.add(
            DiagnosisTest(
                centre_id=demo,
                participant_id=person.id,
                test_type_id=kind.id,
                taken_on=date(2013, 3, 14),
                result_summary="Predyspozycje do pracy z maszynami.",
            )
        )
        db.session.commit()
        text = _text(english, f"/staff/plans/{plan.id}/plan.pdf")
        _framed(text, local_date(utcnow()))
        _identified(text, person)
        assert "Indywidualny Plan Rozwoju Zawodowego" in text
        assert "Wyniki testów diagnostycznych" in text
        assert kind.name in text
        assert "14.03.2013" in text
        assert "Predyspozycje do pracy z maszynami." in text
        assert "Analiza rynku pracy" in text
        assert plan.market_demand.split()[0] in text
        assert "Doradca zawodowy" in text
        assert "Uczestnik projektu" in text
        assert plan.advisor.full_name in text


def test_the_attendance_list_names_the_event_and_identifies_the_people(app, demo, english):
    with app.app_context():
        session_event = db.session.scalars(
            select(Event)
            .where(Event.centre_id == demo, Event.instrument.is_not(None), Event.topics != "")
            .order_by(Event.starts_at)
        ).first()
        text = _text(english, f"/staff/events/{session_event.id}/attendance.pdf")
        _framed(text, local_date(session_event.starts_at))
        assert "Lista obecności" in text
        assert session_event.title in text
        assert "Miejsce:" in text
        assert session_event.place in text
        assert "Prowadzący" in text
        assert session_event.trainer in text
        assert session_event.topics.splitlines()[0] in text
        assert "Nazwisko i imię" in text
        assert "PESEL lub rok urodzenia" in text
        assert "Podpis" in text
        registered = [r.participant for r in session_event.registrations]
        assert registered
        for person in registered:
            _identified(text, person)


def test_the_payment_list_shows_how_each_person_is_paid_and_who_signs(app, demo, english):
    with app.app_context():
        payment_list = db.session.scalars(
            select(PaymentList)
            .where(PaymentList.centre_id == demo)
            .join(Instalment, Instalment.payment_list_id == PaymentList.id)
            .group_by(PaymentList.id)
            .order_by(func.count(Instalment.id).desc())
        ).first()
        items = payment_list.instalments
        text = _text(english, f"/staff/payments/{payment_list.id}/list.pdf")
        _framed(text, local_date(utcnow()))
        assert f"Lista wypłat {payment_list.month:%m/%Y}" in text
        assert "Sposób wypłaty" in text
        assert text.count("przelew") >= len(items)
        assert text.count("kasa") >= len(items)
        assert "zł" in text
        assert "Razem" in text
        assert "Sporządził(a)" in text
        assert db.session.get(User, payment_list.created_by_id).full_name in text
        assert "Zatwierdzono do wypłaty" in text
        for item in items:
            _identified(text, item.allowance.participant)


def test_the_hours_sheet_is_polish_and_signed_by_both(app, demo, english):
    with app.app_context():
        day = db.session.scalars(
            select(PlacementDay).where(PlacementDay.centre_id == demo).order_by(PlacementDay.id)
        ).first()
        placement = db.session.get(Placement, day.placement_id)
        month = day.worked_on.replace(day=1)
        text = _text(english, f"/staff/placements/{placement.id}/hours.pdf?month={month:%Y-%m}")
        _framed(text, local_date(utcnow()))
        _identified(text, placement.participant)
        assert f"Karta godzin {month:%m/%Y}" in text
        assert f"{day.worked_on:%d.%m.%Y}" in text
        assert "Opiekun" in text
        assert placement.supervisor in text
        assert "Uczestnik projektu" in text


def test_the_yearly_report_is_polish_framed_and_signed_by_coordinator_and_head(app, demo, english):
    with app.app_context():
        stage = db.session.scalars(
            select(ProjectStage)
            .join(Project)
            .where(Project.centre_id == demo, ProjectStage.year == 2013)
        ).one()
        coordinator = db.session.scalars(
            select(User).where(User.email == "koordynator@example.org")
        ).one()
        stage_id, name = stage.id, coordinator.full_name

        def report_text() -> str:
            text = _report_text(english, stage_id)
            assert "Sprawozdanie z realizacji etapu 2013 projektu" in text
            # The sections and the figures, in Polish although the reader's interface is English.
            for shown in ("1. Projekt", "Budżet", "9. Podsumowanie", "37 osób", "353 456,00 zł"):
                assert shown in text, shown
            for english_text in ("Report on the", "The project", "Budget", "people were"):
                assert english_text not in text, english_text
            # Signed by the project's coordinator and by the head of the centre, on the last page.
            assert "Koordynator projektu" in text
            assert "Kierownik ośrodka" in text
            assert text.count("data i podpis") == 2
            assert text.rindex("Kierownik ośrodka") > text.rindex("Podsumowanie")
            assert name in text
            return text

        # A draft is dated the day it is printed.
        _framed(report_text(), local_date(utcnow()))

        # A closed report is dated the day it was closed, whenever it is printed again.
        yearly_report.close(
            db.session.get(ProjectStage, stage_id),
            version=0,
            actor=coordinator,
            now=datetime(2014, 1, 20, 9, tzinfo=UTC),
        )
        db.session.commit()
        text = report_text()
        _framed(text, date(2014, 1, 20))
        assert f"Janów Lubelski, {local_date(utcnow()):%d.%m.%Y}" not in text
