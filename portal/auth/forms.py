from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.forms import PortalForm, strip
from portal.services.accounts.passwords import MAX_LENGTH


class LoginForm(PortalForm):
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class SetPasswordForm(PortalForm):
    password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters. A few words you will remember work well."),
        validators=[DataRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(PortalForm):
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter an e-mail address in the form name@example.com.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
