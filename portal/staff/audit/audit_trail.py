"""The audit trail for coordinators (their centre) and administrators (every centre), and the
history of one record.

Who reads it: coordinators and administrators only. The trail says which member of staff did
what and when; the people doing the work see their records' current state on the records' pages.
"""

from flask import flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import role_required
from portal.forms import id_from
from portal.models.enums import Role
from portal.services.audit import audit_labels, audit_trail
from portal.staff.audit.audit_forms import TrailFilterForm
from portal.staff.blueprint import bp

READERS = (Role.COORDINATOR, Role.ADMIN)


def _before() -> int | None:
    """The keyset of the page asked for; a damaged one shows the newest entries."""
    raw = request.args.get("before")
    before = id_from(raw)
    if raw is not None and before is None:
        flash(_("The page link is damaged. The newest entries are shown."), "error")
    return before


@bp.get("/audit")
@role_required(*READERS)
def audit_trail_page() -> ResponseReturnValue:
    every_centre = audit_trail.reads_every_centre(current_user)
    scope = audit_trail.visible_centre(current_user, id_from(request.args.get("centre")))
    form = TrailFilterForm(request.args, meta={"csrf": False})
    form.fill(
        centres=audit_trail.centres() if every_centre else [],
        actors=audit_trail.actors(scope),
        every_centre=every_centre,
    )
    page = None
    if form.validate():
        filters = audit_trail.Filters(
            centre_id=scope,
            actor_id=form.chosen_id("actor"),
            action=form.action.data or None,
            entity_type=form.record_type.data or None,
            entity_id=form.record_id.data,
            since=form.since.data,
            until=form.until.data,
        )
        page = audit_trail.read(filters, before=_before())
    kept = {key: value for key, value in request.args.items() if key != "before" and value}
    return render_template(
        "staff/audit/audit_trail.html",
        form=form,
        page=page,
        kept=kept,
        every_centre=every_centre,
        labels=audit_labels,
    )


@bp.get("/history/<entity_type>/<int:entity_id>")
@role_required(*READERS)
def record_history(entity_type: str, entity_id: int) -> ResponseReturnValue:
    page = audit_trail.history(current_user, entity_type, entity_id, before=_before())
    return render_template(
        "staff/audit/record_history.html",
        page=page,
        entity_type=entity_type,
        entity_id=entity_id,
        every_centre=audit_trail.reads_every_centre(current_user),
        labels=audit_labels,
    )
