"""One error type for every broken domain rule; views catch it and show its message."""

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


class PortalError(Exception):
    """A rule said no. `message` is lazily translated; `field` names the form field it concerns."""

    message = _l("The action could not be completed.")

    def __init__(self, message: str | LazyString | None = None, *, field: str | None = None):
        if message is not None:
            self.message = message
        self.field = field
        super().__init__(str(self.message))


class PageRefused(PortalError):
    """A refusal that replaces the whole page (not found, not allowed, a dead link) instead of
    being shown beside a form: the app-wide handlers answer it with its own status."""


class NotFound(PageRefused):
    message = _l("The record was not found.")


class Forbidden(PageRefused):
    message = _l("You are not allowed to do this.")


class AlreadyExists(PortalError):
    message = _l("Such a record already exists.")


class InvalidLink(PageRefused):
    message = _l("This link is invalid, has expired or has already been used.")


class WeakPassword(PortalError):
    pass


class LoginFailed(PortalError):
    # One answer for a wrong password, an unknown address and a locked account (ASVS 2.2.1):
    # it names the pause so a locked person knows what to do, without saying it happened.
    message = _l(
        "The e-mail address or password is incorrect. After many failed attempts signing in "
        "pauses for a few minutes; you can also set a new password."
    )
