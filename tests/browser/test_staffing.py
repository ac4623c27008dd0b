"""Staff accounts, a caseload handed over, the account request without a village: in Chromium,
axe-clean in both languages, without JavaScript, at phone width."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Participant, User
from tests.browser.pages import check_both_languages, expect, fits_phone, path_is, sign_in


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def test_the_account_pages_are_axe_clean_in_both_languages(app, page, demo_site, axe):
    sign_in(page, "koordynator@example.org")
    page.goto("/staff/users")
    check_both_languages(page, axe)
    advisor = _user_id(app, "doradca@example.org")
    page.locator(f"a[href='/staff/users/{advisor}']").click()
    expect(page).to_have_url(path_is(f"/staff/users/{advisor}"))
    check_both_languages(page, axe)
    # Nothing chosen: the message is beside the field, axe-clean too.
    page.locator("form[action$='/handover'] button[type=submit]").click()
    expect(page.locator("#successor_id-error")).to_be_visible()
    axe(page)


def test_a_caseload_is_handed_over_and_the_account_closed_without_javascript(
    app, browser, demo_site
):
    context = browser.new_context(base_url=demo_site.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "koordynator@example.org")
    advisor = _user_id(app, "doradca@example.org")
    # The advisor who takes over joins first, invited from the same page.
    page.goto("/staff/users")
    page.fill("#first_name", "Nowa")
    page.fill("#last_name", "Doradczyni")
    page.fill("#email", "nowa.doradczyni@example.org")
    page.check("input[name=roles][value=advisor]")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is("/staff/users"))
    page.goto(f"/staff/users/{advisor}")
    page.select_option("#successor_id", value=str(_user_id(app, "nowa.doradczyni@example.org")))
    page.locator("form[action$='/handover'] button[type=submit]").click()
    expect(page).to_have_url(path_is(f"/staff/users/{advisor}"))
    with app.app_context():
        left = db.session.scalar(select(Participant.id).where(Participant.advisor_id == advisor))
        assert left is None
    page.locator("form[action$='/deactivate'] button[type=submit]").click()
    expect(page.locator("form[action$='/reactivate']")).to_be_visible()
    context.close()


def test_the_new_pages_fit_a_phone(app, phone_page, demo_site, axe):
    sign_in(phone_page, "koordynator@example.org")
    advisor = _user_id(app, "doradca@example.org")
    for url in ("/staff/users", f"/staff/users/{advisor}", "/staff/allowance-limits"):
        phone_page.goto(url)
        fits_phone(phone_page)
    phone_page.goto("/staff/allowance-limits")
    check_both_languages(phone_page, axe)
    phone_page.context.clear_cookies()
    phone_page.goto("/request-account")
    check_both_languages(phone_page, axe)
    fits_phone(phone_page)
