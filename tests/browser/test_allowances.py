"""Issue 5's "Done when", in a real browser: a social contract, allowances and their decisions.

pracownik@example.org finds Tomasz Wierzbicki (uczestnik@example.org) under Participants,
prepares a social contract, records the signing and prints it; then a periodic allowance for
three months and a purpose allowance, both submitted. The approval queue is closed to her (403):
nobody decides their own request. koordynator@example.org approves the periodic allowance,
rejects the purpose one with a reason, opens the month's payment list (the first instalment),
downloads it as XLSX and checks the total, and marks it paid; the project's budget shows the
three instalments committed on the allowance line. Tomasz sees his contract in plain words and
both outcomes. Every page visited passes axe in Polish and in English, one page of each role
fits a 360 px phone, and a wrong amount is shown next to the field with what was typed kept.

The Polish catalogue may still be incomplete, so wording is checked on the English pages and
everything else by URL, ids, classes and states.
"""

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from portal import formatting
from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BudgetLine,
    Instalment,
    ProjectStage,
    SocialContract,
    User,
)
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    BudgetLineKind,
    ContractStatus,
    InstalmentStatus,
    PurposeCategory,
)
from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.browser.pages import (
    check_both_languages,
    expect_lang,
    fits_phone,
    follow_menu,
    normalised,
    participant_id,
    path_is,
    pdf_text,
    sign_in,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

WARSAW = ZoneInfo("Europe/Warsaw")
WORKER = "pracownik@example.org"  # Joanna Kruk, Tomasz's social worker
COORDINATOR = "koordynator@example.org"  # Bożena Lisiecka
UCZESTNIK = "uczestnik@example.org"  # Tomasz Wierzbicki, on the social contract path

PROBLEM = "Długotrwałe bezrobocie, brak aktualnych kwalifikacji zawodowych."
GOAL = "Zdobycie uprawnień operatora wózka widłowego i podjęcie pracy."
DUTIES = "Udział w treningu kompetencji społecznych, doradztwie zawodowym i kursie."
CENTRE_DUTIES = "Zasiłek okresowy przez trzy miesiące, zwrot kosztów dojazdu na kurs."
NEED = "Bilety miesięczne na dojazd na kurs do Janowa Lubelskiego"
REASON = "Dojazd na kurs pokrywa organizator kursu."

STATUS_NOTICE = "main .notice[role=status]"


# ---------------------------------------------------------------------------------------------
# Helpers


def amount(zloty: int | str, locale: str) -> str:
    """An amount as the portal writes it for `locale` (Babel), whitespace normalised."""
    return normalised(formatting.money_in(int(Decimal(zloty) * 100), locale))


def menu(page, path: str) -> None:
    follow_menu(page, path)
    expect(page).to_have_url(path_is(path))


def id_in(page) -> int:
    """The number at the end of the page's path (/staff/contracts/7 -> 7)."""
    return int(urlsplit(page.url).path.rstrip("/").rsplit("/", 1)[1])


def csrf_token(page) -> str:
    return page.locator("header input[name=csrf_token]").get_attribute("value")


def next_month(day: date, months: int = 1) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def open_as(browser, demo_site):
    """`open_as(email)`: a signed-in desktop page in a browser context of its own."""
    contexts = []

    def open_page(email: str):
        context = browser.new_context(base_url=demo_site.url, viewport=DESKTOP, locale="pl-PL")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, email)
        return page

    yield open_page
    for context in contexts:
        context.close()


# ---------------------------------------------------------------------------------------------
# 1-3: the whole walk, axe on every page in both languages, each role on a phone


def test_contract_allowances_decisions_payment_list_and_the_participant(
    app, page, phone_page, open_as, axe, screenshot
):
    today = datetime.now(WARSAW).date()  # the centre's day
    this_month = today.replace(day=1)
    last_month = next_month(this_month, 2)  # three months: this one and the next two
    contract_end = next_month(this_month, 6) - timedelta(days=1)  # six months
    year = this_month.year
    person_id = participant_id(app, UCZESTNIK)

    # --- The social worker finds Tomasz under Participants. -----------------------------------
    worker = page
    sign_in(worker, WORKER)
    menu(worker, "/staff/participants")
    worker.fill("#q", "Wierzbicki")
    worker.locator("main form[role=search] button[type=submit]").click()
    # The search is posted (a PESEL typed there never reaches an address): nothing in the URL.
    expect(worker).to_have_url(re.compile(r"^http://[^/]+/staff/participants$"))
    person_link = worker.locator(f"main a[href='/staff/participants/{person_id}']")
    expect(person_link).to_have_text("Wierzbicki Tomasz")
    check_both_languages(worker, axe)
    person_link.click()
    expect(worker).to_have_url(path_is(f"/staff/participants/{person_id}"))
    check_both_languages(worker, axe, {"main h1": "Tomasz Wierzbicki"})

    casework = f"/staff/participants/{person_id}/casework"
    worker.locator(f"main a[href='{casework}']").click()
    expect(worker).to_have_url(path_is(casework))
    # The completed contract of 2013 from the demo is listed, with its three allowances, paid.
    expect(worker.locator("main table").first).to_contain_text("KS/2013/001")
    expect(worker.locator("main table").nth(1).locator("tbody tr")).to_have_count(3)
    check_both_languages(worker, axe, {"main h1": "Contracts and allowances", "main": "Paid"})

    # --- A social contract: drafted, signed, printed. -----------------------------------------
    worker.locator(f"main a[href='/staff/participants/{person_id}/contracts/new']").click()
    expect(worker).to_have_url(path_is(f"/staff/participants/{person_id}/contracts/new"))
    check_both_languages(worker, axe, {"main h1": "Prepare a social contract"})
    worker.fill("#start_date", this_month.isoformat())
    worker.fill("#end_date", contract_end.isoformat())
    worker.fill("#problem", PROBLEM)
    worker.fill("#goal", GOAL)
    worker.fill("#participant_obligations", DUTIES)
    worker.fill("#centre_obligations", CENTRE_DUTIES)
    for instrument in ("social_skills", "vocational_counselling", "course"):
        worker.check(f"input[name=instruments][value={instrument}]")
    worker.fill("#support", "Zasiłek okresowy 450 zł miesięcznie.")
    worker.locator("main form button[type=submit]").click()
    expect(worker).to_have_url(re.compile(r"/staff/contracts/\d+$"))
    contract_id = id_in(worker)
    expect(worker.locator(STATUS_NOTICE)).to_be_visible()
    number = f"KS/{year}/001"  # the centre's first contract of the year
    with app.app_context():
        contract = db.session.get(SocialContract, contract_id)
        assert contract.number == number
        assert contract.status == ContractStatus.DRAFT
        assert (contract.start_date, contract.end_date) == (this_month, contract_end)
        assert contract.instruments == ["social_skills", "vocational_counselling", "course"]
    expect(worker.locator("main h1")).to_contain_text(number)
    check_both_languages(worker, axe, {"main .details": "Draft"})

    worker.fill("#signed_on", today.isoformat())
    worker.locator("main form[action$='/sign'] button[type=submit]").click()
    expect(worker).to_have_url(path_is(f"/staff/contracts/{contract_id}"))
    expect(worker.locator(STATUS_NOTICE)).to_be_visible()
    expect(worker.locator("main form[action$='/sign']")).to_have_count(0)
    with app.app_context():
        contract = db.session.get(SocialContract, contract_id)
        assert (contract.status, contract.signed_on) == (ContractStatus.SIGNED, today)
    check_both_languages(worker, axe, {"main .details": "Signed"})

    with worker.expect_download() as info:
        worker.locator(f"main a[href='/staff/contracts/{contract_id}/contract.pdf']").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"kontrakt-KS-{year}-001.pdf"
    text = pdf_text(download.path())
    assert number in text, text
    assert "Tomasz Wierzbicki" in text, text
    assert "Joanna Kruk" in text, text  # the social worker signs it too

    # --- A periodic allowance for three months, submitted. ------------------------------------
    new_allowance = f"/staff/participants/{person_id}/allowances/new"
    worker.locator(f"main a[href^='{new_allowance}']").click()
    expect(worker).to_have_url(path_is(new_allowance))
    check_both_languages(worker, axe, {"main h1": "Prepare an allowance request"})
    worker.select_option("#kind", AllowanceKind.PERIODIC.value)
    worker.select_option("#contract_id", str(contract_id))
    worker.fill("#amount", "450,00")
    worker.fill("#first_month", this_month.strftime("%Y-%m"))
    worker.fill("#last_month", last_month.strftime("%Y-%m"))
    worker.fill("#justification", "Brak dochodu; zasiłek na czas kursu zgodnie z kontraktem.")
    worker.locator("main form button[name=submit_now]").click()
    expect(worker).to_have_url(re.compile(r"/staff/allowances/\d+$"))
    periodic_id = id_in(worker)
    expect(worker.locator(STATUS_NOTICE)).to_be_visible()
    with app.app_context():
        periodic = db.session.get(Allowance, periodic_id)
        assert (periodic.kind, periodic.status) == (
            AllowanceKind.PERIODIC,
            AllowanceStatus.SUBMITTED,
        )
        assert (periodic.amount_grosze, periodic.contract_id) == (45_000, contract_id)
        assert (periodic.first_month, periodic.last_month) == (this_month, last_month)
    check_both_languages(
        worker,
        axe,
        {"main .details": "Submitted", "main .details div:has-text('Total')": "PLN 1,350.00"},
    )

    # --- A purpose allowance for travel to the course, submitted. -----------------------------
    worker.locator(f"main a[href='{casework}']").click()
    expect(worker).to_have_url(path_is(casework))
    worker.locator(f"main a[href^='{new_allowance}']").click()
    worker.select_option("#kind", AllowanceKind.PURPOSE.value)
    worker.select_option("#contract_id", str(contract_id))
    worker.fill("#amount", "120,50")
    worker.select_option("#category", PurposeCategory.TRAVEL.value)
    worker.fill("#purpose", NEED)
    worker.fill("#justification", "Kurs w Janowie Lubelskim, dojazd z Białej Pierwszej.")
    worker.locator("main form button[name=submit_now]").click()
    expect(worker).to_have_url(re.compile(r"/staff/allowances/\d+$"))
    purpose_id = id_in(worker)
    assert purpose_id != periodic_id
    with app.app_context():
        purpose = db.session.get(Allowance, purpose_id)
        assert (purpose.kind, purpose.status) == (AllowanceKind.PURPOSE, AllowanceStatus.SUBMITTED)
        assert (purpose.amount_grosze, purpose.category) == (12_050, PurposeCategory.TRAVEL)
        assert purpose.first_month == this_month
    check_both_languages(
        worker,
        axe,
        {
            "main .details": "Travel to a course or counselling",
            "main .details div:has-text('Amount')": "PLN 120.50",
        },
    )

    # The casework page lists both requests, submitted, beside the three of 2013.
    worker.locator(f"main a[href='{casework}']").click()
    requests = worker.locator("main table").nth(1).locator("tbody tr")
    expect(requests).to_have_count(5)
    check_both_languages(worker, axe, {"main": "Submitted"})

    # --- Nobody decides their own request: the approval routes are closed to her. -------------
    expect(worker.locator("header nav .menu a[href='/staff/approvals']")).to_have_count(0)
    response = worker.goto("/staff/approvals")
    assert response.status == 403
    worker.goto(casework)
    response = worker.request.post(
        "/staff/approvals/approve",
        form={"csrf_token": csrf_token(worker), "allowance_id": str(periodic_id)},
        max_redirects=0,
    )
    assert response.status == 403
    response = worker.request.post(
        f"/staff/allowances/{purpose_id}/reject",
        form={"csrf_token": csrf_token(worker), "reason": "własny wniosek"},
        max_redirects=0,
    )
    assert response.status == 403
    with app.app_context():
        statuses = db.session.scalars(
            select(Allowance.status).where(Allowance.id.in_((periodic_id, purpose_id)))
        ).all()
        assert statuses == [AllowanceStatus.SUBMITTED] * 2

    # --- The coordinator approves one and rejects the other with a reason. --------------------
    coordinator = open_as(COORDINATOR)
    menu(coordinator, "/staff/approvals")
    queue = coordinator.locator("#approve-form tbody tr")
    expect(queue).to_have_count(2)
    expect(coordinator.locator(f"#approve-{periodic_id}")).to_be_enabled()
    check_both_languages(
        coordinator,
        axe,
        {
            f"#approve-form tbody tr:has(#approve-{periodic_id})": "PLN 1,350.00",
            f"#approve-form tbody tr:has(#approve-{purpose_id})": NEED,
        },
    )
    coordinator.check(f"#approve-{periodic_id}")
    coordinator.locator("#approve-form button[type=submit]").click()
    expect(coordinator).to_have_url(path_is("/staff/approvals"))
    expect(coordinator.locator(STATUS_NOTICE)).to_be_visible()
    expect(coordinator.locator("main .notice[role=alert]")).to_have_count(0)
    expect(queue).to_have_count(1)
    expect(coordinator.locator(f"#approve-{periodic_id}")).to_have_count(0)

    coordinator.fill(f"#reject-{purpose_id}", REASON)
    coordinator.locator(f"main form[action$='/allowances/{purpose_id}/reject'] button").click()
    expect(coordinator).to_have_url(path_is("/staff/approvals"))
    expect(coordinator.locator(STATUS_NOTICE)).to_be_visible()
    expect(coordinator.locator("#approve-form")).to_have_count(0)
    check_both_languages(coordinator, axe, {"main": "No requests are waiting for a decision."})
    with app.app_context():
        periodic = db.session.get(Allowance, periodic_id)
        purpose = db.session.get(Allowance, purpose_id)
        coordinator_id = db.session.scalar(select(User.id).where(User.email == COORDINATOR))
        assert periodic.status == AllowanceStatus.APPROVED
        assert periodic.decided_by_id == coordinator_id
        assert [(i.month, i.amount_grosze) for i in periodic.instalments] == [
            (next_month(this_month, n), 45_000) for n in range(3)
        ]
        assert purpose.status == AllowanceStatus.REJECTED
        assert (purpose.rejection_reason, purpose.decided_by_id) == (REASON, coordinator_id)
        assert purpose.instalments == []

    # --- The month's payment list: the first instalment, exported and paid. ------------------
    menu(coordinator, "/staff/payments")
    expect(coordinator.locator("#month")).to_have_value(this_month.strftime("%Y-%m"))
    check_both_languages(coordinator, axe)
    coordinator.locator("main form button[type=submit]").click()
    expect(coordinator).to_have_url(re.compile(r"/staff/payments/\d+$"))
    list_id = id_in(coordinator)
    with app.app_context():
        instalment_id = db.session.scalar(
            select(Instalment.id).where(
                Instalment.allowance_id == periodic_id, Instalment.month == this_month
            )
        )
    items = coordinator.locator("main table tbody tr")
    expect(items).to_have_count(1)
    expect(items).to_contain_text("Wierzbicki Tomasz")
    expect(coordinator.locator(f"#paid-{instalment_id}")).not_to_be_checked()
    check_both_languages(
        coordinator,
        axe,
        {
            "main table tbody tr": "PLN 450.00",
            "main table tfoot tr": "PLN 450.00",
            "main h1": f"Payment list {format_date(this_month, 'MMMM y', locale='en')}",
        },
    )

    with coordinator.expect_download() as info:
        coordinator.locator(f"main a[href='/staff/payments/{list_id}/list.xlsx']").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"lista-wyplat-{this_month:%Y-%m}.xlsx"
    from openpyxl import load_workbook

    with open(download.path(), "rb") as handle:  # the saved file has no .xlsx in its name
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).active
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert len(rows) == 3, rows  # the header, Tomasz's instalment, the total
    surname, first_name, _kind, month, value, _status, paid_on = rows[1]
    assert (surname, first_name, month, value, paid_on) == (
        "Wierzbicki",
        "Tomasz",
        f"{this_month:%Y-%m}",
        450,
        None,
    ), rows
    total_row = rows[-1]
    assert total_row[:3] == (None, None, None), rows
    assert total_row[3], rows  # "Total" (translated)
    assert total_row[4] == 450, rows  # a number in złoty, not text

    coordinator.check(f"#paid-{instalment_id}")
    coordinator.fill("#paid_on", today.isoformat())
    coordinator.locator("main form[action$='/paid'] button[type=submit]").click()
    expect(coordinator).to_have_url(path_is(f"/staff/payments/{list_id}"))
    expect(coordinator.locator(STATUS_NOTICE)).to_be_visible()
    expect(coordinator.locator(f"#paid-{instalment_id}")).to_have_count(0)  # never again
    expect(coordinator.locator("#paid_on")).to_have_count(0)  # nothing left to pay
    with app.app_context():
        instalment = db.session.get(Instalment, instalment_id)
        assert (instalment.status, instalment.paid_on) == (InstalmentStatus.PAID, today)
        # Two more months are due: the allowance stays granted until the last is paid.
        assert db.session.get(Allowance, periodic_id).status == AllowanceStatus.APPROVED
    check_both_languages(coordinator, axe, {"main table tbody tr": "Paid"})

    # --- The project's budget: the three instalments are committed on the allowance line. ----
    menu(coordinator, "/staff/")
    with app.app_context():
        stage = db.session.scalar(select(ProjectStage).where(ProjectStage.year == year))
        line = db.session.scalar(
            select(BudgetLine).where(
                BudgetLine.stage_id == stage.id, BudgetLine.kind == BudgetLineKind.ALLOWANCES
            )
        )
        assert (line.planned_grosze, line.committed_grosze, line.paid_grosze) == (
            130_000_00,
            1_350_00,
            450_00,
        )
        stage_id, row_index = stage.id, [x.id for x in stage.budget_lines].index(line.id)
    line_row = coordinator.locator(
        f"main section[aria-labelledby='stage-{stage_id}'] tbody tr"
    ).nth(row_index)
    cells = line_row.locator("td")
    for lang in ("pl", "en"):
        coordinator.goto(f"/staff/?lang={lang}")
        expect_lang(coordinator, lang)
        planned, committed, paid, left = (normalised(text) for text in cells.all_inner_texts())
        assert planned == amount(130_000, lang)
        assert committed == amount(1_350, lang)
        assert paid == amount(450, lang)
        assert left == amount(128_650, lang)
        axe(coordinator)
    expect(line_row.locator("th")).to_have_text("Allowances")
    assert amount(1_350, "en") == "PLN 1,350.00"
    coordinator.goto("/staff/?lang=pl")

    # --- Tomasz sees his contract and both outcomes, in plain words. --------------------------
    tomasz = open_as(UCZESTNIK)
    expect(tomasz).to_have_url(path_is("/me/"))
    contract_section = tomasz.locator("main section[aria-labelledby=contract-title]")
    expect(contract_section).to_be_visible()
    expect(contract_section.locator("a[href='/me/contract']")).to_have_count(1)
    # This year's two requests, beside the three allowances paid in 2013 (the demo's year).
    listed = "main section[aria-labelledby=allowances-title] li"
    mine = tomasz.locator(listed)
    expect(mine).to_have_count(5)
    check_both_languages(
        tomasz,
        axe,
        {
            "main section[aria-labelledby=contract-title]": "Signed",
            f"{listed}:has-text('Periodic'):has-text('450')": "Granted",
            f"{listed}:has-text('{REASON}')": f"Not granted: {REASON}",
        },
    )

    tomasz.locator("main a[href='/me/allowances']").click()
    expect(tomasz).to_have_url(path_is("/me/allowances"))
    cards = tomasz.locator("main .card")
    expect(cards).to_have_count(5)
    expect(cards.filter(has_text=NEED)).to_contain_text(REASON)
    check_both_languages(
        tomasz,
        axe,
        {
            "main .card:has-text('Periodic'):has-text('450')": "PLN 1,350.00 (PLN 450.00 a month",
            "main .card:has-text('Periodic'):has-text('450') strong": "Granted",
            f"main .card:has-text('{NEED}') strong": f"Not granted: {REASON}",
        },
    )

    follow_menu(tomasz, "/me/")
    tomasz.locator("main a[href='/me/contract']").click()
    expect(tomasz).to_have_url(path_is("/me/contract"))
    details = tomasz.locator("main .details")
    expect(details).to_contain_text(number)
    expect(details).to_contain_text(DUTIES)
    expect(details).to_contain_text(CENTRE_DUTIES)
    check_both_languages(
        tomasz,
        axe,
        {
            "main": "This is the agreement you made with your social worker.",
            "main .details div:has-text('What you promised to do')": DUTIES,
            "main .details div:has-text('What the centre promised')": CENTRE_DUTIES,
            "main .details div:has-text('Support you get')": "Social skills training",
            "main .details div:has-text('Your social worker')": "Joanna Kruk",
        },
    )

    # Every state change is in the audit trail.
    with app.app_context():
        actions = db.session.execute(
            select(AuditEntry.entity_id, AuditEntry.action)
            .where(AuditEntry.entity_type == "allowances")
            .order_by(AuditEntry.id)
        ).all()
    assert [a for i, a in actions if i == periodic_id] == [
        "allowance.create",
        "allowance.submitted",
        "allowance.approved",
    ]
    assert [a for i, a in actions if i == purpose_id] == [
        "allowance.create",
        "allowance.submitted",
        "allowance.rejected",
    ]

    # --- One page of each role on a 360 px phone: no sideways scrolling. ---------------------
    phone = phone_page
    for email, path, name in (
        (WORKER, casework, "casework-360"),
        (COORDINATOR, f"/staff/payments/{list_id}", "payment-list-360"),
        (UCZESTNIK, "/me/allowances", "my-allowances-360"),
    ):
        phone.context.clear_cookies()
        sign_in(phone, email)
        phone.goto(path)
        expect(phone).to_have_url(path_is(path))
        fits_phone(phone)
        screenshot(phone, name)


# ---------------------------------------------------------------------------------------------
# 4: a wrong amount is shown next to the field, and what was typed stays


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "The amount cannot be negative."),
        ("1,234", "Use at most two digits after the comma (grosze)."),
    ],
    ids=["negative", "three-decimals"],
)
def test_a_wrong_amount_is_shown_at_the_field_and_kept(app, open_as, axe, typed, message):
    person_id = participant_id(app, UCZESTNIK)
    with app.app_context():
        before = db.session.scalar(select(func.count(Allowance.id)))
    form_path = f"/staff/participants/{person_id}/allowances/new"
    worker = open_as(WORKER)
    for lang in ("pl", "en"):
        worker.goto(f"{form_path}?lang={lang}")
        expect_lang(worker, lang)
        worker.select_option("#kind", AllowanceKind.PURPOSE.value)
        worker.fill("#amount", typed)
        worker.select_option("#category", PurposeCategory.MEDICINE.value)
        worker.fill("#purpose", "Leki na receptę")
        worker.fill("#justification", "Leczenie przewlekłe.")
        worker.locator("main form button[name=submit_now]").click()
        expect(worker).to_have_url(path_is(form_path))
        expect_lang(worker, lang)
        amount_field = worker.locator("#amount")
        expect(amount_field).to_have_value(typed)
        expect(amount_field).to_have_attribute("aria-invalid", "true")
        expect(amount_field).to_have_attribute("aria-describedby", re.compile(r"\bamount-error\b"))
        error = worker.locator("#amount-error")
        expect(error).to_be_visible()
        # The message is in the amount's own field, and the summary leads to it.
        expect(worker.locator(".field-error #amount")).to_have_count(1)
        expect(worker.locator(".error-summary a[href='#amount']")).to_have_count(1)
        # Everything else typed is kept.
        expect(worker.locator("#kind")).to_have_value(AllowanceKind.PURPOSE.value)
        expect(worker.locator("#category")).to_have_value(PurposeCategory.MEDICINE.value)
        expect(worker.locator("#purpose")).to_have_value("Leki na receptę")
        expect(worker.locator("#justification")).to_have_value("Leczenie przewlekłe.")
        if lang == "en":
            expect(error).to_contain_text(message)
        axe(worker)
    worker.goto(f"{form_path}?lang=pl")
    with app.app_context():
        assert db.session.scalar(select(func.count(Allowance.id))) == before  # nothing saved
