"""The ESF monitoring data set of a participant (MONITORING.md): entered, checked for consistency,
and the minimum without which a person does not count as a participant."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Participant, User
from portal.models.centres import Area
from portal.models.people import Answer, Education, LabourMarketStatus
from portal.services.audit import audit
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.people import participant_record, participation_start

# The start of participation as staff corrected it, with its reason (participation_start).
START = ("support_start", "support_start_reason")

UNEMPLOYED = frozenset(
    {LabourMarketStatus.UNEMPLOYED_REGISTERED, LabourMarketStatus.UNEMPLOYED_UNREGISTERED}
)

# SL2014's kinds of employer of an employed participant (stored by value).
EMPLOYER_KINDS = {
    "government": _l("Government administration"),
    "local_government": _l("Local government administration"),
    "ngo": _l("Non-governmental organisation"),
    "sme": _l("Micro, small or medium enterprise"),
    "large": _l("Large enterprise"),
    "self_employed": _l("Self-employed"),
    "other": _l("Other"),
}

# Long-term unemployment (MONITORING.md): more than 6 months for a person under 25 at entry, more
# than 12 months at 25 and over, counted back from the first day of support.
LONG_TERM_AGE = 25
LONG_TERM_MONTHS_UNDER_AGE = 6
LONG_TERM_MONTHS = 12

# The minimum data set (MONITORING.md): the columns each item needs, and its name.
MINIMUM = {
    "sex": ((Participant.sex,), _l("sex")),
    "labour_market_status": ((Participant.labour_market_status,), _l("labour-market status")),
    # The start of participation is the first support (participation_start), never typed: the
    # age at entry needs only the birth date.
    "age": ((Participant.birth_date,), _l("age at entry")),
    "education": ((Participant.education,), _l("education")),
    "household": (
        (Participant.jobless_household, Participant.single_adult_with_children),
        _l("household situation"),
    ),
}


@dataclass
class MonitoringData:
    """What staff type into the monitoring form; empty text is no answer."""

    education: Education | None
    voivodeship: str
    county: str
    commune: str
    town: str
    street: str
    building_number: str
    flat_number: str
    postcode: str
    area: Area | None
    labour_market_status: LabourMarketStatus | None
    is_long_term_unemployed: bool
    is_in_education: bool
    occupation: str
    employer_kind: str
    minority: Answer | None
    national_minority: Answer | None
    foreign_origin: Answer | None
    third_country_national: Answer | None
    homeless: Answer | None
    disability: Answer | None
    jobless_household: Answer | None
    jobless_household_with_children: Answer | None
    single_adult_with_children: Answer | None
    other_disadvantage: Answer | None
    cares_for_child_under_7: bool | None
    cares_for_dependant: bool | None
    support_start: date | None  # a corrected start of participation; None: the first support
    unemployed_since: date | None
    support_start_reason: str = ""  # why the start differs from the first support


def age_at_entry(birth_date: date | None, support_start: date | None) -> int | None:
    """Full years on the first day of support; never typed, always computed."""
    if birth_date is None or support_start is None:
        return None
    before_birthday = (support_start.month, support_start.day) < (birth_date.month, birth_date.day)
    return support_start.year - birth_date.year - before_birthday


def months_later(day: date, months: int) -> date:
    """The same day so many calendar months later (the month's last day if it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def long_term_months(age: int) -> int:
    """How many months of unemployment before the start of support long-term unemployment needs
    more than, at this age at entry."""
    return LONG_TERM_MONTHS_UNDER_AGE if age < LONG_TERM_AGE else LONG_TERM_MONTHS


def is_long_term(unemployed_since: date, support_start: date, age: int) -> bool:
    """Unemployed for more than the age's threshold on the first day of support: exactly 6 (or
    12) months is not long-term, one day more is."""
    return months_later(unemployed_since, long_term_months(age)) < support_start


def _check_unemployment(
    person: Participant, data: MonitoringData, start: date | None, *, today: date
) -> None:
    """The day unemployment began is plausible, and the long-term flag agrees with it and with
    the age at entry (at `start`, the start of participation). Without the date (not every
    person knows it) or without the age, the flag is taken as given."""
    since = data.unemployed_since
    if since is None or data.labour_market_status not in UNEMPLOYED:
        return  # an unemployment date of anyone else is not kept
    if since > today:
        raise PortalError(
            _l("The day unemployment began cannot be in the future."), field="unemployed_since"
        )
    if person.birth_date is not None and since < person.birth_date:
        raise PortalError(
            _l("The day unemployment began cannot be before the date of birth."),
            field="unemployed_since",
        )
    if start is None:
        return
    if since > start:
        raise PortalError(
            _l("The day unemployment began cannot be after the start of support."),
            field="unemployed_since",
        )
    age = age_at_entry(person.birth_date, start)
    if age is None or data.is_long_term_unemployed == is_long_term(since, start, age):
        return
    under_age = age < LONG_TERM_AGE
    if data.is_long_term_unemployed:
        message = (
            _l(
                "Under 25 at entry, long-term means unemployed for more than 6 months before the "
                "start of support; by the date given it is 6 months or less. Correct the date or "
                "untick this box."
            )
            if under_age
            else _l(
                "At 25 and over at entry, long-term means unemployed for more than 12 months "
                "before the start of support; by the date given it is 12 months or less. Correct "
                "the date or untick this box."
            )
        )
    else:
        message = (
            _l(
                "Under 25 at entry, long-term means unemployed for more than 6 months before the "
                "start of support, and by the date given it is more. Tick this box or correct the "
                "date."
            )
            if under_age
            else _l(
                "At 25 and over at entry, long-term means unemployed for more than 12 months "
                "before the start of support, and by the date given it is more. Tick this box or "
                "correct the date."
            )
        )
    raise PortalError(message, field="is_long_term_unemployed")


def _values(person: Participant, data: MonitoringData, *, now: datetime) -> dict[str, Any]:
    """The columns as the data set defines them, refusing answers that contradict each other."""
    today = dates.local_date(now)
    status = data.labour_market_status
    if data.is_long_term_unemployed and status not in UNEMPLOYED:
        raise PortalError(
            _l("Long-term unemployment applies only to an unemployed person."),
            field="is_long_term_unemployed",
        )
    if data.is_in_education and status != LabourMarketStatus.INACTIVE:
        raise PortalError(
            _l("Education or training is recorded here only for an economically inactive person."),
            field="is_in_education",
        )
    employed = status == LabourMarketStatus.EMPLOYED
    for name in ("occupation", "employer_kind"):
        if getattr(data, name).strip() and not employed:
            raise PortalError(_l("Fill this in only for an employed person."), field=name)
    if data.employer_kind and data.employer_kind not in EMPLOYER_KINDS:
        raise PortalError(_l("Choose the kind of employer from the list."), field="employer_kind")
    if data.jobless_household_with_children is not None and data.jobless_household != Answer.YES:
        raise PortalError(
            _l("Answer this only when the person lives in a jobless household."),
            field="jobless_household_with_children",
        )
    # CST2021 counts every foreigner (no Polish citizenship) as of foreign origin, so a citizen of
    # a country outside the EU is one by definition; the central system would count them apart.
    if data.third_country_national == Answer.YES and data.foreign_origin == Answer.NO:
        raise PortalError(
            _l("A third-country national is a foreigner: answer yes to foreign origin too."),
            field="foreign_origin",
        )
    start = participation_start.correction(
        person, data.support_start, data.support_start_reason, now=now
    )
    _check_unemployment(
        person,
        data,
        start["support_start"] or participation_start.derived(person, now=now),
        today=today,
    )
    values: dict[str, Any] = {
        name: (value.strip() or None) if isinstance(value, str) else value
        for name, value in vars(data).items()
    }
    values |= start
    values["is_long_term_unemployed"] = (
        data.is_long_term_unemployed if status in UNEMPLOYED else None
    )
    values["unemployed_since"] = data.unemployed_since if status in UNEMPLOYED else None
    values["is_in_education"] = (
        data.is_in_education if status == LabourMarketStatus.INACTIVE else None
    )
    return values


def update(
    person: Participant, data: MonitoringData, *, version: int, actor: User, now: datetime
) -> dict[str, tuple[Any, Any]]:
    """Save the monitoring data of one person, on the version the form was opened on."""
    participant_record.check_version(person, version)
    changes = audit.diff(person, _values(person, data, now=now))
    if changes.keys() & set(START):
        # A corrected start is audited with its reason, even when only one of them changed.
        changes = {name: changes.get(name, (getattr(person, name),) * 2) for name in START} | {
            name: change for name, change in changes.items() if name not in START
        }
    if changes:
        participant_record.save(person)
        audit.record("participant.monitoring", person, actor=actor, changes=changes, at=now)
    return changes


def missing(person: Participant) -> list[str]:
    """The items of the minimum data set not yet recorded for the person."""
    return [
        str(label)
        for columns, label in MINIMUM.values()
        if any(getattr(person, column.key) is None for column in columns)
    ]


def list_incomplete(centre_id: int, *, limit: int = 500) -> list[Participant]:
    """The centre's people whose minimum data set is incomplete (one query, villages with it)."""
    gaps = [column.is_(None) for columns, _label in MINIMUM.values() for column in columns]
    return list(
        db.session.scalars(
            select(Participant)
            .options(selectinload(Participant.village))
            .where(Participant.centre_id == centre_id, or_(*gaps))
            .order_by(Participant.last_name, Participant.first_name, Participant.id)
            .limit(limit)
        )
    )
