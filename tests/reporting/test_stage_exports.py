"""A stage's exports for the funder: on the demo's Janów 2013 the six tables hold what the year
held (37 people, the six PAL events and the sessions, 353 456 zł spent), nothing a coordinator
may not hand over leaves in them, a formula typed into a record stays text, every export is
audited, and each table is read in the same number of statements for N and 10×N records."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BudgetLine,
    CaseworkEntry,
    Course,
    CourseAssignment,
    Event,
    Expense,
    IndividualPlan,
    Instalment,
    Participant,
    Placement,
    PlacementDay,
    ProjectStage,
    Registration,
    User,
)
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    Audience,
    BudgetLineKind,
    CourseStatus,
    EventStatus,
    EventType,
    InstalmentStatus,
    RegistrationStatus,
    Role,
)
from portal.models.support import ContactKind, ExpenseKind, GroupInstrument, PlacementKind
from portal.services.money import ledger
from portal.services.reporting import stage_exports
from tests.helpers import PASSWORD, demo_stage, translated

DEMO_PASSWORD = "pierwszy-krok"
NAMES = stage_exports.NAMES
FORMATS = ("csv", "xlsx")
N = 2


def _janow(app) -> int:
    with app.app_context():
        return demo_stage("ops-janow", 2013).id


def _download(client, stage_id: int, name: str, fmt: str):
    response = client.post(f"/staff/stages/{stage_id}/exports/{name}.{fmt}?lang=en")
    assert response.status_code == 200, (name, fmt, response.status_code)
    return response


def _csv(client, stage_id: int, name: str) -> list[list[str]]:
    body = _download(client, stage_id, name, "csv").get_data(as_text=True)
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))


def _xlsx(client, stage_id: int, name: str) -> list[tuple]:
    body = _download(client, stage_id, name, "xlsx").get_data()
    sheet = load_workbook(io.BytesIO(body)).active
    return list(sheet.iter_rows(values_only=True))


def _amount(text: str) -> int:
    """ "-12,50" or "1234,56" as grosze."""
    sign = -1 if text.startswith("-") else 1
    whole, grosze = text.lstrip("-").split(",")
    return sign * (int(whole) * 100 + int(grosze))


def _every_file(client, stage_id: int) -> dict[str, str]:
    """Each export's readable text: the CSV, and every part of the XLSX unzipped."""
    files = {}
    for name in NAMES:
        files[f"{name}.csv"] = _download(client, stage_id, name, "csv").get_data(as_text=True)
        body = _download(client, stage_id, name, "xlsx").get_data()
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            files[f"{name}.xlsx"] = "".join(
                archive.read(part).decode("utf-8") for part in archive.namelist()
            )
    return files


# --- the demo's 2013 year -------------------------------------------------------------------


def test_the_page_lists_six_exports_and_the_money_page_links_it(app, demo, login_as):
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    stage_id = _janow(app)
    money = client.get(f"/staff/stages/{stage_id}/money?lang=en").get_data(as_text=True)
    assert f'href="/staff/stages/{stage_id}/exports"' in money
    page = client.get(f"/staff/stages/{stage_id}/exports?lang=en").get_data(as_text=True)
    for name in NAMES:
        for fmt in FORMATS:
            assert f'action="/staff/stages/{stage_id}/exports/{name}.{fmt}"' in page
    assert "Registrations and attendance" in page
    polish = client.get(f"/staff/stages/{stage_id}/exports?lang=pl").get_data(as_text=True)
    assert translated(app, "Registrations and attendance") in polish


def test_participants_are_the_37_supported_with_a_masked_pesel(app, demo, login_as):
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    stage_id = _janow(app)
    rows = _csv(client, stage_id, "participants")
    header, people = rows[0], rows[1:]
    assert len(people) == 37
    assert len(_xlsx(client, stage_id, "participants")) == 38
    pesel = header.index("PESEL (last four digits)")
    contracts = header.index("Social contracts")
    assert all(row[pesel] == "" or row[pesel].startswith("*******") for row in people)
    assert sum(1 for row in people if row[contracts]) == 17
    assert sum(1 for row in people if "PAL" in row[header.index("Path")]) == 20


def test_registrations_hold_the_six_pal_events_and_the_group_sessions(app, demo, login_as):
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    stage_id = _janow(app)
    rows = _csv(client, stage_id, "registrations")
    header, found = rows[0], rows[1:]
    kind, date_col = header.index("Form of support"), header.index("Date")
    title = header.index("Event")
    pal = {(row[date_col], row[title]) for row in found if row[kind] == "PAL event"}
    sessions = {(row[date_col], row[title]) for row in found if row[kind] == "Group session"}
    assert len(pal) == 6
    assert len(sessions) == 7  # five social-skills meetings, two of group counselling
    statuses = {row[header.index("Status")] for row in found}
    assert statuses == {"Attended", "Absent"}
    with app.app_context():
        stage = db.session.get(ProjectStage, stage_id)
        registrations = db.session.scalars(
            select(Registration)
            .join(Event)
            .where(
                Event.project_id == stage.project_id,
                Event.starts_at < datetime(2014, 1, 1, tzinfo=UTC),
            )
        ).all()
    assert len(found) == len(registrations)


def test_instruments_count_sessions_hours_and_contacts(app, demo, login_as):
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    rows = _csv(client, _janow(app), "instruments")
    header, found = rows[0], rows[1:]
    what, count, hours = (
        header.index("Instrument"),
        header.index("Sessions, contacts or days"),
        header.index("Hours"),
    )
    skills = [row for row in found if row[what] == "Social skills training"]
    assert len(skills) == 17
    assert all(row[count] == "5" and row[hours] == "25" for row in skills)
    contacts = [row for row in found if row[what] == "Social work (casework contacts)"]
    assert len(contacts) == 17
    assert all(row[count] == "8" for row in contacts)


def test_spending_adds_up_to_what_the_stage_spent(app, demo, login_as):
    """The ledger holds 153 456 zł (salaries 117 000, event costs 25 000, other 11 456); the
    allowances (120 000 zł) and course places (80 000 zł) move their lines without a ledger
    entry, so they come in as rows of their own: 353 456 zł, the lines' spent total."""
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    stage_id = _janow(app)
    rows = _csv(client, stage_id, "expenses")
    header, found = rows[0], rows[1:]
    kind, amount = header.index("Kind"), header.index("Amount")
    by_kind: dict[str, int] = {}
    for row in found:
        by_kind[row[kind]] = by_kind.get(row[kind], 0) + _amount(row[amount])
    assert by_kind == {
        "Salary": 117_000_00,
        "Event cost": 25_000_00,
        "Expense": 11_456_00,
        "Allowance payment": 120_000_00,
        "Course place": 80_000_00,
    }
    assert sum(by_kind.values()) == 353_456_00
    with app.app_context():
        lines = db.session.scalars(select(BudgetLine).where(BudgetLine.stage_id == stage_id))
        assert sum(line.paid_grosze for line in lines) == 353_456_00
    sheet = _xlsx(client, stage_id, "expenses")
    assert sum(row[amount] for row in sheet[1:]) == Decimal("353456")
    assert sum(1 for row in found if row[kind] == "Allowance payment") == 8  # one per month


def test_allowances_and_courses_of_the_stage(app, demo, login_as):
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    stage_id = _janow(app)
    rows = _csv(client, stage_id, "allowances")
    header, found = rows[0], rows[1:]
    assert len(found) == 17 * 2 + 2
    paid = header.index("Paid within the stage")
    assert sum(_amount(row[paid]) for row in found) == 120_000_00
    courses = _csv(client, stage_id, "courses")
    assert len(courses) - 1 == 17
    cost = courses[0].index("Cost")
    assert sum(_amount(row[cost]) for row in courses[1:]) == 80_000_00


def test_a_correction_points_at_its_entry_and_stays_a_number(app, demo, login_as):
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    stage_id = _janow(app)
    with app.app_context():
        entry = db.session.scalars(
            select(Expense)
            .join(BudgetLine)
            .where(BudgetLine.stage_id == stage_id, Expense.kind == ExpenseKind.LEDGER)
            .order_by(Expense.id)
        ).first()
        coordinator = db.session.scalars(
            select(User).where(User.email == "koordynator@example.org")
        ).one()
        ledger.correct(entry.id, entry.amount_grosze - 12_50, "Rabat", coordinator)
        db.session.commit()
        entry_id = entry.id
    rows = _csv(client, stage_id, "expenses")
    header = rows[0]
    correction = next(row for row in rows[1:] if row[header.index("Kind")] == "Correction")
    assert correction[header.index("Amount")] == "-12,50"
    assert correction[header.index("Corrects entry")] == str(entry_id)
    assert correction[header.index("Reason of the correction")] == "Rabat"


# --- what never leaves, and what stays text ---------------------------------------------------


def test_no_advisor_note_casework_note_or_full_pesel_in_any_export(app, demo, login_as):
    stage_id = _janow(app)
    with app.app_context():
        stage = db.session.get(ProjectStage, stage_id)
        people = db.session.scalars(
            select(Participant).where(Participant.project_id == stage.project_id)
        ).all()
        plan = db.session.scalars(
            select(IndividualPlan).where(IndividualPlan.centre_id == stage.project.centre_id)
        ).first()
        if plan is None:
            plan = IndividualPlan(centre_id=people[0].centre_id, participant_id=people[0].id)
            db.session.add(plan)
        plan.advisor_notes = "NOTATKA-DORADCY-TAJNA"
        contact = db.session.scalars(
            select(CaseworkEntry).where(CaseworkEntry.centre_id == stage.project.centre_id)
        ).first()
        contact.note = "NOTATKA-PRACOWNIKA-TAJNA"
        allowance = db.session.scalars(
            select(Allowance).where(Allowance.centre_id == stage.project.centre_id)
        ).first()
        allowance.justification = "UZASADNIENIE-TAJNE"
        db.session.commit()
        secrets = ["NOTATKA-DORADCY-TAJNA", "NOTATKA-PRACOWNIKA-TAJNA", "UZASADNIENIE-TAJNE"]
        secrets += [note for note in db.session.scalars(select(CaseworkEntry.note)) if note]
        pesels = [person.pesel for person in people if person.pesel]
    assert len(pesels) >= 30
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    files = _every_file(client, stage_id)
    for name, text in files.items():
        for secret in secrets:
            assert secret not in text, (name, secret)
        for pesel in pesels:
            assert pesel not in text, (name, pesel)
    assert any(f"*******{pesel[-4:]}" in files["participants.csv"] for pesel in pesels)


def test_a_formula_typed_into_a_record_comes_out_as_text(app, demo, login_as):
    stage_id = _janow(app)
    link = '=HYPERLINK("http://zly.example/","Kliknij")'
    with app.app_context():
        stage = db.session.get(ProjectStage, stage_id)
        person = db.session.scalars(
            select(Participant)
            .where(Participant.project_id == stage.project_id, Participant.on_pal_path.is_(True))
            .order_by(Participant.last_name)
        ).first()
        person.last_name = link
        entry = db.session.scalars(
            select(Expense)
            .join(BudgetLine)
            .where(BudgetLine.stage_id == stage_id, Expense.kind == ExpenseKind.LEDGER)
        ).first()
        entry.description = "+SUM(A1)"
        db.session.commit()
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    people = _csv(client, stage_id, "participants")
    assert ["'" + link] == [row[0] for row in people if "HYPERLINK" in row[0]]
    spending = _csv(client, stage_id, "expenses")
    assert any(row[5] == "'+SUM(A1)" for row in spending)
    for name, column, expected in (("participants", 0, "'" + link), ("expenses", 5, "'+SUM(A1)")):
        body = _download(client, stage_id, name, "xlsx").get_data()
        sheet = load_workbook(io.BytesIO(body)).active
        cells = [row[column] for row in sheet.iter_rows(min_row=2) if expected == row[column].value]
        assert len(cells) == 1, name
        assert cells[0].data_type == "s"
    registrations = _csv(client, stage_id, "registrations")
    assert any(row[7] == "'" + link for row in registrations)


# --- who may, and the trail ----------------------------------------------------------------


def test_another_centres_stage_is_not_found(app, demo, login_as):
    stage_id = _janow(app)
    client = login_as("chrzanow@example.org", DEMO_PASSWORD)
    assert client.get(f"/staff/stages/{stage_id}/exports").status_code == 404
    for name in NAMES:
        for fmt in FORMATS:
            url = f"/staff/stages/{stage_id}/exports/{name}.{fmt}"
            assert client.post(url).status_code == 404, url
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEntry).where(AuditEntry.action == "stage.export")) is None
        )


@pytest.mark.parametrize("email", ["doradca@example.org", "pracownik@example.org"])
def test_advisors_and_social_workers_are_refused(app, demo, login_as, email):
    stage_id = _janow(app)
    client = login_as(email, DEMO_PASSWORD)
    assert client.get(f"/staff/stages/{stage_id}/exports").status_code == 403
    assert client.post(f"/staff/stages/{stage_id}/exports/participants.csv").status_code == 403


def test_unknown_names_and_formats_are_not_found(app, demo, login_as):
    stage_id = _janow(app)
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    for tail in ("notes.csv", "participants.pdf", "participants", "participants.csv.xlsx"):
        assert client.post(f"/staff/stages/{stage_id}/exports/{tail}").status_code == 404, tail
    assert client.get(f"/staff/stages/{stage_id}/exports/participants.csv").status_code == 405


def test_every_export_is_audited_and_named_in_polish_with_the_day(app, demo, login_as):
    stage_id = _janow(app)
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    response = _download(client, stage_id, "participants", "xlsx")
    disposition = response.headers["Content-Disposition"]
    assert 'filename="uczestnicy-etap-2013-' in disposition
    assert disposition.endswith('.xlsx"')
    _download(client, stage_id, "expenses", "csv")
    assert (
        "wydatki-etap-2013-"
        in _download(client, stage_id, "expenses", "csv").headers["Content-Disposition"]
    )
    with app.app_context():
        coordinator = db.session.scalars(
            select(User).where(User.email == "koordynator@example.org")
        ).one()
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "stage.export").order_by(AuditEntry.id)
        ).all()
        assert len(entries) == 3
        first = entries[0]
        assert (first.actor_id, first.entity_type, first.entity_id) == (
            coordinator.id,
            "project_stages",
            stage_id,
        )
        assert first.centre_id == coordinator.centre_id
        assert first.changes["export"]["new"] == "participants"
        assert first.changes["format"]["new"] == "xlsx"
        assert first.changes["rows"]["new"] == 37
        assert entries[1].changes["export"]["new"] == "expenses"


def test_the_names_of_the_routes_are_the_names_of_the_tables():
    assert tuple(kind.name for kind in stage_exports.kinds()) == stage_exports.NAMES


# --- a fixed number of statements --------------------------------------------------------------


class Stage:
    """One centre's 2026 stage whose records grow in units: per unit two people (one on the
    PAL path, one with a course), an event and a group session both attend, a casework
    contact, placement days in two months, a paid allowance, a course place, a ledger entry."""

    def __init__(self, app, make_centre, make_user, make_budget_line):
        self.app = app
        self.centre = make_centre()
        self.boss = make_user(Role.COORDINATOR, centre_id=self.centre, email="szefowa@example.org")
        self.worker = make_user(
            Role.SOCIAL_WORKER, centre_id=self.centre, email="pracownica@example.org"
        )
        self.allowance_line = make_budget_line(self.centre, 10**9, BudgetLineKind.ALLOWANCES)
        self.course_line = make_budget_line(self.centre, 10**9, BudgetLineKind.COURSES)
        self.other_line = make_budget_line(self.centre, 10**9, BudgetLineKind.OTHER)
        with app.app_context():
            self.stage = db.session.get(BudgetLine, self.other_line).stage_id
            project = db.session.get(ProjectStage, self.stage).project
            self.project = project.id
            course = Course(centre_id=self.centre, name="Spawanie", provider="ZDZ", hours=80)
            db.session.add(course)
            db.session.commit()
            self.course = course.id
        self.units = 0

    def grow(self, units: int) -> None:
        with self.app.app_context():
            for _ in range(units):
                self.units += 1
                self._unit(self.units)
            db.session.commit()

    def _unit(self, n: int) -> None:
        centre = self.centre
        people = [
            Participant(
                centre_id=centre,
                project_id=self.project,
                first_name=f"Osoba{n}",
                last_name=f"Nr{n}{k}",
                on_pal_path=True,
                pesel=None,
                support_end=date(2026, 11, 30),
            )
            for k in range(2)
        ]
        db.session.add_all(people)
        db.session.flush()
        for index, instrument in enumerate((None, GroupInstrument.SOCIAL_SKILLS)):
            starts = datetime(2026, 3, 1 + n % 20, 9 + index, tzinfo=UTC)
            event = Event(
                centre_id=centre, project_id=self.project, event_type=EventType.WORKSHOP,
                instrument=instrument, title=f"Spotkanie {n}", place="Świetlica",
                starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=5,
                places_taken=2, audience=Audience.PROJECT, status=EventStatus.HELD,
            )  # fmt: skip
            db.session.add(event)
            db.session.flush()
            db.session.add_all(
                Registration(
                    centre_id=centre,
                    event_id=event.id,
                    participant_id=person.id,
                    status=RegistrationStatus.ATTENDED,
                    queue_number=k + 1,
                )
                for k, person in enumerate(people)
            )
        person = people[0]
        db.session.add(
            CaseworkEntry(
                centre_id=centre,
                worker_id=self.worker,
                participant_id=person.id,
                happened_on=date(2026, 4, 2),
                contact_kind=ContactKind.PHONE,
                minutes=30,
                note="Tajna notatka",
            )
        )
        placement = Placement(
            centre_id=centre, participant_id=person.id, kind=PlacementKind.WORK_TRAINING,
            employer=f"Zakład {n}", starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30),
            hours_per_month=40,
        )  # fmt: skip
        db.session.add(placement)
        db.session.flush()
        db.session.add_all(
            PlacementDay(centre_id=centre, placement_id=placement.id, worked_on=day, hours=6)
            for day in (date(2026, 3, 10), date(2026, 4, 10))
        )
        allowance = Allowance(
            centre_id=centre, participant_id=person.id, budget_line_id=self.allowance_line,
            kind=AllowanceKind.PERIODIC, amount_grosze=300_00, first_month=date(2026, 3, 1),
            last_month=date(2026, 4, 1), status=AllowanceStatus.PAID, prepared_by_id=self.worker,
            decided_by_id=self.boss,
        )  # fmt: skip
        allowance.instalments = [
            Instalment(
                centre_id=centre,
                month=month,
                amount_grosze=300_00,
                status=InstalmentStatus.PAID,
                paid_on=month + timedelta(days=n % 9),
            )
            for month in (date(2026, 3, 1), date(2026, 4, 1))
        ]
        db.session.add(allowance)
        db.session.add(
            CourseAssignment(
                centre_id=centre,
                participant_id=people[1].id,
                course_id=self.course,
                status=CourseStatus.COMPLETED,
                planned_start=date(2026, 5, 4),
                planned_end=date(2026, 6, 30),
                cost_grosze=1_000_00,
            )
        )
        db.session.add(
            Expense(
                centre_id=centre,
                budget_line_id=self.other_line,
                kind=ExpenseKind.LEDGER,
                spent_on=date(2026, 5, n % 28 + 1),
                document_number=f"FV {n}",
                description="Papier",
                amount_grosze=50_00,
            )
        )


def _statements(query_counter, client, stage_id: int) -> dict[str, int]:
    urls = [f"/staff/stages/{stage_id}/exports/{name}.{fmt}" for name in NAMES for fmt in FORMATS]
    for url in urls:  # once before measuring
        assert client.post(url).status_code == 200, url
    counts = {}
    for url in urls:
        with query_counter() as statements:
            assert client.post(url).status_code == 200, url
        counts[url] = len(statements)
    return counts


def test_each_export_runs_the_same_statements_for_n_and_ten_times_n(
    app, client, make_centre, make_user, make_budget_line, login_as, query_counter
):
    stage = Stage(app, make_centre, make_user, make_budget_line)
    login_as("szefowa@example.org", PASSWORD)
    stage.grow(N)
    small = _statements(query_counter, client, stage.stage)
    stage.grow(9 * N)
    large = _statements(query_counter, client, stage.stage)
    assert stage.units == 10 * N
    assert large == small
    rows = _csv(client, stage.stage, "participants")
    assert len(rows) - 1 == 2 * 10 * N
    assert len(_csv(client, stage.stage, "registrations")) - 1 == 4 * 10 * N
    assert len(_csv(client, stage.stage, "expenses")) - 1 > 10 * N


def test_a_course_place_dropped_after_enrolment_stays_spent_and_a_dropped_proposal_is_not(
    app, client, make_centre, make_user, make_participant, make_budget_line, login_as
):
    """Spending counts a place from its enrolment (the audit trail tells it when there is no
    planned start); a proposal dropped before enrolment was never bought."""
    centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=centre, email="kierowniczka@example.org")
    line = make_budget_line(centre, 10_000_00, BudgetLineKind.COURSES)
    person = make_participant(centre, on_pal_path=True)
    now = datetime(2026, 5, 4, 10, tzinfo=UTC)
    with app.app_context():
        from portal.services.support import courses

        boss = db.session.scalars(
            select(User).where(User.email == "kierowniczka@example.org")
        ).one()
        participant = db.session.get(Participant, person)
        catalogue = Course(centre_id=centre, name="Kosmetyka", provider="ZDZ")
        db.session.add(catalogue)
        db.session.flush()
        bought, proposed = (
            courses.propose(
                participant,
                catalogue.id,
                planned_start=None,
                planned_end=None,
                cost_grosze=cost,
                actor=boss,
                now=now,
            )
            for cost in (1_200_00, 900_00)
        )
        courses.enrol(bought, actor=boss, now=now)
        courses.drop(bought, reason="Rezygnacja", actor=boss, now=now)
        courses.drop(proposed, reason="Nie podjął", actor=boss, now=now)
        db.session.commit()
        stage_id = db.session.get(BudgetLine, line).stage_id
        assert db.session.get(BudgetLine, line).paid_grosze == 1_200_00
    login_as("kierowniczka@example.org", PASSWORD)
    rows = _csv(client, stage_id, "expenses")
    places = [row for row in rows[1:] if row[1] == "Course place"]
    assert [(row[0], _amount(row[6])) for row in places] == [("2026-05-04", 1_200_00)]
