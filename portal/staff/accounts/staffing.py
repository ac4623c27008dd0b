"""The centre's staff accounts, kept by its coordinators: created and invited, their roles,
deactivated and reactivated, a leaver's caseload handed over."""

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user

from portal import boundary
from portal.auth.access import home_url, me, role_required, safe_next
from portal.auth.fresh import fresh_login_required
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.models.people import User
from portal.services.accounts import accounts, staffing
from portal.services.common import loading
from portal.staff import mail_limits
from portal.staff.accounts.staffing_forms import HandoverForm, RolesForm, StaffUserForm
from portal.staff.blueprint import bp

MANAGERS = (Role.COORDINATOR, Role.ADMIN)


def _centre_id() -> int:
    # An installation administrator without a centre has no staff of its own.
    return loading.centre_id_of(me())


@bp.route("/users", methods=["GET", "POST"])
@mail_limits.invitations
@role_required(*MANAGERS)
def users() -> ResponseReturnValue:
    form = StaffUserForm()
    centre = loading.centre(_centre_id())
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
            # The user is of the signed-in coordinator's centre (get_account saw to it).
            for colleague in staffing.successors(_centre_id(), role, leaving=user):
                colleagues.setdefault(colleague.id, (colleague, []))[1].append(role)
    form.successor_id.choices = [(0, _("— choose —"))] + [
        (colleague.id, f"{colleague.full_name} ({', '.join(str(r.label) for r in roles)})")
        for colleague, roles in sorted(
            colleagues.values(), key=lambda pair: (pair[0].last_name, pair[0].first_name)
        )
    ]


def _account_page(
    user: User, *, roles_form: RolesForm, handover_form: HandoverForm
) -> ResponseReturnValue:
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
def user_account(user_id: int) -> ResponseReturnValue:
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
def user_handover(user_id: int) -> ResponseReturnValue:
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
def user_deactivate(user_id: int) -> ResponseReturnValue:
    user = staffing.get_account(_centre_id(), user_id)
    staffing.deactivate(user, actor=current_user, now=utcnow())
    flash(_("%(name)s's account is deactivated and signed out.", name=user.full_name), "success")
    return redirect(url_for("staff.user_account", user_id=user.id))


@bp.post("/users/<int:user_id>/reactivate")
@role_required(*MANAGERS)
def user_reactivate(user_id: int) -> ResponseReturnValue:
    user = staffing.get_account(_centre_id(), user_id)
    staffing.reactivate(user, actor=current_user, now=utcnow())
    flash(_("%(name)s's account is active again.", name=user.full_name), "success")
    return redirect(url_for("staff.user_account", user_id=user.id))


@bp.post("/users/<int:user_id>/resend-invitation")
@mail_limits.invitations
@role_required(*MANAGERS)
def user_resend_invitation(user_id: int) -> ResponseReturnValue:
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
