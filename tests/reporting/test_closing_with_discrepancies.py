"""Closing a report while the check of the figures finds something: each finding needs a written
explanation beside it, a finding that appears after the page was opened is refused beside its
own field, and the explanations are printed as the annex of the PDF and the DOCX, in Polish."""

import pytest

from portal.extensions import db
from portal.models import ProjectStage, StageReport, User
from portal.models.base import utcnow
from portal.services.reporting import discrepancies, figures_check, yearly_report
from tests.helpers import input_tag
from tests.jobs.helpers import prepared, report_url
from tests.reporting.checking import COORDINATOR, sql
from tests.reporting.test_yearly_report import docx_text, pdf_text

WHY = "Korekta księgowa z 30 grudnia, ujęta w budżecie na rok następny."


def close_page(client, stage_id):
    return client.get(f"/staff/stages/{stage_id}/report/close")


def report_of(app, stage_id) -> StageReport | None:
    with app.app_context():
        report = yearly_report.find(stage_id)
        if report is not None:
            db.session.expunge(report)
        return report


def closed(app, stage_id) -> bool:
    report = report_of(app, stage_id)
    return report is not None and report.closed_at is not None


def field_names(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('name="why_')[1:]]


def version_of(html: str) -> str:
    return input_tag(html, "version").split('value="', 1)[1].split('"', 1)[0]


def plant_line_difference(app, centre, line="allowance_line"):
    sql(
        app,
        "UPDATE budget_lines SET committed_grosze = committed_grosze + 100 WHERE id = :id",
        id=centre[line],
    )


def test_a_clean_stage_closes_without_explanations(app, centre, login_as):
    client = login_as(COORDINATOR)
    page = close_page(client, centre["stage"]).get_data(as_text=True)
    assert field_names(page) == []
    response = client.post(
        f"/staff/stages/{centre['stage']}/report/close", data={"version": version_of(page)}
    )
    assert response.status_code == 302
    report = report_of(app, centre["stage"])
    assert report.closed_at is not None
    assert report.explained_discrepancies == []


def test_a_discrepancy_needs_its_explanation_then_goes_to_the_annex(app, centre, login_as):
    plant_line_difference(app, centre)
    client = login_as(COORDINATOR)
    page = close_page(client, centre["stage"]).get_data(as_text=True)
    assert f'href="/staff/stages/{centre["stage"]}/money"' in page
    [name] = field_names(page)
    url = f"/staff/stages/{centre['stage']}/report/close"

    refused = client.post(url, data={"version": version_of(page), f"why_{name}": "  "})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    field_html = html.split(f'id="why_{name}-error"', 1)
    assert len(field_html) == 2, "the error is beside its field"
    assert not closed(app, centre["stage"])

    accepted = client.post(url, data={"version": version_of(page), f"why_{name}": WHY})
    assert accepted.status_code == 302
    report = report_of(app, centre["stage"])
    assert report.closed_at is not None
    [kept] = report.explained_discrepancies
    assert kept["rule"] == "line-committed"
    assert kept["records"] == [["budget_line", centre["allowance_line"]]]
    assert kept["explanation"] == WHY

    # The annex, in Polish; the PDF even for a coordinator reading the portal in English.
    word = prepared(client, report_url(centre["stage"], "docx"))
    pdf = prepared(client, report_url(centre["stage"], "pdf", "?lang=en"))
    for text in (pdf_text(pdf.data), docx_text(word.data)):
        assert "Załącznik: rozbieżności" in text
        assert f"pozycja budżetu nr {centre['allowance_line']}" in text
        assert WHY in text
    english = docx_text(prepared(client, report_url(centre["stage"], "docx", "?lang=en")).data)
    assert "Annex: discrepancies" in english


def test_a_finding_that_appears_after_the_page_was_opened_is_refused_beside_it(
    app, centre, login_as
):
    plant_line_difference(app, centre)
    client = login_as(COORDINATOR)
    page = close_page(client, centre["stage"]).get_data(as_text=True)
    [first] = field_names(page)
    plant_line_difference(app, centre, line="course_line")  # while the coordinator writes
    response = client.post(
        f"/staff/stages/{centre['stage']}/report/close",
        data={"version": version_of(page), f"why_{first}": WHY},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    [kept, new] = field_names(html)
    assert kept == first
    assert WHY in html, "what was typed is kept"
    assert f'id="why_{new}-error"' in html
    assert not closed(app, centre["stage"])


def test_the_service_refuses_to_close_with_an_unexplained_finding(app, centre):
    plant_line_difference(app, centre)
    with app.app_context():
        stage = db.session.get(ProjectStage, centre["stage"])
        coordinator = db.session.query(User).filter_by(email=COORDINATOR).one()
        now = utcnow()
        with pytest.raises(yearly_report.ReportRefused):
            yearly_report.close(stage, version=0, actor=coordinator, now=now)
        db.session.rollback()  # as the request's boundary does
        [finding] = figures_check.check_stage(stage, now=now)
        report = yearly_report.close(
            stage,
            version=0,
            actor=coordinator,
            now=now,
            explanations={discrepancies.key(finding): WHY},
        )
        assert [each.explanation for each in yearly_report.explained(report)] == [WHY]
        db.session.rollback()
