"""The idle sign-out, remembering whose browser it was.

Flask ends a permanent session when its signed cookie is older than PERMANENT_SESSION_LIFETIME
(each request signs it anew, so that is the time without activity), and by default tells the
browser to drop the cookie at that same moment. A form sent a minute later would then arrive
with no cookie at all, like a form another site makes the browser post, and the two could not
be told apart (auth/kept.py keeps typed text only for the session that typed it).

So the cookie outlives the idle time by as long as a form's CSRF token lives. Past the idle time
it signs nobody in: it is opened as a new session holding only the language, the raw CSRF token
it had issued, the page-carried form's owner (`kept.KEPT_FOR`) and `ENDED`, the id of the account
whose session it was (never its session token, never anything else), until the grace has passed.
"""

import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, SignatureExpired

from portal.i18n import LANG_KEY

ENDED = "ended"  # {"user": id, "until": POSIX seconds}: whose session ended for inactivity
KEPT_FOR = "kept_for"  # the account a page carrying typed text was shown for (auth/kept.py)
DEFAULT_GRACE = timedelta(hours=8)


def grace(app: Flask) -> timedelta:
    """How long after the idle sign-out a form typed before it may still be kept."""
    seconds = app.config.get("WTF_CSRF_TIME_LIMIT")
    return timedelta(seconds=seconds) if seconds else DEFAULT_GRACE


def user_of(session_id: object) -> int | None:
    """The account id in Flask-Login's `<id>:<session token>`."""
    if not isinstance(session_id, str):
        return None
    user_id = session_id.partition(":")[0]
    if not user_id.isascii() or not user_id.isdigit() or len(user_id) > 10:
        return None
    return int(user_id)


def ended_user(data: Mapping[str, object]) -> int | None:
    ended = data.get(ENDED)
    if isinstance(ended, dict):
        user = ended.get("user")
        if isinstance(user, int):
            return user
    return None


class IdleSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        idle = app.permanent_session_lifetime
        try:
            data = serializer.loads(value, max_age=int(idle.total_seconds()))
        except SignatureExpired:
            try:
                data = serializer.loads(value, max_age=int((idle + grace(app)).total_seconds()))
            except BadSignature:
                return self.session_class()
            return self.session_class(_remnant(app, data))
        except BadSignature:
            return self.session_class()
        ended = data.get(ENDED)
        if isinstance(ended, dict) and int(ended.get("until") or 0) < _now():
            data.pop(ENDED, None)
            data.pop(KEPT_FOR, None)
        return self.session_class(data)

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        expires = super().get_expiration_time(app, session)
        # The browser keeps the cookie past the idle time; the server no longer signs anyone in
        # with it (open_session), it only still knows whose it was.
        return expires + grace(app) if expires is not None else None


def _now() -> float:
    return time.time()


def _remnant(app: Flask, data: dict[str, Any]) -> dict[str, Any]:
    """What survives the idle sign-out: nobody is signed in."""
    user = user_of(data.get("_user_id")) or ended_user(data)
    csrf_key = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")  # Flask-WTF's raw token
    remnant = {key: data[key] for key in (LANG_KEY, csrf_key) if isinstance(data.get(key), str)}
    if isinstance(data.get(KEPT_FOR), int):
        remnant[KEPT_FOR] = data[KEPT_FOR]
    if user is not None:
        ended = data.get(ENDED)
        until = ended.get("until") if isinstance(ended, dict) else None
        remnant[ENDED] = {
            "user": user,
            "until": until if isinstance(until, int) else int(_now() + grace(app).total_seconds()),
        }
    return remnant
