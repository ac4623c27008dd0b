"""Form pieces every page shares, and the input rules that hold for every field by construction.

Every form of the portal derives from `PortalForm`. Whatever a form declares, its `validate()`
also refuses, next to the field, the classes of input that no column can hold or no rule can
reason about: control characters (NUL breaks PostgreSQL), dates outside the years a centre can
use, and whole numbers beyond the database's integer.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, Form, IntegerField, SelectMultipleField, StringField, widgets
from wtforms.fields import DateField, DateTimeLocalField, MonthField
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
)

from portal.services.common import dates, names
from portal.services.common.errors import PortalError
from portal.services.common.limits import MAX_ID, MAX_ID_DIGITS, MAX_INT, MIN_INT
from portal.services.money import money

# C0 controls and DEL; a text area keeps its line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")

# What WTForms calls with the form and the field; it refuses by raising a ValidationError.
Validator = Callable[[Form, Field], None]


def strip(value: object) -> object:
    """Phones often add a space after an autocompleted address; it is not part of it."""
    return value.strip() if isinstance(value, str) else value


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    return bool((_CONTROL if multiline else _CONTROL_IN_LINE).search(text))


def _no_control_characters(form: Form, field: Field) -> None:
    multiline = field.type == "TextAreaField"
    values = [*(field.raw_data or ()), *(field.data if isinstance(field.data, list) else ())]
    if any(isinstance(v, str) and has_control_characters(v, multiline=multiline) for v in values):
        raise StopValidation(
            _l("Remove the invisible control characters (for example pasted from another program).")
        )


def _date_in_range(form: Form, field: Field) -> None:
    value = field.data
    if isinstance(value, datetime):
        value = value.date()
    # A field may declare its own years (a birth date); every other date is a centre's record.
    first, last = getattr(field, "date_range", None) or (dates.EARLIEST, dates.LATEST)
    if isinstance(value, date) and not first <= value <= last:
        # Refused here, read as not given by everything after: the service check of the same
        # pass (validate_on_submit_with) must never compute with year 1 or 9999.
        field.data = None
        raise StopValidation(
            _l(
                "Enter a date between %(first)s and %(last)s.",
                first=format_date(first, "long"),
                last=format_date(last, "long"),
            )
        )


def _integer_in_range(form: Form, field: Field) -> None:
    values = field.data if isinstance(field.data, list) else [field.data]
    if any(
        isinstance(v, int) and not isinstance(v, bool) and not MIN_INT <= v <= MAX_INT
        for v in values
    ):
        field.data = [] if isinstance(field.data, list) else None  # as for a date out of range
        raise StopValidation(_l("Enter a smaller number."))


def _number_in_ascii_digits(form: Form, field: Field) -> None:
    # int() reads "１２" or "٣" as numbers: a person typing them did not mean what is stored.
    if any(isinstance(v, str) and money.has_other_digits(v) for v in field.raw_data or ()):
        field.errors.clear()  # "Not a valid integer value." says less than this
        raise StopValidation(_l("Type the number with the digits 0-9."))


# The digits of the largest integer a column holds, its sign, and room for leading zeros.
_MAX_DIGITS = 2 * len(str(MIN_INT))


def _number_of_few_digits(form: Form, field: Field) -> None:
    # Past 4 300 digits int() refuses and WTForms says "Not a valid integer value.": the number
    # is a valid one, only too large, as any past the database's integer. A hidden field (the
    # form's version) was typed by nobody: its own message stands.
    if isinstance(field.widget, widgets.HiddenInput):
        return
    if any(
        isinstance(v, str) and len(v.strip()) > _MAX_DIGITS and v.strip().lstrip("+-").isdigit()
        for v in field.raw_data or ()
    ):
        field.errors.clear()
        field.data = None
        raise StopValidation(_l("Enter a smaller number."))


def _amount_in_ascii_digits(form: Form, field: Field) -> None:
    if isinstance(field.data, str) and money.has_other_digits(field.data):
        raise StopValidation(money.OTHER_DIGITS)


class PortalForm(FlaskForm):
    """A Flask-WTF form whose every field also obeys the rules in this module's docstring."""

    def process(
        self,
        formdata: object = None,
        obj: object = None,
        data: Mapping[str, object] | None = None,
        extra_filters: Mapping[str, Sequence[Callable[[object], object]]] | None = None,
        **kwargs: object,
    ) -> None:
        super().process(formdata, obj, data, extra_filters, **kwargs)
        # A text field left out of the request reads as empty text, never None: services can
        # take `str` and strip it.
        for field in self:
            if isinstance(field, StringField) and field.data is None:
                field.data = ""

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        extra: dict[str, list[Validator]] = {
            name: list(v) for name, v in (extra_validators or {}).items()
        }
        for name, field in self._fields.items():
            checks = extra.setdefault(name, [])
            if isinstance(field, DateField | DateTimeLocalField | MonthField):
                checks.append(_date_in_range)
            else:  # integer fields, and selects whose choices are ids
                checks.append(_integer_in_range)
            if isinstance(field, IntegerField):
                checks.insert(0, _number_of_few_digits)
                checks.insert(0, _number_in_ascii_digits)
            checks.insert(0, _no_control_characters)
        valid: bool = super().validate(extra_validators=extra)
        return valid

    def validate_on_submit_with(self, check: Callable[[], object]) -> bool:
        """`validate_on_submit()` and the service's own check of the same fields in one pass.

        A long form shows every error at once: a missing field and a wrong date order (or an
        amount that is no amount) together, not one round after the other. `check` builds the
        service's values from what parsed and runs its check; a refusal naming a field lands
        beside it. A check that cannot run because a field it needs did not parse is skipped
        (that field says so itself), and a refusal naming no field is left for the change itself.
        """
        if not self.is_submitted():
            return False
        valid = self.validate()
        try:
            check()
        except PortalError as error:
            field = getattr(self, error.field, None) if error.field else None
            if field is not None:
                if not field.errors:  # one message a field: its own comes first
                    field.errors = [str(error.message)]
                valid = False
        except (TypeError, ValueError, AttributeError, KeyError):
            pass  # a value it needs is missing or malformed: its own field shows that
        return valid

    def hidden_fields(self) -> list[Field]:
        """The fields rendered as hidden inputs (CSRF token, version)."""
        return [f for f in self if isinstance(f.widget, widgets.HiddenInput)]


class CsrfForm(PortalForm):
    """A form without fields of its own: a button that changes something, still CSRF-checked."""


class VersionField(IntegerField):
    """The edit version a form was opened on (optimistic locking), as a hidden input."""

    widget = widgets.HiddenInput()
    data: int | None

    def __init__(
        self, label: object = "", validators: Sequence[Validator] | None = None, **kwargs: object
    ) -> None:
        super().__init__(
            label,
            validators=validators
            or [Optional(), NumberRange(0, MAX_INT, _l("The form is damaged. Reload the page."))],
            **kwargs,
        )

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError(_l("The form is damaged. Reload the page.")) from error


class BirthDateField(DateField):
    """A date of birth: from 1900 to today, not the years of the centre's records."""

    @property
    def date_range(self) -> tuple[date, date]:
        return date(1900, 1, 1), dates.local_date(datetime.now(UTC))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WholeNumberField(IntegerField):
    """A whole number typed with the digits 0-9. Anything else ("abc", but also "１２" or "²",
    which int() would read) is no number: the data is None and the field's validators say so."""

    data: int | None

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        # Nine digits stay within any integer column; longer input is not read at all.
        self.data = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def id_from(value: str | None) -> int | None:
    """An id typed into a URL or a hidden field: ASCII digits within the database's range.

    Refused by its length before int() reads it: int() raises past 4 300 digits (and works
    quadratically below), so a long number would end in a server error, not a refusal.
    """
    if value is None or len(value) > MAX_ID_DIGITS or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def ids_from(values: list[str], *, limit: int) -> list[int]:
    return [number for number in map(id_from, values[:limit]) if number is not None]


def chosen_id(value: object) -> int | None:
    """A select's chosen id; the empty "—" choice and anything not an id read as None."""
    if isinstance(value, int):
        return value
    return id_from(value if isinstance(value, str) else None)


class PersonName:
    """A person's name as `services.common.names` allows it (letters of any alphabet, spaces,
    hyphens, apostrophes), refused beside the field otherwise. `separators` lets a field hold
    several names (the family members coming along)."""

    def __init__(self, *, separators: str = "", message: object = None) -> None:
        self.separators = separators
        if message is None:
            message = (
                _l("Use only letters, spaces, hyphens and apostrophes; put a comma between names.")
                if separators
                else _l("Use only letters, spaces, hyphens and apostrophes.")
            )
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data
        if (
            isinstance(value, str)
            and value.strip()
            and not names.is_name(value, separators=self.separators)
        ):
            raise StopValidation(self.message)


person_name = PersonName()


MONEY_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}
ENTER_THE_AMOUNT = _l("Enter the amount.")


def amount_field(
    label: object, *, required: object = ENTER_THE_AMOUNT, description: object = None
) -> StringField:
    """An amount in złoty as typed ("1 234,56"), read by services.money.parse; ASCII digits only.

    `required` is the message for an empty field, or None for an optional amount.
    """
    return StringField(
        label,
        description=description,
        filters=[strip],
        validators=[
            DataRequired(required) if required else Optional(),
            Length(max=20),
            _amount_in_ascii_digits,
        ],
        render_kw=MONEY_ATTRS,
    )


PHONE_SHAPE = r"^\+?[0-9][0-9 ()-]{5,28}$"


def contact_email_field(description: object = None) -> EmailField:
    """An optional e-mail address to write to (a person's contact, not a sign-in)."""
    return EmailField(
        _l("E-mail address"),
        description=description,
        filters=[strip],
        validators=[
            Optional(),
            Email(_l("Enter an e-mail address in the form name@example.com.")),
            Length(max=254),
        ],
    )


def phone_field(*, autocomplete: str = "tel") -> StringField:
    """An optional telephone number: digits, spaces, brackets, + and -."""
    return StringField(
        _l("Telephone"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=30),
            Regexp(PHONE_SHAPE, message=_l("Enter a telephone number: digits, spaces, + and -.")),
        ],
        render_kw={"type": "tel", "autocomplete": autocomplete},
    )
