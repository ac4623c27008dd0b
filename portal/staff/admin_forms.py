"""Forms of the administration pages: staff accounts, centres, account requests."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Regexp

from portal.forms import MultiCheckboxField, PortalForm, strip
from portal.models.enums import CentreKind, Role

EMAIL_VALIDATORS = [
    DataRequired(_l("Enter an e-mail address.")),
    Email(_l("Enter an e-mail address in the form name@example.com.")),
    Length(max=254),
]


class StaffUserForm(PortalForm):
    first_name = StringField(
        _l("First name"), validators=[DataRequired(_l("Enter the first name.")), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), validators=[DataRequired(_l("Enter the last name.")), Length(max=100)]
    )
    email = EmailField(_l("E-mail address"), filters=[strip], validators=EMAIL_VALIDATORS)
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[],
        validators=[DataRequired(_l("Choose at least one role."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = [
            (role.value, role.label)
            for role in (Role.ADVISOR, Role.SOCIAL_WORKER, Role.COORDINATOR)
        ]


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
        validators=[DataRequired(_l("Enter the first name.")), Length(max=100)],
    )
    coordinator_last_name = StringField(
        _l("Coordinator's last name"),
        validators=[DataRequired(_l("Enter the last name.")), Length(max=100)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = CentreKind.choices()


class RefusalForm(PortalForm):
    reason = StringField(
        _l("Reason for refusing"),
        validators=[DataRequired(_l("Enter the reason for refusing.")), Length(max=500)],
    )
