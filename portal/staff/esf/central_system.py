"""A stage's participants for the central monitoring system (coordinator): the page with the
central system's checks, and the download once nothing fails.

The download is a POST with the CSRF token, as the stage's other exports: it writes an audit
entry, and a GET changes no data (docs/architecture.md).
"""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import role_required
from portal.auth.fresh import fresh_login_required
from portal.models import Participant
from portal.models.base import utcnow
from portal.services.centres import projects
from portal.services.esf import central_system
from portal.services.jobs import kinds
from portal.staff.audit import reads
from portal.staff.esf.esf import EXPORTERS, bp
from portal.staff.jobs import jobs as job_pages
from portal.staff.jobs.job_forms import JobRequestForm

# Where each kind of failure is corrected.
FIX_PAGES = {
    central_system.EDIT: "staff.participant_edit",
    central_system.MONITORING: "staff.participant_monitoring",
    central_system.EXIT: "staff.participant_exit",
}


@bp.get("/esf-export/stages/<int:stage_id>/central-system")
@role_required(*EXPORTERS)
def central_system_page(stage_id: int) -> ResponseReturnValue:
    stage = projects.get_stage(current_user.centre_id, stage_id)
    checked = central_system.check(stage, now=utcnow())
    failing = {failure.person_id for failure in checked.failures}
    named: list[Participant] = [person for person, _took in checked.people if person.id in failing]
    reads.listed(named, "central_system")
    return render_template(
        "staff/esf/central_system.html",
        stage=stage,
        checked=checked,
        fix_pages=FIX_PAGES,
        form=JobRequestForm(),
    )


@bp.post("/esf-export/stages/<int:stage_id>/central-system.xlsx")
@role_required(*EXPORTERS)
@fresh_login_required  # personal data of a whole stage, PESEL in full (ASVS 3.7.1)
def central_system_download(stage_id: int) -> ResponseReturnValue:
    stage = projects.get_stage(current_user.centre_id, stage_id)
    form = JobRequestForm()
    if not form.validate_on_submit():
        flash(_("The request could not be read. Try again."), "error")
        return redirect(url_for(".central_system_page", stage_id=stage.id))
    # Built by a worker (portal/jobs); a check that fails by then fails the job with its reason.
    return job_pages.start(
        kinds.CENTRAL_SYSTEM, {"stage_id": stage.id}, centre_id=stage.project.centre_id, form=form
    )
