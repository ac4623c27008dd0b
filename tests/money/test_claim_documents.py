"""The payment claim's list of documents: the ledger's documents with their issuer's tax number,
dates and eligible amounts, budget lines in the project's tasks, and the list per stage and claim
period summing to what each line spent."""

import io
from collections import defaultdict
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.formatting import money
from portal.models import AuditEntry, BudgetLine, Expense, ProjectPost, ProjectTask, User
from portal.models.enums import BudgetLineKind, Role
from portal.models.spending import DocumentKind
from portal.services.centres import project_tasks, projects
from portal.services.common.errors import PortalError
from portal.services.money import claim_documents, ledger, ledger_reports, posts
from portal.services.people import participants
from portal.services.reporting import report_text, yearly_facts, yearly_figures
from tests.helpers import demo_stage

ZL = 100  # grosze
TODAY = date(2026, 12, 7)
NIP = "5260250274"  # a valid check digit
BAD_NIP = "5260250275"


@pytest.fixture
def en(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def world(app, make_centre, make_user, make_budget_line):
    centre = make_centre()
    boss = make_user(Role.COORDINATOR, centre_id=centre, email="szef@example.org")
    other = make_budget_line(centre, 5_000 * ZL, BudgetLineKind.OTHER)
    salaries = make_budget_line(centre, 20_000 * ZL, BudgetLineKind.SALARIES)
    with app.app_context():
        stage = db.session.get(BudgetLine, other).stage_id
        project = participants.current_project(centre).id
    return {
        "centre": centre,
        "boss": boss,
        "stage": stage,
        "project": project,
        "other": other,
        "salaries": salaries,
    }


def said(app, error: PortalError) -> str:
    with app.test_request_context(), force_locale("en"):
        return str(error.message)


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _record(w, amount, *, on=date(2026, 3, 2), number="FV 1/2026", **document):
    fields = {"issuer": "Hurtownia „Papier”", "issuer_nip": NIP, **document}
    return ledger.record_expense(
        w["centre"],
        w["stage"],
        w["other"],
        on,
        number,
        "Papier ksero",
        amount,
        _user(w["boss"]),
        document=ledger.Document(**fields),
        today=TODAY,
    )


def _stage(w):
    return projects.get_stage(w["centre"], w["stage"])


# --- The ledger's documents -------------------------------------------------------------------


def test_an_expense_keeps_its_document_for_the_claim(app, world):
    with app.app_context():
        expense = _record(
            world,
            800 * ZL,
            accounting_number="K/3/12",
            issuer_nip="PL 526-025-02-74",
            issued_on=date(2026, 2, 25),
            gross_grosze=1_000 * ZL,
            vat_grosze=150 * ZL,
        )
        db.session.commit()
        stored = db.session.get(Expense, expense.id)
        assert (stored.document_kind, stored.issuer_nip, stored.accounting_number) == (
            DocumentKind.INVOICE,
            NIP,
            "K/3/12",
        )
        assert (stored.issued_on, stored.paid_on) == (date(2026, 2, 25), date(2026, 3, 2))
        assert (stored.gross_grosze, stored.amount_grosze, stored.vat_grosze) == (
            1_000 * ZL,
            800 * ZL,
            150 * ZL,
        )
        # Only the eligible amount is charged to the line.
        assert db.session.get(BudgetLine, world["other"]).paid_grosze == 800 * ZL
        audited = db.session.scalar(
            select(AuditEntry.changes).where(AuditEntry.action == "expense.record")
        )
        assert audited["issuer_nip"]["new"] == NIP
        assert audited["gross_grosze"]["new"] == 1_000 * ZL


def test_an_entry_without_a_document_is_wholly_eligible_and_dated_the_day_it_is_spent(app, world):
    """Entries written before the claim's columns (salaries, old entries) get the defaults."""
    with app.app_context():
        expense = ledger.record_expense(
            world["centre"],
            world["stage"],
            world["other"],
            date(2026, 4, 1),
            "R 5",
            "Usługa",
            300 * ZL,
            _user(world["boss"]),
        )
        db.session.commit()
        stored = db.session.get(Expense, expense.id)
        assert (stored.issued_on, stored.paid_on, stored.gross_grosze, stored.vat_grosze) == (
            date(2026, 4, 1),
            date(2026, 4, 1),
            300 * ZL,
            0,
        )


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (dict(issuer_nip=BAD_NIP), "issuer_nip", "not valid"),
        (dict(issuer_nip="12345"), "issuer_nip", "ten digits"),
        (dict(issuer_nip="52602502７4"), "issuer_nip", "ten digits"),
        (dict(issuer_nip=""), "issuer_nip", "invoice names"),
        (dict(issuer=""), "issuer", "cannot be empty"),
        (dict(gross_grosze=500 * ZL), "amount", "more than the document's gross"),
        (dict(gross_grosze=0), "gross", "more than zero"),
        (dict(vat_grosze=700 * ZL), "vat", "more than the eligible"),
        (dict(vat_grosze=-1), "vat", "negative"),
        (dict(issued_on=date(2026, 3, 3)), "spent_on", "paid before it was issued"),
        (dict(issued_on=date(2026, 12, 8)), "issued_on", "future"),
        (dict(accounting_number="K" * 61), "accounting_number", "At most 60"),
    ],
)
def test_a_bad_document_is_refused_at_its_field_and_nothing_is_spent(
    app, world, document, field, message
):
    with app.app_context():
        with pytest.raises(PortalError) as refused:
            _record(world, 600 * ZL, **document)
        assert refused.value.field == field
        assert message in said(app, refused.value)
        db.session.rollback()
        assert db.session.scalar(select(func.count(Expense.id))) == 0
        assert db.session.get(BudgetLine, world["other"]).paid_grosze == 0


def test_a_payment_in_the_future_is_refused(app, world):
    with app.app_context():
        with pytest.raises(PortalError) as refused:
            _record(world, 10 * ZL, on=date(2026, 12, 20))
        assert refused.value.field == "spent_on"


def test_a_bill_needs_no_tax_number_but_a_payroll_list_needs_no_issuer(app, world):
    with app.app_context():
        bill = _record(world, 10 * ZL, kind=DocumentKind.BILL, issuer="Jan Nowak", issuer_nip="")
        payroll = _record(world, 10 * ZL, kind=DocumentKind.PAYROLL, issuer="", issuer_nip="")
        assert (bill.issuer_nip, payroll.issuer) == ("", "")


def test_the_form_refuses_each_bad_value_beside_its_field_keeping_what_was_typed(
    app, world, login_as, en
):
    browser = login_as("szef@example.org", test_client=en)
    url = f"/staff/stages/{world['stage']}/money"
    page = browser.get(url).get_data(as_text=True)
    for name in ("document_kind", "issuer_nip", "issued_on", "gross", "vat", "accounting_number"):
        assert f'name="{name}"' in page
    form = {
        "line_id": world["other"],
        "document_kind": "invoice",
        "document_number": "FV 7/2026",
        "issuer": "Hurtownia",
        "issuer_nip": NIP,
        "issued_on": "2026-03-01",
        "spent_on": "2026-03-02",
        "description": "Papier",
        "gross": "1 000,00",
        "amount": "800,00",
        "vat": "",
    }
    for bad, field, text in [
        ({"issuer_nip": BAD_NIP}, "issuer_nip", "not valid"),
        ({"amount": "1 200,00"}, "amount", "cannot be more than the document"),
        ({"issued_on": "2026-03-05"}, "spent_on", "cannot be paid before it was issued"),
        ({"spent_on": "2026-12-30", "issued_on": ""}, "spent_on", "future"),
        ({"vat": "900,00"}, "vat", "more than the eligible amount"),
        ({"gross": "abc"}, "gross", ""),
    ]:
        response = browser.post(url, data={**form, **bad})
        html = response.get_data(as_text=True)
        assert response.status_code == 200, bad
        assert f'id="{field}-error"' in html, bad
        assert text in html, bad
        typed = next(iter(bad.values()))
        if typed:
            assert f'value="{typed}"' in html, bad
    with app.app_context():
        assert db.session.scalar(select(func.count(Expense.id))) == 0
    assert browser.post(url, data=form).status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(Expense)).one()
        assert (stored.issuer_nip, stored.gross_grosze, stored.amount_grosze) == (
            NIP,
            1_000 * ZL,
            800 * ZL,
        )


# --- Tasks of the funding agreement -----------------------------------------------------------


def test_tasks_are_set_up_and_a_line_chooses_one_of_its_project(
    app, world, make_centre, login_as, en
):
    browser = login_as("szef@example.org", test_client=en)
    url = f"/staff/setup/projects/{world['project']}/tasks/new"
    assert browser.post(url, data={"number": "1", "name": "Praca socjalna"}).status_code == 302
    again = browser.post(url, data={"number": "1", "name": "Inne"})
    assert again.status_code == 200
    assert "already has a task with this number" in again.get_data(as_text=True)
    for bad in ({"number": "0", "name": "X"}, {"number": "1", "name": ""}):
        refused = browser.post(url, data=bad)
        assert refused.status_code == 200
        assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    with app.app_context():
        task = db.session.scalars(select(ProjectTask)).one()
        task_id = task.id
    edit = browser.post(
        f"/staff/setup/tasks/{task_id}", data={"number": "2", "name": "Praca socjalna"}
    )
    assert edit.status_code == 302
    # Once the project has tasks, a new line chooses one of them.
    line_url = f"/staff/setup/stages/{world['stage']}/lines/new"
    line = {"kind": "courses", "funding_source": "esf", "planned": "1 000,00", "name": ""}
    refused = browser.post(line_url, data=line)
    assert refused.status_code == 200
    assert 'id="task_id-error"' in refused.get_data(as_text=True)
    stranger = make_centre()
    with app.app_context():
        foreign = ProjectTask(
            centre_id=stranger,
            project_id=participants.current_project(stranger).id,
            number=1,
            name="Obce",
        )
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    refused = browser.post(line_url, data={**line, "task_id": str(foreign_id)})
    assert "Choose one of the project&#39;s tasks." in refused.get_data(as_text=True)
    assert browser.get(f"/staff/setup/tasks/{foreign_id}").status_code == 404
    assert browser.post(line_url, data={**line, "task_id": str(task_id)}).status_code == 302
    with app.app_context():
        line_row = db.session.scalar(
            select(BudgetLine).where(BudgetLine.kind == BudgetLineKind.COURSES)
        )
        assert line_row.task_id == task_id
        assert db.session.get(ProjectTask, task_id).number == 2
    page = browser.get(f"/staff/stages/{world['stage']}/money").get_data(as_text=True)
    assert "2. Praca socjalna" in page


def test_the_budget_page_sums_each_task(app, world):
    with app.app_context():
        project = participants.current_project(world["centre"])
        boss = _user(world["boss"])
        first = project_tasks.add_task(project, number=1, name="Integracja", actor=boss)
        db.session.get(BudgetLine, world["other"]).task_id = first.id
        _record(world, 100 * ZL)
        db.session.commit()
        figures = ledger_reports.stage_money(world["stage"])
        by_task = {(t.task.number if t.task else None): t.totals for t in figures.by_task}
        assert by_task[1].spent == 100 * ZL
        assert by_task[1].planned == 5_000 * ZL
        assert by_task[None].planned == 20_000 * ZL  # the salaries line has no task yet


# --- The list of documents --------------------------------------------------------------------


def _salaried(app, world, people=2):
    """Posts paid from the salaries line, each posted for January and February."""
    with app.app_context():
        boss = _user(world["boss"])
        for n in range(people):
            post = ProjectPost(
                centre_id=world["centre"],
                project_id=world["project"],
                person_name=f"Pracownik {n}",
                title="Pracownik socjalny",
                fte_percent=100,
                starts_on=date(2026, 1, 1),
                monthly_cost_grosze=3_000 * ZL,
            )
            db.session.add(post)
        db.session.flush()
        for month in (date(2026, 1, 1), date(2026, 2, 1)):
            posts.post_month(world["project"], month, boss)
        db.session.commit()


def test_salaries_are_one_payroll_list_a_month(app, world):
    _salaried(app, world)
    with app.app_context():
        claim = claim_documents.claim_list(_stage(world))
        payrolls = [d for d in claim.documents if d.kind == DocumentKind.PAYROLL]
        assert [(d.number, d.eligible) for d in payrolls] == [
            ("Lista płac 01/2026", 6_000 * ZL),
            ("Lista płac 02/2026", 6_000 * ZL),
        ]


def test_a_correction_folds_into_its_document_or_is_claimed_in_its_own_period(app, world):
    with app.app_context():
        boss = _user(world["boss"])
        expense = _record(world, 1_000 * ZL, on=date(2026, 3, 2))
        ledger.correct(expense.id, 700 * ZL, "Faktura korygująca", boss, on=date(2026, 5, 4))
        db.session.commit()
        stage = _stage(world)
        whole = claim_documents.claim_list(stage)
        assert [(d.number, d.eligible, d.gross) for d in whole.documents] == [
            ("FV 1/2026", 700 * ZL, 1_000 * ZL)
        ]
        first = claim_documents.claim_list(stage, date(2026, 1, 1), date(2026, 3, 31))
        second = claim_documents.claim_list(stage, date(2026, 4, 1), date(2026, 6, 30))
        assert [(d.eligible, d.name) for d in first.documents] == [(1_000 * ZL, "Papier ksero")]
        assert [(d.eligible, d.name) for d in second.documents] == [
            (-300 * ZL, "Korekta: Papier ksero")
        ]
        # Consecutive claims never count the money twice.
        assert first.total.eligible + second.total.eligible == whole.total.eligible


def test_a_claim_period_ending_before_it_starts_is_refused(app, world):
    with app.app_context():
        with pytest.raises(PortalError) as refused:
            claim_documents.claim_list(_stage(world), date(2026, 5, 1), date(2026, 4, 1))
        assert refused.value.field == "end"


def test_the_download_refuses_a_bad_period_beside_its_field(app, world, login_as, en):
    browser = login_as("szef@example.org", test_client=en)
    url = f"/staff/stages/{world['stage']}/claim-documents.xlsx"
    for query, field in [
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end"),
        ({"start": "2026-13-45"}, "start"),
        ({"end": "1999-01-01"}, "end"),
    ]:
        response = browser.get(url, query_string=query)
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert f'id="{field}-error"' in response.get_data(as_text=True), query
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "document.download")
            )
            == 0
        )
    ok = browser.get(url, query_string={"start": "2026-01-01", "end": "2026-06-30"})
    assert ok.status_code == 200
    disposition = ok.headers["Content-Disposition"]
    assert "zestawienie-dokumentow-2026-20260101-20260630.xlsx" in disposition
    load_workbook(io.BytesIO(ok.data))
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "document.download")
        ).one()
        assert entry.changes["document"]["new"] == "claim_documents"


def test_another_centre_cannot_download_the_list(app, world, make_centre, make_user, login_as):
    stranger = make_centre()
    make_user(Role.COORDINATOR, centre_id=stranger, email="obcy@example.org")
    browser = login_as("obcy@example.org")
    assert browser.get(f"/staff/stages/{world['stage']}/claim-documents.xlsx").status_code == 404


# --- The demo: the 2013 stage -----------------------------------------------------------------


def _sheet(data: bytes, name: str) -> list[tuple]:
    rows = list(load_workbook(io.BytesIO(data))[name].iter_rows(values_only=True))
    return rows


def test_the_2013_list_sums_to_the_ledger_per_task_and_line(app, demo):
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        lines = list(db.session.scalars(select(BudgetLine).where(BudgetLine.stage_id == stage.id)))
        assert lines
        assert all(line.task_id is not None for line in lines)
        claim = claim_documents.claim_list(stage)
        data = claim_documents.to_xlsx(claim)
        rows = _sheet(data, "Zestawienie dokumentów")
        assert list(rows[0]) == claim_documents.HEADER
        eligible = rows[0].index("Kwota wydatków kwalifikowalnych")
        task_column, category_column = rows[0].index("Zadanie"), rows[0].index("Kategoria kosztów")
        per_line: dict[tuple[str, str], int] = defaultdict(int)
        per_task: dict[str, int] = defaultdict(int)
        for row in rows[1:]:
            amount = round(row[eligible] * 100)
            per_line[(row[task_column], row[category_column])] += amount
            per_task[row[task_column]] += amount
        spent_line = {
            (
                claim_documents.task_label(line),
                claim_documents.category_label(line),
            ): line.paid_grosze
            for line in lines
        }
        spent_task: dict[str, int] = defaultdict(int)
        for line in lines:
            spent_task[claim_documents.task_label(line)] += line.paid_grosze
        assert dict(per_line) == spent_line
        assert dict(per_task) == dict(spent_task)
        assert sum(spent_line.values()) == 353_456 * ZL
        # Numbered 1..n in order; every row has its dates and a document number.
        assert [row[0] for row in rows[1:]] == list(range(1, len(rows)))
        assert all(row[1] and row[4] and row[5] for row in rows[1:])
        numbers = [row[1] for row in rows[1:]]
        assert sum(n.startswith("Lista płac") for n in numbers) == 12
        assert sum(n.startswith("Lista wypłat") for n in numbers) == 8
        invoices = [row for row in rows[1:] if row[1].startswith("FV")]
        assert invoices
        assert all(len(row[3]) == 10 for row in invoices)
        # The totals sheet: per task, per category, and the whole.
        totals = _sheet(data, "Podsumowanie")
        by_task = {row[1]: round(row[3] * 100) for row in totals[1:] if row[0] == "Zadanie"}
        assert by_task == dict(spent_task)
        assert round(totals[-1][3] * 100) == 353_456 * ZL


def test_the_yearly_report_shows_the_budget_per_task(app, demo):
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        facts = yearly_figures.figures(stage.id)
        with app.test_request_context(), force_locale("en"):
            budget = next(s for s in report_text.sections(facts) if s.key == "budget")
            assert budget.table is not None
            assert budget.table.header[0] == "Task"
            salaries = next(
                row for row in budget.table.rows if row[0] == "Total of the task 2. Praca socjalna"
            )
            assert salaries[4] == money(117_000 * ZL)


def test_a_report_closed_before_tasks_reads_back_without_them(app, demo):
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        facts = yearly_figures.figures(stage.id)
        stored = yearly_facts.to_json(facts)
        for line in stored["lines"]:
            del line["task"]
        again = yearly_facts.from_json(stored)
        assert all(line.task == "" for line in again.lines)
        with app.test_request_context(), force_locale("en"):
            budget = next(s for s in report_text.sections(again) if s.key == "budget")
            assert budget.table is not None
            assert budget.table.header[0] == "Budget line"
