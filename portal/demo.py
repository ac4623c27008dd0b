"""Demo data built from the facts of the two seed projects (see DOMAIN.md).

Every name is invented. The PESEL numbers are synthetic (valid checksum, made-up serials).
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from portal.extensions import db
from portal.models import (
    BudgetLine,
    Centre,
    Course,
    DiagnosisTestType,
    Event,
    Participant,
    Project,
    ProjectStage,
    SocialContract,
    User,
    Village,
)
from portal.models.enums import (
    Audience,
    BudgetLineKind,
    CentreKind,
    ContractStatus,
    EventStatus,
    EventType,
    Role,
)
from portal.services import accounts, audit, centres, participants, passwords
from portal.services.errors import PortalError

WARSAW = ZoneInfo("Europe/Warsaw")
PASSWORD = "pierwszy-krok"  # noqa: S105 - the documented demo password

LOGINS = [
    ("koordynator@example.org", "coordinator, OPS Janów Lubelski"),
    ("doradca@example.org", "career advisor, OPS Janów Lubelski"),
    ("pracownik@example.org", "social worker, OPS Janów Lubelski"),
    ("pracownik2@example.org", "social worker, OPS Janów Lubelski"),
    ("uczestnik@example.org", "participant on a social contract, OPS Janów Lubelski"),
    ("mieszkanka@example.org", "PAL participant, OPS Janów Lubelski"),
    ("admin@example.org", "installation administrator (in OPS Janów Lubelski)"),
    ("chrzanow@example.org", "coordinator, GOPS Chrzanów"),
]
LOGINS_TEXT = "Demo logins (password: pierwszy-krok):\n" + "\n".join(
    f"  {email:28} {what}" for email, what in LOGINS
)

COURSES = [
    "Prawo jazdy kat. B",
    "Prawo jazdy kat. C",
    "Prawo jazdy kat. D",
    "Przewóz osób",
    "Wizaż i stylizacja paznokci",
    "Krawiectwo",
    "Fryzjerstwo",
    "Operator koparko-ładowarki",
    "Obsługa komputera i kasy fiskalnej",
    "Księgowość",
    "Zarządzanie",
    "Operator wózka widłowego",
    "Pracownik ochrony",
    "Operator obrabiarek CNC",
    "Pielęgnacja terenów zielonych",
    "Język obcy",
]

FIRST_WOMEN = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Krystyna",
    "Elżbieta",
    "Zofia",
    "Teresa",
    "Joanna",
    "Magdalena",
    "Monika",
]
FIRST_MEN = [
    "Jan",
    "Andrzej",
    "Piotr",
    "Krzysztof",
    "Stanisław",
    "Tomasz",
    "Paweł",
    "Józef",
    "Marcin",
    "Marek",
    "Michał",
    "Grzegorz",
    "Jerzy",
    "Tadeusz",
]
# Invented surnames, feminine and masculine forms.
SURNAMES = [
    ("Wierzbicka", "Wierzbicki"),
    ("Zalewska", "Zalewski"),
    ("Kołodziej", "Kołodziej"),
    ("Sowińska", "Sowiński"),
    ("Jabłońska", "Jabłoński"),
    ("Kruk", "Kruk"),
    ("Lisiecka", "Lisiecki"),
    ("Mazurek", "Mazurek"),
    ("Borowska", "Borowski"),
    ("Chmiel", "Chmiel"),
    ("Dąbrowska", "Dąbrowski"),
    ("Gajewska", "Gajewski"),
    ("Kowalczyk", "Kowalczyk"),
    ("Pietrzak", "Pietrzak"),
    ("Rogalska", "Rogalski"),
    ("Szewczyk", "Szewczyk"),
    ("Wójcik", "Wójcik"),
    ("Zając", "Zając"),
]


def synthetic_pesel(born: date, serial: int, female: bool) -> str:
    """A PESEL with a valid checksum for `born`; the serial is made up."""
    month = born.month + {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[born.year // 100]
    sex_digit = (serial % 5) * 2 + (0 if female else 1)
    digits = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial % 1000:03d}{sex_digit}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WARSAW).astimezone(UTC)


def holds_non_demo_data() -> bool:
    return bool(
        db.session.scalar(select(exists().where(Centre.is_demo.is_(False))))
        or db.session.scalar(select(exists().where(User.centre_id.is_(None))))
    )


def seed(*, if_empty: bool = False, today: date | None = None) -> bool:
    """Create the demo centres; returns False when they are already there (idempotent)."""
    if if_empty and db.session.scalar(select(exists().where(Centre.id.is_not(None)))):
        return False
    if holds_non_demo_data():
        raise PortalError(_l("The database holds real (non-demo) data; the demo is not seeded."))
    if db.session.scalar(select(exists().where(Centre.is_demo.is_(True)))):
        return False
    today = today or datetime.now(WARSAW).date()
    password_hash = passwords.hash_password(PASSWORD)
    _DemoBuilder(password_hash, random.Random(2013)).build(today)
    return True


class _DemoBuilder:
    def __init__(self, password_hash: str, rng: random.Random):
        self.password_hash = password_hash
        self.rng = rng
        self.serial = 100

    def user(self, centre, email, first, last, *roles) -> User:
        user = accounts.create_user(
            email=email,
            first_name=first,
            last_name=last,
            roles=set(roles),
            centre=centre,
            actor=None,
        )
        user.password_hash = self.password_hash
        return user

    def person(
        self,
        centre,
        project,
        village,
        *,
        contract,
        pal,
        advisor=None,
        worker=None,
        female=None,
        born=None,
    ) -> Participant:
        rng = self.rng
        female = rng.random() < 0.55 if female is None else female
        first = rng.choice(FIRST_WOMEN if female else FIRST_MEN)
        last = rng.choice(SURNAMES)[0 if female else 1]
        born = born or date(rng.randint(1958, 1995), rng.randint(1, 12), rng.randint(1, 28))
        self.serial += 7
        person = participants.create_participant(
            centre=centre,
            project=project,
            first_name=first,
            last_name=last,
            pesel_number=synthetic_pesel(born, self.serial, female),
            village=village,
            actor=None,
            on_contract_path=contract,
            on_pal_path=pal,
            advisor=advisor,
            social_worker=worker,
        )
        person.town = village.name if village else centre.town
        person.support_start = project.start_date
        return person

    def build(self, today: date) -> None:
        janow = centres.create_centre(
            name="Ośrodek Pomocy Społecznej w Janowie Lubelskim",
            short_name="ops-janow",
            kind=CentreKind.OPS,
            town="Janów Lubelski",
            actor=None,
            is_demo=True,
        )
        janow.address = "ul. Ogrodowa 16, 23-300 Janów Lubelski"
        chrzanow = centres.create_centre(
            name="Gminny Ośrodek Pomocy Społecznej w Chrzanowie",
            short_name="gops-chrzanow",
            kind=CentreKind.GOPS,
            town="Chrzanów",
            actor=None,
            is_demo=True,
        )
        self.build_janow(janow, today)
        self.build_chrzanow(chrzanow)

    def catalogue(self, centre, names) -> None:
        for name in names:
            db.session.add(Course(centre_id=centre.id, name=name))
        for name in ("Multiselect", "WIS"):
            db.session.add(DiagnosisTestType(centre_id=centre.id, name=name))

    def budget(self, centre, project, year, lines) -> ProjectStage:
        stage = ProjectStage(
            project_id=project.id,
            year=year,
            start_date=date(year, 1, 1),
            end_date=date(year, 12, 31),
        )
        db.session.add(stage)
        db.session.flush()
        for kind, zloty in lines:
            db.session.add(
                BudgetLine(
                    centre_id=centre.id, stage_id=stage.id, kind=kind, planned_grosze=zloty * 100
                )
            )
        return stage

    def build_janow(self, centre: Centre, today: date) -> None:
        coordinator = self.user(
            centre, "koordynator@example.org", "Bożena", "Lisiecka", Role.COORDINATOR
        )
        advisor = self.user(centre, "doradca@example.org", "Marta", "Sowińska", Role.ADVISOR)
        workers = [
            self.user(centre, "pracownik@example.org", "Joanna", "Kruk", Role.SOCIAL_WORKER),
            self.user(centre, "pracownik2@example.org", "Paweł", "Chmiel", Role.SOCIAL_WORKER),
            self.user(centre, "pracownik3@example.org", "Ewa", "Borowska", Role.SOCIAL_WORKER),
        ]
        self.user(centre, "admin@example.org", "Adam", "Gajewski", Role.ADMIN)
        project = Project(
            centre_id=centre.id,
            title="Pierwszy krok do powrotu – integracja społeczna i zawodowa osób zagrożonych "
            "wykluczeniem społecznym",
            number="POKL.07.01.01-06-001/08",
            programme="Program Operacyjny Kapitał Ludzki, Europejski Fundusz Społeczny",
            priority="VII",
            measure="7.1",
            submeasure="7.1.1",
            start_date=date(2008, 1, 1),
            coordinator_id=coordinator.id,
        )
        db.session.add(project)
        db.session.flush()
        villages = [
            Village(centre_id=centre.id, name=name) for name in ("Biała Pierwsza", "Biała Druga")
        ]
        db.session.add_all(villages)
        self.catalogue(centre, COURSES)
        # 2013: 353 456 zł, of which 117 000 zł salaries (the report); the other lines' split
        # is invented for the demo and adds up to the reported total.
        self.budget(
            centre,
            project,
            2013,
            [
                (BudgetLineKind.SALARIES, 117_000),
                (BudgetLineKind.ALLOWANCES, 120_000),
                (BudgetLineKind.COURSES, 80_000),
                (BudgetLineKind.PAL_EVENTS, 25_000),
                (BudgetLineKind.OTHER, 11_456),
            ],
        )
        current_year = today.year
        self.budget(
            centre,
            project,
            current_year,
            [
                (BudgetLineKind.SALARIES, 120_000),
                (BudgetLineKind.ALLOWANCES, 130_000),
                (BudgetLineKind.COURSES, 85_000),
                (BudgetLineKind.PAL_EVENTS, 28_000),
                (BudgetLineKind.OTHER, 12_000),
            ],
        )
        db.session.flush()

        # 37 people activated in 2013: 17 on social contracts, 20 in the PAL.
        contract_people = []
        for index in range(17):
            contract_people.append(
                self.person(
                    centre,
                    project,
                    villages[index % 2],
                    contract=True,
                    pal=False,
                    advisor=advisor,
                    worker=workers[index % 3],
                )
            )
        pal_people = [
            self.person(centre, project, villages[index % 2], contract=False, pal=True)
            for index in range(20)
        ]
        uczestnik, mieszkanka = contract_people[0], pal_people[0]
        uczestnik.first_name, uczestnik.last_name = "Tomasz", "Wierzbicki"
        mieszkanka.first_name, mieszkanka.last_name = "Halina", "Zalewska"
        mieszkanka.on_contract_path = False
        for person, email in (
            (uczestnik, "uczestnik@example.org"),
            (mieszkanka, "mieszkanka@example.org"),
        ):
            user = participants.create_account(person, email=email, actor=None)
            user.password_hash = self.password_hash
        for index, person in enumerate(contract_people):
            db.session.add(
                SocialContract(
                    centre_id=centre.id,
                    participant_id=person.id,
                    project_id=project.id,
                    social_worker_id=workers[index % 3].id,
                    number=f"KS/2013/{index + 1:03d}",
                    status=ContractStatus.COMPLETED,
                    problem="Długotrwałe bezrobocie i niskie kwalifikacje zawodowe.",
                    goal="Podniesienie kwalifikacji i powrót na rynek pracy.",
                    participant_obligations="Udział w treningu kompetencji społecznych, "
                    "doradztwie zawodowym i wybranym kursie.",
                    centre_obligations="Zasiłek okresowy przez okres kontraktu, zasiłki celowe na "
                    "dojazdy, organizacja szkoleń.",
                    support="Trening umiejętności społecznych, doradztwo zawodowe, kurs zawodowy.",
                    start_date=date(2013, 4, 1),
                    end_date=date(2013, 11, 30),
                    signed_on=date(2013, 3, 28),
                    ended_on=date(2013, 11, 30),
                )
            )

        pal_2013 = [
            (
                date(2013, 4, 24),
                EventType.INTEGRATION_MEETING,
                "Spotkanie integracyjne uczestników PAL",
            ),
            (date(2013, 5, 29), EventType.WORKSHOP, "Warsztaty „Aktywne poszukiwanie pracy”"),
            (date(2013, 6, 20), EventType.FAMILY_PICNIC, "Piknik rodzinny"),
            (
                date(2013, 8, 2),
                EventType.WORKSHOP,
                "Warsztaty „Inwestowanie w siebie, Pokonywanie własnych ograniczeń”",
            ),
            (
                date(2013, 8, 28),
                EventType.EDUCATIONAL_TRIP,
                "Wycieczka rekreacyjno-szkoleniowa do Zwierzyńca",
            ),
            (date(2013, 12, 12), EventType.SUMMARY_MEETING, "Spotkanie podsumowujące PAL"),
        ]
        for day, kind, title in pal_2013:
            self.event(
                centre,
                project,
                coordinator,
                day,
                kind,
                title,
                status=EventStatus.HELD,
                capacity=40,
                villages=villages,
            )

        # The current stage: events in the coming weeks, open for sign-up today.
        upcoming = [
            (
                7,
                EventType.INTEGRATION_MEETING,
                "Spotkanie integracyjne uczestników PAL",
                30,
                "Świetlica wiejska w Białej Pierwszej",
            ),
            (
                10,
                EventType.WORKSHOP,
                "Warsztaty „Aktywne poszukiwanie pracy”",
                3,
                "OPS Janów Lubelski, sala nr 4",
            ),
            (
                17,
                EventType.WORKSHOP,
                "Warsztaty „Inwestowanie w siebie”",
                12,
                "OPS Janów Lubelski, sala nr 4",
            ),
            (
                24,
                EventType.CLUB_MEETING,
                "Spotkanie młodzieżowego klubu samopomocowego",
                15,
                "Klub samopomocowy, Biała Druga",
            ),
            (31, EventType.FAMILY_PICNIC, "Piknik rodzinny", 60, "Boisko w Białej Drugiej"),
            (
                38,
                EventType.EDUCATIONAL_TRIP,
                "Wycieczka edukacyjna do Zwierzyńca",
                25,
                "Zbiórka: parking przy OPS Janów Lubelski",
            ),
        ]
        for days, kind, title, capacity, place in upcoming:
            self.event(
                centre,
                project,
                coordinator,
                today + timedelta(days=days),
                kind,
                title,
                status=EventStatus.PUBLISHED,
                capacity=capacity,
                villages=villages,
                place=place,
                opens=_local(today - timedelta(days=3), 8),
            )

    def event(
        self,
        centre,
        project,
        author,
        day,
        kind,
        title,
        *,
        status,
        capacity,
        villages,
        place="Świetlica wiejska w Białej Pierwszej",
        opens=None,
    ) -> Event:
        starts = _local(day, 10)
        event = Event(
            centre_id=centre.id,
            project_id=project.id,
            event_type=kind,
            title=title,
            description="Program Aktywności Lokalnej dla mieszkańców sołectw Biała Pierwsza "
            "i Biała Druga.",
            place=place,
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            capacity=capacity,
            audience=Audience.VILLAGES,
            status=status,
            created_by_id=author.id,
            registration_opens_at=opens,
            registration_closes_at=starts - timedelta(hours=24),
            cancellation_cutoff_at=starts - timedelta(hours=24),
        )
        event.villages = list(villages)
        db.session.add(event)
        db.session.flush()
        audit.record("event.create", event, actor=author, changes={"title": (None, title)})
        return event

    def build_chrzanow(self, centre: Centre) -> None:
        coordinator = self.user(
            centre, "chrzanow@example.org", "Grażyna", "Pietrzak", Role.COORDINATOR
        )
        worker = self.user(
            centre,
            "pracownik.chrzanow@example.org",
            "Robert",
            "Szewczyk",
            Role.SOCIAL_WORKER,
            Role.ADVISOR,
        )
        project = Project(
            centre_id=centre.id,
            title="Aktywna integracja na terenie Gminy Chrzanów",
            programme="Program Operacyjny Kapitał Ludzki, Europejski Fundusz Społeczny",
            priority="VII",
            measure="7.1",
            submeasure="7.1.1",
            start_date=date(2008, 1, 1),
            coordinator_id=coordinator.id,
        )
        db.session.add(project)
        db.session.flush()
        self.catalogue(centre, ["Stylizacja paznokci"])
        self.budget(
            centre,
            project,
            2009,
            [
                (BudgetLineKind.SALARIES, 20_000),
                (BudgetLineKind.ALLOWANCES, 9_000),
                (BudgetLineKind.COURSES, 6_000),
                (BudgetLineKind.OTHER, 3_000),
            ],
        )
        for index in range(2):
            person = self.person(
                centre, project, None, contract=True, pal=False, advisor=worker, worker=worker
            )
            db.session.add(
                SocialContract(
                    centre_id=centre.id,
                    participant_id=person.id,
                    project_id=project.id,
                    social_worker_id=worker.id,
                    number=f"KS/2009/{index + 1:03d}",
                    status=ContractStatus.COMPLETED,
                    problem="Bezrobocie, niskie kompetencje społeczne.",
                    goal="Aktywizacja społeczna i zawodowa.",
                    participant_obligations="Udział w treningu kompetencji społecznych, "
                    "doradztwie zawodowym (Multiselect, WIS) i kursie stylizacji paznokci.",
                    centre_obligations="Wsparcie finansowe, praca socjalna, instrumenty aktywnej "
                    "integracji.",
                    support="Trening kompetencji społecznych, doradztwo zawodowe, trening pracy.",
                    start_date=date(2009, 5, 1),
                    end_date=date(2009, 11, 30),
                    signed_on=date(2009, 4, 28),
                    ended_on=date(2009, 11, 30),
                )
            )
