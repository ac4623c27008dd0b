"""Forms of social contracts: the contract itself and the steps of its lifecycle."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import MultiCheckboxField, PortalForm, VersionField
from portal.models.enums import Instrument


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

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.instruments.choices = Instrument.choices()


class SignForm(PortalForm):
    signed_on = DateField(_l("Signed on"), validators=[DataRequired(_l("Enter the date."))])


# A blank evaluation or reason is refused by the service (contracts.complete, .terminate), which
# says so on the contract's page; the form asks the browser for one and bounds its length.


def cancels_field() -> HiddenField:
    """The instalments the page said ending the contract cancels (entitlements.Ending's
    fingerprint): the service refuses when they are no longer the same."""
    return HiddenField(validators=[Optional(), Length(max=64)])


class EvaluationForm(PortalForm):
    evaluation = TextAreaField(
        _l("Evaluation"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"required": True},
    )
    cancels = cancels_field()


class TerminationForm(PortalForm):
    reason = StringField(
        _l("Reason for ending early"),
        validators=[Optional(), Length(max=500)],
        render_kw={"required": True},
    )
    cancels = cancels_field()
