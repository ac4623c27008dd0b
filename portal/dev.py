"""Development only: the outbox as a page, so that a newcomer running `make run` (no mail
server) can open an invitation or a password link. Registered only when `DEV_OUTBOX` is set,
which the development configuration does; under production it is never registered.

No sign-in: the page exists for the person who has no account yet.
"""

import re

from flask import Blueprint, Flask, render_template
from markupsafe import Markup, escape
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage

bp = Blueprint("dev", __name__, url_prefix="/dev")

LINK = re.compile(r"https?://[^\s<>\"']+")
SHOWN = 100


def linked(text: str) -> Markup:
    """The text escaped, with every http(s) address made a link."""
    parts, last = [], 0
    for match in LINK.finditer(text):
        parts.append(escape(text[last : match.start()]))
        url = escape(match.group(0))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@bp.get("/outbox")
def outbox() -> str:
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(SHOWN)
    ).all()
    return render_template("dev/outbox.html", messages=messages, linked=linked, shown=SHOWN)


def init_app(app: Flask) -> None:
    """Register the page only when asked for, and never under production, whatever is set."""
    if app.config.get("DEV_OUTBOX") and app.config["ENV_NAME"] != "production":
        app.register_blueprint(bp)
