"""The account's security page (staff): two-factor on and off, recovery codes, a new password."""

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user

from portal import boundary
from portal.auth.access import home_url, login_required, me, role_required
from portal.auth.blueprint import bp, login_limit
from portal.auth.fresh import check_person, fresh_login_required
from portal.auth.security_forms import (
    EnrolForm,
    NotificationsForm,
    PasswordChangeForm,
    TurnOffForm,
)
from portal.extensions import limiter
from portal.forms import CsrfForm
from portal.models.base import utcnow
from portal.models.enums import STAFF_ROLES
from portal.services.accounts import accounts, password_change, two_factor
from portal.services.people import account_requests


def _required_roles() -> tuple[str, ...]:
    roles: tuple[str, ...] = current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    return roles


@bp.get("/security")
@role_required(*STAFF_ROLES)
def security() -> ResponseReturnValue:
    return render_template(
        "auth/security.html",
        button=CsrfForm(),
        required=two_factor.is_required(current_user, _required_roles()),
        unused=two_factor.unused_codes(me()) if current_user.has_two_factor else 0,
        notifications=_notifications_form(),
    )


def _notifications_form() -> NotificationsForm | None:
    """The e-mails a member of staff may ask for: only deciders of account requests have one."""
    if not current_user.has_role(*account_requests.DECIDERS):
        return None
    return NotificationsForm(
        formdata=None, data={"notify_account_requests": current_user.notify_account_requests}
    )


@bp.post("/security/notifications")
@role_required(*STAFF_ROLES)
def notifications() -> ResponseReturnValue:
    form = NotificationsForm()
    if form.validate_on_submit():
        with boundary.shown():
            changed = account_requests.set_notification(
                me(), bool(form.notify_account_requests.data), actor=me()
            )
            flash(
                _("Your e-mail settings are saved.") if changed else _("Nothing has changed."),
                "success",
            )
    return redirect(url_for("auth.security", _anchor="notifications"))


@bp.post("/security/two-factor/start")
@role_required(*STAFF_ROLES)
def two_factor_start() -> ResponseReturnValue:
    form = CsrfForm()
    if form.validate_on_submit():
        with boundary.shown():
            two_factor.start(me(), now=utcnow())
            return redirect(url_for("auth.two_factor_enrol"))
    return redirect(url_for("auth.security"))


@bp.route("/security/two-factor", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@role_required(*STAFF_ROLES)
def two_factor_enrol() -> ResponseReturnValue:
    if current_user.has_two_factor or current_user.totp_secret is None:
        return redirect(url_for("auth.security"))
    form = EnrolForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            codes = two_factor.confirm(me(), form.code.data, now=utcnow())
            flash(_("Two-factor authentication is on."), "success")
            # Shown in this answer only: the codes are kept nowhere but as hashes.
            return render_template("auth/recovery_codes.html", codes=codes)
    issuer = current_app.config["TWO_FACTOR_ISSUER"]
    return render_template(
        "auth/two_factor_enrol.html",
        form=form,
        qr=two_factor.qr_svg(
            two_factor.provisioning_uri(current_user, issuer),
            _("QR code to scan with an authenticator app"),
        ),
        secret=two_factor.grouped_secret(current_user.totp_secret),
        issuer=issuer,
        required=two_factor.is_required(current_user, _required_roles()),
        button=CsrfForm(formdata=None),
    )


@bp.post("/security/two-factor/cancel")
@role_required(*STAFF_ROLES)
def two_factor_cancel() -> ResponseReturnValue:
    if CsrfForm().validate_on_submit():
        two_factor.cancel_setup(me(), now=utcnow())
    return redirect(url_for("auth.security"))


@bp.post("/security/recovery-codes")
@role_required(*STAFF_ROLES)
def recovery_codes() -> ResponseReturnValue:
    if not CsrfForm().validate_on_submit():
        return redirect(url_for("auth.security"))
    codes = two_factor.regenerate_codes(me(), now=utcnow())
    flash(_("New recovery codes are ready; the earlier ones no longer work."), "success")
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.route("/security/two-factor/off", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@role_required(*STAFF_ROLES)
def two_factor_off() -> ResponseReturnValue:
    if not current_user.has_two_factor:
        return redirect(url_for("auth.security"))
    required = two_factor.is_required(current_user, _required_roles())
    form = TurnOffForm()
    if not required and form.validate_on_submit() and check_person(me(), form):
        with boundary.shown(form):
            two_factor.turn_off(me(), required_roles=_required_roles(), now=utcnow())
            flash(_("Two-factor authentication is off."), "success")
            return redirect(url_for("auth.security"))
    # A wrong password or code is rendered with 200, so its failure count is kept.
    return render_template("auth/two_factor_off.html", form=form, required=required)


@bp.route("/security/password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@login_required
@fresh_login_required
def password() -> ResponseReturnValue:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        now = utcnow()
        if accounts.authenticate(current_user.email, form.current_password.data, now=now) is None:
            form.current_password.errors.append(
                _(
                    "The current password is not right. After many failed attempts signing in "
                    "pauses for a few minutes."
                )
            )
        else:
            with boundary.shown(form):
                password_change.change_password(me(), form.password.data, now=now)
                login_user(me())  # this browser stays signed in; every other one ends
                flash(
                    _("Your password is changed. You were signed out everywhere else."), "success"
                )
                back = url_for("auth.security") if current_user.is_staff else None
                return redirect(back or home_url(current_user))
    return render_template("auth/password_change.html", form=form)
