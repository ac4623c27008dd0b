"""The sign-in's second step, the session it starts, and the enrolment a role may require.

After a correct password an account with two-factor is only half signed in: the session holds
who it is (with their session token, so a sign-out elsewhere voids it) and until when, nothing
more; Flask-Login knows nobody. The one-time code (or a recovery code) completes the sign-in
with a fresh session. An account whose role requires two-factor (TWO_FACTOR_REQUIRED_ROLES) and
that has none is signed in, but every page leads to the set-up until it is done.
"""

import logging
from datetime import timedelta

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user

from portal.auth import kept
from portal.auth.access import home_url, safe_next
from portal.auth.blueprint import bp, login_limit
from portal.auth.security_forms import SecondStepForm
from portal.extensions import db, limiter
from portal.i18n import LANG_KEY
from portal.models import User
from portal.models.base import utcnow
from portal.services.accounts import sign_ins, two_factor
from portal.services.accounts.two_factor import Method

log = logging.getLogger("portal.auth")

PENDING = "two_factor_pending"
SIGNED_IN_AT = "signed_in_at"
# What a person who must set up two-factor may still open.
ENROLMENT_ENDPOINTS = frozenset(
    {
        "auth.logout",
        "auth.security",
        "auth.two_factor_start",
        "auth.two_factor_enrol",
        "auth.two_factor_cancel",
        "static",
    }
)


def start_session(user: User, method: Method, lang: str | None = None) -> None:
    """A fresh session (ASVS 3.2.1) with the chosen language, signed in now; audited."""
    lang = lang or session.get(LANG_KEY)
    session.clear()
    if lang in current_app.config["LANGUAGES"]:
        session[LANG_KEY] = lang
    login_user(user)
    now = utcnow()
    session[SIGNED_IN_AT] = int(now.timestamp())
    sign_ins.signed_in(user, method, now=now)
    log.info("sign-in of user %d (%s)", user.id, method.value)


def after_password(user: User, next_url: str | None) -> ResponseReturnValue:
    """The password was right: sign in, or ask for the code first."""
    if not user.has_two_factor:
        start_session(user, Method.PASSWORD)
        return redirect(next_url or home_url(user))
    lang = session.get(LANG_KEY)
    session.clear()
    if lang in current_app.config["LANGUAGES"]:
        session[LANG_KEY] = lang
    minutes = current_app.config["TWO_FACTOR_PENDING_MINUTES"]
    session[PENDING] = {
        "user": user.id,
        "token": user.session_token,
        "until": int((utcnow() + timedelta(minutes=minutes)).timestamp()),
        "next": next_url,
    }
    return redirect(url_for("auth.code"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    if int(pending.get("until") or 0) < utcnow().timestamp():
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.is_active or user.session_token != pending.get("token"):
        return None
    return user


def password_then_code(user: User, carried: kept.Kept) -> str:
    """Signing in again to send a kept form, with two-factor on: the code first, the form along."""
    if carried.lang:
        session[LANG_KEY] = carried.lang  # the language the kept form was typed in
    after_password(user, None)
    # The token made with the old session is void: the page gets one of the new session.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    return _code_page(SecondStepForm(formdata=None), carried)


def _code_page(form: SecondStepForm, carried: kept.Kept | None = None) -> str:
    if carried is not None:
        kept.carry(carried)  # the half-signed-in session carries it for this account only
    return render_template(
        "auth/code.html",
        form=form,
        kept=carried,
        destination=kept.destination(carried.action) if carried else None,
        names=(kept.PREFIX, kept.ACTION, kept.LANG),
    )


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def code() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    user = _pending_user()
    carried = kept.from_request() if request.form.get(kept.ACTION) else None
    if user is None:
        session.pop(PENDING, None)
        flash(_("Signing in took too long. Enter your e-mail address and password again."), "error")
        if carried is not None:
            return kept.ask_to_sign_in(status=200, kept=carried)
        return redirect(url_for("auth.login"))
    if carried is not None and carried.owner != user.id:
        carried = None  # kept for another account: never sent in this one's name
    form = SecondStepForm()
    if form.validate_on_submit():
        method = two_factor.check_code(user, form.code.data, now=utcnow())
        if method is not None:
            next_url = session[PENDING].get("next")
            start_session(user, method)
            if method is Method.RECOVERY_CODE:
                flash(
                    ngettext(
                        "You signed in with a recovery code; it cannot be used again. "
                        "%(num)d unused code is left.",
                        "You signed in with a recovery code; it cannot be used again. "
                        "%(num)d unused codes are left.",
                        two_factor.unused_codes(user),
                    ),
                    "success",
                )
            if carried is not None:
                g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
                return kept.signed_in_again(carried)
            return redirect(safe_next(next_url) or home_url(user))
        log.info("second step refused for user %d", user.id)
        # Rendered with 200, so the boundary keeps the failure counter's update.
        form.code.errors.append(
            _(
                "This code is not right or has already been used. Enter the newest code from "
                "your app, or an unused recovery code. After many failed attempts signing in "
                "pauses for a few minutes."
            )
        )
    return _code_page(form, carried)


@bp.before_app_request
def _enrolment_first() -> ResponseReturnValue | None:
    """A role that requires two-factor: nothing but the set-up until it is done."""
    if request.endpoint in ENROLMENT_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return None
    if not two_factor.must_enrol(current_user, current_app.config["TWO_FACTOR_REQUIRED_ROLES"]):
        return None
    return redirect(url_for("auth.security"))
