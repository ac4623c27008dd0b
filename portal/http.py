"""What every request and response goes through: request id, scope, headers, error pages."""

import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug import exceptions as werkzeug_exceptions
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from portal import database
from portal.auth import idle, kept
from portal.auth.access import safe_next
from portal.extensions import db, login_manager
from portal.forms import has_control_characters
from portal.i18n import LANG_KEY
from portal.models import User
from portal.services.accounts import accounts
from portal.services.common.errors import Forbidden, NotFound, PortalError
from portal.services.common.limits import MAX_ID
from portal.services.lifecycle import transitions

log = logging.getLogger("portal.http")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


# Methods that change nothing: their requests read without taking SQLite's write lock.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _load_user(session_id: str) -> User | None:
    return accounts.load_from_session_id(session_id)


# Registered with a call, not as a decorator: Flask-Login's decorator is untyped and would hide
# the function's types.
login_manager.user_loader(_load_user)


def _before_request() -> ResponseReturnValue | None:
    g.request_id = uuid.uuid4().hex[:12]
    # Before the user is loaded: that query opens the request's transaction.
    database.serve_reads_only(request.method in SAFE_METHODS)
    session.permanent = True  # idle timeout: PERMANENT_SESSION_LIFETIME, refreshed each request
    centre_id = current_user.centre_id if current_user.is_authenticated else None
    database.scope_session(db.session, centre_id)
    refusal = _refuse_control_characters()
    if refusal is not None:
        return refusal
    asked = request.args.get("lang")
    if asked in current_app.config["LANGUAGES"]:
        session[LANG_KEY] = asked
    chosen = session.get(LANG_KEY)
    if (
        request.method == "POST"
        and current_user.is_authenticated
        and chosen
        and current_user.locale != chosen
    ):
        # The language chosen on a page is saved with the session's next change, never by a GET.
        current_user.locale = chosen
    return None


def _refuse_control_characters() -> ResponseReturnValue | None:
    """An address carrying control characters (NUL breaks PostgreSQL) is refused as a whole.

    Form fields are checked by PortalForm, next to the field; this covers the query string.
    """
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            return _error_page(
                400,
                _("Bad request"),
                _("The address contains characters that are not allowed. Go back and try again."),
            )
    return None


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["X-Request-Id"] = g.get("request_id", "")
    if current_app.config.get("HSTS"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if current_user.is_authenticated and not request.path.startswith("/static/"):
        # Pages with personal data are never kept by a browser or a proxy.
        headers["Cache-Control"] = "no-store"
    return response


def _error_page(code: int, title: str, text: str) -> ResponseReturnValue:
    if request.path.startswith("/healthz"):
        return jsonify(status="error", request_id=g.get("request_id")), code
    return (
        render_template("errors/error.html", code=code, title=title, text=text),
        code,
    )


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: ASCII digits up to the database's integer, else a plain 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _same_site_referrer() -> str | None:
    """The page a form was posted from, as a path on this site (never another host)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    # Pages ask the lifecycle tables which actions to offer (services/transitions.py).
    app.jinja_env.globals["can"] = transitions.can
    # First of all: CSRF and the rate limiter registered theirs earlier, and a request they
    # refuse still needs its id on the error page and in the log.
    app.before_request_funcs.setdefault(None, []).insert(0, _before_request)
    app.after_request(_security_headers)
    app.teardown_request(lambda _error: database.serve_reads_only(False))

    # The idle sign-out that still knows whose browser it was (auth/idle.py).
    app.session_interface = idle.IdleSessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    login_manager.unauthorized_handler(_unauthorized)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DataError, _value_out_of_range)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(PortalError, _domain_error)
    app.register_error_handler(Exception, _unexpected)


def _unauthorized() -> ResponseReturnValue:
    # A form sent after the sign-out: what was typed is kept on the sign-in page, if it was
    # this browser's own session that typed it (auth/kept.py); any other form keeps nothing.
    if kept.applies():
        return kept.ask_to_sign_in() or kept.form_expired()
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _csrf_error(_error: CSRFError) -> ResponseReturnValue:
    # Its token expired (or the session with it): sign in again, and nothing typed is lost,
    # when the token is this session's own; anything else is answered plainly.
    if kept.applies():
        page = kept.ask_to_sign_in()
        if page is not None:
            return page
    return kept.form_expired()


def _value_out_of_range(error: DataError) -> ResponseReturnValue:
    # The last line of defence: forms bound every value, but a value the database still
    # cannot hold is the request's fault, not the server's.
    db.session.rollback()
    session.pop("_flashes", None)
    log.warning("value refused by the database: %s", type(error.orig).__name__)
    return _error_page(
        400,
        _("The data could not be saved"),
        _(
            "A value sent is too long, too large or contains characters that are not allowed. "
            "Nothing was saved. Go back, correct it and try again."
        ),
    )


def _database_fault(error: OperationalError) -> str:
    """What went wrong, as far as the person must know: 'busy', 'full' or 'unreachable'."""
    original = error.orig
    text = str(original).lower()
    # SQLite says it in words; PostgreSQL (psycopg) by SQLSTATE: 55P03 lock not available,
    # 57014 cancelled by a timeout, 53100 disk full.
    sqlstate = getattr(original, "sqlstate", None)
    if "database is locked" in text or "database is busy" in text or sqlstate in {"55P03", "57014"}:
        return "busy"
    if "disk is full" in text or "no space left" in text or sqlstate == "53100":
        return "full"
    return "unreachable"


def _database_unavailable(error: OperationalError) -> ResponseReturnValue:
    db.session.rollback()
    session.pop("_flashes", None)  # a "saved" message must not outlive a failed commit
    # The page must not try to load the user from the database that just failed.
    g._login_user = login_manager.anonymous_user()
    fault = _database_fault(error)
    log.error("database %s: %s", fault, type(error.orig).__name__)
    if fault == "busy":
        text = _(
            "Too many changes are being saved at this moment. Nothing was saved. "
            "Try again in a moment."
        )
    elif fault == "full":
        text = _(
            "The server has no room left to save data. Nothing was saved. "
            "The fault has been recorded for the administrators; try again later."
        )
    else:
        text = _(
            "We cannot reach our database right now. Nothing was saved. Try again in a minute."
        )
    return _error_page(503, _("The service is temporarily unavailable"), text)


def _http_error(error: HTTPException) -> ResponseReturnValue:
    messages = {
        400: (
            _("Bad request"),
            _("The request could not be understood. Go back and try again."),
        ),
        403: (_("Access denied"), _("You do not have permission to see this page.")),
        404: (_("Page not found"), _("The page does not exist or you cannot see it.")),
        405: (_("Method not allowed"), _("This address does not accept this kind of request.")),
        413: (
            _("The data sent is too large"),
            _(
                "The portal accepts at most %(size)s MB at once. Send a smaller file or a "
                "shorter text and try again.",
                size=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
            ),
        ),
        429: (_("Too many attempts"), _("Wait a minute before trying again.")),
    }
    code = error.code or 500
    title, text = messages.get(
        code, (_("Something went wrong"), _("The request could not be completed."))
    )
    return _error_page(code, title, text)


def _domain_error(error: PortalError) -> ResponseReturnValue:
    # A refusal no view showed beside a form: flashed on the page the form was sent from.
    db.session.rollback()
    if isinstance(error, NotFound):
        return _http_error(werkzeug_exceptions.NotFound())
    if isinstance(error, Forbidden):
        return _http_error(werkzeug_exceptions.Forbidden())
    back = _same_site_referrer()
    if request.method == "POST" and back:
        flash(str(error.message), "error")
        return redirect(back)
    return _error_page(400, _("The action could not be completed"), str(error.message))


def _unexpected(error: Exception) -> ResponseReturnValue:
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _error_page(
        500,
        _("Something went wrong on our side"),
        _("Nothing was saved. Please try again; if it happens again, tell us the code below."),
    )
