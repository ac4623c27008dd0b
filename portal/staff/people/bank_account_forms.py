"""The form of where a participant is paid: a bank account (with its holder) or cash."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm, VersionField

ACCOUNT_ATTRS = {"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}
# i18n: the two ways an allowance reaches a participant.
METHODS = [("account", _l("To a bank account")), ("cash", _l("In cash or by postal order"))]


class BankAccountForm(PortalForm):
    version = VersionField()
    method = RadioField(
        _l("How is the person paid?"),
        choices=[],
        default="account",
        validators=[InputRequired(_l("Choose how the person is paid."))],
    )
    bank_account = StringField(
        _l("Account number"),
        description=_l("26 digits, as on a bank statement; spaces and PL in front are fine."),
        validators=[Length(max=60)],
        render_kw=ACCOUNT_ATTRS,
    )
    bank_account_owner = StringField(
        _l("Account holder, if not the participant"),
        description=_l("Name and surname of the holder; leave empty for the participant's own."),
        validators=[Length(max=140)],
        render_kw={"autocomplete": "off"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = METHODS

    @property
    def paid_in_cash(self) -> bool:
        return bool(self.method.data == "cash")
