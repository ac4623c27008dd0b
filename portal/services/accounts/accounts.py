"""Accounts: creation, invitations, password resets, login with throttling, ending sessions."""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Row, case, literal, select, update
from sqlalchemy.orm import joinedload

from portal import database
from portal.extensions import db
from portal.models import Centre, User, UserRole
from portal.models.base import UTCDateTime
from portal.models.enums import Role
from portal.services.accounts import passwords
from portal.services.audit import audit
from portal.services.common.errors import AlreadyExists, InvalidLink, PortalError
from portal.services.common.links import external_url
from portal.services.mail import mail

INVITE = "invite"
RESET = "reset"


class InvitationRefused(PortalError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def get_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    email: str,
    first_name: str,
    last_name: str,
    roles: set[Role],
    centre: Centre | None,
    actor: User | None,
    password: str | None = None,
    locale: str | None = None,
) -> User:
    """Create an account; without a password it can only be entered through an invitation."""
    email = normalise_email(email)
    if get_by_email(email) is not None:
        raise AlreadyExists(
            _l("An account with this e-mail address already exists."), field="email"
        )
    if password is not None:
        passwords.check_policy(password, email=email)
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        centre_id=centre.id if centre else None,
        password_hash=passwords.hash_password(password) if password else None,
        locale=locale,
        session_token=new_token(),
        link_nonce=new_token(),
    )
    user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    db.session.add(user)
    audit.record(
        "user.create",
        user,
        actor=actor,
        centre_id=user.centre_id,
        changes={"email": (None, email), "roles": (None, sorted(r.value for r in roles))},
    )
    return user


def set_roles(user: User, roles: set[Role], *, actor: User) -> None:
    """Change a user's roles; every session of theirs ends, so new rights apply at once."""
    old = sorted(r.value for r in user.roles)
    user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    user.session_token = new_token()
    audit.record(
        "user.roles",
        user,
        actor=actor,
        centre_id=user.centre_id,
        changes={"roles": (old, sorted(r.value for r in roles))},
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="portal-account-links")


def make_link_token(user: User, purpose: str) -> str:
    """A signed token for a one-time link; it dies when the user's link nonce changes."""
    return _serializer().dumps({"u": user.id, "n": user.link_nonce, "p": purpose})


def user_from_link(token: str, purpose: str) -> User:
    max_age = current_app.config[
        "INVITATION_MAX_AGE" if purpose == INVITE else "PASSWORD_RESET_MAX_AGE"
    ]
    try:
        data = _serializer().loads(token, max_age=int(max_age.total_seconds()))
    except (SignatureExpired, BadSignature) as error:
        raise InvalidLink() from error
    if not isinstance(data, dict) or data.get("p") != purpose:
        raise InvalidLink()
    user = db.session.get(User, data.get("u"))
    if (
        user is None
        or not user.is_active
        or not secrets.compare_digest(str(data.get("n")), user.link_nonce)
    ):
        raise InvalidLink()
    return user


def link_url(user: User, purpose: str) -> str:
    endpoint = "auth.set_password" if purpose == INVITE else "auth.reset_password"
    return external_url(endpoint, token=make_link_token(user, purpose))


def _queue_invitation(user: User) -> str:
    url = link_url(user, INVITE)
    mail.queue(
        user.email,
        "invitation",
        locale=user.locale,
        centre_id=user.centre_id,
        user=user,
        url=url,
        centre=user.centre,
        days=current_app.config["INVITATION_MAX_AGE"].days,
    )
    return url


def invite(user: User, *, actor: User | None) -> str:
    """Queue the invitation e-mail (and return its link, for the CLI to print)."""
    url = _queue_invitation(user)
    audit.record("user.invite", user, actor=actor, centre_id=user.centre_id)
    return url


def awaits_password(user: User) -> bool:
    """The account can sign in but has never had a password: its invitation is still unused.

    A password is set only through an invitation or a reset link (or given at creation), so an
    empty hash means exactly that.
    """
    return user.is_active and user.password_hash is None


def resend_invitation(user: User, *, actor: User, now: datetime) -> str:
    """A fresh invitation to an account that never had a password; every earlier link dies.

    The links carry the account's link nonce, so a new nonce ends the invitations (and reset
    links) sent before. The new nonce is written only while the account is still active and
    without a password: a resend crossing the person's own set-password, or a deactivation,
    has one outcome, never a mail to an account that no longer needs it.
    """
    if not user.is_active:
        raise InvitationRefused(
            _l(
                "%(name)s's account is deactivated. Reactivate it before sending an invitation.",
                name=user.full_name,
            )
        )
    if user.password_hash is not None:
        raise InvitationRefused(
            _l(
                "%(name)s has already set a password, so there is no invitation to send again. "
                "A forgotten password is replaced through “I forgot my password” on the sign-in "
                "page.",
                name=user.full_name,
            )
        )
    changed = database.rows_changed(
        update(User)
        .where(User.id == user.id, User.is_active.is_(True), User.password_hash.is_(None))
        .values(link_nonce=new_token())
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        raise InvitationRefused(
            _l("The account has changed meanwhile. Reload the page and check it again.")
        )
    db.session.refresh(user)
    url = _queue_invitation(user)
    audit.record(
        "user.invite_resent",
        user,
        actor=actor,
        centre_id=user.centre_id,
        changes={"link_nonce": ("earlier links", "new link")},
        at=now,
    )
    return url


def request_password_reset(email: str) -> None:
    """Queue a reset link if the account exists; the answer to the person is the same either way."""
    user = get_by_email(email)
    if user is None or not user.is_active:
        return
    url = link_url(user, RESET)
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
    mail.queue(
        user.email,
        "password_reset",
        locale=user.locale,
        centre_id=user.centre_id,
        user=user,
        url=url,
        minutes=minutes,
    )
    audit.record("user.reset_requested", user, actor=None, centre_id=user.centre_id)


def _link_facts(token: str, purpose: str) -> Row[int, str, str]:
    """The account a link names, if the link is still good: id, e-mail and nonce, read apart."""
    max_age = current_app.config[
        "INVITATION_MAX_AGE" if purpose == INVITE else "PASSWORD_RESET_MAX_AGE"
    ]
    try:
        data = _serializer().loads(token, max_age=int(max_age.total_seconds()))
    except (SignatureExpired, BadSignature) as error:
        raise InvalidLink() from error
    if not isinstance(data, dict) or data.get("p") != purpose or not isinstance(data.get("u"), int):
        raise InvalidLink()
    with database.read_apart(db.engine) as connection:
        facts = connection.execute(
            select(User.id, User.email, User.link_nonce).where(
                User.id == data["u"], User.is_active.is_(True)
            )
        ).first()
    if facts is None or not secrets.compare_digest(str(data.get("n")), facts.link_nonce):
        raise InvalidLink()
    return facts


def set_password_from_link(token: str, purpose: str, password: str) -> User:
    """Set the password; the link, every other link and every session die with it.

    The account is read apart and hashed (about half a second) before this request's
    transaction begins, so nobody waits for the hash.
    """
    facts = _link_facts(token, purpose)
    passwords.check_policy(password, email=facts.email)
    password_hash = passwords.hash_password(password)
    # Conditional on the nonce: two tabs submitting the same link have one effect.
    changed = database.rows_changed(
        update(User)
        .where(User.id == facts.id, User.link_nonce == facts.link_nonce)
        .values(
            password_hash=password_hash,
            link_nonce=new_token(),
            session_token=new_token(),
            failed_logins=0,
            locked_until=None,
        )
        .execution_options(synchronize_session=False),
    )
    if changed != 1:
        raise InvalidLink()
    user = db.session.get_one(User, facts.id)
    db.session.refresh(user)
    audit.record(
        f"user.password_set.{purpose}",
        user,
        actor=user,
        centre_id=user.centre_id,
        changes={"password": (None, "set")},
    )
    return user


def authenticate(email: str, password: str, *, now: datetime) -> User | None:
    """The account, or None: wrong password, unknown address and locked account look the same.

    Every attempt costs one password check (argon2id, about half a second of CPU), so neither
    the answer nor its timing tells whether an address has an account or is locked. The account
    is read apart, so no transaction (on SQLite, no write lock) is held during the check. A
    failure is counted by one atomic UPDATE, so parallel guesses on several workers all count.
    """
    with database.read_apart(db.engine) as connection:
        facts = connection.execute(
            select(User.id, User.password_hash, User.locked_until).where(
                User.email == normalise_email(email), User.is_active.is_(True)
            )
        ).first()
    matches = passwords.verify(facts.password_hash if facts else None, password)
    if facts is None:
        return None
    if facts.locked_until is not None and facts.locked_until > now:
        return None
    if not matches:
        count_failure(facts.id, now=now)
        return None
    new_hash = (
        passwords.hash_password(password) if passwords.needs_rehash(facts.password_hash) else None
    )
    user = db.session.get_one(User, facts.id)
    if not user.has_two_factor:
        # With two-factor the count goes on until the code is right too: otherwise the password
        # alone would reset it between guesses of the code.
        user.failed_logins = 0
        user.locked_until = None
    user.last_login_at = now
    if new_hash is not None:
        user.password_hash = new_hash
    return user


def count_failure(user_id: int, *, now: datetime) -> None:
    """One more failed attempt (a wrong password or one-time code); enough of them lock the
    account for a while. One atomic UPDATE, so parallel guesses on several workers all count."""
    config = current_app.config
    reaches_limit = User.failed_logins + 1 >= config["LOGIN_MAX_FAILURES"]
    lock_until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            failed_logins=case((reaches_limit, 0), else_=User.failed_logins + 1),
            locked_until=case(
                (reaches_limit, literal(lock_until, UTCDateTime)),
                else_=User.locked_until,
            ),
        )
        .execution_options(synchronize_session=False)
    )


def is_locked(user: User, *, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def end_all_sessions(user: User) -> None:
    """Logout everywhere: the session token in every cookie stops matching."""
    user.session_token = new_token()


def load_from_session_id(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or len(user_id) > 10 or not token:
        return None
    # Every page asks the user's roles (menu, access checks): one statement for both.
    user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])
    if user is None or not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    return user
