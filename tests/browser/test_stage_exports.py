"""A stage's exports page in Chromium: reached from the stage's money page, axe-clean in both
languages, and a download gives the file under its Polish, dated name."""

from tests.browser.pages import check_both_languages, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None


def test_the_exports_page_passes_axe_and_downloads_a_file(page, demo_site, axe):
    sign_in(page, "koordynator@example.org")
    page.goto("/staff/")
    page.locator("main a[href$='/money']").first.click()
    page.get_by_role("link", name="Zestawienia etapu dla instytucji finansującej").click()
    expect(page.locator("main h1")).to_contain_text("Zestawienia etapu")
    expect(page.locator("main h2")).to_have_count(7)  # the six exports and the central system
    expect(page.get_by_role("button", name="Pobierz XLSX")).to_have_count(6)
    check_both_languages(page, axe, {"main h1": "Exports of the stage"})

    with page.expect_download() as waiting:
        page.locator("main form[action$='/participants.csv'] button").click()
    download = waiting.value
    assert download.suggested_filename.startswith("uczestnicy-etap-")
    assert download.suggested_filename.endswith(".csv")
