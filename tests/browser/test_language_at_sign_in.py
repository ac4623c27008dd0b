"""The language chosen on the sign-in page is kept after signing in and saved to the account, so
it is there on the next sign-in from another browser (Chromium, a Polish browser)."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import expect_lang

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

PARTICIPANT = "mieszkanka@example.org"


def _sign_in_here(page, password: str) -> None:
    page.fill("#email", PARTICIPANT)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()


def test_english_chosen_before_signing_in_survives_it(
    app, browser, live_server, page, demo_site, axe
):
    page.goto("/auth/login")
    expect_lang(page, "pl")
    page.get_by_role("link", name="English").click()
    expect_lang(page, "en")
    axe(page)
    _sign_in_here(page, DEMO_PASSWORD)
    expect(page.locator("main h1")).to_be_visible()
    expect_lang(page, "en")  # kept through the new session that signing in starts
    with app.app_context():
        saved = db.session.scalar(select(User.locale).where(User.email == PARTICIPANT))
    assert saved == "en"

    # Another browser, nothing chosen there: the account's language is used after signing in.
    context = browser.new_context(base_url=live_server.url, locale="pl-PL")
    other = context.new_page()
    other.goto("/auth/login")
    expect_lang(other, "pl")
    _sign_in_here(other, DEMO_PASSWORD)
    expect(other.locator("main h1")).to_be_visible()
    expect_lang(other, "en")
    context.close()
