"""A coordinator turns on two-factor authentication through the pages, signs out, and signs in
again with a one-time code computed as an authenticator app would (pyotp), and finds that sign-in
and a change made after it on the audit trail; a sensitive page asks
to confirm the sign-in, answered with a recovery code. axe checks every new page in Polish and
English (Chromium, a Polish browser)."""

import re
import time

import pyotp
from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import (
    check_both_languages,
    follow_menu,
    participant_id,
    path_is,
    sign_in,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

COORDINATOR = "koordynator@example.org"


def _secret(app) -> str:
    with app.app_context():
        return db.session.scalar(select(User.totp_secret).where(User.email == COORDINATOR))


def _submit(page) -> None:
    page.locator("main form button[type=submit]").first.click()


def test_a_coordinator_turns_on_two_factor_and_signs_in_with_a_code(app, page, demo_site, axe):
    sign_in(page, COORDINATOR)
    follow_menu(page, "/auth/security")
    expect(page.locator("main h1")).to_have_text("Bezpieczeństwo konta")
    check_both_languages(page, axe, {"main h1": "Account security"})

    page.get_by_role("button", name="Skonfiguruj uwierzytelnianie dwuskładnikowe").click()
    expect(page).to_have_url(path_is("/auth/security/two-factor"))
    expect(page.locator("main svg.qr-code")).to_be_visible()
    check_both_languages(page, axe, {"main h1": "Set up two-factor authentication"})
    secret = _secret(app)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page.content()

    page.fill("#code", "000000")  # a wrong code first: the message, beside the field
    _submit(page)
    expect(page.locator("#code-error")).to_contain_text("Ten kod jest nieprawidłowy")
    axe(page)
    page.fill("#code", pyotp.TOTP(secret).now())
    _submit(page)
    expect(page.locator("main h1")).to_have_text("Twoje kody odzyskiwania")
    axe(page)
    codes = re.findall(r"<code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code>", page.content())
    assert len(codes) == 10
    page.get_by_role("link", name="Zapisałem(-am) kody").click()
    expect(page).to_have_url(path_is("/auth/security"))

    # Signing in again: the password, then the code page, then the coordinator's home page.
    page.locator("header form button[type=submit]").click()
    expect(page).to_have_url(path_is("/auth/login"))
    page.fill("#email", COORDINATOR)
    page.fill("#password", DEMO_PASSWORD)
    _submit(page)
    expect(page).to_have_url(path_is("/auth/code"))
    check_both_languages(page, axe, {"main h1": "Enter your one-time code"})
    page.fill("#code", "111111")
    _submit(page)
    expect(page.locator("#code-error")).to_be_visible()
    axe(page)
    page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))  # the enrolment's step is spent
    _submit(page)
    expect(page).to_have_url(path_is("/staff/"))
    expect(page.locator("main h1")).to_be_visible()

    # The audit trail shows that sign-in, with how it was made, and a change made after it.
    person = participant_id(app, "uczestnik@example.org")
    page.goto(f"/staff/participants/{person}/edit")
    page.fill("#phone", "+48 600 100 200")
    _submit(page)
    expect(page).to_have_url(path_is(f"/staff/participants/{person}"))
    follow_menu(page, "/staff/audit")
    entries = page.locator("main .audit-entries > li")
    change = entries.filter(has_text="Zmieniono dane uczestnika").first
    expect(change).to_contain_text("Telefon: zmieniono")
    sign_in_entry = entries.filter(has_text="Zalogowano").first
    expect(sign_in_entry).to_contain_text("Sposób: hasłem i kodem jednorazowym")

    # A sensitive page after the sign-in grew old: confirm, here with a recovery code.
    app.config["FRESH_LOGIN_MINUTES"] = 0
    page.goto("/auth/security/password")
    expect(page).to_have_url(path_is("/auth/confirm"))
    expect(page.locator("#code")).to_be_visible()
    axe(page)
    page.fill("#password", DEMO_PASSWORD)
    page.fill("#code", codes[0])
    app.config["FRESH_LOGIN_MINUTES"] = 10  # the confirmation makes the sign-in recent again
    _submit(page)
    expect(page).to_have_url(path_is("/auth/security/password"))
    check_both_languages(page, axe, {"main h1": "Change your password"})
    page.goto("/auth/confirm?lang=en")
    axe(page)
    page.goto("/auth/security/two-factor/off?lang=pl")
    check_both_languages(page, axe, {"main h1": "Turn off two-factor authentication"})
