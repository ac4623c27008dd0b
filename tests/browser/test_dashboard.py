"""The coordinator's dashboard in Chromium: the demo's 2013 stage chosen with the form, its charts
drawn, axe-clean in both languages, a figure followed to its list, the yearly report downloaded as
PDF and DOCX from the stage's link, and a 360 px phone."""

import docx

from tests.browser.pages import (
    check_both_languages,
    download_prepared,
    fits_phone,
    path_is,
    pdf_text,
    sign_in,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

COORDINATOR = "koordynator@example.org"


def _choose_2013(page) -> None:
    page.goto("/staff/")
    page.select_option("#stage", label="Etap 2013")
    page.locator("form.stage-chooser button[type=submit]").click()
    expect(page.locator("#stage option[selected]")).to_have_text("Etap 2013")


def test_the_coordinator_reads_a_stage_in_charts(app, page, demo_site, axe, screenshot, tmp_path):
    sign_in(page, COORDINATOR)
    _choose_2013(page)
    charts = page.locator("main svg.chart[role=img]")
    expect(charts).to_have_count(7)
    for index in range(7):
        expect(charts.nth(index)).to_be_visible()
    expect(page.locator("main .figure-text").first).to_contain_text("6")
    check_both_languages(
        page,
        axe,
        {"#chart-people-title": "People in support per month, 2013", "main h1": "Project"},
    )
    screenshot(page, "dashboard-2013")
    shot = tmp_path / "dashboard-2013.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000, f"screenshot at {shot}"

    # A figure leads to the list behind it.
    page.locator("#figure-events").click()
    expect(page).to_have_url(path_is("/staff/events"))
    expect(page.locator("main")).to_contain_text("Spotkanie")

    # The stage's yearly report, in both formats, from the dashboard's link.
    _choose_2013(page)
    page.locator("#stage-links a[href$='/report']").click()
    check_both_languages(page, axe)
    report = page.url.split("?")[0]
    for lang, activated in (("pl", "37"), ("en", "37")):
        page.goto(f"{report}?lang={lang}")
        pdf = download_prepared(app, page, "#prepare-pdf")
        assert activated in pdf_text(pdf.path())
        assert "Biała Pierwsza" in pdf_text(pdf.path())
        page.goto(f"{report}?lang={lang}")
        word = download_prepared(app, page, "#prepare-docx")
        text = "\n".join(p.text for p in docx.Document(word.path()).paragraphs)
        assert "Zwierzyniec" in text, lang


def test_the_dashboard_fits_a_phone(phone_page, demo_site, axe):
    page = phone_page
    sign_in(page, COORDINATOR)
    _choose_2013(page)
    fits_phone(page)
    axe(page)
