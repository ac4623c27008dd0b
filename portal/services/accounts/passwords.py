"""Password policy (ASVS 2.1) and hashing with argon2id (ASVS 2.4)."""

import contextlib
from functools import cache
from importlib.resources import files

from argon2 import Parameters, PasswordHasher, extract_parameters, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from portal.services.common.errors import WeakPassword

MIN_LENGTH = 12
MAX_LENGTH = 256  # long passphrases are welcome; nothing is ever truncated

# argon2id with the library's recommended parameters (RFC 9106, low memory): about half a
# second of CPU here. The test configuration swaps in the cheapest profile for speed.
PRODUCTION = profiles.RFC_9106_LOW_MEMORY
CHEAP_FOR_TESTS = profiles.CHEAPEST
PROFILES = {"production": PRODUCTION, "cheap-for-tests": CHEAP_FOR_TESTS}
_hasher = PasswordHasher.from_parameters(PRODUCTION)
# A valid hash of nothing, so an unknown account costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("no-such-account-dummy-password")


def configure(parameters: Parameters) -> None:
    """Hash with these argon2 parameters from now on (create_app, from the configuration)."""
    global _hasher, _DUMMY_HASH
    if _hasher.memory_cost == parameters.memory_cost and _hasher.time_cost == parameters.time_cost:
        return
    _hasher = PasswordHasher.from_parameters(parameters)
    _DUMMY_HASH = _hasher.hash("no-such-account-dummy-password")


def current_parameters() -> Parameters:
    return extract_parameters(_hasher.hash("x"))


@cache
def _common_passwords() -> frozenset[str]:
    text = files("portal.data").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line)


def check_policy(password: str, *, email: str = "") -> None:
    """Refuse short, overlong and commonly used passwords; any characters are allowed."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            _l("The password must have at least %(n)d characters.", n=MIN_LENGTH), field="password"
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            _l("The password may have at most %(n)d characters.", n=MAX_LENGTH), field="password"
        )
    lowered = password.lower()
    if lowered in _common_passwords() or (email and lowered == email.lower()):
        raise WeakPassword(
            _l("This password is too common. Choose a longer phrase that only you know."),
            field="password",
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _burn_time(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _burn_time(password: str) -> None:
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
