"""Two-factor sign-in for staff (ASVS 2.7, 2.8): time-based one-time codes and recovery codes.

A staff member turns it on by scanning a secret into an authenticator app and confirming one
code; they get ten recovery codes, shown once and kept only as SHA-256 hashes (each is 80 random
bits, so a plain hash is enough). A code is accepted once: the last accepted time step is kept on
the account and only a later step passes, written conditionally so two parallel sign-ins with the
same code have one winner. Wrong codes count toward the same lockout as wrong passwords.
"""

import base64
import hashlib
import re
import secrets
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

import pyotp
import segno
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, update

from portal import database
from portal.extensions import db
from portal.models import RecoveryCode, User
from portal.services.accounts import accounts
from portal.services.audit import audit
from portal.services.common.errors import Forbidden, PortalError

RECOVERY_CODE_COUNT = 10
# A code accepted one step early or late: phones and servers are rarely exactly in time.
VALID_WINDOW = 1
_DIGITS = re.compile(r"[0-9]{6}")


class TwoFactorRefused(PortalError):
    pass


class Method(StrEnum):
    """How a person proved who they are, as written to the audit trail."""

    PASSWORD = "password"  # noqa: S105 (a method name, not a password)
    TWO_FACTOR = "two_factor"
    RECOVERY_CODE = "recovery_code"


def may_use(user: User) -> bool:
    """Staff only: participants sign in with a password (and never see these pages)."""
    return user.is_staff


def is_required(user: User, required_roles: Collection[str]) -> bool:
    """The configuration requires two-factor of one of the user's roles."""
    return may_use(user) and any(role.value in required_roles for role in user.roles)


def must_enrol(user: User, required_roles: Collection[str]) -> bool:
    return is_required(user, required_roles) and not user.has_two_factor


def start(user: User, *, now: datetime) -> None:
    """A new secret to scan; it signs nothing in until a code made from it is confirmed."""
    if not may_use(user):
        raise Forbidden()
    if user.has_two_factor:
        raise TwoFactorRefused(_l("Two-factor authentication is already on."))
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    audit.record("user.two_factor_setup", user, actor=user, at=now)


def provisioning_uri(user: User, issuer: str) -> str:
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """The QR code as an inline SVG element (no image request, nothing for the CSP to block)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, title=title, svgclass="qr-code"))


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step the six digits belong to, within the allowed drift, or None."""
    if not _DIGITS.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(user: User, step: int) -> bool:
    """Take the step for this sign-in; a step already used (or an earlier one) is refused."""
    changed = database.rows_changed(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if changed == 1:
        user.totp_last_step = step
    return changed == 1


def _hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    changed = database.rows_changed(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return changed == 1


def check_code(user: User, code: str, *, now: datetime, recovery: bool = True) -> Method | None:
    """Accept a one-time code (or, if `recovery`, an unused recovery code) once.

    A wrong or reused code counts as a failed attempt; a locked account accepts nothing. The
    caller keeps the transaction (no refusal is raised), so the count is not rolled back.
    """
    if not user.has_two_factor or user.totp_secret is None:
        return None
    if accounts.is_locked(user, now=now):
        return None
    cleaned = _clean(code)
    step = _matching_step(user.totp_secret, cleaned, now)
    method: Method | None = None
    if step is not None and _use_step(user, step):
        method = Method.TWO_FACTOR
    elif recovery and step is None and cleaned and _use_recovery_code(user, cleaned, now):
        method = Method.RECOVERY_CODE
    if method is None:
        accounts.count_failure(user.id, now=now)
        audit.record("user.second_step_failed", user, actor=user, at=now)
        return None
    user.failed_logins = 0
    user.locked_until = None
    return method


def _new_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # 80 random bits each, in four groups of five base-32 characters: easy to read and type.
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash(code), created_at=now) for code in codes
    )
    return codes


def confirm(user: User, code: str, *, now: datetime) -> list[str]:
    """Turn two-factor on once a code from the new secret is right; the recovery codes (plain,
    to show once) are returned."""
    if not may_use(user):
        raise Forbidden()
    if user.has_two_factor:
        raise TwoFactorRefused(_l("Two-factor authentication is already on."))
    if user.totp_secret is None:
        raise TwoFactorRefused(
            _l("Start again: the set-up was not begun or has been cancelled."), field="code"
        )
    step = _matching_step(user.totp_secret, _clean(code), now)
    if step is None:
        raise TwoFactorRefused(
            _l("This code is not right. Check the time on your phone and enter the newest code."),
            field="code",
        )
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = _new_codes(user, now)
    audit.record(
        "user.two_factor_on", user, actor=user, at=now, changes={"two_factor": (False, True)}
    )
    return codes


def regenerate_codes(user: User, *, now: datetime) -> list[str]:
    """Ten new recovery codes; every earlier one stops working."""
    if not user.has_two_factor:
        raise TwoFactorRefused(_l("Two-factor authentication is not on."))
    codes = _new_codes(user, now)
    audit.record("user.recovery_codes_regenerated", user, actor=user, at=now)
    return codes


def unused_codes(user: User) -> int:
    return int(
        db.session.scalar(
            db.select(db.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def turn_off(user: User, *, required_roles: Collection[str], now: datetime) -> None:
    """Two-factor off (the caller has checked the password and a code); refused where the
    configuration requires it of the user's role."""
    if is_required(user, required_roles):
        raise TwoFactorRefused(
            _l("Your role requires two-factor authentication, so it cannot be turned off.")
        )
    if not user.has_two_factor:
        raise TwoFactorRefused(_l("Two-factor authentication is not on."))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(
        "user.two_factor_off", user, actor=user, at=now, changes={"two_factor": (True, False)}
    )


def reset(user: User, *, now: datetime) -> None:
    """An operator's reset for someone who lost both the phone and the recovery codes: off,
    every session ends; where it is required, the next sign-in leads to a new set-up."""
    if not user.has_two_factor:
        raise TwoFactorRefused(_l("Two-factor authentication is not on."))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.session_token = accounts.new_token()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(
        "user.two_factor_reset", user, actor=None, at=now, changes={"two_factor": (True, False)}
    )


def cancel_setup(user: User, *, now: datetime) -> None:
    """Forget a secret that was never confirmed."""
    if user.has_two_factor or user.totp_secret is None:
        return
    user.totp_secret = None
    audit.record("user.two_factor_setup_cancelled", user, actor=user, at=now)
