"""A stage's exports for the funder (coordinator): the page listing them and the downloads.

A download is a POST with the CSRF token, not a link: it writes an audit entry (who exported
which personal data of which stage), and a GET changes no data (docs/architecture.md), so a
prefetch or another site's image tag cannot put an export that nobody made into the trail.
"""

from flask import Response, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.auth.access import role_required
from portal.auth.fresh import fresh_login_required
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.centres import projects
from portal.services.reporting import stage_exports
from portal.staff.blueprint import bp

EXPORTERS = (Role.COORDINATOR,)


@bp.get("/stages/<int:stage_id>/exports")
@role_required(*EXPORTERS)
def stage_exports_page(stage_id: int) -> ResponseReturnValue:
    stage = projects.get_stage(current_user.centre_id, stage_id)
    return render_template(
        "staff/reporting/stage_exports.html", stage=stage, kinds=stage_exports.kinds()
    )


@bp.post("/stages/<int:stage_id>/exports/<name>.<fmt>")
@role_required(*EXPORTERS)
@fresh_login_required  # personal data of a whole stage (ASVS 3.7.1)
def stage_export(stage_id: int, name: str, fmt: str) -> ResponseReturnValue:
    """`name` one of stage_exports.NAMES, `fmt` csv or xlsx; anything else is not found."""
    stage = projects.get_stage(current_user.centre_id, stage_id)
    exported = stage_exports.export(stage, name, fmt, actor=current_user, now=utcnow())
    return Response(
        exported.body,
        mimetype=exported.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
