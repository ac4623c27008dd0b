"""ESF monitoring data: the export of a stage (coordinator) and the spreadsheet import (staff who
record people)."""

import io

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.auth.fresh import fresh_login_required
from portal.forms import CsrfForm
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.models.imports import ImportBatch, ImportStatus
from portal.services.centres import projects
from portal.services.common import exports, loading
from portal.services.esf import esf_export, import_files, import_rules, imports
from portal.services.jobs import kinds
from portal.services.people import participants
from portal.staff.esf.esf_forms import ConfirmForm, ExportForm, UploadForm
from portal.staff.jobs import jobs as job_pages

bp = Blueprint("esf", __name__)

EXPORTERS = (Role.COORDINATOR,)
IMPORTERS = (Role.COORDINATOR, Role.SOCIAL_WORKER)


@bp.get("/esf-export")
@role_required(*EXPORTERS)
def export_overview() -> ResponseReturnValue:
    return render_template(
        "staff/esf/export_overview.html",
        projects=projects.list_projects(current_user.centre_id, outline=True),
        version=esf_export.VERSION,
    )


@bp.route("/esf-export/stages/<int:stage_id>", methods=["GET", "POST"])
@role_required(*EXPORTERS)
@fresh_login_required(methods=("POST",))  # a full export of personal data (ASVS 3.7.1)
def export_stage(stage_id: int) -> ResponseReturnValue:
    stage = projects.get_stage(current_user.centre_id, stage_id)
    form = ExportForm()
    if form.validate_on_submit():
        # Built by a worker (portal/jobs); the key is read there, never kept with the job.
        return job_pages.start(
            kinds.ESF_EXPORT,
            {
                "stage_id": stage.id,
                "file_format": form.file_format.data,
                "pseudonymised": form.variant.data == "pseudonymised",
            },
            centre_id=stage.project.centre_id,
            form=form,
        )
    return render_template(
        "staff/esf/export_stage.html",
        form=form,
        stage=stage,
        count=esf_export.count_of(stage),
        columns=esf_export.COLUMNS,
        version=esf_export.VERSION,
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def import_upload() -> ResponseReturnValue:
    form = UploadForm()
    limits = import_files.Limits.from_config(current_app.config)
    if form.validate_on_submit():
        data = form.file.data.stream.read(import_files.MAX_BYTES + 1)
        with boundary.shown(form):
            batch = imports.preview(
                data,
                centre=current_user.centre,
                actor=current_user,
                now=utcnow(),
                limits=limits,
            )
            return redirect(url_for(".import_batch", batch_id=batch.id))
    return render_template(
        "staff/esf/import_upload.html",
        form=form,
        columns=import_rules.COLUMNS,
        project=participants.current_project(current_user.centre_id),
        limits=limits,
    )


@bp.get("/import/template.xlsx", defaults={"kind": "xlsx"})
@bp.get("/import/template.csv", defaults={"kind": "csv"})
@role_required(*IMPORTERS)
def import_template(kind: str) -> ResponseReturnValue:
    header = [column.header for column in import_rules.COLUMNS]
    if kind == "csv":
        body, mimetype = exports.to_csv(header, []).encode("utf-8"), "text/csv"
    else:
        body, mimetype = _template_xlsx(header), esf_export.XLSX
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="uczestnicy-wzor.{kind}"'},
    )


def _template_xlsx(header: list[str]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Uczestnicy"
    sheet.append(header)
    for letter in "ABCDEFGHIJ":  # every column is text: a PESEL keeps its leading zero
        for row in range(2, 1002):
            sheet[f"{letter}{row}"].number_format = "@"
    notes = workbook.create_sheet(_("Instructions")[:31])
    for column in import_rules.COLUMNS:
        notes.append([column.header, str(column.description)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@bp.route("/import/<int:batch_id>", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def import_batch(batch_id: int) -> ResponseReturnValue:
    batch = loading.of_centre(ImportBatch, batch_id, current_user.centre_id)
    form = ConfirmForm()
    if batch.status == ImportStatus.PENDING and form.validate_on_submit():
        with boundary.shown(form):
            count = imports.confirm(
                batch, valid_only=form.mode.data == "valid", actor=current_user, now=utcnow()
            )
            flash(_("Participants recorded from the file: %(count)d.", count=count), "success")
            return redirect(url_for("staff.participants"))
    elif request.method == "POST" and batch.status != ImportStatus.PENDING:
        flash(_("This file has already been imported or discarded."), "error")
    problems = [
        (row, column, import_rules.message(code, kw)) for row, column, code, kw in batch.problems
    ]
    return render_template(
        "staff/esf/import_batch.html",
        batch=batch,
        form=form,
        problems=problems,
        bad_rows=len(imports.bad_rows(batch)),
    )


@bp.post("/import/<int:batch_id>/discard")
@role_required(*IMPORTERS)
def import_discard(batch_id: int) -> ResponseReturnValue:
    batch = loading.of_centre(ImportBatch, batch_id, current_user.centre_id)
    form = CsrfForm()
    if form.validate_on_submit():
        imports.discard(batch, actor=current_user, now=utcnow())
        flash(_("The file is discarded; nothing from it was recorded."), "success")
    return redirect(url_for(".import_upload"))
