"""The money of Janów Lubelski's 2013 stage: what the report states (353 456 zł, of which
117 000 zł salaries of three social workers) and the invented amounts that make it up, each spent
through the services the pages call, so every line ends fully spent and the ledger explains it."""

from datetime import date, timedelta

from sqlalchemy import select

from portal.demo.builder import local
from portal.extensions import db
from portal.models import (
    Allowance,
    Course,
    CourseAssignment,
    Event,
    Instalment,
    Participant,
    PaymentList,
    Project,
    ProjectPost,
    ProjectStage,
    User,
)
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    BudgetLineKind,
    CourseStatus,
    InstalmentStatus,
    PurposeCategory,
)
from portal.models.spending import DocumentKind
from portal.models.support import EventCostKind
from portal.services.lifecycle import transitions
from portal.services.money import budget, ledger, posts

YEAR = 2013
CONTRACT_MONTHS = [date(YEAR, month, 1) for month in range(4, 12)]  # April to November
PERIODIC_GROSZE = 700_00
TRAVEL_GROSZE = 1_400_00
CLOTHING_GROSZE = 500_00
PURPOSES = {
    PurposeCategory.TRAVEL: "Dojazdy na kurs zawodowy",
    PurposeCategory.CLOTHING: "Odzież robocza na trening pracy",
}
SALARY_GROSZE = 3_250_00  # three posts x 12 months = 117 000 zł

# Each course the report lists, with the invented price of one place; 17 places, 80 000 zł.
COURSE_PLACES = [
    ("Prawo jazdy kat. B", 2_600_00),
    ("Prawo jazdy kat. B", 2_600_00),
    ("Prawo jazdy kat. C", 5_800_00),
    ("Prawo jazdy kat. C", 5_800_00),
    ("Prawo jazdy kat. D", 7_400_00),
    ("Przewóz osób", 4_900_00),
    ("Wizaż i stylizacja paznokci", 3_900_00),
    ("Krawiectwo", 3_600_00),
    ("Fryzjerstwo", 4_700_00),
    ("Operator koparko-ładowarki", 6_200_00),
    ("Obsługa komputera i kasy fiskalnej", 3_300_00),
    ("Księgowość", 5_200_00),
    ("Zarządzanie", 4_100_00),
    ("Operator wózka widłowego", 3_400_00),
    ("Pracownik ochrony", 4_300_00),
    ("Operator obrabiarek CNC", 7_100_00),
    ("Pielęgnacja terenów zielonych", 5_100_00),
]
# Each PAL event's costs (by the order of the report's list); 25 000 zł in all.
EVENT_COSTS = [
    [(EventCostKind.CATERING, 2_400_00), (EventCostKind.ROOM, 600_00)],
    [(EventCostKind.CATERING, 1_500_00), (EventCostKind.OTHER, 2_500_00)],
    [
        (EventCostKind.CATERING, 4_800_00),
        (EventCostKind.INSURANCE, 300_00),
        (EventCostKind.OTHER, 700_00),
    ],
    [(EventCostKind.CATERING, 1_500_00), (EventCostKind.OTHER, 2_500_00)],
    [
        (EventCostKind.BUS, 2_800_00),
        (EventCostKind.INSURANCE, 400_00),
        (EventCostKind.CATERING, 1_900_00),
        (EventCostKind.OTHER, 900_00),
    ],
    [(EventCostKind.CATERING, 1_600_00), (EventCostKind.ROOM, 600_00)],
]
# Other costs of the stage; 11 456 zł in all. The issuers and their tax numbers are invented
# (the numbers pass the NIP check digit, so the list of documents reads as a real one would).
OTHER_EXPENSES = [
    (
        date(YEAR, 5, 31),
        "FV 12/05/2013",
        "Trener treningu kompetencji społecznych",
        6_000_00,
        ("Pracownia Rozwoju Osobistego „Krok” s.c.", "8621541009"),
    ),
    (
        date(YEAR, 7, 15),
        "FV 231/2013",
        "Wyposażenie młodzieżowego klubu samopomocowego: zestaw meblowy i gry edukacyjne",
        3_456_00,
        ("Meble i Zabawki Sp. z o.o.", "7123001006"),
    ),
    (
        date(YEAR, 9, 30),
        "FV 88/09/2013",
        "Materiały szkoleniowe i biurowe",
        2_000_00,
        ("Hurtownia Papiernicza „Biuro-Serwis”", "9462711007"),
    ),
]
# Who issued the events' invoices, by the kind of cost.
EVENT_ISSUERS = {
    EventCostKind.BUS: ("Przewozy Osobowe „Janów-Bus”", "9173401016"),
    EventCostKind.CATERING: ("Catering „Pod Lipami”", "6338121005"),
    EventCostKind.INSURANCE: ("Towarzystwo Ubezpieczeń „Ochrona” S.A.", "7352191008"),
    EventCostKind.ROOM: ("Gminny Ośrodek Kultury w Janowie Lubelskim", "8624411000"),
    EventCostKind.OTHER: ("Gminny Ośrodek Kultury w Janowie Lubelskim", "8624411000"),
}


def _invoice(issuer: tuple[str, str], paid_on: date) -> ledger.Document:
    """An invoice of the stage, issued a week before it was paid and wholly eligible."""
    name, nip = issuer
    return ledger.Document(
        kind=DocumentKind.INVOICE,
        accounting_number=f"K/{paid_on:%m}/{paid_on.day:02d}/{YEAR}",
        issuer=name,
        issuer_nip=nip,
        issued_on=paid_on - timedelta(days=7),
    )


def spend_2013(
    stage: ProjectStage,
    coordinator: User,
    workers: list[User],
    contract_people: list[Participant],
    events: list[Event],
) -> None:
    """Courses, allowances, salaries, event costs and other costs: every line fully spent."""
    _courses(contract_people)
    _allowances(stage, contract_people, workers, coordinator)
    _salaries(stage.project, workers, coordinator)
    for event, costs in zip(events[: len(EVENT_COSTS)], EVENT_COSTS, strict=True):
        for kind, amount in costs:
            ledger.record_event_cost(
                event.id,
                kind,
                spent_on=event.starts_at.date(),
                document_number=f"FV {event.starts_at:%m}/{event.id}/{YEAR}",
                amount_grosze=amount,
                actor=coordinator,
                document=_invoice(EVENT_ISSUERS[kind], event.starts_at.date()),
            )
    other = _line(stage, BudgetLineKind.OTHER)
    for spent_on, number, description, amount, issuer in OTHER_EXPENSES:
        ledger.record_expense(
            stage.project.centre_id,
            stage.id,
            other,
            spent_on=spent_on,
            document_number=number,
            description=description,
            amount_grosze=amount,
            actor=coordinator,
            document=_invoice(issuer, spent_on),
        )


def _line(stage: ProjectStage, kind: BudgetLineKind) -> int:
    return budget.line_ids([stage.project_id], kind)[(stage.project_id, stage.year)]


def _courses(people: list[Participant]) -> None:
    """One course place for everybody on a contract, bought and completed."""
    by_name = {
        course.name: course
        for course in db.session.scalars(
            select(Course).where(Course.centre_id == people[0].centre_id)
        )
    }
    spent = 0
    for index, (person, (name, price)) in enumerate(zip(people, COURSE_PLACES, strict=True)):
        place = CourseAssignment(
            centre_id=person.centre_id,
            participant_id=person.id,
            course_id=by_name[name].id,
            planned_start=date(YEAR, 9, 2),
            planned_end=date(YEAR, 11, 15),
            certificate_number=f"{index + 1}/{YEAR}/KZ",
            completed_on=date(YEAR, 11, 15),
            cost_grosze=price,
        )
        db.session.add(transitions.recorded(place, CourseStatus.COMPLETED))
        spent += price
    project_id = people[0].project_id
    line = budget.line_ids([project_id], BudgetLineKind.COURSES)[(project_id, YEAR)]
    if not budget.spend(line, spent):
        raise ValueError("the demo's course places do not fit the course line")


def _allowances(
    stage: ProjectStage, people: list[Participant], workers: list[User], coordinator: User
) -> None:
    """A periodic allowance for the contract period, travel to the course, and work clothing
    for two people: prepared by the social worker, decided by the coordinator, all paid."""
    line = _line(stage, BudgetLineKind.ALLOWANCES)
    lists = {
        month: PaymentList(
            centre_id=stage.project.centre_id, month=month, created_by_id=coordinator.id
        )
        for month in CONTRACT_MONTHS
    }
    db.session.add_all(lists.values())
    total = 0
    for index, person in enumerate(people):
        worker = workers[index % len(workers)]
        requests = [
            (AllowanceKind.PERIODIC, PERIODIC_GROSZE, None, CONTRACT_MONTHS),
            (AllowanceKind.PURPOSE, TRAVEL_GROSZE, PurposeCategory.TRAVEL, [date(YEAR, 9, 1)]),
        ]
        if index < 2:
            requests.append(
                (
                    AllowanceKind.PURPOSE,
                    CLOTHING_GROSZE,
                    PurposeCategory.CLOTHING,
                    [date(YEAR, 6, 1)],
                )
            )
        for kind, amount, category, months in requests:
            allowance = Allowance(
                centre_id=person.centre_id,
                participant_id=person.id,
                budget_line_id=line,
                kind=kind,
                amount_grosze=amount,
                first_month=months[0] if kind is AllowanceKind.PERIODIC else None,
                last_month=months[-1] if kind is AllowanceKind.PERIODIC else None,
                category=category,
                purpose=PURPOSES[category] if category is not None else "",
                justification="Brak dochodu; wsparcie w okresie kontraktu socjalnego.",
                prepared_by_id=worker.id,
                decided_by_id=coordinator.id,
                submitted_at=local(months[0] - timedelta(days=20), 9),
                decided_at=local(months[0] - timedelta(days=10), 9),
            )
            allowance.instalments = [
                transitions.recorded(
                    Instalment(
                        centre_id=person.centre_id,
                        month=month,
                        amount_grosze=amount,
                        payment_list=lists[month],
                        paid_on=month + timedelta(days=9),
                    ),
                    InstalmentStatus.PAID,
                )
                for month in months
            ]
            db.session.add(transitions.recorded(allowance, AllowanceStatus.PAID))
            total += amount * len(months)
    if not budget.spend(line, total):
        raise ValueError("the demo's allowances do not fit the allowance line")


def _salaries(project: Project, workers: list[User], coordinator: User) -> None:
    """The three social workers employed from the project, a posting every month."""
    for worker in workers:
        post = ProjectPost(
            centre_id=project.centre_id,
            project_id=project.id,
            person_name=worker.full_name,
            user_id=worker.id,
            title="Pracownik socjalny",
            fte_percent=100,
            starts_on=date(YEAR, 1, 1),
            ends_on=date(YEAR, 12, 31),
            monthly_cost_grosze=SALARY_GROSZE,
        )
        db.session.add(post)
        db.session.flush()
        for month in range(1, 13):
            posts.post_salary(post.id, date(YEAR, month, 1), actor=coordinator)
