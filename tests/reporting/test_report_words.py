"""The yearly report's words and files (issue 25): which stage of the project it is, the DOCX
numbered as the PDF and with the centre's own properties, the files named in Polish."""

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import docx
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ProjectStage
from portal.services.reporting import report_text, yearly_figures
from tests.helpers import translated
from tests.jobs.helpers import prepared, report_url
from tests.reporting.test_yearly_report import DEMO_PASSWORD, _stage_id

FIRST = "In %(year)d %(centre)s carried out the first stage of the project “%(title)s”."
LATER = "In %(year)d %(centre)s carried out stage %(number)d of the project “%(title)s”."
ANY = "In %(year)d %(centre)s carried out a stage of the project “%(title)s”."


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_report_says_which_stage_of_the_project_it_is(app, demo, lang):
    stage_id = _stage_id(app, "ops-janow", 2013)
    with app.app_context():
        stage = db.session.get(ProjectStage, stage_id)
        earlier = db.session.scalar(
            select(func.count(ProjectStage.id)).where(
                ProjectStage.project_id == stage.project_id,
                ProjectStage.start_date < stage.start_date,
            )
        )
        facts = yearly_figures.figures(stage_id)
        assert facts.stage_number == earlier + 1
        said = {"year": facts.year, "centre": facts.centre_name, "title": facts.title}
        with app.test_request_context(), force_locale(lang):
            opening = report_text.sections(facts)[0].paragraphs[0]
            first = report_text.sections(replace(facts, stage_number=1))[0].paragraphs[0]
            unknown = report_text.sections(replace(facts, stage_number=0))[0].paragraphs[0]
    expected = (
        translated(app, FIRST, locale=lang, html=False, **said)
        if facts.stage_number == 1
        else translated(app, LATER, locale=lang, html=False, number=facts.stage_number, **said)
    )
    # The section's first paragraph opens with the sentence, followed by the project's details.
    assert opening.startswith(expected)
    assert first.startswith(translated(app, FIRST, locale=lang, html=False, **said))
    assert unknown.startswith(translated(app, ANY, locale=lang, html=False, **said))
    if lang == "en":
        assert "first stage" in first
        assert "next" not in first


def test_the_docx_is_numbered_and_carries_the_centres_properties(app, demo, client, login_as):
    stage_id = _stage_id(app, "ops-janow", 2013)
    login_as("koordynator@example.org", DEMO_PASSWORD)
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    word = prepared(client, report_url(stage_id, "docx"))
    assert word.status_code == 200
    assert re.search(r'filename="sprawozdanie-2013-\d+\.docx"', word.headers["Content-Disposition"])
    document = docx.Document(io.BytesIO(word.data))
    with app.app_context():
        facts = yearly_figures.figures(stage_id)
        with app.test_request_context(), force_locale("pl"):
            headings = [section.heading for section in report_text.sections(facts)]
            title = report_text.title(facts)
    shown = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    numbered = [f"{n}. {heading}" for n, heading in enumerate(headings, start=1)]
    assert shown[: len(numbered)] == numbered
    properties = document.core_properties
    assert properties.author == facts.centre_name
    assert properties.last_modified_by == facts.centre_name
    assert properties.title == title
    for moment in (properties.created, properties.modified):
        assert moment.replace(tzinfo=UTC) >= before
    assert "python-docx" not in (properties.comments or "")


def test_the_documents_of_a_stage_are_named_in_polish(app, demo, client, login_as):
    stage_id = _stage_id(app, "ops-janow", 2013)
    login_as("koordynator@example.org", DEMO_PASSWORD)
    pdf = prepared(client, report_url(stage_id, "pdf"))
    ledger = client.get(f"/staff/stages/{stage_id}/ledger.xlsx")
    assert ledger.status_code == 200
    names = [
        re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"])[1]
        for response in (pdf, ledger)
    ]
    assert names == [f"sprawozdanie-2013-{stage_id}.pdf", f"ksiega-wydatkow-2013-{stage_id}.xlsx"]


def test_a_budget_row_is_never_split_across_pages(app):
    style = app.jinja_env.loader.get_source(app.jinja_env, "pdf/stage_report.html")[0]
    assert re.search(r"\btr \{[^}]*break-inside: avoid", style)
