"""The coordinator's dashboard. The other staff subjects have modules of their own
(participants, admin, events, ...), registered on the same blueprint."""

from flask import render_template
from flask_login import current_user

from portal.auth.access import role_required
from portal.models.enums import Role
from portal.services import budget, participants
from portal.staff import bp


@bp.get("/")
@role_required(Role.COORDINATOR, Role.ADMIN)
def dashboard():
    centre_id = current_user.centre_id
    return render_template(
        "staff/dashboard.html",
        stages=budget.stages_with_lines(centre_id),
        counts=participants.path_counts(centre_id),
        totals=budget.line_totals,
    )


# The package imports this module; these register their routes on `bp` with it.
from portal.staff import admin  # noqa: E402, F401
from portal.staff import participants as participant_pages  # noqa: E402, F401
