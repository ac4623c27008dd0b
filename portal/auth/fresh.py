"""Sensitive actions need a recent sign-in (ASVS 3.7.1): role changes, full exports, a new
password.

The sign-in's time is kept in the session (`second_step.SIGNED_IN_AT`). `fresh_login_required`
sends someone who signed in longer ago than FRESH_LOGIN_MINUTES to confirm it is them (password,
plus a one-time code with two-factor), then back. A page (GET) is simply opened again. A form
that was posted is carried along the way kept forms are (`auth.kept`, with its rules: this
session's token, the fields its form declares, the same account): after the confirmation the
person sees what they sent and sends it again with one button, so nothing is lost; a form that
kept nothing (only passwords, or a page not listed) on a page that can be opened is opened again.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import cast, overload
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from portal.auth import kept
from portal.auth.access import P, View, home_url, login_required, me, safe_next
from portal.auth.blueprint import bp, login_limit
from portal.auth.second_step import SIGNED_IN_AT
from portal.auth.security_forms import ConfirmForm, TurnOffForm
from portal.extensions import limiter, login_manager
from portal.models import User
from portal.models.base import utcnow
from portal.services.accounts import accounts, sign_ins, two_factor
from portal.services.accounts.two_factor import Method

log = logging.getLogger("portal.auth")


def is_fresh() -> bool:
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int):
        return False
    age = utcnow().timestamp() - signed_in_at
    minutes: int = current_app.config["FRESH_LOGIN_MINUTES"]
    return -60 <= age <= minutes * 60


@overload
def fresh_login_required(view: View[P], *, methods: tuple[str, ...] | None = None) -> View[P]: ...


@overload
def fresh_login_required(
    view: None = None, *, methods: tuple[str, ...] | None = None
) -> Callable[[View[P]], View[P]]: ...


def fresh_login_required(
    view: View[P] | None = None, *, methods: tuple[str, ...] | None = None
) -> View[P] | Callable[[View[P]], View[P]]:
    """Only with a recent sign-in (for `methods`, or every method); else confirm it first."""

    def decorator(view: View[P]) -> View[P]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            if not current_user.is_authenticated:
                return cast(ResponseReturnValue, login_manager.unauthorized())
            if (methods is None or request.method in methods) and not is_fresh():
                return _ask_to_confirm()
            return view(*args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def _ask_to_confirm() -> ResponseReturnValue:
    if request.method == "GET":
        return redirect(url_for("auth.confirm", next=request.full_path.rstrip("?")))
    carried = kept.from_request()
    if carried is None or not carried.fields:
        # Nothing typed to send again: a page that can be opened is, after the confirmation.
        path = safe_next(request.path)
        if path is not None and _opens_with_get(path):
            return _confirm_page(ConfirmForm(formdata=None), None, next_url=path)
    return _confirm_page(ConfirmForm(formdata=None), carried)


def _carried() -> kept.Kept | None:
    """A form the confirmation page carried, if it was kept for the person signed in."""
    if not request.form.get(kept.ACTION):
        return None
    carried = kept.from_request()
    if carried is None or carried.owner != current_user.id:
        return None
    return carried


def _confirm_page(form: ConfirmForm, carried: kept.Kept | None, next_url: str | None = None) -> str:
    if not current_user.has_two_factor and "code" in form:
        del form.code
    if carried is not None:
        kept.carry(carried)
    return render_template(
        "auth/confirm.html",
        form=form,
        kept=carried,
        destination=kept.destination(carried.action) if carried else None,
        next_url=next_url,
        minutes=current_app.config["FRESH_LOGIN_MINUTES"],
        names=(kept.PREFIX, kept.ACTION, kept.LANG),
    )


def check_person(user: User, form: ConfirmForm | TurnOffForm) -> Method | None:
    """The password, then (with two-factor) the code; wrong ones are counted toward the lockout
    and shown beside their field. The caller renders with 200, so the count is kept."""
    now = utcnow()
    if accounts.authenticate(user.email, form.password.data, now=now) is None:
        form.password.errors.append(
            _(
                "The password is not right. After many failed attempts signing in pauses for a "
                "few minutes."
            )
        )
        return None
    if not user.has_two_factor:
        return Method.PASSWORD
    method = two_factor.check_code(user, form.code.data, now=now)
    if method is None:
        form.code.errors.append(
            _("This code is not right or has already been used. Enter the newest code.")
        )
    return method


def _opens_with_get(path: str) -> bool:
    try:
        current_app.url_map.bind("localhost").match(urlsplit(path).path, method="GET")
    except HTTPException:
        return False
    return True


@bp.route("/confirm", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@login_required
def confirm() -> ResponseReturnValue:
    carried = _carried()
    next_url = safe_next(request.values.get("next"))
    form = ConfirmForm()
    if not current_user.has_two_factor:
        del form.code
    if form.validate_on_submit():
        method = check_person(me(), form)
        if method is not None:
            now = utcnow()
            session[SIGNED_IN_AT] = int(now.timestamp())
            sign_ins.confirmed(me(), method, now=now)
            log.info("sign-in of user %d confirmed", current_user.id)
            if carried is not None:
                if not carried.fields and _opens_with_get(carried.action):
                    return redirect(carried.action)
                return kept.signed_in_again(carried)
            return redirect(next_url or home_url(current_user))
    return _confirm_page(form, carried, next_url)
