"""The participant's own contact details form."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.validators import Email, Length, Optional, Regexp

from portal.forms import PortalForm, VersionField, strip
from portal.staff.participant_forms import PHONE_SHAPE


class ContactForm(PortalForm):
    version = VersionField()
    email = EmailField(
        _l("E-mail address"),
        description=_l("Where the centre can write to you. It does not change how you sign in."),
        filters=[strip],
        validators=[
            Optional(),
            Email(_l("Enter an e-mail address in the form name@example.com.")),
            Length(max=254),
        ],
    )
    phone = StringField(
        _l("Telephone"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=30),
            Regexp(PHONE_SHAPE, message=_l("Enter a telephone number: digits, spaces, + and -.")),
        ],
        render_kw={"type": "tel", "autocomplete": "tel"},
    )
