"""The ESF export and the spreadsheet import in Chromium: axe-clean in both languages, without
JavaScript, at phone width."""

import csv
import io

from sqlalchemy import select

from portal.extensions import db
from portal.models import Participant, ProjectStage
from portal.services.esf import import_rules
from tests.browser.pages import (
    check_both_languages,
    download_prepared,
    expect,
    fits_phone,
    path_is,
    sign_in,
)


def _file(tmp_path) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([column.header for column in import_rules.COLUMNS])
    writer.writerow(["Teodora", "Importowana", "", "02.03.1985", "K", "", "", "", "tak", "nie"])
    writer.writerow(["Bez", "", "44051401358", "31.02.1980", "X", "Nigdzie", "", "", "", ""])
    path = tmp_path / "uczestnicy.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return str(path)


def test_a_coordinator_exports_a_stage_and_imports_a_file(app, page, demo_site, axe, tmp_path):
    # The portal's pages carry no script; axe itself needs JavaScript to run.
    sign_in(page, "koordynator@example.org")
    page.goto("/staff/esf-export")
    check_both_languages(page, axe)
    with app.app_context():
        stage_id = db.session.scalar(select(ProjectStage.id).where(ProjectStage.year == 2013))
    page.goto(f"/staff/esf-export/stages/{stage_id}")
    check_both_languages(page, axe)
    page.locator("#file_format-1").check()
    download = download_prepared(app, page, "main form button[type=submit]")
    assert download.suggested_filename.endswith("etap-2013.csv")

    page.goto("/staff/import")
    check_both_languages(page, axe)
    page.locator("main form button[type=submit]").click()  # no file chosen
    expect(page.locator("#file-error")).to_be_visible()
    axe(page)
    page.set_input_files("#file", _file(tmp_path))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("table")).to_be_visible()
    check_both_languages(page, axe)
    page.locator("main form button[type=submit]").first.click()  # "every row": refused
    expect(page.locator("#mode-error")).to_be_visible()
    axe(page)
    page.locator("#mode-1").check()
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(path_is("/staff/participants"))
    with app.app_context():
        assert db.session.scalar(
            select(Participant.id).where(Participant.last_name == "Importowana")
        )


def test_the_pages_fit_a_phone(app, phone_page, demo_site):
    sign_in(phone_page, "koordynator@example.org")
    with app.app_context():
        stage_id = db.session.scalar(select(ProjectStage.id).where(ProjectStage.year == 2013))
    for url in ("/staff/esf-export", f"/staff/esf-export/stages/{stage_id}", "/staff/import"):
        phone_page.goto(url)
        fits_phone(phone_page)
