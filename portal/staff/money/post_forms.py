"""Forms of the posts paid from a project: a post, one month's salary, a month's salaries of
every post. Amounts are text, read by services.money.parse."""

from flask_babel import lazy_gettext as _l
from wtforms import MonthField, SelectField, StringField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import PortalForm, WholeNumberField, amount_field, chosen_id, person_name


class PostForm(PortalForm):
    project_id = SelectField(
        _l("Project"),
        coerce=chosen_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a project."))],
    )
    person_name = StringField(
        _l("Person employed"),
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=200), person_name],
    )
    user_id = SelectField(
        _l("Their staff account"),
        choices=[],
        validate_choice=False,
        description=_l("Optional: when the person signs in to the portal."),
    )
    title = StringField(
        _l("Post"),
        description=_l("For example: social worker, career advisor."),
        validators=[DataRequired(_l("Enter the post.")), Length(max=200)],
    )
    fte_percent = WholeNumberField(
        _l("Share of a full-time post (percent)"),
        description=_l("100 for full time, 50 for half time."),
        validators=[
            InputRequired(_l("Enter a share from 1 to 100 percent.")),
            NumberRange(1, 100, _l("Enter a share from 1 to 100 percent.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    starts_on = DateField(_l("Start"), validators=[DataRequired(_l("Enter the start date."))])
    ends_on = DateField(
        _l("End"), validators=[Optional()], description=_l("Leave empty if not decided yet.")
    )
    monthly_cost = amount_field(
        _l("Monthly cost (PLN)"), description=_l("Gross salary with the employer's contributions.")
    )


class SalaryForm(PortalForm):
    month = MonthField(_l("Month"), validators=[DataRequired(_l("Choose a month."))])
    amount = amount_field(
        _l("Amount (PLN)"),
        required=None,
        description=_l("Leave empty to post the post's monthly cost."),
    )


class MonthPostingForm(PortalForm):
    project_id = SelectField(
        _l("Project"),
        coerce=chosen_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a project."))],
    )
    month = MonthField(_l("Month"), validators=[DataRequired(_l("Choose a month."))])
