"""Changing one's password while signed in (ASVS 2.1.5, 3.3.3)."""

from datetime import datetime

from portal.models import User
from portal.services.accounts import accounts, passwords
from portal.services.audit import audit
from portal.services.mail import mail


def change_password(user: User, new_password: str, *, now: datetime) -> None:
    """Set the new password (the caller has checked the current one); every other session and
    every reset link ends, and the person is told by e-mail, in case it was not them."""
    passwords.check_policy(new_password, email=user.email)
    user.password_hash = passwords.hash_password(new_password)
    user.session_token = accounts.new_token()
    user.link_nonce = accounts.new_token()
    audit.record(
        "user.password_changed",
        user,
        actor=user,
        at=now,
        changes={"password": ("set", "changed")},
    )
    mail.queue(
        user.email,
        "password_changed",
        locale=user.locale,
        centre_id=user.centre_id,
        user=user,
        when=now,
    )
