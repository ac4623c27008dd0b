"""Forms where money is typed or decided: allowance requests, payment lists, the allowance
limits, and courses (their cost)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    MonthField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import PortalForm, amount_field
from portal.models.enums import AllowanceKind, PurposeCategory


class WholeNumberField(IntegerField):
    """A whole number typed with the digits 0-9. Anything else ("abc", but also "１２" or "²",
    which int() would read) is no number: the data is None and the field's validators say so."""

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        # Nine digits stay within any integer column; longer input is not read at all.
        self.data = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


class AllowanceForm(PortalForm):
    kind = SelectField(_l("Kind of allowance"), choices=[])
    contract_id = SelectField(_l("Social contract"), coerce=int, validators=[Optional()])
    amount = amount_field(
        _l("Amount (zł)"),
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = AllowanceKind.choices()
        self.category.choices = [("", "—"), *PurposeCategory.choices()]


class PaidForm(PortalForm):
    paid_on = DateField(_l("Paid on"), validators=[DataRequired(_l("Enter the date."))])


class PaymentMonthForm(PortalForm):
    month = MonthField(_l("Month"), validators=[DataRequired(_l("Choose a month."))])


class LimitsForm(PortalForm):
    max_periodic = amount_field(
        _l("Highest periodic allowance per month (zł)"),
        required=None,
        description=_l("Leave empty for no limit."),
    )
    max_purpose = amount_field(
        _l("Highest purpose allowance (zł)"),
        required=None,
        description=_l("Leave empty for no limit."),
    )
    max_in_kind = amount_field(
        _l("Highest value of in-kind help (zł)"),
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
