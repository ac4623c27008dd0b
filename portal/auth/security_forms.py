"""Forms of the second sign-in step, two-factor set-up, password change, confirming a sign-in,
and the e-mails a member of staff asks for."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from portal.auth.forms import SetPasswordForm
from portal.forms import PortalForm, strip
from portal.services.accounts.passwords import MAX_LENGTH

CODE_HINT = _l("The 6 digits your authenticator app shows now, or one of your recovery codes.")


def _code_field(label: object, hint: object = None, message: object = None) -> StringField:
    return StringField(
        label,
        description=hint,
        filters=[strip],
        validators=[
            DataRequired(message or _l("Enter the one-time code.")),
            Length(max=40, message=_l("A code is at most 40 characters long.")),
        ],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"},
    )


def _current_password() -> PasswordField:
    return PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class SecondStepForm(PortalForm):
    code = _code_field(_l("One-time code"), CODE_HINT)


class EnrolForm(PortalForm):
    code = _code_field(
        _l("Code from the app"),
        _l("After adding the account, enter the 6 digits the app shows."),
        _l("Enter the code your app shows."),
    )


class TurnOffForm(PortalForm):
    password = _current_password()
    code = _code_field(_l("One-time code"), CODE_HINT)


class ConfirmForm(PortalForm):
    """Confirming a sign-in before a sensitive action; `code` is dropped without two-factor."""

    password = _current_password()
    code = _code_field(_l("One-time code"), CODE_HINT)


class PasswordChangeForm(SetPasswordForm):
    """The new password twice, as when setting one from a link, after the current one."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class NotificationsForm(PortalForm):
    notify_account_requests = BooleanField(
        _l("E-mail me about new account requests"),
        description=_l(
            "A short message when a resident asks for an account; the request itself is "
            "decided on the portal."
        ),
    )
