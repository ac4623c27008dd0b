"""The administrator's page of undelivered e-mail in a browser: axe in both languages, the
"try again" button from the keyboard, readable on a 360 px phone."""

from datetime import timedelta

from portal.extensions import db
from portal.models import OutboxMessage
from portal.models.base import utcnow
from portal.services.mail import mail
from tests.browser.pages import expect_lang, fits_phone, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None


def undelivered(app) -> None:
    with app.app_context():
        now = utcnow()
        db.session.add_all(
            [
                OutboxMessage(
                    to_address="jan.kowalski@example.org", subject="Temat", body="Treść\n",
                    attempts=mail.MAX_ATTEMPTS, failed_at=now,
                    last_error="SMTPRecipientsRefused: {'jan.kowalski@example.org': (550, b'')}",
                ),
                OutboxMessage(
                    to_address="anna.nowak@example.org", subject="Temat", body="Treść\n",
                    attempts=2, next_attempt_at=now + timedelta(minutes=2),
                    last_error="ConnectionRefusedError: [Errno 111] Connection refused",
                ),
            ]
        )  # fmt: skip
        db.session.commit()


def test_undelivered_mail_page_is_accessible_and_retries_from_the_keyboard(
    app, page, demo_site, axe
):
    undelivered(app)
    sign_in(page, "admin@example.org")
    page.goto("/staff/outbox")
    expect_lang(page, "pl")
    axe(page)
    text = page.locator("main").inner_text()
    assert "kowalski" not in text  # recipients masked, in the error too
    assert "j***@example.org" in text
    page.goto("/staff/outbox?lang=en")
    expect_lang(page, "en")
    axe(page)

    button = page.locator("main table button").first
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash, [role=status], [role=alert]").first).to_be_visible()
    axe(page)
    with app.app_context():
        retried = db.session.query(OutboxMessage).filter_by(attempts=0).count()
    assert retried == 1


def test_undelivered_mail_page_fits_a_phone(app, phone_page, demo_site):
    undelivered(app)
    sign_in(phone_page, "admin@example.org")
    phone_page.goto("/staff/outbox")
    fits_phone(phone_page)
