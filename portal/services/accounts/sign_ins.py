"""Sign-ins and sign-outs in the audit trail (ASVS 7.2.1), with the way the person proved it."""

from datetime import datetime

from portal.models import User
from portal.services.accounts.two_factor import Method
from portal.services.audit import audit


def signed_in(user: User, method: Method, *, now: datetime) -> None:
    audit.record("user.sign_in", user, actor=user, at=now, changes={"method": (None, method.value)})


def confirmed(user: User, method: Method, *, now: datetime) -> None:
    """The person confirmed who they are before a sensitive action (a fresh sign-in)."""
    audit.record(
        "user.sign_in_confirmed", user, actor=user, at=now, changes={"method": (None, method.value)}
    )


def signed_out(user: User, *, now: datetime) -> None:
    audit.record("user.sign_out", user, actor=user, at=now)
