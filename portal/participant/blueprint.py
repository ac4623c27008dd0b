"""The participant's blueprint: their own pages under /me, for participants only, and what
those pages share (their own record, their calendar's address)."""

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.auth.access import require_roles
from portal.models import Participant
from portal.models.enums import Role
from portal.services.common.links import external_url
from portal.services.people import participants

bp = Blueprint("participant", __name__, url_prefix="/me")


@bp.before_request
def _participants_only() -> ResponseReturnValue | None:
    return require_roles(Role.PARTICIPANT)


def _me() -> Participant:
    return participants.own_record(current_user)


def feed_url(person: Participant) -> str | None:
    """The person's private calendar address, or None while it is switched off."""
    if not person.calendar_token:
        return None
    return external_url("public.calendar_feed", token=person.calendar_token)
