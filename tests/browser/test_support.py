"""Individual support in a real browser: a social worker logs a contact with a person and fills a
month's hours sheet of their socially useful work. Every page visited passes axe in Polish and
in English; a wrong number of hours is shown beside its day with what was typed kept."""

from datetime import date, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models.support import CaseworkEntry, PlacementDay
from tests.browser.pages import check_both_languages, follow_menu, participant_id, path_is, sign_in
from tests.factories import today

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

WORKER = "pracownik@example.org"
UCZESTNIK = "uczestnik@example.org"
NOTE = "Rozmowa o dojazdach do pracy; rodzina wspiera udział w projekcie."


def test_a_worker_logs_a_contact_and_fills_a_month_of_hours(app, page, demo_site, axe):
    person = participant_id(app, UCZESTNIK)
    sign_in(page, WORKER)

    # The casework log from the participant's page.
    page.goto(f"/staff/participants/{person}")
    page.locator(f"main a[href='/staff/participants/{person}/contacts']").click()
    expect(page).to_have_url(path_is(f"/staff/participants/{person}/contacts"))
    check_both_languages(page, axe)
    page.locator(f"main a[href='/staff/participants/{person}/contacts/new']").click()
    check_both_languages(page, axe)
    yesterday = today() - timedelta(days=1)
    page.fill("#happened_on", yesterday.isoformat())
    page.select_option("#contact_kind", "home_visit")
    page.fill("#minutes", "75")
    page.check("#with_whom-1")
    page.fill("#note", NOTE)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is(f"/staff/participants/{person}/contacts"))
    expect(page.locator("main table")).to_contain_text(NOTE)
    check_both_languages(page, axe)
    with app.app_context():
        entry = db.session.scalars(select(CaseworkEntry).where(CaseworkEntry.note == NOTE)).one()
        assert (entry.minutes, entry.with_family, entry.happened_on) == (75, True, yesterday)

    # The month's hours of the worker, from the menu.
    follow_menu(page, "/staff/casework")
    check_both_languages(page, axe)
    page.goto(f"/staff/casework/hours?month={yesterday:%Y-%m}")
    check_both_languages(page, axe)

    # A placement of socially useful work, then last month's hours sheet.
    first = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    page.goto(f"/staff/participants/{person}/placements/new")
    check_both_languages(page, axe)
    page.check("#kind-1")  # socially useful work
    page.fill("#employer", "Urząd Gminy Janów Lubelski")
    page.fill("#supervisor", "Maria Wiśniewska")
    page.fill("#starts_on", first.isoformat())
    page.fill("#ends_on", (first + timedelta(days=90)).isoformat())
    page.fill("#hours_per_month", "40")
    page.fill("#hourly_rate", "9,87")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .notice, .notice").first).to_be_visible()
    check_both_languages(page, axe)
    page.locator(f"main a[href$='/hours?month={first:%Y-%m}']").click()
    check_both_languages(page, axe)

    page.fill("#day-02", "8")
    page.fill("#day-03", "25")  # more than a day has
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#day-03-error")).to_be_visible()
    expect(page.locator("#day-03")).to_have_value("25")
    expect(page.locator("#day-02")).to_have_value("8")
    check_both_languages(page, axe)  # the page is opened afresh: nothing was saved
    expect(page.locator("#day-02")).to_have_value("")
    page.fill("#day-02", "8")
    page.fill("#day-03", "6")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#sheet-total")).to_contain_text("14 / 40")
    expect(page.locator("#sheet-pay")).to_contain_text("138,18")  # 14 h × 9,87 zł
    check_both_languages(page, axe)
    with app.app_context():
        days = db.session.scalars(
            select(PlacementDay)
            .where(PlacementDay.worked_on >= first)  # the demo's 2013 placements are older
            .order_by(PlacementDay.worked_on)
        ).all()
        assert [(d.worked_on, d.hours) for d in days] == [
            (date(first.year, first.month, 2), 8),
            (date(first.year, first.month, 3), 6),
        ]
