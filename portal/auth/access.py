"""Access rules checked in one place: roles by decorator, ownership in the services."""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, cast
from urllib.parse import unquote, urlsplit

import flask_login
from flask import abort, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.models import User
from portal.models.enums import Role

P = ParamSpec("P")
# A view function, and what a decorator of views gives back: the same arguments, a response.
View = Callable[P, ResponseReturnValue]


def role_required(*roles: Role) -> Callable[[View[P]], View[P]]:
    """Allow the view only to signed-in users holding one of `roles`; others get 403."""

    def decorator(view: View[P]) -> View[P]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            if not current_user.is_authenticated:
                from portal.extensions import login_manager

                return cast(ResponseReturnValue, login_manager.unauthorized())
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_roles(*roles: Role) -> ResponseReturnValue | None:
    """For a blueprint's before_request: the same rule as role_required, for every view in it."""
    from portal.extensions import login_manager

    if not current_user.is_authenticated:
        return cast(ResponseReturnValue, login_manager.unauthorized())
    if not current_user.has_role(*roles):
        abort(403)
    return None


def login_required(view: View[P]) -> View[P]:
    """Flask-Login's `login_required`, typed (Flask-Login ships no types)."""
    return cast(View[P], flask_login.login_required(view))


def home_url(user: User) -> str:
    """Each role lands on its own home page; a person with several roles on the most senior."""
    if user.has_role(Role.ADMIN):
        return url_for("staff.centres")
    if user.has_role(Role.COORDINATOR):
        return url_for("staff.dashboard")
    if user.has_role(Role.SOCIAL_WORKER):
        return url_for("staff.participants")
    if user.has_role(Role.ADVISOR):
        return url_for("staff.caseload")
    return url_for("participant.home")


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no `//` or backslash tricks (ASVS 5.1.5)."""
    if not target:
        return None
    decoded = target
    for _ in range(3):  # undo double and triple encoding before judging
        decoded = unquote(decoded)
    if not decoded.startswith("/") or decoded.startswith("//") or "\\" in decoded:
        return None
    if any(ord(ch) < 32 for ch in decoded):
        return None
    parts = urlsplit(decoded)
    if parts.scheme or parts.netloc:
        return None
    return target


def me() -> User:
    """The signed-in user itself (not Flask-Login's proxy), to hand to a service."""
    return cast(User, current_user._get_current_object())
