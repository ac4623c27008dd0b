"""One error type for every broken domain rule; views catch it and show its message."""

from flask_babel import lazy_gettext as _l


class PortalError(Exception):
    """A rule said no. `message` is lazily translated; `field` names the form field it concerns."""

    message = _l("The action could not be completed.")

    def __init__(self, message=None, *, field: str | None = None):
        if message is not None:
            self.message = message
        self.field = field
        super().__init__(str(self.message))


class NotFound(PortalError):
    message = _l("The record was not found.")


class Forbidden(PortalError):
    message = _l("You are not allowed to do this.")


class AlreadyExists(PortalError):
    message = _l("Such a record already exists.")


class InvalidLink(PortalError):
    message = _l("This link is invalid, has expired or has already been used.")


class WeakPassword(PortalError):
    pass


class LoginFailed(PortalError):
    message = _l("The e-mail address or password is incorrect.")


class AccountLocked(PortalError):
    message = _l("Too many failed attempts. Try again in a few minutes or reset your password.")
