"""Forms of a stage's ledger: an expense, its correction, an event's cost. Amounts are text,
read by services.money.parse."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import PortalForm, amount_field, chosen_id, strip
from portal.models.spending import DocumentKind
from portal.models.support import EventCostKind

AMOUNT_HINT = _l("In złoty, e.g. 1 234,56")


def _document() -> StringField:
    return StringField(
        _l("Document number"),
        description=_l("The invoice, bill or payroll number."),
        validators=[DataRequired(_l("Enter the document number.")), Length(max=60)],
    )


class ExpenseForm(PortalForm):
    """An expense with its document as the payment claim lists it; the service checks the tax
    number's check digit, the dates and the amounts against each other."""

    # The service checks that the line belongs to the stage and says so beside the field.
    line_id = SelectField(
        _l("Budget line"),
        coerce=chosen_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose a budget line."))],
    )
    document_kind = SelectField(
        _l("Kind of document"), choices=[], default=DocumentKind.INVOICE.value
    )
    document_number = _document()
    accounting_number = StringField(
        _l("Accounting or register number"),
        description=_l("Optional: the number the document has in the centre's books."),
        filters=[strip],
        validators=[Optional(), Length(max=60)],
    )
    issuer = StringField(
        _l("Issued by"),
        description=_l(
            "The seller or contractor, as on the document; required for an invoice or a bill."
        ),
        filters=[strip],
        validators=[Optional(), Length(max=200)],
    )
    issuer_nip = StringField(
        _l("Issuer's tax number (NIP)"),
        description=_l("Ten digits; required for an invoice."),
        filters=[strip],
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    issued_on = DateField(
        _l("Date of issue"),
        description=_l("Leave empty if issued on the day it was paid."),
        validators=[Optional()],
    )
    spent_on = DateField(_l("Date of payment"), validators=[DataRequired(_l("Enter the date."))])
    description = StringField(
        _l("What was bought or paid"),
        validators=[DataRequired(_l("Describe the expense.")), Length(max=300)],
    )
    gross = amount_field(
        _l("Document's gross amount (PLN)"),
        required=None,
        description=_l("Leave empty if the whole document is eligible."),
    )
    amount = amount_field(_l("Eligible amount (PLN)"), description=AMOUNT_HINT)
    vat = amount_field(
        _l("Of which VAT (PLN)"),
        required=None,
        description=_l("The VAT counted in the eligible amount; empty when it is recovered."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.document_kind.choices = DocumentKind.choices()


class CorrectionForm(PortalForm):
    amount = amount_field(
        _l("What was really spent (PLN)"),
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
    amount = amount_field(_l("Amount (PLN)"), description=AMOUNT_HINT)
    description = StringField(
        _l("Description"),
        description=_l("Optional: the kind of cost and the event's title are used otherwise."),
        validators=[Optional(), Length(max=300)],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.cost_kind.choices = EventCostKind.choices()


class ClaimPeriodForm(PortalForm):
    """The period of a payment claim whose list of documents is downloaded (read from the
    query string: a download changes nothing)."""

    start = DateField(
        _l("Claim period from"),
        description=_l("Empty: the stage's start."),
        validators=[Optional()],
    )
    end = DateField(
        _l("Claim period to"), description=_l("Empty: the stage's end."), validators=[Optional()]
    )
