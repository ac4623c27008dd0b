"""The participant's own pages: only ever their own record."""

from flask import Blueprint, render_template
from flask_login import current_user

from portal.auth.access import require_roles
from portal.models.enums import Role
from portal.services import participants

bp = Blueprint("participant", __name__, url_prefix="/me")


@bp.before_request
def _participants_only():
    return require_roles(Role.PARTICIPANT)


@bp.get("/")
def home():
    person = participants.own_record(current_user)
    return render_template("participant/home.html", person=person)
