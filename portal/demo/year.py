"""Janów Lubelski's 2013 stage as the yearly report tells it.

What the report states is kept: the six PAL events and the trip's place and aim, 37 people
activated (17 on social contracts, 20 in the PAL), social-skills training and counselling for
everybody on a contract, the courses it lists, a periodic allowance for the contract period and
purpose allowances, three social workers employed from the project, 353 456 zł spent of which
117 000 zł salaries. What it does not say is invented and marked so in the README: who came to
which event, the allowance and course amounts, each event's costs, the other expenses.

The stage's money, spent through the same services the pages call, is in `portal.demo.money`.
"""

from datetime import UTC, date, datetime, timedelta

from portal.demo import money
from portal.demo.builder import local
from portal.demo.money import CONTRACT_MONTHS, YEAR
from portal.extensions import db
from portal.models import (
    CaseworkEntry,
    Event,
    Participant,
    Project,
    ProjectStage,
    Registration,
    User,
)
from portal.models.enums import (
    AllowanceKind,
    Audience,
    EventStatus,
    EventType,
    Instrument,
    RegistrationStatus,
)
from portal.models.support import (
    ContactKind,
    GroupInstrument,
    PlacementKind,
)
from portal.services.common import loading
from portal.services.lifecycle import transitions
from portal.services.support import allowances, approvals, contracts, placements

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
    _casework(contract_people, workers)
    _socially_useful_work(contract_people[3:7], workers[0])
    money.spend_2013(stage, coordinator, workers, contract_people, events)


def _pal_attendance(events: list[Event], people: list[Participant]) -> None:
    """Between 12 and 20 PAL participants at each event, one or two absent; over the year
    everybody in the PAL takes part (the invited group shifts from event to event)."""
    for index, event in enumerate(events):
        size = 12 + (index * 3) % 9
        came = [people[(index * 5 + offset) % len(people)] for offset in range(size)]
        for number, person in enumerate(came, start=1):
            absent = number == len(came) or (index % 2 and number == 1)
            registration = Registration(
                centre_id=event.centre_id,
                event_id=event.id,
                participant_id=person.id,
                queue_number=number,
                created_by_id=event.created_by_id,
            )
            came_or_not = RegistrationStatus.ABSENT if absent else RegistrationStatus.ATTENDED
            db.session.add(transitions.recorded(registration, came_or_not))
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
            created_by_id=coordinator.id,
            attendance_recorded_at=starts + timedelta(hours=hours),
            trainer="Anna Mazur"
            if instrument is GroupInstrument.SOCIAL_SKILLS
            else "Marta Sowińska",
            topics=topic,
        )
        db.session.add(transitions.recorded(session, EventStatus.HELD))
        db.session.flush()
        for number, person in enumerate(people, start=1):
            registration = Registration(
                centre_id=project.centre_id,
                event_id=session.id,
                participant_id=person.id,
                queue_number=number,
                created_by_id=coordinator.id,
            )
            db.session.add(transitions.recorded(registration, RegistrationStatus.ATTENDED))
        sessions.append(session)
    return sessions


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


# Back on a contract this year (the work waiting in `portal.demo.work` adds Tomasz Wierzbicki):
# their periodic allowances make the current month's payment list, one of them paid in cash.
BACK_ON_CONTRACT = slice(7, 11)
# The PAL people whose exit 2013 did not record, at this year's first PAL event.
BACK_IN_PAL = slice(17, 20)
EXIT_FIELDS = (
    "support_end",
    "left_early",
    "exit_completed_path",
    "exit_employed",
    "exit_job_seeking",
    "exit_qualification",
)


def came_back(person: Participant) -> None:
    """Somebody who took part in 2013 and takes part again: no exit yet."""
    for name in EXIT_FIELDS:
        setattr(person, name, None)


def current_year(
    *,
    today: date,
    coordinator: User,
    workers: list[User],
    contract_people: list[Participant],
    pal_people: list[Participant],
    pal_event: Event | None,
) -> None:
    """The current stage as far as it has gone: contracts signed this year and in force this
    month, each with a periodic allowance granted from this month on; and the PAL people at
    this year's event already held."""
    now = datetime.now(UTC)
    this_month = today.replace(day=1)
    start = date(today.year, max(1, today.month - 2), 1)
    end = (start + timedelta(days=190)).replace(day=1) - timedelta(days=1)
    granted = []
    for index, person in enumerate(contract_people[BACK_ON_CONTRACT]):
        worker = workers[index % len(workers)]
        came_back(person)
        contract = contracts.create(
            person,
            contracts.ContractFields(
                start_date=start,
                end_date=end,
                problem="Długotrwałe bezrobocie po zakończeniu kontraktu w 2013 roku.",
                goal="Utrzymanie aktywności i podjęcie zatrudnienia.",
                participant_obligations="Udział w doradztwie zawodowym i treningu pracy.",
                centre_obligations="Zasiłek okresowy w okresie kontraktu, praca socjalna.",
                instruments=[Instrument.VOCATIONAL_COUNSELLING],
                support="Doradztwo zawodowe, praca socjalna.",
            ),
            social_worker=worker,
            now=now,
        )
        contracts.sign(contract, signed_on=start - timedelta(days=3), actor=worker, now=now)
        contracts.activate(contract, actor=worker, now=now)
        periodic = allowances.create(
            person,
            contract,
            allowances.AllowanceFields(
                kind=AllowanceKind.PERIODIC,
                amount_grosze=380_00 + 40_00 * index,
                first_month=this_month,
                last_month=end.replace(day=1),
                justification="Brak dochodu; zasiłek na okres kontraktu socjalnego.",
            ),
            prepared_by=worker,
            now=now,
        )
        allowances.submit(periodic, actor=worker, now=now)
        granted.append(periodic.id)
    _approved, refused = approvals.approve_many(
        granted, centre_id=loading.centre_id_of(coordinator), approver=coordinator, now=now
    )
    if refused:
        raise ValueError("the demo's allowances of this year do not fit the allowance line")
    if pal_event is None:
        return
    came = pal_people[BACK_IN_PAL]
    for number, person in enumerate(came, start=1):
        came_back(person)
        registration = Registration(
            centre_id=pal_event.centre_id,
            event_id=pal_event.id,
            participant_id=person.id,
            queue_number=number,
            created_by_id=pal_event.created_by_id,
        )
        db.session.add(transitions.recorded(registration, RegistrationStatus.ATTENDED))
    pal_event.places_taken = len(came)
    pal_event.attendance_recorded_at = pal_event.ends_at
