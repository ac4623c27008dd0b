"""What each kind of job builds, from the same services and templates the pages used to answer
with at once.

A builder only reads: the worker builds outside any write (on SQLite a long read holds no lock).
What the export itself puts on the audit trail is returned as `record`, written with the file.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from flask import current_app
from flask_babel import gettext as _

from portal.extensions import db
from portal.models import Job, ProjectStage, StageReport, User
from portal.models.base import utcnow
from portal.pdf import frame_of, render_pdf
from portal.services.centres import projects
from portal.services.common.dates import local_date
from portal.services.esf import central_system, esf_export
from portal.services.jobs import kinds
from portal.services.jobs.jobs import Built
from portal.services.reporting import discrepancies, report_docx, report_text, yearly_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# How far the work is (0-100) and what it is doing, in the requester's language.
Progress = Callable[[int, str], None]
# The export's own audit entries, by the requester, at the moment the file is kept.
Record = Callable[[User, datetime], None]


@dataclass(frozen=True)
class Document:
    built: Built
    record: Record | None = None


def place_line(stage: ProjectStage, report: StageReport | None) -> str:
    """The yearly report's place and date: the day it was closed, or today for a draft."""
    when = local_date(report.closed_at) if report and report.closed_at else local_date(utcnow())
    return cast(
        str, _("%(town)s, %(date)s", town=stage.project.centre.town, date=report_text.day(when))
    )


def _stage(job: Job) -> ProjectStage:
    return projects.get_stage(job.centre_id, int(job.params["stage_id"]))


def yearly_pdf(job: Job, progress: Progress) -> Document:
    stage = _stage(job)
    progress(10, _("Computing the figures"))
    report = yearly_report.find(stage.id)
    facts = yearly_report.figures(report, stage.id)
    closed_at = report.closed_at if report else None
    progress(50, _("Writing the document"))
    filename = f"sprawozdanie-{stage.year}-{stage.id}.pdf"
    body = render_pdf(
        "pdf/stage_report.html",
        filename,
        frame=frame_of(
            stage.project.centre_id, [stage.project], dated=local_date(closed_at or utcnow())
        ),
        facts=facts,
        texts=report.texts if report else {},
        # Written while the document renders, so in Polish whatever the reader's language.
        title_of=report_text.title,
        sections_of=report_text.sections,
        paragraphs_of=report_docx.paragraphs_of,
        # Who closed the report signs it; a draft is signed by the coordinator who asked for it.
        coordinator=(
            report.closed_by if report and closed_at else db.session.get(User, job.requested_by_id)
        ),
        explained=yearly_report.explained(report),
        discrepancies=discrepancies,
    )
    return Document(Built(body, filename, "application/pdf"))


def yearly_docx(job: Job, progress: Progress) -> Document:
    stage = _stage(job)
    progress(10, _("Computing the figures"))
    report = yearly_report.find(stage.id)
    facts = yearly_report.figures(report, stage.id)
    progress(50, _("Writing the document"))
    body = report_docx.build(
        facts,
        report.texts if report else {},
        place_line=place_line(stage, report),
        explained=yearly_report.explained(report),
    )
    # Named as the PDF is (sprawozdanie-…): one language for the files of one download page.
    return Document(Built(body, f"sprawozdanie-{stage.year}-{stage.id}.docx", DOCX))


def esf_workbook(job: Job, progress: Progress) -> Document:
    stage = _stage(job)
    file_format = str(job.params["file_format"])
    pseudonymised = bool(job.params["pseudonymised"])
    # The key is read where the file is built: it never travels in the job's parameters.
    key = current_app.config["PSEUDONYM_KEY"].encode() if pseudonymised else None
    progress(10, _("Reading the participants"))
    exported = esf_export.build(stage, file_format=file_format, pseudonym_key=key, now=utcnow())

    def record(actor: User, now: datetime) -> None:
        esf_export.record_export(
            stage,
            exported,
            file_format=file_format,
            pseudonymised=pseudonymised,
            actor=actor,
            now=now,
        )

    return Document(Built(exported.body, exported.filename, exported.mimetype), record)


def central_workbook(job: Job, progress: Progress) -> Document:
    stage = _stage(job)
    progress(10, _("Checking the participants"))
    exported = central_system.build(stage, now=utcnow())

    def record(actor: User, now: datetime) -> None:
        central_system.record_export(stage, exported, actor=actor, now=now)

    return Document(Built(exported.body, exported.filename, exported.mimetype), record)


Builder = Callable[[Job, Progress], Document]

BUILDERS: dict[str, Builder] = {
    kinds.YEARLY_PDF: yearly_pdf,
    kinds.YEARLY_DOCX: yearly_docx,
    kinds.ESF_EXPORT: esf_workbook,
    kinds.CENTRAL_SYSTEM: central_workbook,
}
