"""Forms of individual support: a casework contact, a placement and its monthly hours sheet."""

from collections.abc import Iterable
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import PortalForm, VersionField, amount_field, strip
from portal.models import SocialContract
from portal.models.support import ContactKind, PlacementKind
from portal.services.support import placements


def contract_choices(contracts: Iterable[SocialContract]) -> list[tuple[int, object]]:
    return [(0, _l("— none —")), *((c.id, c.number) for c in contracts)]


class ContactForm(PortalForm):
    happened_on = DateField(
        _l("Date of the contact"), validators=[DataRequired(_l("Enter the date."))]
    )
    contact_kind = SelectField(
        _l("Kind of contact"), choices=[], validators=[DataRequired(_l("Choose the kind."))]
    )
    minutes = IntegerField(
        _l("Duration in minutes"),
        validators=[
            InputRequired(_l("Enter the duration in minutes.")),
            NumberRange(1, 1440, _l("Enter from 1 to 1440 minutes.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    with_whom = RadioField(_l("With whom"), choices=[], default="person")
    contract_id = SelectField(_l("Social contract"), coerce=int, choices=[], default=0)
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=1000)],
        description=_l("For staff only: never shown to the participant, never exported."),
    )
    seen = HiddenField()

    def __init__(
        self, *args: object, contracts: Iterable[SocialContract] = (), **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.contact_kind.choices = ContactKind.choices()
        self.with_whom.choices = [
            ("person", _l("With the person")),
            ("family", _l("With the family")),
        ]
        self.contract_id.choices = contract_choices(contracts)


class PlacementForm(PortalForm):
    kind = RadioField(
        _l("Kind of placement"), choices=[], validators=[InputRequired(_l("Choose the kind."))]
    )
    employer = StringField(
        _l("Employer or institution"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the employer or institution.")), Length(max=200)],
    )
    supervisor = StringField(
        _l("Supervisor"), filters=[strip], validators=[Optional(), Length(max=200)]
    )
    starts_on = DateField(_l("Start"), validators=[DataRequired(_l("Enter the date."))])
    ends_on = DateField(_l("End"), validators=[DataRequired(_l("Enter the date."))])
    hours_per_month = IntegerField(
        _l("Hours per month"),
        validators=[
            InputRequired(_l("Enter the hours per month.")),
            NumberRange(1, 744, _l("Enter from 1 to 744 hours.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    hourly_rate = amount_field(
        _l("Hourly rate (PLN)"),
        required=None,
        description=_l("Socially useful work only, e.g. 9,80. Leave empty for work training."),
    )
    contract_id = SelectField(_l("Social contract"), coerce=int, choices=[], default=0)
    version = VersionField()

    def __init__(
        self, *args: object, contracts: Iterable[SocialContract] = (), **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = PlacementKind.choices()
        self.contract_id.choices = contract_choices(contracts)


class HoursSheetForm(PortalForm):
    """Built per month by `hours_sheet_form`: one field of hours per day of the period."""

    version = VersionField()
    days: dict[date, str] = {}

    def hours(self) -> dict[date, int | None]:
        return {day: self[name].data for day, name in self.days.items()}


def hours_sheet_form(days: list[date], **kwargs: object) -> HoursSheetForm:
    names = {day: placements.day_field(day) for day in days}
    fields = {
        names[day]: IntegerField(
            format_date(day, "EEEE, d MMMM"),
            validators=[Optional(), NumberRange(0, 24, _l("Enter from 0 to 24 hours."))],
            render_kw={"inputmode": "numeric"},
        )
        for day in days
    }
    form_class: type[HoursSheetForm] = type(
        "MonthHoursForm", (HoursSheetForm,), {**fields, "days": names}
    )
    return form_class(**kwargs)
