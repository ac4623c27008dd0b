"""How often one member of staff may make the portal send an invitation: enough for a busy
day, too few for a stuck button or a script to flood a person's mailbox (or the outbox)."""

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_login import current_user

from portal.extensions import limiter

INVITATIONS_PER_HOUR = "30 per hour"


def _limit() -> str:
    # An installation (or a test) may set its own; the default suits a centre's busiest day.
    limit: str = current_app.config.get("INVITATION_RATE_LIMIT", INVITATIONS_PER_HOUR)
    return limit


def _actor() -> str:
    # Per account, not per address: colleagues behind one office router do not share a count.
    return f"staff:{current_user.id}" if current_user.is_authenticated else "anonymous"


def invitations(view: Callable[..., Any]) -> Callable[..., Any]:
    """Limit a view that sends an invitation, per signed-in member of staff."""
    # One count for every such view: inviting and inviting again draw on the same allowance.
    decorated: Callable[..., Any] = limiter.shared_limit(
        _limit, scope="invitations", key_func=_actor, methods=["POST"]
    )(view)
    return decorated
