"""The pages that send the money to the bank and the data to the funder, in Chromium: the staff
payment details of a person, the participant's own change of account, the staff confirmation
of it, the payment list's bank files (Elixir-O, XML, the cash list), the central monitoring
system's export with its check failures, the payment claim's list of documents, the project's
tasks in the set-up. Each is axe-clean in Polish and in English, with its refusals shown, and
at 360 px fits the screen and is axe-clean too; the decisions are taken from the keyboard."""

import re
from datetime import timedelta

from sqlalchemy import select
from stdnum import iban

from portal.extensions import db
from portal.models import (
    BankAccountChange,
    Participant,
    PaymentList,
    Project,
    ProjectStage,
    ProjectTask,
    TransferFile,
    User,
)
from portal.models.base import utcnow
from portal.services.common import dates
from portal.services.reporting import stage_people
from portal.services.support import payments, transfer_files
from tests.browser.pages import (
    check_both_languages,
    fits_phone,
    participant_id,
    path_is,
    sign_in,
)
from tests.helpers import demo_stage

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

COORDINATOR = "koordynator@example.org"
UCZESTNIK = "uczestnik@example.org"
# A valid Polish account number nobody holds: a real sort code, random digits, its check digits.
BBAN = "10901463" + "0000000712198128"
ACCOUNT = f"PL{iban.calc_check_digits(f'PL00{BBAN}')}{BBAN}"
WRONG_ACCOUNT = ACCOUNT[:-1] + str((int(ACCOUNT[-1]) + 1) % 10)  # one digit off


def _ids(app) -> dict[str, int]:
    """The records the walk opens: the participant with an account, a Janów payment list, the
    Janów 2013 stage and its project, and one of the project's tasks (made when none is set)."""
    person = participant_id(app, UCZESTNIK)
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        project = db.session.get_one(Project, stage.project_id)
        task = db.session.scalar(select(ProjectTask).where(ProjectTask.project_id == project.id))
        if task is None:
            task = ProjectTask(
                project_id=project.id, centre_id=project.centre_id, number=1, name="Zadanie 1"
            )
            db.session.add(task)
            db.session.flush()
        lists = db.session.scalars(
            select(PaymentList)
            .where(PaymentList.centre_id == project.centre_id)
            .order_by(PaymentList.month.desc(), PaymentList.id.desc())
        ).all()
        # The demo's lists of 2013 are paid: nothing is left on them for the bank, which the
        # export page lists as a problem. This month's list (the demo with work) has transfers.
        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        now = utcnow()
        month = dates.local_date(now).replace(day=1)
        current = payments.get_or_create(project.centre_id, month, actor=coordinator, now=now)
        faulty = [
            payment_list.id
            for payment_list in lists
            if payment_list.id != current.id and transfer_files.plan(payment_list).problems
        ]
        ids = {
            "person": person,
            "list": current.id,
            "faulty": faulty[0] if faulty else 0,
            "stage": stage.id,
            "project": project.id,
            "task": task.id,
        }
        db.session.commit()
        return ids


def _keyboard_submit(page, selector: str) -> None:
    """Reach a button by focus and press Enter, as a keyboard user does."""
    button = page.locator(selector)
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")


def test_payment_details_the_participants_change_and_its_confirmation(page, app, demo_site, axe):
    ids = _ids(app)
    person = ids["person"]

    # The participant asks to be paid to a new account: a wrong number is refused beside it.
    sign_in(page, UCZESTNIK)
    page.goto("/me/my-details")
    page.locator("main a[href='/me/my-details/bank-account']").click()
    expect(page).to_have_url(path_is("/me/my-details/bank-account"))
    check_both_languages(page, axe, {"main h1": "Change where I am paid"})
    page.check("#method-0")
    page.fill("#bank_account", WRONG_ACCOUNT)
    page.get_by_role("button", name="Wyślij zmianę do ośrodka").click()
    expect(page.locator("#bank_account-error")).to_be_visible()
    expect(page.locator("#bank_account")).to_have_value(WRONG_ACCOUNT)
    expect(page.locator("#bank_account")).to_have_attribute("aria-invalid", "true")
    axe(page)
    page.fill("#bank_account", ACCOUNT)
    _keyboard_submit(page, "main form button[type=submit]")
    expect(page).to_have_url(path_is("/me/my-details"))
    axe(page)
    with app.app_context():
        change = db.session.scalar(
            select(BankAccountChange).where(BankAccountChange.participant_id == person)
        )
        assert change is not None
        assert change.bank_account == ACCOUNT
        assert db.session.get_one(Participant, person).bank_account != ACCOUNT  # not yet

    # Staff see the change waiting, open the person's payment details and confirm it there.
    page.context.clear_cookies()
    sign_in(page, COORDINATOR)
    page.goto("/staff/bank-account-changes")
    check_both_languages(page, axe, {"main h1": "Changes of bank account"})
    page.locator(f"main a[href='/staff/participants/{person}/bank-account']").click()
    expect(page).to_have_url(path_is(f"/staff/participants/{person}/bank-account"))
    check_both_languages(page, axe, {"#pending-title": "waiting for confirmation"})
    _keyboard_submit(page, "form[action$='/confirm'] button")
    expect(page).to_have_url(path_is(f"/staff/participants/{person}/bank-account"))
    expect(page.locator("#pending-title")).to_have_count(0)
    axe(page)
    with app.app_context():
        assert db.session.get_one(Participant, person).bank_account == ACCOUNT

    # The staff form refuses a wrong number beside the field and keeps what was typed.
    page.fill("#bank_account", WRONG_ACCOUNT)
    page.locator("main form:not([action]) button[type=submit]").click()
    expect(page.locator("#bank_account-error")).to_be_visible()
    expect(page.locator("#bank_account")).to_have_value(WRONG_ACCOUNT)
    expect(page.locator(".error-summary a[href='#bank_account']")).to_have_count(1)
    axe(page)
    with app.app_context():
        assert db.session.get_one(Participant, person).bank_account == ACCOUNT  # unchanged

    # The centre's own account, in the set-up.
    page.goto("/staff/setup/bank-account")
    check_both_languages(page, axe)
    page.fill("#bank_account", WRONG_ACCOUNT)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#bank_account-error")).to_be_visible()
    axe(page)


def test_the_bank_files_of_a_payment_list(page, app, demo, live_server, axe):
    """The whole demo (with this month's allowances due): this month's list is made, checked,
    exported and locked; a list with nothing to pay lists its problem instead of a button."""
    ids = _ids(app)
    sign_in(page, COORDINATOR)
    page.goto("/staff/payments")
    page.locator("main form button[type=submit]").first.click()  # this month's list
    expect(page).to_have_url(re.compile(r"/staff/payments/\d+$"))
    list_id = int(page.url.rsplit("/", 1)[1])
    assert list_id == ids["list"]  # the month has one list: the one made for it
    page.locator(f"main a[href='/staff/payments/{list_id}/export']").click()
    expect(page).to_have_url(path_is(f"/staff/payments/{list_id}/export"))
    check_both_languages(page, axe, {"main h1": "Files for the bank"})
    expect(page.locator("#transfers-caption")).to_be_visible()
    _keyboard_submit(page, "main form[action$='/export'] button")
    expect(page).to_have_url(path_is(f"/staff/payments/{list_id}"))
    check_both_languages(page, axe, {"#bank-heading": "Files for the bank"})
    with app.app_context():
        kept = db.session.scalars(
            select(TransferFile.file_format).where(TransferFile.payment_list_id == list_id)
        ).all()
    assert {kept_format.value for kept_format in kept} == {"elixir", "sepa", "cash"}
    for name in ("transfers.txt", "transfers.xml", "cash-list.pdf"):
        expect(page.locator(f"main a[href='/staff/payments/{list_id}/{name}']")).to_be_visible()
    page.goto(f"/staff/payments/{list_id}/export")  # locked: says so, no button
    expect(page.locator("main form[action$='/export']")).to_have_count(0)
    check_both_languages(page, axe, {"main h1": "Files for the bank"})

    assert ids["faulty"], "the demo has a list with nothing left to pay"
    page.goto(f"/staff/payments/{ids['faulty']}/export")
    expect(page.locator("#problems-heading")).to_be_visible()
    expect(page.locator("main form[action$='/export']")).to_have_count(0)
    check_both_languages(page, axe, {"#problems-heading": "cannot be made"})


def test_the_central_system_export_with_its_failures(page, app, demo_site, axe):
    ids = _ids(app)
    with app.app_context():
        stage = db.session.get_one(ProjectStage, ids["stage"])
        person = db.session.get_one(Participant, min(stage_people.participation(stage)))
        person.birth_date += timedelta(days=1)  # the PESEL says the day before
        person_id = person.id
        db.session.commit()
    sign_in(page, COORDINATOR)
    path = f"/staff/esf-export/stages/{ids['stage']}/central-system"
    page.goto(path)
    check_both_languages(page, axe)
    # The person is listed, with a link to where the PESEL is corrected; no file is offered.
    link = page.locator(f"main a[href='/staff/participants/{person_id}/edit#pesel']").first
    expect(link).to_be_visible()
    expect(page.locator(f"main form[action='{path}.xlsx']")).to_have_count(0)
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(path_is(f"/staff/participants/{person_id}/edit"))
    expect(page.locator("#pesel")).to_be_visible()


def test_the_claim_documents_and_the_project_tasks(page, app, demo_site, axe):
    ids = _ids(app)
    sign_in(page, COORDINATOR)
    page.goto(f"/staff/stages/{ids['stage']}/money")
    expect(page.locator("#claim-title")).to_be_visible()
    axe(page)
    # A period that ends before it starts is refused beside its field, on the stage's page.
    page.fill("#start", "2013-12-31")
    page.fill("#end", "2013-01-01")
    page.locator("section[aria-labelledby='claim-title'] form button[type=submit]").click()
    expect(page.locator("#end-error, #start-error").first).to_be_visible()
    check_both_languages(page, axe)

    page.goto(f"/staff/setup/projects/{ids['project']}/tasks/new")
    check_both_languages(page, axe, {"main h1": "Add a task"})
    page.fill("#number", "0")
    page.fill("#name", "")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#number-error")).to_be_visible()
    axe(page)
    page.fill("#number", "7")
    page.fill("#name", "Zadanie siódme: praca socjalna")
    _keyboard_submit(page, "main form button[type=submit]")
    expect(page.locator("main ul")).to_contain_text("Zadanie siódme")
    axe(page)
    page.goto(f"/staff/setup/tasks/{ids['task']}")
    check_both_languages(page, axe, {"main h1": "Change a task"})
    page.goto("/staff/setup/")
    check_both_languages(page, axe)


def test_every_page_fits_a_phone_and_passes_axe_there(
    phone_page, app, demo, live_server, axe, screenshot
):
    ids = _ids(app)
    page = phone_page
    sign_in(page, UCZESTNIK)
    for path in ("/me/my-details", "/me/my-details/bank-account"):
        page.goto(path)
        fits_phone(page)
        axe(page)
        screenshot(page, "funder-360" + path.replace("/", "-"))
    page.context.clear_cookies()
    sign_in(page, COORDINATOR)
    for path in (
        f"/staff/participants/{ids['person']}/bank-account",
        "/staff/bank-account-changes",
        "/staff/setup/bank-account",
        f"/staff/payments/{ids['list']}",
        f"/staff/payments/{ids['list']}/export",
        f"/staff/esf-export/stages/{ids['stage']}/central-system",
        f"/staff/stages/{ids['stage']}/money",
        f"/staff/setup/projects/{ids['project']}/tasks/new",
        f"/staff/setup/tasks/{ids['task']}",
    ):
        page.goto(path)
        expect(page).to_have_url(path_is(path))
        fits_phone(page)
        axe(page)
        screenshot(page, "funder-360" + path.replace("/", "-"))
