from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from portal.forms import MultiCheckboxField, PortalForm, strip
from portal.models.enums import CentreKind, Role

EMAIL_VALIDATORS = [
    DataRequired(_l("Enter an e-mail address.")),
    Email(_l("Enter an e-mail address in the form name@example.com.")),
    Length(max=254),
]


class ParticipantForm(PortalForm):
    first_name = StringField(
        _l("First name"), validators=[DataRequired(_l("Enter the first name.")), Length(max=100)]
    )
    last_name = StringField(
        _l("Last name"), validators=[DataRequired(_l("Enter the last name.")), Length(max=100)]
    )
    pesel = StringField(
        _l("PESEL"),
        description=_l("11 digits. Leave empty if the person has no PESEL number."),
        validators=[
            Optional(),
            Length(max=11, message=_l("A PESEL number has exactly 11 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    village_id = SelectField(_l("Village (sołectwo)"), coerce=int, validators=[Optional()])
    on_contract_path = BooleanField(_l("Social contract path"))
    on_pal_path = BooleanField(_l("Local Activity Programme (PAL)"))
    advisor_id = SelectField(_l("Career advisor"), coerce=int, validators=[Optional()])
    email = EmailField(
        _l("E-mail address for an account"),
        description=_l("If given, the person receives an invitation to set a password."),
        filters=[strip],
        validators=[
            Optional(),
            Email(_l("Enter an e-mail address in the form name@example.com.")),
            Length(max=254),
        ],
    )


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
