"""The participant's own contact details form."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm, VersionField, contact_email_field, phone_field


class ContactForm(PortalForm):
    version = VersionField()
    email = contact_email_field(
        _l("Where the centre can write to you. It does not change how you sign in.")
    )
    phone = phone_field()


class BankAccountRequestForm(PortalForm):
    """Where the participant asks to be paid; staff confirm it before it is used."""

    method = RadioField(
        _l("How do you want to be paid?"),
        choices=[],
        default="account",
        validators=[InputRequired(_l("Choose how you want to be paid."))],
    )
    bank_account = StringField(
        _l("Account number"),
        description=_l("26 digits, as on your bank statement; spaces and PL in front are fine."),
        validators=[Length(max=60)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    bank_account_owner = StringField(
        _l("Account holder, if it is not you"),
        description=_l("Name and surname of the holder; leave empty if the account is yours."),
        validators=[Length(max=140)],
        render_kw={"autocomplete": "off"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = [
            ("account", _l("To a bank account")),
            ("cash", _l("In cash or by postal order")),
        ]

    @property
    def paid_in_cash(self) -> bool:
        return bool(self.method.data == "cash")
