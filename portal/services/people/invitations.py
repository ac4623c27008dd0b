"""A person recorded by staff is invited to the portal from their record: an account with the
participant role, linked to the record, and the same invitation mail (and set-password link) as
staff accounts get.

One record, one account: the record's row is locked and read again before the account is made,
and `participants.user_id` and `users.email` are unique, so a second click, a second tab or a
colleague inviting at the same moment finds the account made by the first and sends nothing.
"""

from datetime import datetime
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Participant, User
from portal.services.accounts import accounts
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.people import participants


class InvitationRefused(PortalError):
    pass


class Invitation(StrEnum):
    """Where a record stands with the portal, as its page shows it."""

    NO_EMAIL = "no_email"  # nothing to send the invitation to yet
    EMAIL_TAKEN = "email_taken"  # another account signs in with the record's address
    READY = "ready"  # "Invite to the portal" is offered
    INVITED = "invited"  # an account that never set a password
    ACTIVE = "active"  # an account in use (or deactivated)


def state(person: Participant) -> Invitation:
    """What the record's page offers: an invitation, the reason it cannot, or the account."""
    if person.user is not None:
        return Invitation.INVITED if accounts.awaits_password(person.user) else Invitation.ACTIVE
    if not person.email:
        return Invitation.NO_EMAIL
    if accounts.get_by_email(person.email) is not None:
        return Invitation.EMAIL_TAKEN
    return Invitation.READY


def _refusal(current: Invitation) -> LazyString:
    return {
        Invitation.NO_EMAIL: _l(
            "Enter the person's e-mail address on their record first: the invitation is sent there."
        ),
        Invitation.EMAIL_TAKEN: _l(
            "Another account already signs in with this e-mail address. Enter the person's own "
            "address on their record."
        ),
    }.get(current, _l("This participant already has an account."))


def invite(person: Participant, *, actor: User, now: datetime) -> tuple[User, bool]:
    """Give the recorded person an account and send the invitation; (account, whether it was
    made now). A record that already has its account is left as it is (nothing is sent again:
    "send the invitation again" is its own, deliberate action)."""
    person = loading.one(select(Participant).where(Participant.id == person.id), for_update=True)
    current = state(person)
    if current in (Invitation.INVITED, Invitation.ACTIVE):
        assert person.user is not None  # noqa: S101 -- what INVITED and ACTIVE mean
        return person.user, False
    if current != Invitation.READY:
        raise InvitationRefused(_refusal(current))
    assert person.email is not None  # noqa: S101 -- READY has an address
    try:
        with db.session.begin_nested():
            user = participants.create_account(person, email=person.email, actor=actor)
            db.session.flush()
    except IntegrityError:
        # A colleague's invitation (or another account with the address) won the race.
        db.session.refresh(person)
        if person.user is not None:
            return person.user, False
        raise InvitationRefused(_refusal(Invitation.EMAIL_TAKEN)) from None
    accounts.invite(user, actor=actor)
    audit.record(
        "participant.invite",
        person,
        actor=actor,
        changes={"email": (None, person.email)},
        at=now,
    )
    return user, True
