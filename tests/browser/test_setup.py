"""The centre's set-up in Chromium, in Polish: every page passes axe in both languages, a
refusal lands beside its field with the typed value kept, and the pages fit a 360 px phone."""

from tests.browser.pages import check_both_languages, fits_phone, follow_menu, path_is, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None


def test_a_coordinator_sets_up_a_project_stage_line_and_village_in_polish(page, demo_site, axe):
    sign_in(page, "koordynator@example.org")
    follow_menu(page, "/staff/setup/")
    expect(page).to_have_url(path_is("/staff/setup/"))
    check_both_languages(page, axe, {"main h1": "Centre set-up"})
    expect(page.locator("main h1")).to_have_text("Ustawienia ośrodka")

    page.get_by_role("link", name="Dodaj projekt").click()
    check_both_languages(page, axe)
    page.fill("#title", "Nowy start w Gminie Janów")
    page.fill("#start_date", "2027-01-01")
    page.fill("#end_date", "2028-12-31")
    page.get_by_role("button", name="Zapisz projekt").click()

    # A stage outside its year: the message is beside the field, what was typed stays.
    page.fill("#year", "2027")
    page.fill("#start_date", "2026-12-01")
    page.fill("#end_date", "2027-12-31")
    page.get_by_role("button", name="Zapisz etap").click()
    expect(page.locator("#start_date-error")).to_contain_text("2027")
    expect(page.locator("#start_date")).to_have_value("2026-12-01")
    expect(page.locator(".error-summary")).to_be_visible()
    axe(page)
    page.fill("#start_date", "2027-01-01")
    page.get_by_role("button", name="Zapisz etap").click()

    check_both_languages(page, axe)
    page.select_option("#kind", "allowances")
    page.fill("#planned", "90 000,00")
    page.get_by_role("button", name="Zapisz pozycję").click()
    expect(page.locator("main")).to_contain_text("90")

    page.goto("/staff/setup/villages")
    check_both_languages(page, axe)
    page.fill("#name", "Zofianka Górna")
    page.get_by_role("button", name="Dodaj").click()
    expect(page.locator("main table")).to_contain_text("Zofianka Górna")


def test_the_coordinator_corrects_the_centres_details_and_the_privacy_notice_names_the_officer(
    page, demo_site, axe
):
    sign_in(page, "koordynator@example.org")
    page.goto("/staff/setup/")
    page.get_by_role("link", name="Zmień dane ośrodka").click()
    check_both_languages(page, axe, {"main h1": "The centre's details"})
    expect(page.locator("main h1")).to_have_text("Dane ośrodka")

    # A broken e-mail address: the message is beside the field, everything typed stays.
    page.fill("#phone", "15 872 00 00")
    page.fill("#email", "ops.janow(at)example.org")
    page.fill("#dpo_contact", "iod@janow.example.org")
    page.get_by_role("button", name="Zapisz dane").click()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.locator("#email")).to_have_value("ops.janow(at)example.org")
    expect(page.locator("#dpo_contact")).to_have_value("iod@janow.example.org")
    axe(page)
    page.fill("#email", "ops@janow.example.org")
    page.get_by_role("button", name="Zapisz dane").click()
    expect(page).to_have_url(path_is("/staff/setup/"))

    page.goto("/privacy")
    expect(page.locator("a[href='mailto:iod@janow.example.org']")).to_be_visible()
    expect(page.locator("a[href='mailto:ops@janow.example.org']").first).to_be_visible()


def test_the_set_up_pages_fit_a_phone(phone_page, demo_site):
    sign_in(phone_page, "koordynator@example.org")
    for path in (
        "/staff/setup/",
        "/staff/setup/projects/new",
        "/staff/setup/courses",
        "/staff/setup/details",
    ):
        phone_page.goto(path)
        fits_phone(phone_page)
