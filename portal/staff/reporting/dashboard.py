"""The staff home: the coordinator's dashboard (its figures are assembled in `dashboard_page`)."""

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.auth.access import role_required
from portal.forms import id_from
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.common import dates
from portal.services.money import budget
from portal.services.reporting import dashboard as stage_figures
from portal.services.reporting import stage_people
from portal.staff.blueprint import bp
from portal.staff.reporting import dashboard_page


@bp.get("/")
@role_required(Role.COORDINATOR, Role.ADMIN)
def dashboard() -> ResponseReturnValue:
    centre_id = current_user.centre_id
    if not current_user.has_role(Role.COORDINATOR):
        # An administrator keeps the overview: the people who took part (support delivered, in
        # any project or year) and every stage's budget.
        return render_template(
            "staff/reporting/dashboard.html",
            stages=budget.stages_with_lines(centre_id),
            counts=stage_people.centre_counts(centre_id),
            totals=budget.line_totals,
        )
    today = dates.local_date(utcnow())
    choices = stage_figures.stages(centre_id)
    stage = dashboard_page.chosen(choices, id_from(request.args.get("stage")), today)
    return render_template(
        "staff/reporting/dashboard.html",
        choices=choices,
        page=dashboard_page.build(stage, today) if stage else None,
        counts=stage_people.centre_counts(centre_id),
    )
