"""Forms of the installation's centres: a new centre and its first coordinator."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from portal.forms import PortalForm, person_name, strip
from portal.models.enums import CentreKind
from portal.staff.accounts.staffing_forms import EMAIL_VALIDATORS


class CentreForm(PortalForm):
    name = StringField(
        _l("Full name of the centre"),
        validators=[DataRequired(_l("Enter the centre's name.")), Length(max=200)],
    )
    short_name = StringField(
        _l("Short name"),
        description=_l("Lower-case letters, digits and hyphens, e.g. ops-janow."),
        validators=[
            DataRequired(_l("Enter a short name.")),
            Length(max=60),
            Regexp(r"^[a-z0-9-]+$", message=_l("Use only lower-case letters, digits and hyphens.")),
        ],
    )
    kind = SelectField(_l("Kind"), choices=[])
    town = StringField(
        _l("Town"), validators=[DataRequired(_l("Enter the town.")), Length(max=100)]
    )
    coordinator_email = EmailField(
        _l("Coordinator's e-mail address"),
        description=_l("The first coordinator receives an invitation to set a password."),
        filters=[strip],
        validators=EMAIL_VALIDATORS,
    )
    coordinator_first_name = StringField(
        _l("Coordinator's first name"),
        validators=[DataRequired(_l("Enter the first name.")), Length(max=100), person_name],
    )
    coordinator_last_name = StringField(
        _l("Coordinator's last name"),
        validators=[DataRequired(_l("Enter the last name.")), Length(max=100), person_name],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = CentreKind.choices()
