"""Janów Lubelski's 2013 stage as the yearly report tells it.

What the report states is kept: the six PAL events and the trip's place and aim, 37 people
activated (17 on social contracts, 20 in the PAL), social-skills training and counselling for
everybody on a contract, the courses it lists, a periodic allowance for the contract period and
purpose allowances, three social workers employed from the project, 353 456 zł spent of which
117 000 zł salaries. What it does not say is invented and marked so in the README: who came to
which event, the allowance and course amounts, each event's costs, the other expenses.

Money moves through the same services the pages call, so every line's figures are the ledger's.
"""

from datetime import date, timedelta

from sqlalchemy import select

from portal.demo_builder import local
from portal.extensions import db
from portal.models import (
    Allowance,
    CaseworkEntry,
    Course,
    CourseAssignment,
    Event,
    Instalment,
    Participant,
    PaymentList,
    Project,
    ProjectPost,
    ProjectStage,
    Registration,
    User,
)
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    Audience,
    BudgetLineKind,
    CourseStatus,
    EventStatus,
    EventType,
    InstalmentStatus,
    PurposeCategory,
    RegistrationStatus,
)
from portal.models.support_enums import (
    ContactKind,
    EventCostKind,
    GroupInstrument,
    PlacementKind,
)
from portal.services import budget, ledger, placements, posts

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

TRIP_AIM = "Celem wycieczki było zachęcenie uczestników do tworzenia gospodarstw agroturystycznych."
SESSION_TITLES = {
    GroupInstrument.SOCIAL_SKILLS: "Trening kompetencji i umiejętności społecznych",
    GroupInstrument.GROUP_COUNSELLING: "Doradztwo zawodowe grupowe",
}
SOCIAL_SKILLS_TOPICS = [
    "Komunikacja interpersonalna",
    "Asertywność",
    "Rozwiązywanie konfliktów",
    "Konstruktywna krytyka",
    "Wyrażanie opinii i radzenie sobie ze stresem",
]
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
# Other costs of the stage; 11 456 zł in all.
OTHER_EXPENSES = [
    (date(YEAR, 5, 31), "FV 12/05/2013", "Trener treningu kompetencji społecznych", 6_000_00),
    (
        date(YEAR, 7, 15),
        "FV 231/2013",
        "Wyposażenie młodzieżowego klubu samopomocowego: zestaw meblowy i gry edukacyjne",
        3_456_00,
    ),
    (date(YEAR, 9, 30), "FV 88/09/2013", "Materiały szkoleniowe i biurowe", 2_000_00),
]


def janow_2013(
    *,
    stage: ProjectStage,
    coordinator: User,
    workers: list[User],
    contract_people: list[Participant],
    pal_people: list[Participant],
    events: list[Event],
) -> None:
    """The 2013 stage as it happened; every budget line ends fully spent."""
    _pal_attendance(events, pal_people)
    events[4].place = "Zwierzyniec"
    events[4].description = TRIP_AIM
    _group_sessions(stage.project, coordinator, contract_people)
    _courses(contract_people)
    _allowances(stage, contract_people, workers, coordinator)
    _casework(contract_people, workers)
    _socially_useful_work(contract_people[3:7], workers[0])
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
            )
    other = _line(stage, BudgetLineKind.OTHER)
    for spent_on, number, description, amount in OTHER_EXPENSES:
        ledger.record_expense(
            stage.project.centre_id,
            stage.id,
            other,
            spent_on=spent_on,
            document_number=number,
            description=description,
            amount_grosze=amount,
            actor=coordinator,
        )


def _line(stage: ProjectStage, kind: BudgetLineKind) -> int:
    return budget.line_ids([stage.project_id], kind)[(stage.project_id, stage.year)]


def _pal_attendance(events: list[Event], people: list[Participant]) -> None:
    """Between 12 and 20 PAL participants at each event, one or two absent; over the year
    everybody in the PAL takes part (the invited group shifts from event to event)."""
    for index, event in enumerate(events):
        size = 12 + (index * 3) % 9
        came = [people[(index * 5 + offset) % len(people)] for offset in range(size)]
        for number, person in enumerate(came, start=1):
            absent = number == len(came) or (index % 2 and number == 1)
            db.session.add(
                Registration(
                    centre_id=event.centre_id,
                    event_id=event.id,
                    participant_id=person.id,
                    status=RegistrationStatus.ABSENT if absent else RegistrationStatus.ATTENDED,
                    queue_number=number,
                    created_by_id=event.created_by_id,
                )
            )
        event.places_taken = len(came)
        event.attendance_recorded_at = event.ends_at


def _group_sessions(project: Project, coordinator: User, people: list[Participant]) -> list[Event]:
    """Social-skills training (five meetings, one topic each) and two meetings of group
    vocational counselling, every person on a contract attending."""
    meetings = [
        (GroupInstrument.SOCIAL_SKILLS, date(YEAR, 4, 8) + timedelta(weeks=week), topic, 5)
        for week, topic in enumerate(SOCIAL_SKILLS_TOPICS)
    ] + [
        (GroupInstrument.GROUP_COUNSELLING, date(YEAR, 5, 20), "Analiza zasobów własnych", 4),
        (GroupInstrument.GROUP_COUNSELLING, date(YEAR, 5, 27), "Rynek pracy w powiecie", 4),
    ]
    sessions = []
    for instrument, day, topic, hours in meetings:
        starts = local(day, 9)
        session = Event(
            centre_id=project.centre_id,
            project_id=project.id,
            event_type=EventType.WORKSHOP,
            instrument=instrument,
            title=SESSION_TITLES[instrument],
            place="OPS Janów Lubelski, sala nr 4",
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            capacity=len(people),
            places_taken=len(people),
            audience=Audience.PROJECT,
            status=EventStatus.HELD,
            created_by_id=coordinator.id,
            attendance_recorded_at=starts + timedelta(hours=hours),
            trainer="Anna Mazur"
            if instrument is GroupInstrument.SOCIAL_SKILLS
            else "Marta Sowińska",
            topics=topic,
        )
        db.session.add(session)
        db.session.flush()
        for number, person in enumerate(people, start=1):
            db.session.add(
                Registration(
                    centre_id=project.centre_id,
                    event_id=session.id,
                    participant_id=person.id,
                    status=RegistrationStatus.ATTENDED,
                    queue_number=number,
                    created_by_id=coordinator.id,
                )
            )
        sessions.append(session)
    return sessions


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
        db.session.add(
            CourseAssignment(
                centre_id=person.centre_id,
                participant_id=person.id,
                course_id=by_name[name].id,
                status=CourseStatus.COMPLETED,
                planned_start=date(YEAR, 9, 2),
                planned_end=date(YEAR, 11, 15),
                certificate_number=f"{index + 1}/{YEAR}/KZ",
                completed_on=date(YEAR, 11, 15),
                cost_grosze=price,
            )
        )
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
                purpose=PURPOSES.get(category, ""),
                justification="Brak dochodu; wsparcie w okresie kontraktu socjalnego.",
                status=AllowanceStatus.PAID,
                prepared_by_id=worker.id,
                decided_by_id=coordinator.id,
                submitted_at=local(months[0] - timedelta(days=20), 9),
                decided_at=local(months[0] - timedelta(days=10), 9),
            )
            allowance.instalments = [
                Instalment(
                    centre_id=person.centre_id,
                    month=month,
                    amount_grosze=amount,
                    status=InstalmentStatus.PAID,
                    payment_list=lists[month],
                    paid_on=month + timedelta(days=9),
                )
                for month in months
            ]
            db.session.add(allowance)
            total += amount * len(months)
    if not budget.spend(line, total):
        raise ValueError("the demo's allowances do not fit the allowance line")


def _casework(people: list[Participant], workers: list[User]) -> None:
    """A contact a month with each person on a contract, by their social worker."""
    kinds = [ContactKind.HOME_VISIT, ContactKind.INTERVIEW, ContactKind.PHONE]
    for index, person in enumerate(people):
        for month_index, month in enumerate(CONTRACT_MONTHS):
            kind = kinds[(index + month_index) % len(kinds)]
            db.session.add(
                CaseworkEntry(
                    centre_id=person.centre_id,
                    worker_id=workers[index % len(workers)].id,
                    participant_id=person.id,
                    happened_on=month + timedelta(days=(index * 3) % 25),
                    contact_kind=kind,
                    minutes=20 if kind is ContactKind.PHONE else 60 + 15 * (index % 3),
                    with_family=kind is ContactKind.HOME_VISIT,
                    note="Omówienie postępów w realizacji kontraktu socjalnego.",
                )
            )


def _socially_useful_work(people: list[Participant], worker: User) -> None:
    """Four people in socially useful work for the commune, June to November: two afternoons
    a week, 40 hours a month at most, paid by the hour."""
    for person in people:
        placement = placements.create(
            person.id,
            kind=PlacementKind.SOCIALLY_USEFUL_WORK,
            employer="Urząd Miejski w Janowie Lubelskim – utrzymanie terenów zielonych",
            supervisor="Stanisław Dudek",
            starts_on=date(YEAR, 6, 1),
            ends_on=date(YEAR, 11, 30),
            hours_per_month=40,
            hourly_rate_grosze=8_10,
            actor=worker,
            now=local(date(YEAR, 5, 27), 9),
        )
        db.session.flush()
        for month in CONTRACT_MONTHS[2:]:
            days = [month + timedelta(days=offset) for offset in range(31)]
            worked = [day for day in days if day.month == month.month and day.weekday() in (1, 3)]
            placements.save_month(
                placement.id,
                month,
                {day: 5 for day in worked[:8]},
                actor=worker,
                now=local(worked[-1], 18),
            )


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
