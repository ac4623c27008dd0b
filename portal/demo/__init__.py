"""Demo data built from the facts of the two seed projects (see DOMAIN.md).

Every name is invented. The PESEL numbers are synthetic (valid checksum, made-up serials).
How the records are made is in `portal.demo.builder`; this module holds what the demo contains.
"""

import random
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from portal.demo import bank as demo_bank
from portal.demo import chrzanow as demo_chrzanow
from portal.demo import money as demo_money
from portal.demo import work as demo_work
from portal.demo import year as demo_year
from portal.demo.builder import WARSAW, DemoBuilder, local
from portal.extensions import db
from portal.models import Centre, Project, User, Village
from portal.models.enums import BudgetLineKind, CentreKind, EventStatus, EventType, Role
from portal.services.accounts import passwords
from portal.services.centres import centres
from portal.services.common.errors import PortalError

PASSWORD = "pierwszy-krok"  # noqa: S105 - the documented demo password

LOGINS = [
    ("koordynator@example.org", "coordinator, OPS Janów Lubelski"),
    ("doradca@example.org", "career advisor, OPS Janów Lubelski"),
    ("pracownik@example.org", "social worker, OPS Janów Lubelski"),
    ("pracownik2@example.org", "social worker, OPS Janów Lubelski"),
    ("pracownik3@example.org", "social worker, OPS Janów Lubelski"),
    ("uczestnik@example.org", "participant on a social contract, OPS Janów Lubelski"),
    ("mieszkanka@example.org", "PAL participant, OPS Janów Lubelski"),
    ("admin@example.org", "installation administrator (in OPS Janów Lubelski)"),
    ("chrzanow@example.org", "coordinator, GOPS Chrzanów"),
    ("pracownik.chrzanow@example.org", "social worker and career advisor, GOPS Chrzanów"),
]
LOGINS_TEXT = "Demo logins (password: pierwszy-krok):\n" + "\n".join(
    f"  {email:{max(len(e) for e, _ in LOGINS)}}  {what}" for email, what in LOGINS
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

# The PAL events of 2013, as the yearly report lists them.
PAL_2013 = [
    (date(2013, 4, 24), EventType.INTEGRATION_MEETING, "Spotkanie integracyjne uczestników PAL"),
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

# The current stage: events in the coming weeks (days from today), open for sign-up today.
UPCOMING = [
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


def holds_non_demo_data() -> bool:
    return bool(
        db.session.scalar(select(exists().where(Centre.is_demo.is_(False))))
        or db.session.scalar(select(exists().where(User.centre_id.is_(None))))
    )


def seed(*, if_empty: bool = False, today: date | None = None, with_work: bool = True) -> bool:
    """Create the demo centres; returns False when they are already there (idempotent).

    `with_work=False` leaves out the work waiting for each login (requests, plans): the browser
    walks make that work themselves, page by page, from the demo's facts.
    """
    if if_empty and db.session.scalar(select(exists().where(Centre.id.is_not(None)))):
        return False
    if holds_non_demo_data():
        raise PortalError(_l("The database holds real (non-demo) data; the demo is not seeded."))
    if db.session.scalar(select(exists().where(Centre.is_demo.is_(True)))):
        return False
    today = today or datetime.now(WARSAW).date()
    # Pseudo-random on purpose: the same invented people on every run, nothing secret.
    builder = DemoBuilder(passwords.hash_password(PASSWORD), random.Random(2013))  # noqa: S311
    janow = centres.create_centre(
        name="Ośrodek Pomocy Społecznej w Janowie Lubelskim",
        short_name="ops-janow",
        kind=CentreKind.OPS,
        town="Janów Lubelski",
        actor=None,
        is_demo=True,
    )
    janow.address = "ul. Ogrodowa 16"
    janow.postcode = "23-300"
    janow.dpo_name = "Anna Nowicka"
    janow.building_accessibility = (
        "Wejście od ul. Ogrodowej bez schodów, drzwi otwierane automatycznie. Sala spotkań i "
        "toaleta dostosowana do potrzeb osób na wózkach są na parterze; przed budynkiem jedno "
        "miejsce parkingowe dla osób z niepełnosprawnościami. Tłumacza języka migowego można "
        "zamówić z trzydniowym wyprzedzeniem."
    )
    # Invented contact details (example.org); no telephone, as any number could be someone's.
    janow.email = "sekretariat@ops-janow.example.org"
    janow.dpo_contact = "iod@ops-janow.example.org"
    chrzanow = centres.create_centre(
        name="Gminny Ośrodek Pomocy Społecznej w Chrzanowie",
        short_name="gops-chrzanow",
        kind=CentreKind.GOPS,
        town="Chrzanów",
        actor=None,
        is_demo=True,
    )
    chrzanow.address = "Chrzanów 105"
    chrzanow.postcode = "23-305"
    chrzanow.email = "gops@chrzanow.example.org"
    chrzanow.dpo_contact = "Inspektor ochrony danych, Chrzanów 105, 23-305 Chrzanów"
    _janow(builder, janow, today, with_work=with_work)
    _chrzanow(builder, chrzanow)
    return True


def _janow(b: DemoBuilder, centre: Centre, today: date, *, with_work: bool) -> None:
    coordinator = b.user(centre, "koordynator@example.org", "Bożena", "Lisiecka", Role.COORDINATOR)
    advisor = b.user(centre, "doradca@example.org", "Marta", "Sowińska", Role.ADVISOR)
    workers = [
        b.user(centre, "pracownik@example.org", "Joanna", "Kruk", Role.SOCIAL_WORKER),
        b.user(centre, "pracownik2@example.org", "Paweł", "Chmiel", Role.SOCIAL_WORKER),
        b.user(centre, "pracownik3@example.org", "Ewa", "Borowska", Role.SOCIAL_WORKER),
    ]
    b.user(centre, "admin@example.org", "Adam", "Gajewski", Role.ADMIN)
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
    prices = dict(demo_money.COURSE_PLACES)
    b.catalogue(centre, {name: prices.get(name) for name in COURSES})
    # 2013: 353 456 zł, of which 117 000 zł salaries (the report); the other lines' split
    # is invented for the demo and adds up to the reported total.
    tasks = b.tasks(project)
    stage_2013 = b.budget(
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
        tasks,
    )
    b.budget(
        centre,
        project,
        today.year,
        [
            (BudgetLineKind.SALARIES, 120_000),
            (BudgetLineKind.ALLOWANCES, 130_000),
            (BudgetLineKind.COURSES, 85_000),
            (BudgetLineKind.PAL_EVENTS, 28_000),
            (BudgetLineKind.OTHER, 12_000),
        ],
        tasks,
    )
    db.session.flush()

    # 37 people activated in 2013: 17 on social contracts, 20 in the PAL.
    contract_people = [
        b.person(
            centre,
            project,
            villages[index % 2],
            contract=True,
            pal=False,
            advisor=advisor,
            worker=workers[index % 3],
        )
        for index in range(17)
    ]
    pal_people = [
        b.person(centre, project, villages[index % 2], contract=False, pal=True)
        for index in range(20)
    ]
    uczestnik, mieszkanka = contract_people[0], pal_people[0]
    uczestnik.first_name, uczestnik.last_name = "Tomasz", "Wierzbicki"
    mieszkanka.first_name, mieszkanka.last_name = "Halina", "Zalewska"
    mieszkanka.on_contract_path = False
    b.account(uczestnik, "uczestnik@example.org")
    b.account(mieszkanka, "mieszkanka@example.org")
    for index, person in enumerate(contract_people):
        b.completed_contract(
            person,
            workers[index % 3],
            number=f"KS/2013/{index + 1:03d}",
            start=date(2013, 4, 1),
            end=date(2013, 11, 30),
            signed=date(2013, 3, 28),
            problem="Długotrwałe bezrobocie i niskie kwalifikacje zawodowe.",
            goal="Podniesienie kwalifikacji i powrót na rynek pracy.",
            participant_obligations="Udział w treningu kompetencji społecznych, "
            "doradztwie zawodowym i wybranym kursie.",
            centre_obligations="Zasiłek okresowy przez okres kontraktu, zasiłki celowe na "
            "dojazdy, organizacja szkoleń.",
            support="Trening umiejętności społecznych, doradztwo zawodowe, kurs zawodowy.",
        )

    demo_work.monitoring_data(contract_people + pal_people)
    db.session.flush()

    pal_2013 = [
        b.event(
            centre,
            project,
            coordinator,
            day,
            kind,
            title,
            recorded_as=EventStatus.HELD,
            capacity=40,
            villages=villages,
        )
        for day, kind, title in PAL_2013
    ]
    demo_year.janow_2013(
        stage=stage_2013,
        coordinator=coordinator,
        workers=workers,
        contract_people=contract_people,
        pal_people=pal_people,
        events=pal_2013,
    )
    # Tomasz Wierzbicki did not leave after 2013: he is on a contract again this year (the work
    # waiting for his login), so his participation has no exit yet.
    for name in (
        "support_end",
        "left_early",
        "exit_completed_path",
        "exit_employed",
        "exit_job_seeking",
        "exit_qualification",
    ):
        setattr(uczestnik, name, None)
    for days, kind, title, capacity, place in UPCOMING:
        b.event(
            centre,
            project,
            coordinator,
            today + timedelta(days=days),
            kind,
            title,
            recorded_as=EventStatus.PUBLISHED,
            capacity=capacity,
            villages=villages,
            place=place,
            opens=local(today - timedelta(days=3), 8),
        )
    demo_bank.payment_details(
        centre=centre, contract_people=contract_people, uczestnik=uczestnik, with_work=with_work
    )
    if not with_work:
        return
    # This year's PAL event already held, a fortnight ago (none yet on the year's first days).
    held_on = today - timedelta(days=14)
    held = (
        b.event(
            centre,
            project,
            coordinator,
            held_on,
            EventType.INTEGRATION_MEETING,
            "Spotkanie integracyjne mieszkańców sołectw",
            recorded_as=EventStatus.HELD,
            capacity=30,
            villages=villages,
            opens=local(held_on - timedelta(days=14), 8),
        )
        if held_on.year == today.year
        else None
    )
    demo_year.current_year(
        today=today,
        coordinator=coordinator,
        workers=workers,
        contract_people=contract_people,
        pal_people=pal_people,
        pal_event=held,
    )
    demo_work.waiting_work(
        today=today,
        coordinator=coordinator,
        advisor=advisor,
        workers=workers,
        uczestnik=uczestnik,
        others=contract_people[1:3],
        village=villages[0],
    )


def _chrzanow(b: DemoBuilder, centre: Centre) -> None:
    coordinator = b.user(centre, "chrzanow@example.org", "Grażyna", "Pietrzak", Role.COORDINATOR)
    worker = b.user(
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
    b.catalogue(centre, {"Stylizacja paznokci": demo_chrzanow.COURSE_PRICE})
    b.budget(
        centre,
        project,
        2009,
        [
            (BudgetLineKind.SALARIES, 20_000),
            (BudgetLineKind.ALLOWANCES, 9_000),
            (BudgetLineKind.COURSES, 6_000),
            (BudgetLineKind.OTHER, 3_000),
        ],
        b.tasks(project),
    )
    people = [
        b.person(centre, project, None, contract=True, pal=False, advisor=worker, worker=worker)
        for _ in range(2)
    ]
    for index, person in enumerate(people):
        b.completed_contract(
            person,
            worker,
            number=f"KS/2009/{index + 1:03d}",
            start=date(2009, 5, 1),
            end=date(2009, 11, 30),
            signed=date(2009, 4, 28),
            problem="Bezrobocie, niskie kompetencje społeczne.",
            goal="Aktywizacja społeczna i zawodowa.",
            participant_obligations="Udział w treningu kompetencji społecznych, "
            "doradztwie zawodowym (Multiselect, WIS) i kursie stylizacji paznokci.",
            centre_obligations="Wsparcie finansowe, praca socjalna, instrumenty aktywnej "
            "integracji.",
            support="Trening kompetencji społecznych, doradztwo zawodowe, trening pracy.",
        )
    db.session.flush()
    demo_chrzanow.contracts_2009(people, worker)
