from flask_babel import lazy_gettext as _l
from wtforms import DateField, MonthField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import MultiCheckboxField, PortalForm, VersionField
from portal.models.enums import AllowanceKind, Instrument, PurposeCategory


class ContractForm(PortalForm):
    start_date = DateField(
        _l("Start of the contract"), validators=[DataRequired(_l("Enter the date."))]
    )
    end_date = DateField(
        _l("End of the contract"), validators=[DataRequired(_l("Enter the date."))]
    )
    problem = TextAreaField(
        _l("The problem"), validators=[DataRequired(_l("Describe the problem.")), Length(max=5000)]
    )
    goal = TextAreaField(
        _l("The goal"), validators=[DataRequired(_l("Describe the goal.")), Length(max=5000)]
    )
    participant_obligations = TextAreaField(
        _l("The participant's obligations"),
        validators=[DataRequired(_l("List the participant's obligations.")), Length(max=5000)],
    )
    centre_obligations = TextAreaField(
        _l("The centre's obligations"),
        validators=[DataRequired(_l("List the centre's obligations.")), Length(max=5000)],
    )
    instruments = MultiCheckboxField(_l("Active integration instruments planned"), choices=[])
    support = TextAreaField(
        _l("Financial support"),
        validators=[Optional(), Length(max=5000)],
        description=_l("E.g. a periodic allowance for the whole period."),
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments.choices = Instrument.choices()


class SignForm(PortalForm):
    signed_on = DateField(_l("Signed on"), validators=[DataRequired(_l("Enter the date."))])


class EvaluationForm(PortalForm):
    evaluation = TextAreaField(
        _l("Evaluation"),
        validators=[DataRequired(_l("Write the evaluation of the contract.")), Length(max=5000)],
    )


class TerminationForm(PortalForm):
    reason = StringField(
        _l("Reason for ending early"),
        validators=[
            DataRequired(_l("Give the reason for ending the contract early.")),
            Length(max=500),
        ],
    )


class AllowanceForm(PortalForm):
    kind = SelectField(_l("Kind of allowance"), choices=[])
    contract_id = SelectField(_l("Social contract"), coerce=int, validators=[Optional()])
    amount = StringField(
        _l("Amount (zł)"),
        description=_l("For a periodic allowance: the amount per month. E.g. 450,00"),
        validators=[DataRequired(_l("Enter the amount.")), Length(max=20)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = AllowanceKind.choices()
        self.category.choices = [("", "—"), *PurposeCategory.choices()]


class PaidForm(PortalForm):
    paid_on = DateField(_l("Paid on"), validators=[DataRequired(_l("Enter the date."))])


class LimitsForm(PortalForm):
    max_periodic = StringField(
        _l("Highest periodic allowance per month (zł)"),
        validators=[Optional(), Length(max=20)],
        description=_l("Leave empty for no limit."),
    )
    max_purpose = StringField(
        _l("Highest purpose allowance (zł)"),
        validators=[Optional(), Length(max=20)],
        description=_l("Leave empty for no limit."),
    )
    max_in_kind = StringField(
        _l("Highest value of in-kind help (zł)"),
        validators=[Optional(), Length(max=20)],
        description=_l("Leave empty for no limit."),
    )
    decision_warning_days = StringField(
        _l("Highlight requests waiting longer than (days)"),
        validators=[DataRequired(_l("Enter a number of days.")), Length(max=3)],
    )


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
    cost = StringField(
        _l("Cost (zł)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
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
