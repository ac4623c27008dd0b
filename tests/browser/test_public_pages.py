"""The public pages in a real browser: the accessibility statement, the privacy notice, the
landing page with the centres' contact details and the account request's consent box pass axe
(WCAG 2.1 A/AA) in both languages and fit a phone; the footer leads to both pages."""

import pytest

from tests.browser.pages import expect_lang, fits_phone, path_is

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

PAGES = ["/", "/accessibility", "/privacy", "/request-account"]


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_public_pages_pass_axe_in_both_languages(page, demo_site, axe, lang):
    for path in PAGES:
        page.goto(f"{path}?lang={lang}")
        expect(page).to_have_url(path_is(path))
        expect_lang(page, lang)
        expect(page.locator("main h1")).to_be_visible()
        axe(page)
    # What the demo's Chrzanów centre has not given says whom to ask, and passes axe too.
    page.goto(f"/accessibility?lang={lang}")
    expect(page.locator(".ask-operator").first).to_be_visible()


def test_footer_leads_to_both_pages_and_they_fit_a_phone(phone_page, demo_site, axe):
    page = phone_page
    page.goto("/?lang=en")
    page.locator("footer a[href='/accessibility']").click()
    expect(page).to_have_url(path_is("/accessibility"))
    expect(page.locator("main h1")).to_have_text("Accessibility statement")
    fits_phone(page)
    page.locator("footer a[href='/privacy']").click()
    expect(page).to_have_url(path_is("/privacy"))
    expect(page.locator("main h1")).to_have_text("Privacy notice")
    fits_phone(page)
    axe(page)


def test_the_consent_box_opens_the_privacy_notice_without_losing_the_form(page, demo_site):
    page.goto("/request-account?lang=en")
    page.fill("#first_name", "Anna")
    link = page.locator("#consent-hint a")
    expect(link).to_have_attribute("href", "/privacy")
    with page.context.expect_page() as opened:
        link.click()
    notice = opened.value
    notice.wait_for_load_state()
    expect(notice.locator("main h1")).to_have_text("Privacy notice")
    expect(page.locator("#first_name")).to_have_value("Anna")
    expect(page.locator("#consent")).to_have_attribute("aria-describedby", "consent-hint")
