"""The coordinator's money pages in Chromium: the stage's ledger, a correction with its
confirmation, project posts and a month's salaries, an event's costs; axe-clean in both
languages, a refusal beside its field."""

from tests.browser.pages import check_both_languages, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None


def test_a_coordinator_keeps_the_stage_ledger_in_both_languages(page, demo_site, axe):
    sign_in(page, "koordynator@example.org")
    page.goto("/staff/")
    page.locator("main a[href$='/money']").first.click()
    expect(page.locator("main h1")).to_contain_text("Finanse etapu")
    check_both_languages(page, axe, {"main h1": "Money of the stage"})

    page.select_option("#line_id", index=1)
    stage_year = page.locator("main h1").inner_text().split()[-1]
    page.fill("#spent_on", f"{stage_year}-06-15")
    page.fill("#document_number", "FV 77/06")
    page.fill("#issuer", "Hurtownia Papiernicza")
    page.fill("#issuer_nip", "526-025-02-74")
    page.fill("#description", "Materiały biurowe")
    # More than any line holds: refused beside the amount, with what is left.
    page.fill("#amount", "99 999 999,00")
    page.get_by_role("button", name="Wpisz wydatek").click()
    expect(page.locator("#amount-error")).to_contain_text("zostało")
    expect(page.locator(".error-summary")).to_be_visible()
    axe(page)
    page.fill("#amount", "12,50")
    page.get_by_role("button", name="Wpisz wydatek").click()
    expect(page.locator("main table").last).to_contain_text("FV 77/06")

    page.locator("main a[href*='/correct']").first.click()
    check_both_languages(page, axe, {"main h1": "Correct an entry"})
    page.fill("#amount", "10,00")
    page.fill("#reason", "Rabat na fakturze")
    page.get_by_role("button", name="Dalej").click()
    expect(page.locator("#confirm-title")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Potwierdź korektę").click()
    expect(page.locator("main")).to_contain_text("Rabat na fakturze")


def test_posts_salaries_and_event_costs_pages_pass_axe(page, demo_site, axe):
    sign_in(page, "koordynator@example.org")
    page.goto("/staff/posts")
    check_both_languages(page, axe, {"main h1": "Project posts"})
    page.get_by_role("link", name="Dodaj etat").click()
    check_both_languages(page, axe, {"main h1": "Add a post"})
    page.select_option("#project_id", index=1)
    page.fill("#person_name", "Ewa Zielińska")
    page.fill("#title", "Pracownik socjalny")
    page.fill("#fte_percent", "50")
    page.fill("#starts_on", "2000-01-01")
    page.fill("#monthly_cost", "2 500,00")
    page.get_by_role("button", name="Zapisz etat").click()
    expect(page.locator("#salary-title")).to_be_visible()
    check_both_languages(page, axe, {"main h1": "Change a post"})

    page.goto("/staff/posts/salaries")
    check_both_languages(page, axe, {"main h1": "Post salaries for a month"})

    page.goto("/staff/events")
    page.locator("main td a[href^='/staff/events/']").first.click()
    page.get_by_role("link", name="Koszty wydarzenia").click()
    check_both_languages(page, axe, {"main h1": "Costs of the event"})
