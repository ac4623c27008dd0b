"""Forms of the allowance pages: a request as the social worker prepares it, and the centre's
allowance limits."""

from flask_babel import lazy_gettext as _l
from wtforms import MonthField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import PortalForm, WholeNumberField, amount_field
from portal.models.enums import AllowanceKind, PurposeCategory


class AllowanceForm(PortalForm):
    kind = SelectField(_l("Kind of allowance"), choices=[])
    contract_id = SelectField(_l("Social contract"), coerce=int, validators=[Optional()])
    amount = amount_field(
        _l("Amount (PLN)"),
        description=_l("For a periodic allowance: the amount per month. E.g. 450,00"),
    )
    first_month = MonthField(
        _l("First month"),
        validators=[Optional()],
        description=_l("For other kinds: the month of payment."),
    )
    last_month = MonthField(
        _l("Last month"), validators=[Optional()], description=_l("Periodic allowances only.")
    )
    category = SelectField(
        _l("What the purpose allowance is for"), choices=[], validators=[Optional()]
    )
    purpose = StringField(
        _l("The need, or what is given in kind"), validators=[Optional(), Length(max=300)]
    )
    justification = TextAreaField(
        _l("Justification"),
        validators=[DataRequired(_l("Write the justification.")), Length(max=5000)],
    )
    # The "Submit for a decision" button; "Save as a draft" leaves it out.
    submit_now = SubmitField(_l("Submit for a decision"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = AllowanceKind.choices()
        self.category.choices = [("", "—"), *PurposeCategory.choices()]


class LimitsForm(PortalForm):
    max_periodic = amount_field(
        _l("Highest periodic allowance per month (PLN)"),
        required=None,
        description=_l("Leave empty for no limit."),
    )
    max_purpose = amount_field(
        _l("Highest purpose allowance (PLN)"),
        required=None,
        description=_l("Leave empty for no limit."),
    )
    max_in_kind = amount_field(
        _l("Highest value of in-kind help (PLN)"),
        required=None,
        description=_l("Leave empty for no limit."),
    )
    decision_warning_days = WholeNumberField(
        _l("Highlight requests waiting longer than (days)"),
        validators=[
            InputRequired(_l("Enter a number of days.")),
            NumberRange(1, 365, _l("Enter a number of days from 1 to 365.")),
        ],
    )
