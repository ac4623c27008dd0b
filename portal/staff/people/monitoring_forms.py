"""Forms of a participant's ESF monitoring data and of the end of their support."""

from datetime import date
from enum import Enum
from typing import Self, TypeVar

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from portal.forms import PortalForm, VersionField, strip
from portal.models.centres import Area
from portal.models.people import Answer, Education, LabourMarketStatus, Participant
from portal.services.common import dates
from portal.services.people import exits, monitoring

E = TypeVar("E", bound=Enum)

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
ANSWERS = (
    "minority",
    "national_minority",
    "foreign_origin",
    "third_country_national",
    "homeless",
    "disability",
    "jobless_household",
    "jobless_household_with_children",
    "single_adult_with_children",
    "other_disadvantage",
)
ADDRESS = (
    "voivodeship",
    "county",
    "commune",
    "town",
    "street",
    "building_number",
    "flat_number",
    "postcode",
)


def _text(label: object, length: int, **kwargs: object) -> StringField:
    return StringField(
        label, filters=[strip], validators=[Optional(), Length(max=length)], **kwargs
    )


class UnemployedSinceField(DateField):
    """Unemployment may have begun long before the years of the centre's records; whether it is
    in the future or after the start of support is the monitoring service's rule."""

    date_range = (date(1900, 1, 1), dates.LATEST)


def _answer(label: object, description: object = None) -> RadioField:
    return RadioField(label, description=description, choices=[], validators=[Optional()])


class MonitoringForm(PortalForm):
    version = VersionField()
    support_start = DateField(
        _l("Corrected start of participation"),
        description=_l(
            "Leave empty: the start is the day of the first support. Enter another day only when "
            "the records do not show the real first support, and give the reason."
        ),
        validators=[Optional()],
    )
    support_start_reason = StringField(
        _l("Reason for the corrected start"),
        description=_l(
            "What the records do not show, e.g. the first counselling held before the person "
            "was recorded. It is kept in the audit trail: no health or family details here."
        ),
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )
    education = SelectField(_l("Education"), choices=[], validators=[Optional()])
    voivodeship = _text(_l("Voivodeship"), 60)
    county = _text(_l("County (powiat)"), 60)
    commune = _text(_l("Commune (gmina)"), 60)
    town = _text(_l("Town or village"), 100)
    street = _text(_l("Street"), 100)
    building_number = _text(_l("Building number"), 10)
    flat_number = _text(_l("Flat number"), 10)
    postcode = StringField(
        _l("Postcode"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=6),
            Regexp(r"^[0-9]{2}-[0-9]{3}$", message=_l("Enter a postcode like 23-300.")),
        ],
    )
    area = RadioField(_l("Area"), choices=[], validators=[Optional()])
    labour_market_status = RadioField(
        _l("Status on the labour market at entry"), choices=[], validators=[Optional()]
    )
    unemployed_since = UnemployedSinceField(
        _l("Unemployed since"),
        description=_l(
            "Only for an unemployed person: the first day without work. Leave it empty if the "
            "person does not know it; when given, the long-term box must agree with it."
        ),
        validators=[Optional()],
    )
    is_long_term_unemployed = BooleanField(
        _l("Long-term unemployed"),
        description=_l("Unemployed over 6 months (under 25) or over 12 months (25 and over)."),
    )
    is_in_education = BooleanField(_l("Inactive: in education or training"))
    occupation = _text(_l("Occupation (employed person)"), 100)
    employer_kind = SelectField(
        _l("Kind of employer (employed person)"), choices=[], validators=[Optional()]
    )
    minority = _answer(_l("National or ethnic minority, migrant, person of foreign origin"))
    # 2021–2027 projects (CST2021) ask these three apart; the one above is 2007–2020's question.
    national_minority = _answer(
        _l("National or ethnic minority"),
        _l(
            "Asked by 2021–2027 projects: a minority named in the act on national and ethnic "
            "minorities, including marginalised communities such as the Roma."
        ),
    )
    foreign_origin = _answer(
        _l("Person of foreign origin"),
        _l("Asked by 2021–2027 projects: a foreigner, a person without Polish citizenship."),
    )
    third_country_national = _answer(
        _l("Third-country national"),
        _l(
            "Asked by 2021–2027 projects: a citizen of a country outside the European Union, "
            "or a stateless person."
        ),
    )
    homeless = _answer(_l("Homeless or excluded from housing"))
    disability = _answer(_l("Person with disabilities"))
    jobless_household = _answer(_l("Lives in a jobless household"))
    jobless_household_with_children = _answer(
        _l("Of which: a jobless household with dependent children")
    )
    single_adult_with_children = _answer(_l("Single adult with dependent children"))
    other_disadvantage = _answer(_l("Other disadvantaged situation"))
    cares_for_child_under_7 = RadioField(
        _l("Cares for a child under 7"), choices=[], validators=[Optional()]
    )
    cares_for_dependant = RadioField(
        _l("Cares for a dependant"), choices=[], validators=[Optional()]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        none = [("", _l("— not recorded —"))]
        self.education.choices = none + Education.choices()
        self.area.choices = Area.choices()
        self.labour_market_status.choices = LabourMarketStatus.choices()
        self.employer_kind.choices = none + list(monitoring.EMPLOYER_KINDS.items())
        for name in ANSWERS:
            self[name].choices = Answer.choices()
        self.cares_for_child_under_7.choices = YES_NO
        self.cares_for_dependant.choices = YES_NO

    def monitoring_data(self) -> monitoring.MonitoringData:
        def enum(kind: type[E], name: str) -> E | None:
            return kind(self[name].data) if self[name].data else None

        def yes_no(name: str) -> bool | None:
            return {"yes": True, "no": False}.get(self[name].data)

        def text(name: str) -> str:
            return self[name].data or ""

        return monitoring.MonitoringData(
            education=enum(Education, "education"),
            voivodeship=text("voivodeship"),
            county=text("county"),
            commune=text("commune"),
            town=text("town"),
            street=text("street"),
            building_number=text("building_number"),
            flat_number=text("flat_number"),
            postcode=text("postcode"),
            area=enum(Area, "area"),
            labour_market_status=enum(LabourMarketStatus, "labour_market_status"),
            is_long_term_unemployed=self.is_long_term_unemployed.data,
            is_in_education=self.is_in_education.data,
            occupation=self.occupation.data or "",
            employer_kind=self.employer_kind.data or "",
            minority=enum(Answer, "minority"),
            national_minority=enum(Answer, "national_minority"),
            foreign_origin=enum(Answer, "foreign_origin"),
            third_country_national=enum(Answer, "third_country_national"),
            homeless=enum(Answer, "homeless"),
            disability=enum(Answer, "disability"),
            jobless_household=enum(Answer, "jobless_household"),
            jobless_household_with_children=enum(Answer, "jobless_household_with_children"),
            single_adult_with_children=enum(Answer, "single_adult_with_children"),
            other_disadvantage=enum(Answer, "other_disadvantage"),
            cares_for_child_under_7=yes_no("cares_for_child_under_7"),
            cares_for_dependant=yes_no("cares_for_dependant"),
            support_start=self.support_start.data,
            unemployed_since=self.unemployed_since.data,
            support_start_reason=self.support_start_reason.data or "",
        )

    @classmethod
    def of(cls, person: Participant) -> Self:
        """The form filled in from the record, on its current version."""
        data: dict[str, object] = {
            name: getattr(person, name) or "" for name in (*ADDRESS, "occupation")
        }
        for name in ("education", "area", "labour_market_status", *ANSWERS):
            value = getattr(person, name)
            data[name] = value.value if value is not None else None
        for name in ("cares_for_child_under_7", "cares_for_dependant"):
            value = getattr(person, name)
            data[name] = None if value is None else ("yes" if value else "no")
        data |= {
            "employer_kind": person.employer_kind or "",
            "is_long_term_unemployed": bool(person.is_long_term_unemployed),
            "is_in_education": bool(person.is_in_education),
            "support_start": person.support_start,
            "support_start_reason": person.support_start_reason or "",
            "unemployed_since": person.unemployed_since,
            "version": person.version_id,
        }
        return cls(data=data)


class ExitForm(PortalForm):
    version = VersionField()
    support_end = DateField(
        _l("End of support"), validators=[DataRequired(_l("Enter the last day of support."))]
    )
    how = RadioField(
        _l("How the person left"),
        choices=[],
        validators=[InputRequired(_l("Choose how the person left."))],
    )
    reason = StringField(
        _l("Reason for leaving early"),
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )
    result_on = DateField(
        _l("Result known on"),
        description=_l("Leave empty until the result is known (due within four weeks)."),
        validators=[Optional()],
    )
    exit_employed = BooleanField(_l("In employment, including self-employment"))
    exit_job_seeking = BooleanField(_l("Looking for work"))
    exit_in_education = BooleanField(_l("In education or training"))
    exit_qualification = BooleanField(_l("Gained a qualification"))
    # The instalments the page said leaving cancels (entitlements.Ending's fingerprint).
    cancels = HiddenField(validators=[Optional(), Length(max=64)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.how.choices = [
            ("completed", _l("Completed the planned path")),
            ("early", _l("Left early")),
        ]

    def exit_data(self) -> exits.ExitData:
        return exits.ExitData(
            support_end=self.support_end.data,
            left_early=self.how.data == "early",
            reason=self.reason.data or "",
            result_on=self.result_on.data,
            results={name: bool(self[name].data) for name in exits.RESULTS},
        )

    @classmethod
    def of(cls, person: Participant) -> Self:
        data: dict[str, object] = {name: bool(getattr(person, name)) for name in exits.RESULTS}
        if person.left_early is not None:
            data["how"] = "early" if person.left_early else "completed"
        data |= {
            "support_end": person.support_end,
            "reason": person.exit_reason or "",
            "result_on": person.exit_result_on,
            "version": person.version_id,
        }
        return cls(data=data)
