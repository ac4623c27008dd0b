"""The staff home: the coordinator's dashboard (its figures are assembled in `dashboard_page`)."""

from datetime import datetime

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.auth.access import role_required
from portal.forms import id_from
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.common import dates
from portal.services.money import budget
from portal.services.people import account_requests
from portal.services.reporting import dashboard as stage_figures
from portal.services.reporting import figures_cache, stage_people
from portal.staff.blueprint import bp
from portal.staff.centres import checklist
from portal.staff.reporting import dashboard_page


@bp.get("/")
@role_required(Role.COORDINATOR, Role.ADMIN)
def dashboard() -> ResponseReturnValue:
    centre_id = current_user.centre_id
    now = utcnow()
    if not current_user.has_role(Role.COORDINATOR):
        # An administrator keeps the overview: the people who took part (support delivered, in
        # any project or year) and every stage's budget.
        return render_template(
            "staff/reporting/dashboard.html",
            stages=budget.stages_with_lines(centre_id),
            counts=_centre_counts(centre_id, now),
            totals=budget.line_totals,
        )
    choices = stage_figures.stages(centre_id)
    today = dates.local_date(now)
    stage = dashboard_page.chosen(choices, id_from(request.args.get("stage")), today)
    # The figures kept since the last change, counted again only when a change moved them.
    kept = figures_cache.figures(centre_id, stage, now=now)
    return render_template(
        "staff/reporting/dashboard.html",
        choices=choices,
        page=dashboard_page.build(stage, kept.stage) if stage and kept.stage else None,
        counts=kept.centre,
        waiting_requests=account_requests.pending_count(centre_id),
        setup=checklist.for_centre(centre_id),
    )


def _centre_counts(centre_id: int | None, now: datetime) -> stage_people.StageCounts:
    if centre_id is None:  # an installation's administrator: no centre, nobody to count
        return stage_people.StageCounts(0, 0, 0)
    return figures_cache.figures(centre_id, None, now=now).centre
