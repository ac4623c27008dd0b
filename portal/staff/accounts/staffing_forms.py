"""Forms of the staff accounts' pages: a new account, its roles, a caseload handed over."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from portal.forms import MultiCheckboxField, PortalForm, id_from, person_name, strip
from portal.services.accounts.staffing import CENTRE_ROLES

EMAIL_VALIDATORS = [
    DataRequired(_l("Enter an e-mail address.")),
    Email(_l("Enter an e-mail address in the form name@example.com.")),
    Length(max=254),
]


class StaffUserForm(PortalForm):
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Enter the first name.")), Length(max=100), person_name],
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(_l("Enter the last name.")), Length(max=100), person_name],
    )
    email = EmailField(_l("E-mail address"), filters=[strip], validators=EMAIL_VALIDATORS)
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[],
        validators=[DataRequired(_l("Choose at least one role."))],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.roles.choices = [(role.value, role.label) for role in CENTRE_ROLES]


class RolesForm(PortalForm):
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[],
        validators=[DataRequired(_l("Choose at least one role."))],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.roles.choices = [(role.value, role.label) for role in CENTRE_ROLES]


def _id_or_zero(value: object) -> int:
    """A chosen id, or 0 (nobody chosen) for anything that is no id."""
    return (id_from(str(value)) or 0) if value is not None else 0


class HandoverForm(PortalForm):
    """Whose caseload (as advisor or as social worker) goes to which colleague.

    The view fills the choices: the roles in which the person keeps participants, and the
    active colleagues who could take them over.
    """

    role = RadioField(
        _l("Caseload to hand over"),
        choices=[],
        validators=[DataRequired(_l("Choose whose caseload to hand over."))],
    )
    successor_id = SelectField(
        _l("Hand over to"),
        coerce=_id_or_zero,
        default=0,
        validators=[DataRequired(_l("Choose the colleague who takes over."))],
    )
