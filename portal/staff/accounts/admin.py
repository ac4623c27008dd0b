"""Administration pages: the centre's staff accounts, centres (installation administrators) and
residents' requests for an account."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user

from portal import boundary
from portal.auth.access import home_url, role_required, safe_next
from portal.auth.fresh import fresh_login_required
from portal.extensions import db
from portal.models import Centre
from portal.models.base import utcnow
from portal.models.enums import CentreKind, Role
from portal.models.people import User
from portal.services.accounts import accounts, staffing
from portal.services.centres import centres
from portal.services.people import account_requests
from portal.staff.accounts.admin_forms import (
    CentreForm,
    HandoverForm,
    RefusalForm,
    RolesForm,
    StaffUserForm,
)
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.centres.setup import centre_details_page

MANAGERS = (Role.COORDINATOR, Role.ADMIN)


def _centre_id() -> int:
    if current_user.centre_id is None:
        abort(404)  # an installation administrator without a centre has no staff of its own
    return current_user.centre_id


@bp.route("/users", methods=["GET", "POST"])
@role_required(*MANAGERS)
def users():
    form = StaffUserForm()
    centre = db.session.get(Centre, _centre_id())
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
    return render_template(
        "staff/accounts/users.html",
        form=form,
        staff=staffing.list_accounts(centre.id),
        invitees=staffing.awaiting_password(centre.id, actor=current_user, now=utcnow()),
    )


def _handover_choices(form: HandoverForm, user: User) -> None:
    """The roles in which `user` keeps participants, and the colleagues who could take them."""
    counts = staffing.caseload_counts(user)
    form.role.choices = [
        (
            role.value,
            ngettext(
                "%(role)s: %(num)d participant",
                "%(role)s: %(num)d participants",
                count,
                role=role.label,
            ),
        )
        for role, count in counts.items()
        if count
    ]
    if form.role.data is None and len(form.role.choices) == 1:
        form.role.data = form.role.choices[0][0]
    colleagues: dict[int, tuple[User, list[Role]]] = {}
    for role, count in counts.items():
        if count:
            for colleague in staffing.successors(user.centre_id, role, leaving=user):
                colleagues.setdefault(colleague.id, (colleague, []))[1].append(role)
    form.successor_id.choices = [(0, _("— choose —"))] + [
        (colleague.id, f"{colleague.full_name} ({', '.join(str(r.label) for r in roles)})")
        for colleague, roles in sorted(
            colleagues.values(), key=lambda pair: (pair[0].last_name, pair[0].first_name)
        )
    ]


def _account_page(user: User, *, roles_form: RolesForm, handover_form: HandoverForm):
    return render_template(
        "staff/accounts/users_account.html",
        user=user,
        roles_form=roles_form,
        handover_form=handover_form,
        may_change=staffing.may_change(user, current_user),
        awaits_password=accounts.awaits_password(user),
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
@fresh_login_required(methods=("POST",))  # a role change (ASVS 3.7.1)
def user_account(user_id: int):
    user = staffing.get_account(_centre_id(), user_id)
    form = RolesForm(data={"roles": [role.value for role in user.roles]})
    if form.validate_on_submit():
        with boundary.shown(form):
            changed = staffing.change_roles(
                user, {Role(value) for value in form.roles.data}, actor=current_user
            )
            if changed and user.id == current_user.id:
                login_user(user)  # this browser stays signed in; every other session ends
            flash(_("The roles are saved.") if changed else _("Nothing has changed."), "success")
            if not current_user.has_role(*MANAGERS):
                return redirect(home_url(current_user))
            return redirect(url_for("staff.user_account", user_id=user.id))
    handover = HandoverForm(formdata=None)
    _handover_choices(handover, user)
    return _account_page(user, roles_form=form, handover_form=handover)


@bp.post("/users/<int:user_id>/handover")
@role_required(*MANAGERS)
def user_handover(user_id: int):
    centre_id = _centre_id()
    user = staffing.get_account(centre_id, user_id)
    form = HandoverForm()
    _handover_choices(form, user)
    if form.validate_on_submit():
        with boundary.shown(form):
            moved = staffing.hand_over(
                user,
                staffing.get_account(centre_id, form.successor_id.data),
                Role(form.role.data),
                actor=current_user,
                now=utcnow(),
            )
            flash(
                ngettext(
                    "%(num)d participant has been handed over.",
                    "%(num)d participants have been handed over.",
                    moved,
                ),
                "success",
            )
            return redirect(url_for("staff.user_account", user_id=user.id))
    roles = RolesForm(formdata=None, data={"roles": [role.value for role in user.roles]})
    return _account_page(user, roles_form=roles, handover_form=form)


@bp.post("/users/<int:user_id>/deactivate")
@role_required(*MANAGERS)
def user_deactivate(user_id: int):
    user = staffing.get_account(_centre_id(), user_id)
    staffing.deactivate(user, actor=current_user, now=utcnow())
    flash(_("%(name)s's account is deactivated and signed out.", name=user.full_name), "success")
    return redirect(url_for("staff.user_account", user_id=user.id))


@bp.post("/users/<int:user_id>/reactivate")
@role_required(*MANAGERS)
def user_reactivate(user_id: int):
    user = staffing.get_account(_centre_id(), user_id)
    staffing.reactivate(user, actor=current_user, now=utcnow())
    flash(_("%(name)s's account is active again.", name=user.full_name), "success")
    return redirect(url_for("staff.user_account", user_id=user.id))


@bp.post("/users/<int:user_id>/resend-invitation")
@role_required(*MANAGERS)
def user_resend_invitation(user_id: int):
    user = staffing.get_invitee(_centre_id(), user_id, actor=current_user)
    accounts.resend_invitation(user, actor=current_user, now=utcnow())
    flash(
        _(
            "A new invitation has been sent to %(email)s. The links sent before no longer work.",
            email=user.email,
        ),
        "success",
    )
    return redirect(safe_next(request.form.get("next")) or url_for("staff.users"))


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
    return render_template("staff/accounts/centres.html", form=form, centres=centres.list_centres())


@bp.route("/centres/<int:centre_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def centre_details(centre_id: int):
    """The installation administrator corrects any centre's name and contact details."""
    return centre_details_page(
        centre_id, back_url=url_for("staff.centres"), back_label=_("Back to the centres")
    )


@bp.get("/account-requests", endpoint="account_requests")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_requests_list():
    return _requests_page()


def _requests_page(*, refused: tuple[int, RefusalForm] | None = None):
    """The pending requests; `refused` is (request id, form) when a refusal came back with
    its errors, shown on that request's card."""
    pending = account_requests.list_pending(current_user.centre_id)
    reads.requests_listed(pending)
    return render_template(
        "staff/accounts/account_requests.html", requests=pending, refused=refused
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
