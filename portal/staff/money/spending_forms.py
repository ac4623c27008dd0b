"""Forms where money is spent: the stage's ledger, its corrections, event costs, the posts paid
from a project and their salaries. Amounts are text, read by services.money.parse."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, MonthField, SelectField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import ENTER_THE_AMOUNT, PortalForm, amount_field, id_from, person_name
from portal.models.support import EventCostKind
from portal.staff.support.money_forms import WholeNumberField


def chosen_id(value: object) -> int | None:
    """A select's chosen id; the empty "—" choice and anything not an id read as None."""
    if isinstance(value, int):
        return value
    return id_from(value if isinstance(value, str) else None)


AMOUNT_HINT = _l("In złoty, e.g. 1 234,56")


def _amount(label, *, required: bool = True, description=AMOUNT_HINT):
    return amount_field(
        label, required=ENTER_THE_AMOUNT if required else None, description=description
    )


def _date():
    return DateField(_l("Date of the expense"), validators=[DataRequired(_l("Enter the date."))])


def _document():
    return StringField(
        _l("Document number"),
        description=_l("The invoice, bill or payroll number."),
        validators=[DataRequired(_l("Enter the document number.")), Length(max=60)],
    )


class ExpenseForm(PortalForm):
    # The service checks that the line belongs to the stage and says so beside the field.
    line_id = SelectField(
        _l("Budget line"),
        coerce=chosen_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a budget line."))],
    )
    spent_on = DateField(
        _l("Date of the expense"), validators=[DataRequired(_l("Enter the date."))]
    )
    document_number = _document()
    description = StringField(
        _l("What was bought or paid"),
        validators=[DataRequired(_l("Describe the expense.")), Length(max=300)],
    )
    amount = _amount(_l("Amount (zł)"))


class CorrectionForm(PortalForm):
    amount = _amount(
        _l("What was really spent (zł)"),
        description=_l("The entry's right amount; 0 when nothing was spent after all."),
    )
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[DataRequired(_l("Give the reason.")), Length(max=500)],
    )
    # Set by the confirmation page: the second press books the correction.
    confirmed = HiddenField()


class EventCostForm(PortalForm):
    cost_kind = SelectField(_l("Kind of cost"), choices=[])
    spent_on = DateField(
        _l("Date of the expense"), validators=[DataRequired(_l("Enter the date."))]
    )
    document_number = _document()
    amount = _amount(_l("Amount (zł)"))
    description = StringField(
        _l("Description"),
        description=_l("Optional: the kind of cost and the event's title are used otherwise."),
        validators=[Optional(), Length(max=300)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cost_kind.choices = EventCostKind.choices()


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
    monthly_cost = _amount(
        _l("Monthly cost (zł)"), description=_l("Gross salary with the employer's contributions.")
    )


class SalaryForm(PortalForm):
    month = MonthField(_l("Month"), validators=[DataRequired(_l("Choose a month."))])
    amount = _amount(
        _l("Amount (zł)"),
        required=False,
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
