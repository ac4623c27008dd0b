"""The participant's whole record in a real browser: a social worker opens a person's details,
monitoring data and end of support, sees a refusal beside its field and the conflict-free save,
and the two lists of the centre; the participant reads their own data on a phone. Every page
passes axe in Polish and in English, and the forms fit a 360 px phone."""

import pytest

from tests.browser.pages import (
    check_both_languages,
    fits_phone,
    participant_id,
    path_is,
    sign_in,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

pytestmark = pytest.mark.browser

WORKER = "pracownik@example.org"
UCZESTNIK = "uczestnik@example.org"


def test_a_worker_keeps_the_whole_record(app, page, demo_site, axe):
    person = participant_id(app, UCZESTNIK)
    sign_in(page, WORKER)
    for path in ("/staff/participants/esf-incomplete", "/staff/participants/results-due"):
        page.goto(path)
        check_both_languages(page, axe)
    page.goto(f"/staff/participants/{person}/edit")
    check_both_languages(page, axe)
    page.fill("#phone", "call me maybe")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#phone-error")).to_be_visible()
    axe(page)  # the error summary and the field message
    page.fill("#phone", "+48 600 100 200")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(path_is(f"/staff/participants/{person}"))
    page.goto(f"/staff/participants/{person}/monitoring")
    check_both_languages(page, axe)
    page.goto(f"/staff/participants/{person}/exit")
    check_both_languages(page, axe)


def test_forms_fit_a_phone(app, phone_page, demo_site, axe):
    person = participant_id(app, UCZESTNIK)
    sign_in(phone_page, WORKER)
    for part in ("edit", "monitoring", "exit"):
        phone_page.goto(f"/staff/participants/{person}/{part}")
        fits_phone(phone_page)


def test_a_participant_reads_their_data_on_a_phone(phone_page, demo_site, axe):
    sign_in(phone_page, UCZESTNIK)
    phone_page.goto("/me/my-details")
    check_both_languages(phone_page, axe)
    fits_phone(phone_page)
    phone_page.fill("#phone", "600 700 800")
    phone_page.locator("main form.narrow button[type=submit]").click()
    phone_page.wait_for_url(path_is("/me/my-details"))
    expect(phone_page.locator("#phone")).to_have_value("600 700 800")
