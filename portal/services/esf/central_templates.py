"""The column sets of the central monitoring systems' participant import, one per programme period.

Each template is a versioned definition: its columns in the order the central system reads them,
with the values in the words of that system's dictionaries (Polish: the file is read by the
system, not by the portal's users). A change of a column is a new `version`, printed in the file
name and recorded in the audit entry of every export. docs/central-system-templates.md says where
each column comes from and what was not verified.

- PEFS 2007 (the 2007–2013 Human Capital programme's participant form, version 3.0);
- SL2014 (2014–2020; MONITORING.md lists its data set, a superset of PEFS 2007);
- CST2021, the SM EFS application (2021–2027): the ESF+ common indicators' data set.

Which template a project uses follows from its programme and, failing that, its start date
(`for_project`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.models import Participant, Project, ProjectStage
from portal.models.centres import Area
from portal.models.people import Answer, Education, LabourMarketStatus, Sex
from portal.services.people import monitoring
from portal.services.reporting.stage_people import Participation

Value = str | int | None
Getter = Callable[[Participant, Participation, int], Value]  # person, participation, row number


@dataclass(frozen=True)
class Column:
    header: str
    get: Getter


@dataclass(frozen=True)
class Template:
    key: str
    name: str  # the system, as coordinators know it
    version: str  # this definition's version: a changed column is a new one
    period: tuple[int, int]  # the programme period's first and last year
    columns: tuple[Column, ...]
    # The answers this system needs on every row, beyond the minimum data set: CST2021 asks the
    # three questions about a minority, a foreign origin and a third country apart, each of which
    # the person may refuse but none of which may be left unasked.
    required_answers: tuple[str, ...] = ()

    @property
    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def row(self, person: Participant, took: Participation, number: int) -> list[Value]:
        return [column.get(person, took, number) for column in self.columns]


# --- values -----------------------------------------------------------------------------------

_SEX = {Sex.FEMALE: "Kobieta", Sex.MALE: "Mężczyzna"}
_AREA = {Area.URBAN: "Miejski", Area.RURAL: "Wiejski"}
_ANSWER = {Answer.YES: "Tak", Answer.NO: "Nie", Answer.REFUSED: "Odmowa podania informacji"}

# PEFS 2007 named the levels of the Polish school system of the time.
_PEFS_EDUCATION = {
    Education.NONE: "Brak",
    Education.PRIMARY: "Podstawowe",
    Education.LOWER_SECONDARY: "Gimnazjalne",
    Education.UPPER_SECONDARY: "Ponadgimnazjalne",
    Education.POST_SECONDARY: "Pomaturalne",
    Education.TERTIARY: "Wyższe",
}
# SL2014 named ISCED levels beside the school names.
_SL2014_EDUCATION = {
    Education.NONE: "Niższe niż podstawowe (ISCED 0)",
    Education.PRIMARY: "Podstawowe (ISCED 1)",
    Education.LOWER_SECONDARY: "Gimnazjalne (ISCED 2)",
    Education.UPPER_SECONDARY: "Ponadgimnazjalne (ISCED 3)",
    Education.POST_SECONDARY: "Policealne (ISCED 4)",
    Education.TERTIARY: "Wyższe (ISCED 5-8)",
}
# CST2021 names the levels after the 2017 school reform.
_CST2021_EDUCATION = {
    Education.NONE: "Niższe niż podstawowe (ISCED 0)",
    Education.PRIMARY: "Podstawowe (ISCED 1)",
    Education.LOWER_SECONDARY: "Gimnazjalne lub podstawowe ośmioletnie (ISCED 2)",
    Education.UPPER_SECONDARY: "Ponadpodstawowe lub ponadgimnazjalne (ISCED 3)",
    Education.POST_SECONDARY: "Policealne (ISCED 4)",
    Education.TERTIARY: "Wyższe (ISCED 5-8)",
}

_PEFS_STATUS = {
    LabourMarketStatus.UNEMPLOYED_REGISTERED: "Bezrobotny",
    LabourMarketStatus.UNEMPLOYED_UNREGISTERED: "Bezrobotny",
    LabourMarketStatus.INACTIVE: "Nieaktywny zawodowo",
    LabourMarketStatus.EMPLOYED: "Zatrudniony",
}
_STATUS = {
    LabourMarketStatus.UNEMPLOYED_REGISTERED: (
        "Osoba bezrobotna zarejestrowana w ewidencji urzędów pracy"
    ),
    LabourMarketStatus.UNEMPLOYED_UNREGISTERED: (
        "Osoba bezrobotna niezarejestrowana w ewidencji urzędów pracy"
    ),
    LabourMarketStatus.INACTIVE: "Osoba bierna zawodowo",
    LabourMarketStatus.EMPLOYED: "Osoba pracująca",
}
LONG_TERM = "Osoba długotrwale bezrobotna"
IN_EDUCATION = "Osoba ucząca się lub kształcąca się"
NOT_IN_EDUCATION = "Osoba nieuczestnicząca w kształceniu lub szkoleniu"

_EMPLOYER = {
    "government": "Administracja rządowa",
    "local_government": "Administracja samorządowa",
    "ngo": "Organizacja pozarządowa",
    "sme": "MMŚP",
    "large": "Duże przedsiębiorstwo",
    "self_employed": "Prowadzący działalność na własny rachunek",
    "other": "Inne",
}
POLAND = "Polska"
INDIVIDUAL = "Indywidualny"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Tak" if value else "Nie")


def _of(table: dict[Any, str], name: str) -> Getter:
    return lambda person, _took, _n: table.get(getattr(person, name), "")


def _field(name: str) -> Getter:
    return lambda person, _took, _n: _text(getattr(person, name))


def age(person: Participant, took: Participation) -> int | None:
    """Full years on the first day of participation: computed, never typed."""
    return monitoring.age_at_entry(person.birth_date, took.start)


def _age(person: Participant, took: Participation, _n: int) -> Value:
    return age(person, took)


def _number(_person: Participant, _took: Participation, number: int) -> Value:
    return number


def _start(_person: Participant, took: Participation, _n: int) -> Value:
    return _iso(took.start)


def _end(_person: Participant, took: Participation, _n: int) -> Value:
    """The exit as recorded: a person still taking part has no end yet."""
    return _iso(took.exit)


def _country(person: Participant, _took: Participation, _n: int) -> Value:
    return POLAND if person.pesel else _text(person.no_pesel_country)


def _no_pesel(person: Participant, _took: Participation, _n: int) -> Value:
    return "Nie" if person.pesel else "Tak"


def _status(person: Participant, _took: Participation, _n: int) -> Value:
    """The status at entry with its "of which", as one dictionary value."""
    status = person.labour_market_status
    if status is None:
        return ""
    words = _STATUS[status]
    if status in monitoring.UNEMPLOYED and person.is_long_term_unemployed:
        return f"{words}, w tym: {LONG_TERM.lower()}"
    if status == LabourMarketStatus.INACTIVE and person.is_in_education is not None:
        detail = IN_EDUCATION if person.is_in_education else NOT_IN_EDUCATION
        return f"{words}, w tym: {detail.lower()}"
    return words


def _pefs_of_which(person: Participant, _took: Participation, _n: int) -> Value:
    status = person.labour_market_status
    if status in monitoring.UNEMPLOYED:
        return LONG_TERM if person.is_long_term_unemployed else ""
    if status == LabourMarketStatus.INACTIVE and person.is_in_education:
        return IN_EDUCATION
    return ""


def _support(_person: Participant, took: Participation, _n: int) -> Value:
    """The instruments of active integration the person took in the stage (PO KL 7.1)."""
    kinds = [
        name
        for taken, name in (
            (took.on_contract, "Kontrakt socjalny"),
            (took.in_pal, "Program Aktywności Lokalnej"),
        )
        if taken
    ]
    return "; ".join(kinds) or "Inne formy wsparcia"


def _exit_situation(person: Participant, _took: Participation, _n: int) -> Value:
    found = [
        words
        for value, words in (
            (person.exit_employed, "Osoba pracująca"),
            (person.exit_job_seeking, "Osoba poszukująca pracy"),
            (person.exit_in_education, "Osoba kontynuująca kształcenie lub szkolenie"),
            (person.exit_qualification, "Osoba, która uzyskała kwalifikacje"),
        )
        if value
    ]
    return "; ".join(found)


def _cares(person: Participant, _took: Participation, _n: int) -> Value:
    answers = (person.cares_for_child_under_7, person.cares_for_dependant)
    if all(answer is None for answer in answers):
        return ""
    return "Tak" if any(answers) else "Nie"


def _employer(person: Participant, _took: Participation, _n: int) -> Value:
    return _EMPLOYER.get(person.employer_kind or "", _text(person.employer_kind))


# --- the templates ----------------------------------------------------------------------------

PEFS2007 = Template(
    key="pefs2007",
    name="PEFS 2007",
    version="PEFS2007-3.0-1",
    period=(2007, 2013),
    columns=(
        Column("Lp.", _number),
        Column("Imię", _field("first_name")),
        Column("Nazwisko", _field("last_name")),
        Column("Płeć", _of(_SEX, "sex")),
        Column("Wiek w chwili przystąpienia do projektu", _age),
        Column("PESEL", _field("pesel")),
        Column("Wykształcenie", _of(_PEFS_EDUCATION, "education")),
        Column("Województwo", _field("voivodeship")),
        Column("Powiat", _field("county")),
        Column("Gmina", _field("commune")),
        Column("Miejscowość", _field("town")),
        Column("Ulica", _field("street")),
        Column("Nr budynku", _field("building_number")),
        Column("Nr lokalu", _field("flat_number")),
        Column("Kod pocztowy", _field("postcode")),
        Column("Obszar", _of(_AREA, "area")),
        Column("Telefon", _field("phone")),
        Column("Adres poczty elektronicznej (e-mail)", _field("email")),
        Column("Data rozpoczęcia udziału w projekcie", _start),
        Column("Data zakończenia udziału w projekcie", _end),
        Column(
            "Zakończenie udziału w projekcie zgodnie z zaplanowaną ścieżką",
            lambda p, t, n: _yes_no(p.exit_completed_path) if t.exit else "",
        ),
        Column(
            "Status osoby na rynku pracy w chwili przystąpienia do projektu",
            _of(_PEFS_STATUS, "labour_market_status"),
        ),
        Column("W tym", _pefs_of_which),
        Column("Opieka nad dziećmi do lat 7 lub opieka nad osobą zależną", _cares),
        Column(
            "Przynależność do mniejszości narodowej lub etnicznej, migrant",
            _of(_ANSWER, "minority"),
        ),
        Column("Osoba niepełnosprawna", _of(_ANSWER, "disability")),
        Column("Rodzaj przyznanego wsparcia", _support),
    ),
)

SL2014 = Template(
    key="sl2014",
    name="SL2014",
    version="SL2014-1",
    period=(2014, 2020),
    columns=(
        Column("Lp.", _number),
        Column("Kraj", _country),
        Column("Rodzaj uczestnika", lambda p, t, n: INDIVIDUAL),
        Column("Nazwa instytucji", lambda p, t, n: ""),
        Column("Imię", _field("first_name")),
        Column("Nazwisko", _field("last_name")),
        Column("PESEL", _field("pesel")),
        Column("Brak PESEL", _no_pesel),
        Column("Płeć", _of(_SEX, "sex")),
        Column("Wiek w chwili przystępowania do projektu", _age),
        Column("Wykształcenie", _of(_SL2014_EDUCATION, "education")),
        Column("Województwo", _field("voivodeship")),
        Column("Powiat", _field("county")),
        Column("Gmina", _field("commune")),
        Column("Miejscowość", _field("town")),
        Column("Ulica", _field("street")),
        Column("Nr budynku", _field("building_number")),
        Column("Nr lokalu", _field("flat_number")),
        Column("Kod pocztowy", _field("postcode")),
        Column("Obszar według stopnia urbanizacji (DEGURBA)", _of(_AREA, "area")),
        Column("Telefon kontaktowy", _field("phone")),
        Column("Adres e-mail", _field("email")),
        Column("Data rozpoczęcia udziału w projekcie", _start),
        Column("Data zakończenia udziału w projekcie", _end),
        Column("Status osoby na rynku pracy w chwili przystąpienia do projektu", _status),
        Column("Wykonywany zawód", _field("occupation")),
        Column("Zatrudniony w", _employer),
        Column("Sytuacja osoby w momencie zakończenia udziału w projekcie", _exit_situation),
        Column(
            "Zakończenie udziału osoby w projekcie zgodnie z zaplanowaną dla niej ścieżką "
            "uczestnictwa",
            lambda p, t, n: _yes_no(p.exit_completed_path) if t.exit else "",
        ),
        Column("Rodzaj przyznanego wsparcia", _support),
        Column("Data rozpoczęcia udziału we wsparciu", _start),
        Column(
            "Osoba należąca do mniejszości narodowej lub etnicznej, migrant, osoba obcego "
            "pochodzenia",
            _of(_ANSWER, "minority"),
        ),
        Column(
            "Osoba bezdomna lub dotknięta wykluczeniem z dostępu do mieszkań",
            _of(_ANSWER, "homeless"),
        ),
        Column("Osoba z niepełnosprawnościami", _of(_ANSWER, "disability")),
        Column(
            "Osoba przebywająca w gospodarstwie domowym bez osób pracujących",
            _of(_ANSWER, "jobless_household"),
        ),
        Column(
            "W tym: w gospodarstwie domowym z dziećmi pozostającymi na utrzymaniu",
            _of(_ANSWER, "jobless_household_with_children"),
        ),
        Column(
            "Osoba żyjąca w gospodarstwie składającym się z jednej osoby dorosłej i dzieci "
            "pozostających na utrzymaniu",
            _of(_ANSWER, "single_adult_with_children"),
        ),
        Column(
            "Osoba w innej niekorzystnej sytuacji społecznej (innej niż wymienione powyżej)",
            _of(_ANSWER, "other_disadvantage"),
        ),
    ),
)

CST2021 = Template(
    key="cst2021",
    name="SM EFS (CST2021)",
    # 2: the three questions about a minority, a foreign origin and a third country are the
    # person's own answers (1 repeated the one 2007–2020 answer in each).
    version="CST2021-2",
    period=(2021, 2027),
    columns=(
        Column("Lp.", _number),
        Column("Rodzaj uczestnika", lambda p, t, n: INDIVIDUAL),
        Column("Imię", _field("first_name")),
        Column("Nazwisko", _field("last_name")),
        Column("PESEL", _field("pesel")),
        Column("Brak PESEL", _no_pesel),
        Column("Kraj", _country),
        Column("Płeć", _of(_SEX, "sex")),
        Column("Wiek w chwili przystąpienia do projektu", _age),
        Column("Wykształcenie", _of(_CST2021_EDUCATION, "education")),
        Column("Województwo", _field("voivodeship")),
        Column("Powiat", _field("county")),
        Column("Gmina", _field("commune")),
        Column("Miejscowość", _field("town")),
        Column("Kod pocztowy", _field("postcode")),
        Column("Obszar według stopnia urbanizacji (DEGURBA)", _of(_AREA, "area")),
        Column("Telefon kontaktowy", _field("phone")),
        Column("Adres e-mail", _field("email")),
        Column("Data rozpoczęcia udziału w projekcie", _start),
        Column("Data zakończenia udziału w projekcie", _end),
        Column("Status osoby na rynku pracy w chwili przystąpienia do projektu", _status),
        Column("Sytuacja osoby w momencie zakończenia udziału w projekcie", _exit_situation),
        Column(
            "Zakończenie udziału osoby w projekcie zgodnie z zaplanowaną dla niej ścieżką "
            "uczestnictwa",
            lambda p, t, n: _yes_no(p.exit_completed_path) if t.exit else "",
        ),
        Column("Osoba z niepełnosprawnościami", _of(_ANSWER, "disability")),
        Column("Osoba z państwa trzeciego", _of(_ANSWER, "third_country_national")),
        Column("Osoba obcego pochodzenia", _of(_ANSWER, "foreign_origin")),
        Column(
            "Osoba należąca do mniejszości narodowej lub etnicznej (w tym społeczności "
            "marginalizowane)",
            _of(_ANSWER, "national_minority"),
        ),
        Column(
            "Osoba w kryzysie bezdomności lub dotknięta wykluczeniem z dostępu do mieszkań",
            _of(_ANSWER, "homeless"),
        ),
    ),
    required_answers=("third_country_national", "foreign_origin", "national_minority"),
)

TEMPLATES = (PEFS2007, SL2014, CST2021)

# What a project's number says of its period: its prefix is the programme's code (POKL
# 2007–2013; POWR and the regional RPxx 2014–2020; FEnIKS, FERS and the regional FExx 2021–2027).
_NUMBER_PREFIXES = ((PEFS2007, ("POKL",)), (SL2014, ("POWR", "RP")), (CST2021, ("FE",)))
# What a programme's name says of it, when the number does not.
_PROGRAMME_WORDS = (
    (PEFS2007, ("kapitał ludzki", "2007-2013", "2007–2013")),
    (SL2014, ("wiedza edukacja rozwój", "2014-2020", "2014–2020")),
    (CST2021, ("fundusze europejskie", "2021-2027", "2021–2027")),
)


def for_project(project: Project) -> Template:
    """The template of the project's programme period: named by its number or its programme,
    else the period its start falls in (a project never starts after its period ends)."""
    number = project.number.strip().upper()
    for template, prefixes in _NUMBER_PREFIXES:
        if number.startswith(prefixes):
            return template
    programme = project.programme.lower()
    for template, words in _PROGRAMME_WORDS:
        if any(word in programme for word in words):
            return template
    year = project.start_date.year
    if year <= PEFS2007.period[1]:
        return PEFS2007
    return SL2014 if year <= SL2014.period[1] else CST2021


def for_stage(stage: ProjectStage) -> Template:
    return for_project(stage.project)
