"""Forms of the participant pages: recording a person, their details, and the search that may
hold a PESEL."""

import re
from typing import Self, TypedDict

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.forms import (
    BirthDateField,
    PortalForm,
    VersionField,
    contact_email_field,
    person_name,
    phone_field,
    strip,
)
from portal.models import ConsentKind
from portal.models.people import Sex

PESEL_SHAPE = re.compile(r"[0-9]{11}")


class NameCriteria(TypedDict, total=False):
    """What a search by name asks the list for (the keyword arguments of the list's query)."""

    search: str


class Criteria(NameCriteria, total=False):
    """A search by name, or by a whole PESEL."""

    pesel_number: str


def _different_person() -> BooleanField:
    """Shown only when namesakes were found: the person recording confirms they are not one."""
    return BooleanField(
        _l("This is a different person"),
        description=_l("Tick only after checking the records listed above."),
    )


class ParticipantForm(PortalForm):
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Enter the first name.")), Length(max=100), person_name],
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(_l("Enter the last name.")), Length(max=100), person_name],
    )
    pesel = StringField(
        _l("PESEL"),
        description=_l("11 digits. Leave empty if the person has no PESEL number."),
        validators=[
            Optional(),
            Length(max=11, message=_l("A PESEL number has exactly 11 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    no_pesel_country = StringField(
        _l("Country (for a person without a PESEL number)"),
        filters=[strip],
        validators=[Optional(), Length(max=60)],
    )
    birth_date = BirthDateField(
        _l("Date of birth"),
        description=_l("With a PESEL number it is read from the number: leave it empty."),
        validators=[Optional()],
    )
    village_id = SelectField(_l("Village (sołectwo)"), coerce=int, validators=[Optional()])
    on_contract_path = BooleanField(_l("Social contract path"))
    on_pal_path = BooleanField(_l("Local Activity Programme (PAL)"))
    advisor_id = SelectField(_l("Career advisor"), coerce=int, validators=[Optional()])
    email = EmailField(
        _l("E-mail address for an account"),
        description=_l("If given, the person receives an invitation to set a password."),
        filters=[strip],
        validators=[
            Optional(),
            Email(_l("Enter an e-mail address in the form name@example.com.")),
            Length(max=254),
        ],
    )
    consent_processing = BooleanField(
        _l("Signed the consent to processing of personal data to run the project"),
        description=_l("Tick only when the person signed the paper consent form."),
    )
    consent_email = BooleanField(_l("Agreed to be contacted by e-mail about the project"))
    different_person = _different_person()

    def consent_kinds(self) -> tuple[ConsentKind, ...]:
        ticked = (
            (self.consent_processing.data, ConsentKind.PROCESSING),
            (self.consent_email.data, ConsentKind.EMAIL_CONTACT),
        )
        return tuple(kind for on, kind in ticked if on)


class DetailsForm(PortalForm):
    """Every detail of a recorded person, on the version of the record the form was opened on."""

    version = VersionField()
    first_name = ParticipantForm.first_name
    last_name = ParticipantForm.last_name
    pesel = ParticipantForm.pesel
    no_pesel_country = ParticipantForm.no_pesel_country
    birth_date = ParticipantForm.birth_date
    sex = RadioField(_l("Sex"), choices=[], validators=[Optional()])
    email = contact_email_field()
    phone = phone_field(autocomplete="off")
    village_id = SelectField(_l("Village (sołectwo)"), coerce=int, validators=[Optional()])
    on_contract_path = BooleanField(_l("Social contract path"))
    on_pal_path = BooleanField(_l("Local Activity Programme (PAL)"))
    advisor_id = SelectField(_l("Career advisor"), coerce=int, validators=[Optional()])
    social_worker_id = SelectField(_l("Social worker"), coerce=int, validators=[Optional()])
    different_person = _different_person()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.sex.choices = Sex.choices()


class NameSearchForm(PortalForm):
    """A search by a part of the name, in the address (`?q=`): it can be bookmarked."""

    q = StringField(
        _l("Search by name"),
        filters=[strip],
        validators=[Optional(), Length(max=100)],
        render_kw={"type": "search", "autocomplete": "off"},
    )

    @classmethod
    def from_request(cls) -> Self:
        """The posted search, or on a GET the address's `q` (no CSRF token to check there)."""
        if request.method == "POST":
            return cls()
        return cls(request.args, meta={"csrf": False})

    def criteria(self) -> NameCriteria:
        if not self.validate() or not self.q.data:
            return {}
        return {"search": self.q.data}


class SearchForm(NameSearchForm):
    """Sent by POST, so that a PESEL typed in never reaches an address, a history or a log; a
    GET with `?q=` still searches names (old bookmarks), never a PESEL."""

    q = StringField(
        _l("Search by name or PESEL"),
        filters=[strip],
        validators=[Optional(), Length(max=100)],
        render_kw={"type": "search", "autocomplete": "off"},
    )

    def criteria(self) -> Criteria:
        search = super().criteria().get("search", "")
        if request.method == "POST" and PESEL_SHAPE.fullmatch(search):
            return {"pesel_number": search}
        return {"search": search} if search else {}
