"""The course forms of a participant's page: the page (`people.participants`) shows them, and
the course views (`support.courses`) take them and show the page again with their errors."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import PortalForm, amount_field


class CourseForm(PortalForm):
    # The service checks the course against the catalogue and says so next to the field.
    course_id = SelectField(
        _l("Course"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a course from the catalogue."))],
    )
    planned_start = DateField(_l("Planned start"), validators=[Optional()])
    planned_end = DateField(_l("Planned end"), validators=[Optional()])
    cost = amount_field(
        _l("Cost (PLN)"),
        required=None,
        description=_l("Leave empty to charge the catalogue price; type 0 for a free place."),
    )


class CourseCompletionForm(PortalForm):
    certificate_number = StringField(
        _l("Certificate number"),
        validators=[DataRequired(_l("Enter the certificate number.")), Length(max=60)],
    )
    completed_on = DateField(_l("Completed on"), validators=[DataRequired(_l("Enter the date."))])


class DropForm(PortalForm):
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=500)]
    )
