"""Administration pages: the centre's staff accounts, centres (installation administrators) and
residents' requests for an account."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.extensions import db
from portal.models import Centre
from portal.models.base import utcnow
from portal.models.enums import STAFF_ROLES, CentreKind, Role
from portal.services import account_requests, accounts, centres, participants
from portal.staff import bp
from portal.staff.admin_forms import CentreForm, RefusalForm, StaffUserForm


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.ADMIN)
def users():
    if current_user.centre_id is None:
        abort(404)  # an installation administrator without a centre has no staff of its own
    form = StaffUserForm()
    centre = db.session.get(Centre, current_user.centre_id)
    if form.validate_on_submit():
        with boundary.shown(form):
            user = accounts.create_user(
                email=form.email.data,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                roles={Role(value) for value in form.roles.data},
                centre=centre,
                actor=current_user,
            )
            accounts.invite(user, actor=current_user)
            flash(_("The account has been created and an invitation sent."), "success")
            return redirect(url_for("staff.users"))
    staff = participants.list_staff(centre.id, *STAFF_ROLES)
    return render_template("staff/users.html", form=form, staff=staff)


@bp.route("/centres", methods=["GET", "POST"], endpoint="centres")
@role_required(Role.ADMIN)
def centres_view():
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
    return render_template("staff/centres.html", form=form, centres=centres.list_centres())


@bp.get("/account-requests", endpoint="account_requests")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_requests_list():
    return _requests_page()


def _requests_page(*, refused: tuple[int, RefusalForm] | None = None):
    """The pending requests; `refused` is (request id, form) when a refusal came back with
    its errors, shown on that request's card."""
    return render_template(
        "staff/account_requests.html",
        requests=account_requests.list_pending(current_user.centre_id),
        refused=refused,
    )


@bp.post("/account-requests/<int:request_id>/accept")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_request_accept(request_id: int):
    user = account_requests.accept(
        request_id, current_user.centre_id, actor=current_user, now=utcnow()
    )
    flash(
        _("%(name)s is recorded and has been sent an invitation.", name=user.full_name),
        "success",
    )
    return redirect(url_for("staff.account_requests"))


@bp.post("/account-requests/<int:request_id>/refuse")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_request_refuse(request_id: int):
    form = RefusalForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            account_requests.refuse(
                request_id,
                current_user.centre_id,
                reason=form.reason.data,
                actor=current_user,
                now=utcnow(),
            )
            flash(_("The request is refused and the person has been told."), "success")
            return redirect(url_for("staff.account_requests"))
    return _requests_page(refused=(request_id, form))
