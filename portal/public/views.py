"""Pages for everyone: the landing page, the list of upcoming events, the accessibility statement
and the privacy notice, asking for an account, calendar feeds, health."""

from pathlib import Path
from typing import cast

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal import boundary
from portal.auth.access import P, View, home_url
from portal.extensions import csrf, db, limiter
from portal.models.base import utcnow
from portal.public.forms import AccountRequestForm
from portal.services.centres import centre_contacts
from portal.services.common import loading
from portal.services.common.links import site_domain
from portal.services.events import calendar, public_events
from portal.services.people import account_requests

bp = Blueprint("public", __name__)


def _csrf_exempt(view: View[P]) -> View[P]:
    """Flask-WTF's `csrf.exempt`, typed (Flask-WTF ships no types)."""
    return cast(View[P], csrf.exempt(view))


@bp.get("/")
def index() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return render_template("public/index.html", centres=centre_contacts.public_centres())


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    """The accessibility statement (deklaracja dostępności) in the statutory structure."""
    published = centre_contacts.published_on()
    return render_template(
        "public/accessibility.html",
        centres=centre_contacts.public_centres(),
        site=current_app.config["BASE_URL"],
        published=published,
        updated=centre_contacts.last_updated(published),
        prepared=centre_contacts.STATEMENT_PREPARED,
        idle_minutes=int(current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 60),
        operator=centre_contacts.installation_contact(),
    )


@bp.get("/events")
def events() -> ResponseReturnValue:
    """Upcoming events of every centre, for anyone: no account needed, no names shown."""
    return render_template("public/events.html", centres=public_events.upcoming(now=utcnow()))


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """The privacy notice (klauzula informacyjna, article 13 GDPR)."""
    return render_template(
        "public/privacy.html",
        centres=centre_contacts.public_centres(),
        operator=centre_contacts.installation_contact(),
    )


@bp.route("/request-account", methods=["GET", "POST"])
# The form checks its own token (Flask-WTF's, in validate_on_submit): an expired one is said on
# the form, with what was typed. Left to the app-wide check, it would answer as for staff signed
# out while typing, "sign in again", to a person who has no account.
@_csrf_exempt
@limiter.limit("10 per hour", methods=["POST"])
def request_account() -> ResponseReturnValue:
    form = AccountRequestForm()
    groups = account_requests.villages_by_centre()
    form.centre_id.choices = [(0, _("— choose —"))] + [
        (centre.id, centre.name) for centre, _villages in groups
    ]
    form.village_id.choices = [(0, _("— none —"))] + [
        (village.id, f"{village.name} ({centre.name})")
        for centre, villages in groups
        for village in villages
    ]
    if form.validate_on_submit():
        with boundary.shown(form):
            account_requests.submit(
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                email=form.email.data,
                centre_id=form.centre_id.data or None,
                village_id=form.village_id.data or None,
                consent=form.consent.data,
                now=utcnow(),
            )
            return render_template("public/request_sent.html")
    token = getattr(form, "csrf_token", None)  # none where CSRF is off (the tests)
    if form.is_submitted() and token is not None and token.errors:
        # Its token expired, or the session it belongs to ended: the page now carries a new one.
        token.errors = []
        flash(_("The form has expired. Check what you typed and send it again."), "error")
    return render_template("public/request_account.html", form=form)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str) -> ResponseReturnValue:
    """A participant's private feed, for calendar apps that cannot sign in."""
    person = loading.found(calendar.person_for_feed(token))
    body = calendar.feed_ics(person, name=_("My events"), domain=site_domain(), now=utcnow())
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})


_ICONS = {"ico": "image/vnd.microsoft.icon", "svg": "image/svg+xml"}


@bp.get("/favicon.<any(ico, svg):kind>")
def favicon(kind: str) -> ResponseReturnValue:
    """The portal's icon (portal/static/favicon.*). Browsers ask for /favicon.ico whatever the
    page links; without it, a 404 on every visit. Read whole (a few kilobytes) rather than sent
    as a file: a browser often drops this request when the page moves on, and a file sent
    would then stay open."""
    icon = Path(str(current_app.static_folder), f"favicon.{kind}").read_bytes()
    return Response(icon, mimetype=_ICONS[kind], headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
