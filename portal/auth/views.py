"""Signing in and out, invitations and password resets."""

import logging

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal import boundary
from portal.auth import kept, second_step
from portal.auth.access import home_url, login_required, me, safe_next
from portal.auth.blueprint import bp, login_limit
from portal.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from portal.extensions import limiter
from portal.models.base import utcnow
from portal.services.accounts import accounts, sign_ins
from portal.services.accounts.two_factor import Method
from portal.services.common.errors import InvalidLink, LoginFailed

# Authentication events are logged (ASVS 7.2.1): who by id, never the address or password.
log = logging.getLogger("portal.auth")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data, now=utcnow())
        if user is None:
            # Rendered with 200, so the boundary keeps the failure counter's update.
            log.info("sign-in refused")
            form.password.errors.append(str(LoginFailed.message))
        else:
            return second_step.after_password(user, safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/resume")
@limiter.limit(login_limit)
def resume() -> ResponseReturnValue:
    """Sign in again from a form that was caught by a sign-out; what was typed comes along, for
    the account it was typed in only."""
    form = LoginForm()
    carried = kept.from_request()
    if carried is None:
        return kept.form_expired()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data, now=utcnow())
        if user is not None and user.id != carried.owner:
            # Someone else signs in on this page: signed in, and the text is not theirs to send.
            log.info("sign-in of user %d on a page keeping another account's form", user.id)
            response = second_step.after_password(user, None)
            flash(
                _("What was typed on the previous page was not kept: it was another account's."),
                "error",
            )
            return response
        if user is not None and user.has_two_factor:
            return second_step.password_then_code(user, carried)
        if user is not None:
            log.info("sign-in of user %d to send a kept form again", user.id)
            second_step.start_session(user, Method.PASSWORD, carried.lang)
            # The token made with the old session is void: the page gets one of the new session.
            g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
            return kept.signed_in_again(carried)
        log.info("sign-in refused")
        form.password.errors.append(str(LoginFailed.message))
    # Rendered with 200, so the boundary keeps the failure counter's update.
    return kept.ask_to_sign_in(form, status=200, kept=carried)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    sign_ins.signed_out(me(), now=utcnow())
    accounts.end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.errorhandler(InvalidLink)
def _invalid_link(error: InvalidLink) -> ResponseReturnValue:
    return render_template("auth/link_invalid.html", message=error.message), 400


def _set_password(token: str, purpose: str, template: str) -> ResponseReturnValue:
    form = SetPasswordForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            accounts.set_password_from_link(token, purpose, form.password.data)
            flash(_("Your password is set. You can sign in now."), "success")
            return redirect(url_for("auth.login"))
    user = accounts.user_from_link(token, purpose)
    return render_template(template, form=form, user=user)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    return _set_password(token, accounts.INVITE, "auth/set_password.html")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    return _set_password(token, accounts.RESET, "auth/reset_password.html")


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        # The same answer whether or not the account exists.
        flash(
            _("If an account uses this address, we have sent it a link to set a new password."),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)
