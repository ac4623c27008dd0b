from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from portal.forms import PortalForm, strip


class AccountRequestForm(PortalForm):
    first_name = StringField(
        _l("First name"), validators=[DataRequired(_l("Enter your first name.")), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), validators=[DataRequired(_l("Enter your last name.")), Length(max=100)]
    )
    email = EmailField(
        _l("E-mail address"),
        description=_l("We will send the link to set your password to this address."),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter an e-mail address in the form name@example.com.")),
            Length(max=254),
        ],
    )
    village_id = SelectField(
        _l("Your village"),
        coerce=int,
        validators=[DataRequired(_l("Choose your village from the list."))],
    )
    consent = BooleanField(
        _l(
            "I agree that the social welfare centre processes my personal data to run the "
            "project and to contact me about it."
        ),
        validators=[DataRequired(_l("We can only process your request with your consent."))],
    )
