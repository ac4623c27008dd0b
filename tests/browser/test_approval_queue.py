"""The approval queue in Chromium: 2 000 submitted requests, shown 50 a page, approved with
"approve all that match" in one submit after a confirmation; on a short queue, axe in Polish and
in English on the queue, the confirmation and a row's reject page.

The requests are inserted in bulk (as bench/bulk_approve.py does), prepared by the demo's social
worker for people of Tomasz Wierzbicki's project, in the current month, so they fall on the
current stage's allowance line (130 000 zł in the demo).
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Allowance, BudgetLine, Participant, User
from portal.models.enums import AllowanceStatus
from portal.services.common.dates import WARSAW
from tests.browser.pages import check_both_languages, expect_lang, participant_id, path_is, sign_in
from tests.support.allowances.bulk import submitted_requests

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

WORKER = "pracownik@example.org"
COORDINATOR = "koordynator@example.org"
UCZESTNIK = "uczestnik@example.org"
STATUS_NOTICE = "main .notice[role=status]"
ERROR_NOTICE = "main .notice-error"


def _requests(app, count: int, amount: int) -> list[int]:
    """`count` requests waiting, by the social worker, for people of Tomasz's project."""
    this_month = datetime.now(WARSAW).date().replace(day=1)
    with app.app_context():
        project_id = db.session.get(Participant, participant_id(app, UCZESTNIK)).project_id
        people = list(
            db.session.scalars(select(Participant.id).where(Participant.project_id == project_id))
        )
        worker = db.session.scalar(select(User).where(User.email == WORKER))
        centre_id, worker_id = worker.centre_id, worker.id
    return submitted_requests(
        app,
        centre_id=centre_id,
        participant_ids=people,
        preparer_id=worker_id,
        count=count,
        amount=amount,
        first_month=this_month,
        submitted_at=datetime.now(WARSAW) - timedelta(hours=1),
    )


def _statuses(app, ids: list[int]) -> dict[AllowanceStatus, int]:
    with app.app_context():
        rows = db.session.execute(
            select(Allowance.status, func.count(Allowance.id))
            .where(Allowance.id.in_(ids))
            .group_by(Allowance.status)
        )
        return dict(rows.all())


def _committed(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.sum(BudgetLine.committed_grosze)))


def test_two_thousand_requests_are_approved_with_approve_all_in_one_submit(app, demo_site, page):
    ids = _requests(app, 2_000, 10_00)
    committed_before = _committed(app)
    sign_in(page, COORDINATOR)
    page.goto("/staff/approvals?lang=en")
    expect_lang(page, "en")
    rows = page.locator("#approve-form tbody tr")
    expect(rows).to_have_count(50)  # one page; the figures are of all of them
    expect(page.locator("#queue-count")).to_contain_text("2000 requests match")

    # With the script, one checkbox ticks every row (and clears them again).
    choose_all = page.locator("#select-all")
    expect(choose_all).to_be_visible()
    choose_all.check()
    ticked = "document.querySelectorAll('input[name=allowance_id]:checked').length"
    assert page.evaluate(ticked) == 50
    page.locator(f"label[for='approve-{ids[0]}']").click()  # the whole cell is the target
    assert page.evaluate(ticked) == 49
    assert page.evaluate("document.getElementById('select-all').indeterminate")
    choose_all.check()
    choose_all.uncheck()
    assert page.evaluate(ticked) == 0

    # "Approve all that match": one confirmation with the number and the amount, one submit.
    page.locator("#approve-all").click()
    expect(page).to_have_url(path_is("/staff/approvals/all"))
    expect(page.locator("#approve-all-summary")).to_contain_text(
        "You are about to approve 2000 requests asking for PLN 20,000.00 in all."
    )
    assert _statuses(app, ids) == {AllowanceStatus.SUBMITTED: 2_000}  # asking changed nothing
    page.locator("#approve-all-form button[type=submit]").click()
    expect(page).to_have_url(path_is("/staff/approvals"), timeout=60_000)
    expect(page.locator("main .notice-success")).to_contain_text("2000 requests approved.")
    expect(page.locator(ERROR_NOTICE)).to_have_count(0)
    expect(page.locator("#approve-form")).to_have_count(0)
    assert _statuses(app, ids) == {AllowanceStatus.APPROVED: 2_000}
    assert _committed(app) - committed_before == 2_000 * 10_00


def test_a_short_queue_the_confirmation_and_a_reject_page_pass_axe_in_both_languages(
    app, demo_site, page, axe
):
    ids = _requests(app, 6, 120_00)
    sign_in(page, COORDINATOR)
    page.goto("/staff/approvals?lang=pl")
    expect(page.locator("#approve-form tbody tr")).to_have_count(6)
    check_both_languages(
        page,
        axe,
        {"#queue-count": "6 requests match", "#approve-all": "Approve all 6 requests that match"},
    )

    # Rejecting from the row: its own page, the reason required.
    page.locator(f"#approve-form a[href='/staff/allowances/{ids[0]}/reject']").click()
    expect(page).to_have_url(path_is(f"/staff/allowances/{ids[0]}/reject"))
    check_both_languages(page, axe, {"main h1": "Reject the request of"})
    page.locator("#reject-form button[type=submit]").click()
    expect(page.locator("#reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reason-error")).to_be_visible()
    axe(page)
    page.fill("#reason", "Dochód powyżej kryterium.")
    page.locator("#reject-form button[type=submit]").click()
    expect(page).to_have_url(path_is("/staff/approvals"))
    expect(page.locator(STATUS_NOTICE)).to_be_visible()
    expect(page.locator("#approve-form tbody tr")).to_have_count(5)
    assert _statuses(app, ids[:1]) == {AllowanceStatus.REJECTED: 1}

    page.locator("#approve-all").click()
    expect(page).to_have_url(path_is("/staff/approvals/all"))
    check_both_languages(page, axe, {"#approve-all-summary": "approve 5 requests"})
    page.locator("#approve-all-form button[type=submit]").click()
    expect(page).to_have_url(path_is("/staff/approvals"))
    expect(page.locator("#approve-form")).to_have_count(0)
    assert _statuses(app, ids[1:]) == {AllowanceStatus.APPROVED: 5}
    check_both_languages(page, axe, {"main": "No requests are waiting for a decision."})
