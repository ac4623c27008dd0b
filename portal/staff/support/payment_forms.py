"""Forms of the payment lists: the month of a new list, and the day its items were paid."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, MonthField
from wtforms.validators import DataRequired

from portal.forms import PortalForm


class PaidForm(PortalForm):
    paid_on = DateField(_l("Paid on"), validators=[DataRequired(_l("Enter the date."))])


class PaymentMonthForm(PortalForm):
    month = MonthField(_l("Month"), validators=[DataRequired(_l("Choose a month."))])
