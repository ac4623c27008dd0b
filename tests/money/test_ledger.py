"""Every budget line executed: expenses, event costs, salaries and corrections move the line
through budget.spend, refuse to overspend with the reason, and show on the stage's money page."""

import io
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, BudgetLine, Expense, ProjectPost, User
from portal.models.enums import BudgetLineKind, FundingSource, Role
from portal.models.support import EventCostKind, ExpenseKind, GroupInstrument
from portal.services.centres import projects
from portal.services.common.errors import NotFound, PortalError
from portal.services.money import ledger, ledger_reports, posts
from portal.services.people import participants
from tests.helpers import email_of

ZL = 100  # grosze


@pytest.fixture
def en(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def world(app, make_centre, make_user, make_budget_line):
    centre = make_centre()
    boss = make_user(Role.COORDINATOR, centre_id=centre, email="szef@example.org")
    other = make_budget_line(centre, 5_000 * ZL, BudgetLineKind.OTHER)
    salaries = make_budget_line(centre, 10_000 * ZL, BudgetLineKind.SALARIES)
    pal = make_budget_line(centre, 2_000 * ZL, BudgetLineKind.PAL_EVENTS)
    with app.app_context():
        line = db.session.get(BudgetLine, pal)
        line.funding_source = FundingSource.OWN
        db.session.commit()
        stage = line.stage_id
        project = participants.current_project(centre).id
    return {
        "centre": centre,
        "boss": boss,
        "stage": stage,
        "project": project,
        "other": other,
        "salaries": salaries,
        "pal": pal,
    }


def said(app, error: PortalError) -> str:
    """A refusal's message as an English reader sees it."""
    with app.test_request_context(), force_locale("en"):
        return str(error.message)


def _line(line_id: int) -> BudgetLine:
    return db.session.scalar(
        select(BudgetLine).where(BudgetLine.id == line_id).execution_options(populate_existing=True)
    )


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _expense(w, amount, *, line="other", on=date(2026, 3, 2), document="FV 1/2026"):
    return ledger.record_expense(
        w["centre"], w["stage"], w[line], on, document, "Materiały", amount, _user(w["boss"])
    )


def test_an_expense_is_spent_from_its_line_and_audited(app, world):
    with app.app_context():
        expense = _expense(world, 1_234_56)
        db.session.commit()
        line = _line(world["other"])
        assert (line.committed_grosze, line.paid_grosze) == (1_234_56, 1_234_56)
        assert expense.kind == ExpenseKind.LEDGER
        assert expense.created_by_id == world["boss"]
        audited = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "expense.record"))
        assert audited.entity_id == expense.id
        assert audited.changes["amount_grosze"]["new"] == 1_234_56


def test_overspending_is_refused_with_what_is_left_and_nothing_is_stored(app, world):
    with app.app_context():
        _expense(world, 3_765_44)
        db.session.commit()
        with pytest.raises(PortalError) as refused:
            _expense(world, 1_234_57)
        db.session.rollback()
        assert refused.value.field == "amount"
        assert "1234,56" in said(app, refused.value).replace("\xa0", "").replace(" ", "")
        assert db.session.scalar(select(func.count(Expense.id))) == 1
        assert _line(world["other"]).committed_grosze == 3_765_44
        # Exactly what is left still fits.
        _expense(world, 1_234_56)
        assert _line(world["other"]).left_grosze == 0


def test_refusals_name_their_field(app, world, make_centre):
    with app.app_context():
        boss = _user(world["boss"])
        cases = [
            (dict(on=date(2025, 12, 31)), "spent_on"),
            (dict(document="   "), "document_number"),
            (dict(line="salaries", on=date(2027, 1, 1)), "spent_on"),
        ]
        for kwargs, field in cases:
            with pytest.raises(PortalError) as refused:
                _expense(world, 10 * ZL, **kwargs)
            assert refused.value.field == field
            db.session.rollback()
        with pytest.raises(PortalError) as refused:
            _expense(world, 0)
        assert refused.value.field == "amount"
        db.session.rollback()
        # A line of another stage, or the allowances line, is not this stage's to charge.
        with pytest.raises(PortalError) as refused:
            ledger.record_expense(
                world["centre"], world["stage"], 999_999, date(2026, 3, 1), "X", "Y", 1, boss
            )
        assert refused.value.field == "line_id"
        db.session.rollback()


def test_allowances_line_takes_no_ledger_entries(app, world, make_budget_line):
    allowances_line = make_budget_line(world["centre"], 1000 * ZL)
    with app.app_context():
        with pytest.raises(PortalError) as refused:
            ledger.record_expense(
                world["centre"],
                world["stage"],
                allowances_line,
                date(2026, 3, 1),
                "X",
                "Y",
                ZL,
                _user(world["boss"]),
            )
        assert refused.value.field == "line_id"
        assert "payment lists" in said(app, refused.value)


def test_a_correction_down_and_up_books_the_difference(app, world):
    with app.app_context():
        boss = _user(world["boss"])
        expense = _expense(world, 1_000 * ZL)
        down = ledger.correct(expense.id, 800 * ZL, "Faktura korygująca", boss)
        assert (down.kind, down.amount_grosze, down.corrects_id) == (
            ExpenseKind.CORRECTION,
            -200 * ZL,
            expense.id,
        )
        assert _line(world["other"]).paid_grosze == 800 * ZL
        up = ledger.correct(expense.id, 1_500 * ZL, "Dopłata", boss)
        assert up.amount_grosze == 700 * ZL
        line = _line(world["other"])
        assert (line.committed_grosze, line.paid_grosze) == (1_500 * ZL, 1_500 * ZL)
        # Back to nothing spent at all: allowed; below zero: refused.
        ledger.correct(expense.id, 0, "Zwrot całości", boss)
        assert _line(world["other"]).paid_grosze == 0
        assert ledger.net_amount(expense) == 0
        db.session.commit()
        audited = db.session.scalars(
            select(AuditEntry.changes).where(AuditEntry.action == "expense.correct")
        ).all()
        assert [c["reason"]["new"] for c in audited] == [
            "Faktura korygująca",
            "Dopłata",
            "Zwrot całości",
        ]


def test_a_correction_is_refused_when_nothing_changes_or_it_overspends(app, world):
    with app.app_context():
        boss = _user(world["boss"])
        expense = _expense(world, 4_000 * ZL)
        db.session.commit()
        for amount, reason, field, words in [
            (4_000 * ZL, "bez zmian", "amount", "Nothing to correct"),
            (-1, "ujemna", "amount", "negative"),
            (5_000 * ZL + 1, "za dużo", "amount", "is left on this line"),
            (3_000 * ZL, "  ", "reason", "empty"),
        ]:
            with pytest.raises(PortalError) as refused:
                ledger.correct(expense.id, amount, reason, boss)
            db.session.rollback()
            assert refused.value.field == field
            assert words in said(app, refused.value)
        assert db.session.scalar(select(func.count(Expense.id))) == 1
        assert _line(world["other"]).paid_grosze == 4_000 * ZL


def test_a_correction_of_a_correction_is_refused(app, world):
    """Decision: corrections always point at the original entry (the page sends a correction's
    "correct" link to its entry), so the net is one sum and never goes below zero."""
    with app.app_context():
        boss = _user(world["boss"])
        expense = _expense(world, 100 * ZL)
        correction = ledger.correct(expense.id, 90 * ZL, "Rabat", boss)
        with pytest.raises(PortalError) as refused:
            ledger.correct(correction.id, 50 * ZL, "Jeszcze raz", boss)
        assert "correct the entry it belongs to" in said(app, refused.value)


def test_event_costs_charge_the_pal_line_and_group_sessions_the_other_line(app, world, make_event):
    starts = datetime(2026, 6, 20, 10, tzinfo=UTC)
    picnic = make_event(world["centre"], starts_at=starts, title="Piknik rodzinny")
    session = make_event(
        world["centre"], starts_at=starts, instrument=GroupInstrument.SOCIAL_SKILLS
    )
    with app.app_context():
        boss = _user(world["boss"])
        bus = ledger.record_event_cost(
            picnic, EventCostKind.BUS, date(2026, 6, 21), "FV 7/06", 650 * ZL, boss
        )
        room = ledger.record_event_cost(
            session, EventCostKind.ROOM, date(2026, 6, 21), "FV 8/06", 120 * ZL, boss
        )
        assert bus.budget_line_id == world["pal"]
        assert room.budget_line_id == world["other"]
        assert bus.description == "Wynajem autokaru: Piknik rodzinny"  # the centre writes Polish
        assert _line(world["pal"]).paid_grosze == 650 * ZL
        assert _line(world["other"]).paid_grosze == 120 * ZL
        costs = ledger_reports.event_costs(picnic)
        assert [row.entry.id for row in costs] == [bus.id]


def test_an_event_without_a_stage_or_a_line_is_refused_clearly(
    app, make_centre, make_user, make_event
):
    centre = make_centre()
    boss = make_user(Role.COORDINATOR, centre_id=centre)
    in_2026 = make_event(centre, starts_at=datetime(2026, 5, 5, 9, tzinfo=UTC))
    in_2027 = make_event(centre, starts_at=datetime(2027, 5, 5, 9, tzinfo=UTC))
    with app.app_context():
        with pytest.raises(PortalError) as no_line:
            ledger.record_event_cost(
                in_2026, EventCostKind.BUS, date(2026, 5, 5), "FV", ZL, _user(boss)
            )
        assert "no line" in said(app, no_line.value)
        assert no_line.value.field == "amount"
        with pytest.raises(PortalError) as no_stage:
            ledger.record_event_cost(
                in_2027, EventCostKind.BUS, date(2027, 5, 5), "FV", ZL, _user(boss)
            )
        assert "no stage for 2027" in said(app, no_stage.value)


def _post(w, *, cost=3_000 * ZL, starts=date(2026, 1, 1), ends=None, name="Jan Kowalski"):
    return posts.create_post(
        w["centre"],
        posts.PostFields(
            project_id=w["project"],
            person_name=name,
            user_id=None,
            title="Pracownik socjalny",
            fte_percent=50,
            starts_on=starts,
            ends_on=ends,
            monthly_cost_grosze=cost,
        ),
        actor=_user(w["boss"]),
    )


def test_a_salary_is_posted_once_per_month(app, world):
    with app.app_context():
        boss = _user(world["boss"])
        post = _post(world, ends=date(2026, 6, 30))
        march = posts.post_salary(post.id, date(2026, 3, 15), boss)
        assert (march.month, march.amount_grosze, march.budget_line_id) == (
            date(2026, 3, 1),
            3_000 * ZL,
            world["salaries"],
        )
        db.session.commit()
        with pytest.raises(PortalError) as twice:
            posts.post_salary(post.id, date(2026, 3, 1), boss)
        assert "already posted" in said(app, twice.value)
        assert twice.value.field == "month"
        db.session.rollback()
        with pytest.raises(PortalError) as outside:
            posts.post_salary(post.id, date(2026, 7, 1), boss)
        assert "outside the post's period" in said(app, outside.value)
        db.session.rollback()
        posts.post_salary(post.id, date(2026, 4, 1), boss, amount_grosze=1_500 * ZL)
        assert _line(world["salaries"]).paid_grosze == 4_500 * ZL


def test_the_unique_index_refuses_a_month_posted_meanwhile_inside_a_savepoint(app, world):
    """The check before the insert can miss a posting another request just made: the index
    refuses it, in a savepoint, and the refusal is the same message."""
    with app.app_context():
        boss = _user(world["boss"])
        post = _post(world)
        posts.post_salary(post.id, date(2026, 2, 1), boss)
        db.session.commit()
        with pytest.raises(PortalError) as refused:
            posts._insert_posting(post, date(2026, 2, 1), ZL, world["salaries"], boss)
        assert "already posted" in said(app, refused.value)
        # The request's transaction is still usable after the savepoint's rollback.
        assert db.session.scalar(select(func.count(Expense.id))) == 1


def test_post_month_is_all_or_nothing(app, world):
    with app.app_context():
        boss = _user(world["boss"])
        for n in range(3):
            _post(world, name=f"Osoba {n}", cost=3_000 * ZL)
        _post(world, name="Później", starts=date(2026, 9, 1))
        db.session.commit()
        # 3 × 3 000 zł fits the 10 000 zł line once; the second month does not.
        assert len(posts.post_month(world["project"], date(2026, 1, 1), boss)) == 3
        db.session.commit()
        with pytest.raises(PortalError) as refused:
            posts.post_month(world["project"], date(2026, 2, 1), boss)
        db.session.rollback()
        assert "1000,00" in said(app, refused.value).replace("\xa0", "").replace(" ", "")
        count = select(func.count(Expense.id)).where(Expense.month == date(2026, 2, 1))
        assert db.session.scalar(count) == 0
        assert _line(world["salaries"]).paid_grosze == 9_000 * ZL
        with pytest.raises(PortalError) as again:
            posts.post_month(world["project"], date(2026, 1, 1), boss)
        assert "already posted" in said(app, again.value)


def test_stage_money_totals_per_funding_source(app, world, make_event):
    with app.app_context():
        _expense(world, 1_000 * ZL)
        _expense(world, 500 * ZL, line="pal")
        db.session.commit()
        figures = ledger_reports.stage_money(world["stage"])
        esf, own = figures.by_source[FundingSource.ESF], figures.by_source[FundingSource.OWN]
        assert (esf.planned, esf.spent, esf.left) == (15_000 * ZL, 1_000 * ZL, 14_000 * ZL)
        assert (own.planned, own.spent, own.left) == (2_000 * ZL, 500 * ZL, 1_500 * ZL)
        assert figures.total.spent == 1_500 * ZL


def _coordinator(login_as, en):
    login_as("szef@example.org", test_client=en)
    return en


def test_the_money_page_enters_an_expense_and_shows_a_refusal_beside_the_field(
    app, world, login_as, en
):
    browser = _coordinator(login_as, en)
    url = f"/staff/stages/{world['stage']}/money"
    page = browser.get(url).get_data(as_text=True)
    assert "European Social Fund" in page
    assert "Own contribution" in page
    form = {
        "line_id": world["other"],
        "document_kind": "other",
        "spent_on": "2026-04-01",
        "document_number": "FV 12/04",
        "description": "Papier",
        "amount": "1 234,56",
    }
    response = browser.post(url, data=form)
    assert response.status_code == 302
    page = browser.get(url).get_data(as_text=True)
    assert "FV 12/04" in page
    assert "Papier" in page
    refused = browser.post(url, data={**form, "amount": "4 000,00", "document_number": "FV 13"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "is left on this line" in text
    assert 'aria-invalid="true"' in text
    for bad in ["１２", "12,345", "abc", "-5"]:
        text = browser.post(url, data={**form, "amount": bad}).get_data(as_text=True)
        assert 'id="amount-error"' in text
    with app.app_context():
        assert db.session.scalar(select(func.count(Expense.id))) == 1


def test_the_correction_page_shows_what_will_happen_before_it_books(app, world, login_as, en):
    with app.app_context():
        expense_id = _expense(world, 1_000 * ZL).id
        db.session.commit()
    browser = _coordinator(login_as, en)
    url = f"/staff/expenses/{expense_id}/correct"
    assert "1,000.00" in browser.get(url).get_data(as_text=True)
    preview = browser.post(url, data={"amount": "750,00", "reason": "Rabat"})
    text = preview.get_data(as_text=True)
    assert "Check before you confirm" in text
    assert "give money back" in text
    with app.app_context():
        assert db.session.scalar(select(func.count(Expense.id))) == 1  # nothing booked yet
    done = browser.post(url, data={"amount": "750,00", "reason": "Rabat", "confirmed": "yes"})
    assert done.status_code == 302
    page = browser.get(f"/staff/stages/{world['stage']}/money").get_data(as_text=True)
    assert "Correction of the entry above: Rabat" in page
    assert page.index(f'id="entry-{expense_id}"') < page.index("Correction of the entry above")
    with app.app_context():
        assert _line(world["other"]).paid_grosze == 750 * ZL


def test_the_ledger_downloads_as_xlsx_with_formulas_neutralised(app, world, login_as, en):
    with app.app_context():
        boss = _user(world["boss"])
        expense = ledger.record_expense(
            world["centre"],
            world["stage"],
            world["other"],
            date(2026, 5, 1),
            '=HYPERLINK("http://evil")',
            "+cmd|' /C calc'!A0",
            250 * ZL,
            boss,
        )
        ledger.correct(expense.id, 200 * ZL, "@SUM(A1:A2)", boss)
        db.session.commit()
    browser = _coordinator(login_as, en)
    response = browser.get(f"/staff/stages/{world['stage']}/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Entry"
    assert rows[0][7] == "Amount (PLN)"
    entry, correction = rows[1], rows[2]
    assert entry[5] == '\'=HYPERLINK("http://evil")'
    assert entry[6] == "'+cmd|' /C calc'!A0"
    assert float(entry[7]) == 250.0
    assert float(correction[7]) == -50.0
    assert correction[2] == "Correction"
    assert correction[9] == "'@SUM(A1:A2)"
    assert not any(isinstance(cell, str) and cell.startswith("=") for row in rows for cell in row)


def test_posts_pages_create_post_salaries_and_refuse_a_month_twice(app, world, login_as, en):
    browser = _coordinator(login_as, en)
    response = browser.post(
        "/staff/posts/new",
        data={
            "project_id": world["project"],
            "person_name": "Anna Nowak",
            "user_id": "",
            "title": "Doradca zawodowy",
            "fte_percent": "100",
            "starts_on": "2026-01-01",
            "ends_on": "",
            "monthly_cost": "4 200,00",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        post_id = db.session.scalar(select(ProjectPost.id))
    assert "Anna Nowak" in browser.get("/staff/posts").get_data(as_text=True)
    salary = f"/staff/posts/{post_id}/salary"
    assert browser.post(salary, data={"month": "2026-02", "amount": ""}).status_code == 302
    again = browser.post(salary, data={"month": "2026-02", "amount": ""})
    assert "already posted" in again.get_data(as_text=True)
    month = browser.post(
        "/staff/posts/salaries", data={"project_id": world["project"], "month": "2026-03"}
    )
    assert month.status_code == 302
    with app.app_context():
        months = db.session.scalars(select(Expense.month).order_by(Expense.month)).all()
        assert months == [date(2026, 2, 1), date(2026, 3, 1)]
        assert _line(world["salaries"]).paid_grosze == 8_400 * ZL


def test_a_post_is_filled_by_staff_never_by_a_participants_account(
    app, world, login_as, en, make_participant
):
    """The post form offers the centre's staff only (a participant's name is not shown there),
    and a participant's account sent by hand is refused."""
    person = make_participant(world["centre"], first_name="Ewa", last_name="Podopieczna")
    with app.app_context():
        account = db.session.scalar(select(User.id).where(User.email == email_of(app, person)))
    browser = _coordinator(login_as, en)
    assert "Podopieczna" not in browser.get("/staff/posts/new").get_data(as_text=True)
    response = browser.post(
        "/staff/posts/new",
        data={
            "project_id": world["project"], "person_name": "Ewa Podopieczna",
            "user_id": str(account), "title": "Pracownik socjalny", "fte_percent": "100",
            "starts_on": "2026-01-01", "ends_on": "", "monthly_cost": "4 200,00",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Choose a member of the centre&#39;s staff." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ProjectPost.id))) == 0


def test_event_costs_page(app, world, login_as, en, make_event):
    event = make_event(world["centre"], starts_at=datetime(2026, 8, 28, 8, tzinfo=UTC))
    browser = _coordinator(login_as, en)
    assert "Costs of the event" in browser.get(f"/staff/events/{event}").get_data(as_text=True)
    url = f"/staff/events/{event}/costs"
    response = browser.post(
        url,
        data={
            "cost_kind": "bus",
            "spent_on": "2026-08-28",
            "document_number": "FV 88/08",
            "amount": "900,00",
            "description": "",
        },
    )
    assert response.status_code == 302
    page = browser.get(url).get_data(as_text=True)
    assert "FV 88/08" in page
    assert "Bus hire" in page
    with app.app_context():
        assert _line(world["pal"]).paid_grosze == 900 * ZL


def test_another_centre_sees_none_of_it(app, world, make_centre, make_user, login_as, make_event):
    stranger_centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=stranger_centre, email="obcy@example.org")
    with app.app_context():
        expense_id = _expense(world, 10 * ZL).id
        post_id = _post(world).id
        db.session.commit()
        with pytest.raises(NotFound):
            projects.get_stage(stranger_centre, world["stage"])
        with pytest.raises(PortalError) as refused:  # another centre's line is not theirs
            ledger.record_expense(
                stranger_centre,
                world["stage"],
                world["other"],
                date(2026, 3, 1),
                "X",
                "Y",
                1,
                _user(world["boss"]),
            )
        assert refused.value.field == "line_id"
    event = make_event(world["centre"])
    browser = login_as("obcy@example.org")
    for path in [
        f"/staff/stages/{world['stage']}/money",
        f"/staff/stages/{world['stage']}/ledger.xlsx",
        f"/staff/expenses/{expense_id}/correct",
        f"/staff/posts/{post_id}",
        f"/staff/events/{event}/costs",
    ]:
        assert browser.get(path).status_code == 404, path
    refused = browser.post(
        f"/staff/stages/{world['stage']}/money",
        data={
            "line_id": world["other"],
            "spent_on": "2026-03-01",
            "document_number": "X",
            "description": "Y",
            "amount": "1,00",
        },
    )
    assert refused.status_code == 404
    assert (
        browser.post(f"/staff/posts/{post_id}/salary", data={"month": "2026-05"}).status_code == 404
    )
    assert "Jan Kowalski" not in browser.get("/staff/posts").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Expense.id))) == 1


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.ADVISOR, Role.ADMIN])
def test_only_coordinators_reach_the_money_pages(app, world, make_user, login_as, role, make_event):
    user = make_user(role, centre_id=None if role == Role.ADMIN else world["centre"])
    with app.app_context():
        address = db.session.get(User, user).email
        expense_id = _expense(world, 10 * ZL).id
        db.session.commit()
    event = make_event(world["centre"])
    browser = login_as(address)
    for path in [
        f"/staff/stages/{world['stage']}/money",
        f"/staff/stages/{world['stage']}/ledger.xlsx",
        f"/staff/expenses/{expense_id}/correct",
        "/staff/posts",
        "/staff/posts/new",
        "/staff/posts/salaries",
        f"/staff/events/{event}/costs",
    ]:
        assert browser.get(path).status_code == 403, path
    assert (
        browser.post(
            f"/staff/expenses/{expense_id}/correct",
            data={"amount": "0", "reason": "x", "confirmed": "yes"},
        ).status_code
        == 403
    )
    with app.app_context():
        assert _line(world["other"]).paid_grosze == 10 * ZL


def test_a_participant_is_refused_too(app, world, make_participant, login_as):
    person = make_participant(world["centre"])
    browser = login_as(email_of(app, person))
    assert browser.get(f"/staff/stages/{world['stage']}/money").status_code == 403
