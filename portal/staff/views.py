"""The coordinator's dashboard. The other staff subjects have modules of their own
(participants, admin, events, ...), registered on the same blueprint."""

from flask import flash, render_template
from flask_login import current_user

from portal.auth.access import role_required
from portal.models.enums import Role
from portal.services import budget, participants
from portal.services.errors import PortalError
from portal.staff import bp


def show_error(form, error: PortalError) -> None:
    """Put a rule's refusal next to the field it concerns, or on top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")


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
from portal.staff.participants import detail_page  # noqa: E402, F401 - staff.courses uses it
