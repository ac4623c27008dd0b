"""The yearly report of a project stage, kept by the coordinator: the figures computed from the
data with the coordinator's texts around them, per section with revisions, closing (which
freezes the figures), and its PDF and DOCX, asked for here and built by a worker
(portal/jobs; the job's page offers the file)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import require_roles
from portal.jobs import documents
from portal.models import ProjectStage, StageReport
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.centres import projects
from portal.services.common import loading
from portal.services.jobs import kinds
from portal.services.reporting import (
    discrepancies,
    figures_check,
    report_docx,
    report_text,
    yearly_report,
)
from portal.services.reporting.yearly_facts import Figures
from portal.staff.jobs import jobs as job_pages
from portal.staff.jobs.job_forms import JobRequestForm
from portal.staff.reporting.report_forms import (
    ReportSectionForm,
    close_form_for,
    explanation_field,
)

bp = Blueprint("reports", __name__)


@bp.before_request
def _coordinators_only() -> ResponseReturnValue | None:
    refusal = require_roles(Role.COORDINATOR)
    if refusal is None and current_user.centre_id is None:
        abort(403)
    return refusal


def _loaded(stage_id: int) -> tuple[ProjectStage, StageReport | None, Figures]:
    """The centre's stage (404 otherwise), its report if any, and the figures it states."""
    stage = projects.get_stage(current_user.centre_id, stage_id)
    report = yearly_report.find(stage.id)
    return stage, report, yearly_report.figures(report, stage.id)


def _document(stage_id: int) -> dict[str, object]:
    stage, report, facts = _loaded(stage_id)
    return {
        "stage": stage,
        "report": report,
        "facts": facts,
        "sections": report_text.sections(facts),
        "texts": report.texts if report else {},
        "title": report_text.title(facts),
        "place_line": documents.place_line(stage, report),
        "paragraphs_of": report_docx.paragraphs_of,
        "document_form": JobRequestForm(),
    }


@bp.get("/stages/<int:stage_id>/report")
def report_page(stage_id: int) -> ResponseReturnValue:
    return render_template("staff/reporting/report.html", **_document(stage_id))


@bp.route("/stages/<int:stage_id>/report/sections/<section>", methods=["GET", "POST"])
def report_section(stage_id: int, section: str) -> ResponseReturnValue:
    loading.known(section, yearly_report.SECTIONS)
    stage, report, facts = _loaded(stage_id)
    heading = {s.key: s.heading for s in report_text.sections(facts)}[section]
    form = ReportSectionForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            try:
                saved = yearly_report.save_section(
                    stage,
                    section,
                    form.text.data or "",
                    version=form.version.data or 0,
                    actor=current_user,
                    now=utcnow(),
                )
            except yearly_report.ReportConflict as conflict:
                current = conflict.current
                retry = ReportSectionForm(
                    formdata=None, data={"text": form.text.data, "version": current.version_id}
                )
                return render_template(
                    "staff/reporting/conflict.html",
                    stage=stage,
                    section=section,
                    heading=heading,
                    form=retry,
                    mine=form.text.data or "",
                    theirs=current.texts.get(section, ""),
                    message=conflict.message,
                ), 409
            flash(_("Saved.") if saved else _("Nothing changed."), "success")
            return redirect(url_for(".report_page", stage_id=stage.id) + f"#section-{section}")
    elif not form.is_submitted():
        form = ReportSectionForm(
            formdata=None,
            data={
                "text": report.texts.get(section, "") if report else "",
                "version": report.version_id if report else 0,
            },
        )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "staff/reporting/section_form.html",
        stage=stage,
        report=report,
        section=section,
        heading=heading,
        form=form,
    ), status


@bp.get("/stages/<int:stage_id>/report/revisions")
def report_revisions(stage_id: int) -> ResponseReturnValue:
    stage, report, _facts = _loaded(stage_id)
    sections = {s.key: s.heading for s in report_text.sections(_facts)}
    return render_template(
        "staff/reporting/revisions.html",
        stage=stage,
        report=report,
        revisions=yearly_report.revisions(report),
        sections=sections,
    )


@bp.get("/stages/<int:stage_id>/report/check")
def report_check(stage_id: int) -> ResponseReturnValue:
    stage, report, _facts = _loaded(stage_id)
    return render_template(
        "staff/reporting/check.html",
        stage=stage,
        report=report,
        found=figures_check.check_stage(stage, now=utcnow()),
        discrepancies=discrepancies,
    )


@bp.route("/stages/<int:stage_id>/report/close", methods=["GET", "POST"])
def report_close(stage_id: int) -> ResponseReturnValue:
    stage, report, facts = _loaded(stage_id)
    found = figures_check.check_stage(stage, now=utcnow())
    form_class = close_form_for(found)
    form = form_class()
    if form.validate_on_submit():
        with boundary.shown(form):
            try:
                yearly_report.close(
                    stage,
                    version=form.version.data or 0,
                    actor=current_user,
                    now=utcnow(),
                    explanations={
                        discrepancies.key(each): form[explanation_field(each)].data or ""
                        for each in found
                    },
                )
            except yearly_report.ReportConflict:
                flash(
                    _("Someone changed the report after you opened this page. Read it again."),
                    "error",
                )
                return redirect(url_for(".report_page", stage_id=stage.id))
            flash(_("The report is closed; its figures are kept as they are now."), "success")
            return redirect(url_for(".report_page", stage_id=stage.id))
    elif not form.is_submitted():
        form = form_class(formdata=None, data={"version": report.version_id if report else 0})
    return render_template(
        "staff/reporting/close.html",
        stage=stage,
        report=report,
        facts=facts,
        form=form,
        found=[(each, form[explanation_field(each)]) for each in found],
        discrepancies=discrepancies,
    ), (400 if form.is_submitted() else 200)


# The report's documents are built by a worker (portal/jobs): the page asks, the job's page
# offers the file when it is ready.
DOCUMENT_KINDS = {"pdf": kinds.YEARLY_PDF, "docx": kinds.YEARLY_DOCX}


@bp.post("/stages/<int:stage_id>/report/documents/<file_format>")
def report_document(stage_id: int, file_format: str) -> ResponseReturnValue:
    loading.known(file_format, DOCUMENT_KINDS)
    stage = projects.get_stage(current_user.centre_id, stage_id)
    form = JobRequestForm()
    if not form.validate_on_submit():
        flash(_("The request could not be read. Try again."), "error")
        return redirect(url_for(".report_page", stage_id=stage.id))
    return job_pages.start(
        DOCUMENT_KINDS[file_format],
        {"stage_id": stage.id},
        centre_id=stage.project.centre_id,
        form=form,
    )
