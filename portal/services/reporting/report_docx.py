"""The yearly report as a Word document (python-docx): centres finish such reports in a word
processor. Headings, paragraphs, numbered lists and tables, from the same text as the page."""

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from flask_babel import gettext as _

from portal.models.base import utcnow
from portal.services.reporting import discrepancies, report_text
from portal.services.reporting.report_text import Table
from portal.services.reporting.yearly_facts import Figures


def paragraphs_of(text: str) -> list[str]:
    """The coordinator's text, one paragraph per blank-line-separated block."""
    return [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


def _table(document: Any, table: Table) -> None:
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = text
            if index in table.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _annex(document: Any, explained: list[discrepancies.Explained]) -> None:
    document.add_heading(
        _("Annex: discrepancies found by the check of the figures, with explanations"), level=2
    )
    for each in explained:
        facts = discrepancies.facts(each.found)
        meaning = discrepancies.meaning(each.found)
        document.add_paragraph(f"{meaning} {facts}".strip(), style="List Number")
        records = ", ".join(discrepancies.record_name(record) for record in each.found.records)
        document.add_paragraph(_("Records:") + " " + records)
        document.add_paragraph(_("Explanation:") + " " + each.explanation)


def _properties(document: Any, facts: Figures) -> None:
    """The file's own properties, which a word processor shows and a search indexes: python-docx's
    template says "python-docx", created in 2013; the report is the centre's, written now."""
    now = utcnow().replace(tzinfo=None)  # python-docx writes the time as UTC itself
    properties = document.core_properties
    properties.author = facts.centre_name
    properties.last_modified_by = facts.centre_name
    properties.title = report_text.title(facts)
    properties.created = now
    properties.modified = now
    properties.revision = 1
    properties.comments = ""
    properties.keywords = ""
    properties.subject = ""


def build(
    facts: Figures,
    texts: dict[str, str],
    *,
    place_line: str,
    explained: list[discrepancies.Explained] | None = None,
) -> bytes:
    """The whole report; `texts` are the coordinator's, per section key; `explained`, the
    discrepancies a closed report was closed with, are its annex."""
    document = Document()
    _properties(document, facts)
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(11)
    right = document.add_paragraph(place_line)
    right.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_heading(report_text.title(facts), level=1)
    document.add_paragraph(facts.centre_name)
    # Numbered as the page and the PDF number them (templates/staff/reporting/_sections.html).
    for number, section in enumerate(report_text.sections(facts), start=1):
        document.add_heading(f"{number}. {section.heading}", level=2)
        for text in section.paragraphs:
            document.add_paragraph(text)
        for item in section.items:
            document.add_paragraph(item, style="List Bullet")
        if section.table is not None:
            _table(document, section.table)
        for text in section.notes:
            document.add_paragraph(text)
        for text in paragraphs_of(texts.get(section.key, "")):
            document.add_paragraph(text)
    if explained:
        _annex(document, explained)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
