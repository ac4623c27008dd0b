"""How the demo records are made: invented people with synthetic PESEL numbers, and small
builders for the records a centre needs. What the demo holds is in `portal.demo`."""

import random
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.extensions import db
from portal.models import (
    BudgetLine,
    Centre,
    ConsentKind,
    Course,
    DiagnosisTestType,
    Event,
    Participant,
    Project,
    ProjectStage,
    ProjectTask,
    SocialContract,
    User,
    Village,
)
from portal.models.enums import (
    Audience,
    BudgetLineKind,
    ContractStatus,
    EventStatus,
    EventType,
    Role,
)
from portal.services.accounts import accounts
from portal.services.audit import audit
from portal.services.lifecycle import transitions
from portal.services.people import participants

WARSAW = ZoneInfo("Europe/Warsaw")

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


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Warsaw wall-clock time on `day`, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=WARSAW).astimezone(UTC)


class DemoBuilder:
    """Makes demo records in the session; the same seed always gives the same people."""

    def __init__(self, password_hash: str, rng: random.Random):
        self.password_hash = password_hash
        self.rng = rng
        self.serial = 100

    def user(self, centre: Centre, email: str, first: str, last: str, *roles: Role) -> User:
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

    def account(self, person: Participant, email: str) -> User:
        user = participants.create_account(person, email=email, actor=None)
        user.password_hash = self.password_hash
        return user

    def person(
        self,
        centre: Centre,
        project: Project,
        village: Village | None,
        *,
        contract: bool,
        pal: bool,
        advisor: User | None = None,
        worker: User | None = None,
    ) -> Participant:
        rng = self.rng
        female = rng.random() < 0.55
        first = rng.choice(FIRST_WOMEN if female else FIRST_MEN)
        last = rng.choice(SURNAMES)[0 if female else 1]
        born = date(rng.randint(1958, 1995), rng.randint(1, 12), rng.randint(1, 28))
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
            # The paper form signed at registration, both boxes ticked: the demo's mail (places,
            # reminders, answers) goes only to people who agreed to e-mail contact.
            consent_kinds=(ConsentKind.PROCESSING, ConsentKind.EMAIL_CONTACT),
        )
        person.town = village.name if village else centre.town
        # The start of support is the first support delivered: set once the year is built
        # (year.starts_of_participation), never the project's start.
        return person

    def catalogue(self, centre: Centre, prices: dict[str, int | None]) -> None:
        """The centre's courses with their catalogue prices in grosze (what a place costs unless
        the advisor types another amount; None: no price, the advisor types it)."""
        for name, price in prices.items():
            db.session.add(Course(centre_id=centre.id, name=name, price_grosze=price))
        for name in ("Multiselect", "WIS"):
            db.session.add(DiagnosisTestType(centre_id=centre.id, name=name))

    def tasks(self, project: Project) -> dict[BudgetLineKind, ProjectTask]:
        """The tasks of a PO KL 7.1.1 funding agreement as the centres' projects set them, and
        the task each kind of line belongs to."""
        tasks = [
            ProjectTask(centre_id=project.centre_id, project_id=project.id, number=n, name=name)
            for n, name in (
                (1, "Aktywna integracja uczestników projektu"),
                (2, "Praca socjalna"),
                (3, "Program Aktywności Lokalnej"),
            )
        ]
        db.session.add_all(tasks)
        db.session.flush()
        return {
            BudgetLineKind.ALLOWANCES: tasks[0],
            BudgetLineKind.COURSES: tasks[0],
            BudgetLineKind.SALARIES: tasks[1],
            BudgetLineKind.PAL_EVENTS: tasks[2],
            BudgetLineKind.OTHER: tasks[2],
        }

    def budget(
        self,
        centre: Centre,
        project: Project,
        year: int,
        lines: Iterable[tuple[BudgetLineKind, int]],
        tasks: Mapping[BudgetLineKind, ProjectTask] | None = None,
    ) -> ProjectStage:
        """A stage of the project for `year`, with its budget lines in whole złoty, each in the
        task of the funding agreement `tasks` gives for its kind."""
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
                    centre_id=centre.id,
                    stage_id=stage.id,
                    kind=kind,
                    planned_grosze=zloty * 100,
                    task_id=(tasks or {})[kind].id if tasks else None,
                )
            )
        return stage

    def completed_contract(
        self,
        person: Participant,
        worker: User,
        *,
        number: str,
        start: date,
        end: date,
        signed: date,
        **texts: str,
    ) -> None:
        contract = SocialContract(
            centre_id=person.centre_id,
            participant_id=person.id,
            project_id=person.project_id,
            social_worker_id=worker.id,
            number=number,
            start_date=start,
            end_date=end,
            signed_on=signed,
            ended_on=end,
            **texts,
        )
        db.session.add(transitions.recorded(contract, ContractStatus.COMPLETED))

    def event(
        self,
        centre: Centre,
        project: Project,
        author: User,
        day: date,
        kind: EventType,
        title: str,
        *,
        recorded_as: EventStatus,
        capacity: int,
        villages: Iterable[Village],
        place: str = "Świetlica wiejska w Białej Pierwszej",
        opens: datetime | None = None,
    ) -> Event:
        starts = local(day, 10)
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
            created_by_id=author.id,
            registration_opens_at=opens,
            registration_closes_at=starts - timedelta(hours=24),
            cancellation_cutoff_at=starts - timedelta(hours=24),
        )
        event.villages = list(villages)
        db.session.add(transitions.recorded(event, recorded_as))
        db.session.flush()
        audit.record("event.create", event, actor=author, changes={"title": (None, title)})
        return event
