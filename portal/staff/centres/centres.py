"""The installation's centres, kept by its administrators: a new centre with its first
coordinator invited, and any centre's name and contact details."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.models.enums import CentreKind, Role
from portal.services.accounts import accounts
from portal.services.centres import centres
from portal.staff.blueprint import bp
from portal.staff.centres.centre_forms import CentreForm
from portal.staff.centres.setup import centre_details_page


@bp.route("/centres", methods=["GET", "POST"], endpoint="centres")
@role_required(Role.ADMIN)
def centres_view() -> ResponseReturnValue:
    form = CentreForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            centre = centres.create_centre(
                name=form.name.data,
                short_name=form.short_name.data,
                kind=CentreKind(form.kind.data),
                town=form.town.data,
                actor=current_user,
            )
            coordinator = accounts.create_user(
                email=form.coordinator_email.data,
                first_name=form.coordinator_first_name.data,
                last_name=form.coordinator_last_name.data,
                roles={Role.COORDINATOR},
                centre=centre,
                actor=current_user,
            )
            accounts.invite(coordinator, actor=current_user)
            flash(_("The centre has been created and its coordinator invited."), "success")
            return redirect(url_for("staff.centres"))
    return render_template("staff/centres/centres.html", form=form, centres=centres.list_centres())


@bp.route("/centres/<int:centre_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def centre_details(centre_id: int) -> ResponseReturnValue:
    """The installation administrator corrects any centre's name and contact details."""
    return centre_details_page(
        centre_id, back_url=url_for("staff.centres"), back_label=_("Back to the centres")
    )
