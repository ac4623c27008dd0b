"""A background job's page (its progress, refreshing itself until the file is ready) and its
file, for those who may read the page the job was asked from, in its centre."""

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user

from portal.auth.fresh import is_fresh
from portal.models import Job
from portal.models.base import utcnow
from portal.services.audit import audit_trail
from portal.services.centres import projects
from portal.services.jobs import jobs, kinds
from portal.staff.blueprint import bp
from portal.staff.jobs.job_forms import JobRequestForm

# The page each kind is asked from: the job's page links back to it.
ORIGINS = {
    kinds.YEARLY_PDF: "staff.reports.report_page",
    kinds.YEARLY_DOCX: "staff.reports.report_page",
    kinds.ESF_EXPORT: "staff.esf.export_stage",
    kinds.CENTRAL_SYSTEM: "staff.esf.central_system_page",
}
# Seconds between the page's own reloads while the job is not finished (no JavaScript needed).
REFRESH_SECONDS = 3


def start(
    kind: str, params: dict[str, object], *, centre_id: int, form: JobRequestForm
) -> ResponseReturnValue:
    """Ask for the document (once per sent form) and go to its job's page."""
    job = jobs.enqueue(
        kind,
        params,
        centre_id=centre_id,
        actor=current_user,
        locale=str(get_locale()),
        token=form.token(),
        now=utcnow(),
    )
    return redirect(url_for("staff.job_page", job_id=job.id))


def _origin(job: Job) -> str | None:
    endpoint = ORIGINS.get(job.kind)
    stage_id = job.params.get("stage_id")
    return url_for(endpoint, stage_id=stage_id) if endpoint and stage_id else None


@bp.get("/jobs/<int:job_id>")
def job_page(job_id: int) -> ResponseReturnValue:
    job = jobs.readable(job_id, reader=current_user)
    return render_template(
        "staff/jobs/job.html",
        job=job,
        kind=kinds.KINDS[job.kind],
        origin=_origin(job),
        refresh=None if job.finished else REFRESH_SECONDS,
    )


@bp.get("/jobs/<int:job_id>/file")
def job_file(job_id: int) -> ResponseReturnValue:
    job = jobs.readable(job_id, reader=current_user)
    body = jobs.body_of(job)
    if kinds.KINDS[job.kind].fresh_sign_in and not is_fresh():
        # Confirm it is still them, then come back to the file.
        return redirect(url_for("auth.confirm", next=request.full_path.rstrip("?")))
    filename = job.result_filename or f"job-{job.id}"
    stage = projects.get_stage(job.centre_id, int(job.params["stage_id"]))
    audit_trail.record_download(
        stage,
        actor=current_user,
        document=kinds.KINDS[job.kind].document,
        file_format=filename.rpartition(".")[2],
        centre_id=job.centre_id,
    )
    return Response(
        body,
        mimetype=job.result_mimetype or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
