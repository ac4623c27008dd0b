"""A stage's participants in the central monitoring system's import template, checked first.

Who is in the file is stage_people's one definition, the same people the yearly report and
`flask check-figures` count; the columns are the template of the project's programme period
(central_templates.py).

Before the file is offered, the central system's logic checks run over every person and list
each failure at its person and field. The file is made only when nothing fails: the central
system refuses an import with a faulty row, and a file without the faulty people would hold
fewer people than the yearly report says took part. Nobody is left out silently; a failure is
fixed on the person's record and the checks run again.

The checks:
- identity: a PESEL (or, without one, the country), valid, and agreeing with the birth date and
  the sex recorded;
- the minimum data set (services/people/monitoring.py);
- the age at entry, from the birth date and the start of participation (born before it);
- the labour-market status against the age (nobody works or is unemployed under 15; a labour
  office registers the unemployed from 18) and the education against the age;
- long-term unemployment against the status and the age (monitoring.is_long_term);
- the dates: participation inside the project, the exit on or after the start.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from stdnum.exceptions import ValidationError
from stdnum.pl import pesel as stdnum_pesel

from portal.formatting import short_date
from portal.models import Participant, ProjectStage, User
from portal.models.people import Education, LabourMarketStatus, Sex
from portal.services.audit import audit
from portal.services.common import dates, exports
from portal.services.common.errors import PortalError
from portal.services.esf import central_templates, esf_export
from portal.services.esf.central_templates import Template
from portal.services.people import monitoring
from portal.services.reporting import stage_people
from portal.services.reporting.stage_people import Participation

XLSX = esf_export.XLSX

# The youngest age at which a person is counted on the labour market (employed or unemployed):
# the labour-force statistics the ESF indicators follow count from 15.
WORKING_AGE = 15
# A labour office registers a person as unemployed from 18 (the employment promotion act's
# definition of "bezrobotny").
REGISTRATION_AGE = 18
# The youngest age at which each level can have been completed, a year below the usual age of
# the Polish school system, so that only the impossible is refused.
EDUCATION_MIN_AGE = {
    Education.LOWER_SECONDARY: 13,
    Education.UPPER_SECONDARY: 17,
    Education.POST_SECONDARY: 18,
    Education.TERTIARY: 19,
}
OLDEST = 120

# Where each field is corrected: the person's details, the monitoring data or the exit.
EDIT, MONITORING, EXIT = "edit", "monitoring", "exit"
_PAGES = {
    "pesel": EDIT,
    "no_pesel_country": EDIT,
    "birth_date": EDIT,
    "sex": EDIT,
    "support_end": EXIT,
}
_FIELD_LABELS: dict[str, LazyString] = {
    "pesel": _l("PESEL"),
    "no_pesel_country": _l("Country (no PESEL)"),
    "birth_date": _l("Date of birth"),
    "sex": _l("Sex"),
    "age": _l("Age at entry"),
    "education": _l("Education"),
    "labour_market_status": _l("Labour-market status at entry"),
    "is_long_term_unemployed": _l("Long-term unemployed"),
    "is_in_education": _l("Inactive: in education or training"),
    "unemployed_since": _l("Unemployed since"),
    "jobless_household": _l("Household situation"),
    "support_start": _l("Start of participation"),
    "support_end": _l("End of participation"),
    "national_minority": _l("National or ethnic minority"),
    "foreign_origin": _l("Person of foreign origin"),
    "third_country_national": _l("Third-country national"),
}
# The minimum data set's items, and the field where each is entered.
_MINIMUM_FIELDS = {
    "sex": "sex",
    "labour_market_status": "labour_market_status",
    "age": "birth_date",
    "education": "education",
    "household": "jobless_household",
}


@dataclass(frozen=True)
class Failure:
    """One check that failed, at its person and field."""

    person_id: int
    name: str
    field: str  # the form field to correct (its id on the page `page`)
    label: str  # the field as the page names it
    page: str  # EDIT, MONITORING or EXIT
    message: str


@dataclass(frozen=True)
class Checked:
    template: Template
    people: list[tuple[Participant, Participation]]
    failures: list[Failure]

    @property
    def ready(self) -> bool:
        return not self.failures

    @property
    def failing_people(self) -> int:
        return len({failure.person_id for failure in self.failures})


@dataclass(frozen=True)
class CentralFile:
    body: bytes
    filename: str
    mimetype: str
    rows: int
    checksum: str
    version: str  # the template's


class ChecksFailed(PortalError):
    message = _l(
        "The central system's checks found faults: correct them on the people's records, "
        "then download the file."
    )


def _failure(person: Participant, field: str, message: LazyString | str) -> Failure:
    return Failure(
        person_id=person.id,
        name=person.full_name,
        field=field,
        label=str(_FIELD_LABELS.get(field, field)),
        page=_PAGES.get(field, MONITORING),
        message=str(message),
    )


def _identity(person: Participant) -> list[Failure]:
    """The PESEL is valid and says what the record says: the birth date and the sex."""
    if not person.pesel:
        if not (person.no_pesel_country or "").strip():
            return [
                _failure(
                    person,
                    "pesel",
                    _l("Neither a PESEL nor, for a person without one, the country is recorded."),
                )
            ]
        return []
    try:
        number = stdnum_pesel.validate(person.pesel)
    except ValidationError:
        return [_failure(person, "pesel", _l("The PESEL is not a valid number."))]
    found = []
    born = stdnum_pesel.get_birth_date(number)
    if person.birth_date is not None and born != person.birth_date:
        found.append(
            _failure(
                person,
                "pesel",
                _l(
                    "The PESEL gives the date of birth %(pesel)s, the record %(recorded)s.",
                    pesel=short_date(born),
                    recorded=short_date(person.birth_date),
                ),
            )
        )
    sex = Sex.MALE if stdnum_pesel.get_gender(number) == "M" else Sex.FEMALE
    if person.sex is not None and sex != person.sex:
        found.append(
            _failure(
                person,
                "sex",
                _l("The PESEL is a man's; the record says a woman.")
                if sex == Sex.MALE
                else _l("The PESEL is a woman's; the record says a man."),
            )
        )
    return found


def _minimum(person: Participant) -> list[Failure]:
    found = []
    for item, (columns, label) in monitoring.MINIMUM.items():
        if item == "age":
            continue  # the age is the birth date and the start of participation, checked next
        if any(getattr(person, column.key) is None for column in columns):
            found.append(
                _failure(
                    person,
                    _MINIMUM_FIELDS[item],
                    _l("Missing from the minimum data set: %(item)s.", item=label),
                )
            )
    return found


def _age(person: Participant, took: Participation) -> tuple[int | None, list[Failure]]:
    if person.birth_date is None:
        return None, [
            _failure(
                person,
                "birth_date",
                _l("No date of birth: the age at entry cannot be computed."),
            )
        ]
    if person.birth_date > took.start:
        return None, [
            _failure(
                person,
                "birth_date",
                _l(
                    "Born after the start of participation (%(start)s).",
                    start=short_date(took.start),
                ),
            )
        ]
    years = central_templates.age(person, took)
    if years is not None and years > OLDEST:
        return None, [
            _failure(
                person,
                "birth_date",
                _l("An age at entry of %(age)d years is not possible.", age=years),
            )
        ]
    return years, []


def _status(person: Participant, years: int | None) -> list[Failure]:
    """The labour-market status against the age and the education, and its "of which"."""
    status = person.labour_market_status
    found = []
    working = status in monitoring.UNEMPLOYED or status == LabourMarketStatus.EMPLOYED
    if years is not None and working and years < WORKING_AGE:
        found.append(
            _failure(
                person,
                "labour_market_status",
                _l(
                    "At %(age)d at entry a person is economically inactive: the labour market "
                    "counts people from 15.",
                    age=years,
                ),
            )
        )
    elif (
        years is not None
        and status == LabourMarketStatus.UNEMPLOYED_REGISTERED
        and years < REGISTRATION_AGE
    ):
        found.append(
            _failure(
                person,
                "labour_market_status",
                _l(
                    "At %(age)d at entry a person cannot be registered as unemployed: a labour "
                    "office registers people from 18.",
                    age=years,
                ),
            )
        )
    least = EDUCATION_MIN_AGE.get(person.education) if person.education else None
    if years is not None and least is not None and years < least:
        found.append(
            _failure(
                person,
                "education",
                _l(
                    "At %(age)d at entry this level of education cannot have been completed.",
                    age=years,
                ),
            )
        )
    if person.is_in_education and status != LabourMarketStatus.INACTIVE:
        found.append(
            _failure(
                person,
                "is_in_education",
                _l("Education or training is recorded only for an economically inactive person."),
            )
        )
    return found


def _long_term(person: Participant, took: Participation, years: int | None) -> list[Failure]:
    """Long-term unemployment needs an unemployed status and, when the day unemployment began is
    known, more than 6 months of it under 25 at entry, more than 12 at 25 and over."""
    flagged = bool(person.is_long_term_unemployed)
    status = person.labour_market_status
    if flagged and status not in monitoring.UNEMPLOYED:
        return [
            _failure(
                person,
                "is_long_term_unemployed",
                _l("Long-term unemployment applies only to an unemployed person."),
            )
        ]
    since = person.unemployed_since
    if status not in monitoring.UNEMPLOYED or since is None or years is None:
        return []
    if since > took.start:
        return [
            _failure(
                person,
                "unemployed_since",
                _l("Unemployment began after the start of participation."),
            )
        ]
    if flagged == monitoring.is_long_term(since, took.start, years):
        return []
    months = monitoring.long_term_months(years)
    message = (
        _l(
            "Recorded as long-term unemployed, but at %(age)d at entry that needs more than "
            "%(months)d months of unemployment, and it began on %(since)s.",
            age=years,
            months=months,
            since=short_date(since),
        )
        if flagged
        else _l(
            "Not recorded as long-term unemployed, but at %(age)d at entry more than %(months)d "
            "months of unemployment make it so, and it began on %(since)s.",
            age=years,
            months=months,
            since=short_date(since),
        )
    )
    return [_failure(person, "is_long_term_unemployed", message)]


def _dates(person: Participant, took: Participation, stage: ProjectStage) -> list[Failure]:
    project = stage.project
    found = []
    if took.start < project.start_date:
        found.append(
            _failure(
                person,
                "support_start",
                _l(
                    "Participation starts on %(start)s, before the project (%(project)s).",
                    start=short_date(took.start),
                    project=short_date(project.start_date),
                ),
            )
        )
    if project.end_date is not None and took.start > project.end_date:
        found.append(
            _failure(
                person,
                "support_start",
                _l(
                    "Participation starts after the project's end (%(end)s).",
                    end=short_date(project.end_date),
                ),
            )
        )
    left = took.exit
    if left is not None and left < took.start:
        found.append(
            _failure(
                person,
                "support_end",
                _l(
                    "The end of participation (%(end)s) is before its start (%(start)s).",
                    end=short_date(left),
                    start=short_date(took.start),
                ),
            )
        )
    if left is not None and project.end_date is not None and left > project.end_date:
        found.append(
            _failure(
                person,
                "support_end",
                _l(
                    "The end of participation is after the project's end (%(end)s).",
                    end=short_date(project.end_date),
                ),
            )
        )
    return found


def _template_rules(person: Participant, template: Template) -> list[Failure]:
    """The answers this template needs that are not recorded: a refusal is an answer, an empty
    field is not (the central system refuses the row)."""
    return [
        _failure(
            person,
            name,
            _l(
                "No answer recorded: this system asks it of every participant (refusing to "
                "answer is an answer)."
            ),
        )
        for name in template.required_answers
        if getattr(person, name) is None
    ]


def check_person(
    person: Participant, took: Participation, stage: ProjectStage, template: Template
) -> list[Failure]:
    """Every check on one person; an empty list when the row can be sent."""
    years, age_failures = _age(person, took)
    return [
        *_identity(person),
        *_minimum(person),
        *age_failures,
        *_status(person, years),
        *_long_term(person, took, years),
        *_dates(person, took, stage),
        *_template_rules(person, template),
    ]


def check(stage: ProjectStage, *, now: datetime | None = None) -> Checked:
    """The stage's people (stage_people's definition), in the order of the file, and every
    failure of the checks: two statements whatever the number of people."""
    template = central_templates.for_stage(stage)
    taking_part = stage_people.participation(stage, now=now)
    people = [
        (person, took)
        for person in esf_export.participants_of(stage, now=now)
        if (took := taking_part.get(person.id)) is not None
    ]
    failures = [
        failure
        for person, took in people
        for failure in check_person(person, took, stage, template)
    ]
    return Checked(template, people, failures)


def _project_sheet(stage: ProjectStage, template: Template) -> exports.Sheet:
    project = stage.project
    rows: list[list[object]] = [
        ["Tytuł projektu", project.title],
        ["Numer projektu", project.number],
        ["Program", project.programme],
        ["Priorytet", project.priority],
        ["Działanie", project.measure],
        ["Poddziałanie", project.submeasure],
        ["Etap", stage.year],
        ["Okres etapu", f"{stage.start_date.isoformat()} – {stage.end_date.isoformat()}"],
        ["Wzór", f"{template.name} ({template.version})"],
    ]
    return exports.Sheet("Projekt", ["Pole", "Wartość"], rows)


def export(stage: ProjectStage, *, actor: User, now: datetime) -> CentralFile:
    """The stage's participants in the template, when every check passes; audited (who, which
    stage, which template, how many rows, the file's checksum)."""
    exported = build(stage, now=now)
    record_export(stage, exported, actor=actor, now=now)
    return exported


def build(stage: ProjectStage, *, now: datetime) -> CentralFile:
    """The workbook, read only (a worker builds it outside any write); ChecksFailed while a
    check fails."""
    checked = check(stage, now=now)
    if not checked.ready:
        raise ChecksFailed()
    template = checked.template
    rows = [
        template.row(person, took, number)
        for number, (person, took) in enumerate(checked.people, start=1)
    ]
    body = exports.to_xlsx_sheets(
        [
            exports.Sheet("Uczestnicy", template.header, rows),
            _project_sheet(stage, template),
        ]
    )
    checksum = hashlib.sha256(body).hexdigest()
    day = dates.local_date(now)
    filename = f"{template.key}-{template.version}-etap-{stage.year}-{day:%Y-%m-%d}.xlsx"
    return CentralFile(body, filename, XLSX, len(rows), checksum, template.version)


def record_export(
    stage: ProjectStage, exported: CentralFile, *, actor: User, now: datetime
) -> None:
    """The export's audit entry: who, which stage, which template, how many rows, the checksum."""
    audit.record(
        "esf.export",
        stage,
        actor=actor,
        at=now,
        centre_id=stage.project.centre_id,
        changes={
            "target": (None, "central_system"),
            "format": (None, "xlsx"),
            "version": (None, exported.version),
            "rows": (None, exported.rows),
            "sha256": (None, exported.checksum),
        },
    )
