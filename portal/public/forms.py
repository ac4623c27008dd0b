from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from portal.forms import PortalForm, id_from, person_name, strip


def _id_or_zero(value: object) -> int:
    """A chosen id, or 0 (nothing chosen) for anything that is no id."""
    return (id_from(str(value)) or 0) if value is not None else 0


class AccountRequestForm(PortalForm):
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Enter your first name.")), Length(max=100), person_name],
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(_l("Enter your last name.")), Length(max=100), person_name],
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
    # Both are checked by the service: the village, when there is one, decides the centre; a
    # town centre (or one without villages) takes a request naming the centre alone.
    centre_id = SelectField(
        _l("Your social welfare centre"),
        description=_l("Not needed when you choose your village below."),
        coerce=_id_or_zero,
        default=0,
    )
    village_id = SelectField(
        _l("Your village"),
        description=_l("If you live in a town, you may leave it empty."),
        coerce=_id_or_zero,
        default=0,
    )
    consent = BooleanField(
        _l(
            "I agree that the social welfare centre processes my personal data to run the "
            "project and to contact me about it."
        ),
        validators=[DataRequired(_l("We can only process your request with your consent."))],
    )
