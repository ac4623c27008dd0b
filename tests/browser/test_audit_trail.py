"""The audit trail in a real browser: a coordinator changes a participant's phone, opens the
trail from the menu, filters it down to that record and reads the change in plain words (that
the phone changed, never the numbers: personal data stay out of the trail); the
record's history too. Every page passes axe in Polish and in English and fits a 360 px phone."""

import pytest

from tests.browser.pages import (
    check_both_languages,
    fits_phone,
    follow_menu,
    participant_id,
    path_is,
    sign_in,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

pytestmark = pytest.mark.browser

COORDINATOR = "koordynator@example.org"
UCZESTNIK = "uczestnik@example.org"
NEW_PHONE = "+48 600 700 800"


def change_the_phone(page, person: int) -> None:
    page.goto(f"/staff/participants/{person}/edit")
    page.fill("#phone", NEW_PHONE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(path_is(f"/staff/participants/{person}"))


def filter_to_the_change(page, person: int) -> None:
    follow_menu(page, "/staff/audit")
    page.wait_for_url(path_is("/staff/audit"))
    page.select_option("#action", "participant.update")
    page.select_option("#record_type", "participants")
    page.fill("#record_id", str(person))
    page.locator("main form.filters button[type=submit]").click()
    page.wait_for_url(path_is("/staff/audit"))


def test_a_coordinator_finds_their_change_in_the_trail(app, page, demo_site, axe, screenshot):
    person = participant_id(app, UCZESTNIK)
    sign_in(page, COORDINATOR)
    change_the_phone(page, person)
    filter_to_the_change(page, person)
    entry = page.locator("main .audit-entries > li").first
    expect(entry).to_contain_text("Zmieniono dane uczestnika")
    expect(entry).to_contain_text("Telefon: zmieniono (dane osobowe")
    expect(entry).not_to_contain_text(NEW_PHONE)  # personal data stay out of the trail
    expect(page.locator("main .audit-entries > li")).to_have_count(1)
    screenshot(page, "audit-trail-filtered")
    check_both_languages(page, axe, {"main .audit-entries": "Participant's details changed"})

    # A bad filter is explained beside its field, and the page stays usable.
    page.fill("#since", "2026-05-02")
    page.fill("#until", "2026-05-01")
    page.locator("main form.filters button[type=submit]").click()
    expect(page.locator("#until-error")).to_be_visible()
    expect(page.locator("#since")).to_have_value("2026-05-02")  # what was typed stays
    axe(page)

    # The record's own history, from its page.
    page.goto(f"/staff/participants/{person}")
    page.get_by_role("link", name="Historia zmian").click()
    page.wait_for_url(path_is(f"/staff/history/participants/{person}"))
    expect(page.locator("main .audit-entries")).to_contain_text("Telefon: zmieniono")
    expect(page.locator("main .audit-entries")).to_contain_text("Wyświetlono kartę uczestnika")
    check_both_languages(page, axe)


def test_the_trail_fits_a_phone(app, phone_page, demo_site, axe, screenshot):
    person = participant_id(app, UCZESTNIK)
    sign_in(phone_page, COORDINATOR)
    change_the_phone(phone_page, person)
    filter_to_the_change(phone_page, person)
    fits_phone(phone_page)
    phone_page.goto("/staff/audit")
    fits_phone(phone_page)
    screenshot(phone_page, "audit-trail-phone")
    axe(phone_page)
    phone_page.goto(f"/staff/history/participants/{person}")
    fits_phone(phone_page)
    axe(phone_page)
