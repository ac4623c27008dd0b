"""The suite's records, made by fixtures that return callables with keyword overrides.

    def test_something(make_centre, make_participant, make_event):
        centre = make_centre()
        event = make_event(centre, capacity=2)

Each callable opens its own application context, commits, and returns the new record's id.
Ids rather than objects: the records are used from many application contexts afterwards (the
test client's requests, a live server, parallel threads), where an object would be detached and
need loading again anyway, and several hundred call sites pass ids. Services are called with
a fixed `now` inside the 2026 stage that make_centre() creates.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    BudgetLine,
    Centre,
    ConsentKind,
    Event,
    Participant,
    Project,
    ProjectStage,
    SocialContract,
    User,
    Village,
)
from portal.models.base import utcnow
from portal.models.enums import (
    AllowanceKind,
    Audience,
    BudgetLineKind,
    CentreKind,
    EventStatus,
    EventType,
    Instrument,
    PurposeCategory,
    Role,
)
from portal.services.accounts import accounts, passwords
from portal.services.common import dates
from portal.services.events import signups
from portal.services.people import participants
from portal.services.support import allowances, contracts
from tests.helpers import PASSWORD

# Hashed with the suite's cheap parameters (TestConfig), as every login then checks it.
passwords.configure(passwords.CHEAP_FOR_TESTS)
_PASSWORD_HASH = passwords.hash_password(PASSWORD)

# The moment the contract and allowance factories act at: inside make_centre()'s 2026 stage.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def today() -> date:
    """Today in the centres' time zone, as the pages judge "not in the future"."""
    return dates.local_date(utcnow())


def contract_fields(**overrides) -> contracts.ContractFields:
    values = {
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 6, 30),
        "problem": "Długotrwałe bezrobocie",
        "goal": "Podjęcie pracy",
        "participant_obligations": "Udział w kursie i doradztwie",
        "centre_obligations": "Opłacenie kursu",
        "instruments": [Instrument.COURSE, Instrument.VOCATIONAL_COUNSELLING],
        "support": "Zasiłek okresowy",
    }
    return contracts.ContractFields(**(values | overrides))


# -- people and centres -------------------------------------------------------------------------


@pytest.fixture
def make_centre(app):
    """A centre with a 2026 project stage and two villages."""
    counter = iter(range(1, 10_000))

    def make(**overrides) -> int:
        n = next(counter)
        with app.app_context():
            centre = Centre(
                name=overrides.pop("name", f"Ośrodek Pomocy Społecznej nr {n}"),
                short_name=overrides.pop("short_name", f"ops-{n}"),
                kind=overrides.pop("kind", CentreKind.OPS),
                town=overrides.pop("town", "Janów Lubelski"),
                **overrides,
            )
            db.session.add(centre)
            db.session.flush()
            project = Project(
                centre_id=centre.id, title=f"Projekt {n}", start_date=date(2026, 1, 1)
            )
            db.session.add(project)
            db.session.flush()
            db.session.add(
                ProjectStage(
                    project_id=project.id,
                    year=2026,
                    start_date=date(2026, 1, 1),
                    end_date=date(2026, 12, 31),
                )
            )
            db.session.add_all(
                [
                    Village(centre_id=centre.id, name="Biała Pierwsza"),
                    Village(centre_id=centre.id, name="Biała Druga"),
                ]
            )
            db.session.commit()
            return centre.id

    return make


def name_suffix(n: int) -> str:
    """A counter as letters (1 -> "A", 27 -> "AA"): names made by the factories obey the name
    rule (letters, spaces, hyphens, apostrophes) like any name typed into a form."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@pytest.fixture
def make_user(app, make_centre):
    """A staff account (coordinator unless roles are given) signing in with PASSWORD."""
    counter = iter(range(1, 10_000))

    def make(*roles: Role, centre_id: int | None = None, email: str | None = None, **kw) -> int:
        n = next(counter)
        with app.app_context():
            if centre_id is None and Role.ADMIN not in roles:
                centre_id = make_centre()
            centre = db.session.get(Centre, centre_id) if centre_id else None
            user = accounts.create_user(
                email=email or f"user{n}@example.org",
                first_name=kw.get("first_name", "Anna"),
                last_name=kw.get("last_name", f"Testowa{name_suffix(n)}"),
                roles=set(roles or {Role.COORDINATOR}),
                centre=centre,
                actor=None,
            )
            user.password_hash = _PASSWORD_HASH
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_participant(app, make_centre):
    """A participant; their account (unless with_account=False) is participantN@example.org.

    They agreed to be contacted by e-mail about the project (the portal writes to nobody else
    about it) unless `email_consent=False`."""
    counter = iter(range(1, 10_000))

    def make(
        centre_id: int | None = None,
        *,
        with_account: bool = True,
        email_consent: bool = True,
        **kw,
    ) -> int:
        n = next(counter)
        with app.app_context():
            centre_id = centre_id or make_centre()
            centre = db.session.get(Centre, centre_id)
            project = participants.current_project(centre_id)
            person = participants.create_participant(
                centre=centre,
                project=project,
                first_name=kw.pop("first_name", "Jan"),
                last_name=kw.pop("last_name", f"Uczestnik{name_suffix(n)}"),
                actor=None,
                consent_kinds=(ConsentKind.EMAIL_CONTACT,) if email_consent else (),
                **kw,
            )
            if with_account:
                user = participants.create_account(
                    person, email=f"participant{n}@example.org", actor=None
                )
                user.password_hash = _PASSWORD_HASH
            db.session.commit()
            return person.id

    return make


# -- events -------------------------------------------------------------------------------------


@pytest.fixture
def make_event(app):
    """A published event of the centre's current project, made directly (the staff form is
    tested apart): a few days ahead, open to everyone."""

    def make(
        centre_id: int,
        *,
        capacity: int = 5,
        starts_in: timedelta = timedelta(days=3),
        starts_at: datetime | None = None,
        villages: tuple[str, ...] = (),
        **fields,
    ) -> int:
        with app.app_context():
            project = participants.current_project(centre_id)
            starts = starts_at or (utcnow() + starts_in).replace(second=0, microsecond=0)
            event = Event(
                centre_id=centre_id,
                project_id=project.id,
                event_type=fields.pop("event_type", EventType.INTEGRATION_MEETING),
                title=fields.pop("title", "Spotkanie integracyjne"),
                place=fields.pop("place", "Świetlica wiejska"),
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=capacity,
                status=fields.pop("status", EventStatus.PUBLISHED),
                audience=fields.pop("audience", Audience.PROJECT),
                **fields,
            )
            if villages:
                event.villages = list(
                    db.session.scalars(
                        select(Village).where(
                            Village.centre_id == centre_id, Village.name.in_(villages)
                        )
                    )
                )
            db.session.add(event)
            db.session.commit()
            return event.id

    return make


@pytest.fixture
def make_registration(app):
    """A registration made by signing the person up through the service, as they would."""

    def make(
        participant_id: int, event_id: int, *, companions: int = 0, now: datetime | None = None
    ) -> int:
        with app.app_context():
            person = db.session.get(Participant, participant_id)
            registration = signups.sign_up(
                person, event_id, now=now or utcnow(), actor=person.user, companions=companions
            )
            db.session.commit()
            return registration.id

    return make


# -- contracts, budget lines, allowances --------------------------------------------------------


@pytest.fixture
def make_contract(app):
    """A social contract, signed on 1 January 2026 unless sign=False."""

    def make(participant_id: int, worker_id: int, *, sign: bool = True, **fields) -> int:
        with app.app_context():
            person = db.session.get(Participant, participant_id)
            worker = db.session.get(User, worker_id)
            contract = contracts.create(
                person, contract_fields(**fields), social_worker=worker, now=NOW
            )
            if sign:
                contracts.sign(contract, signed_on=date(2026, 1, 1), actor=worker, now=NOW)
            db.session.commit()
            return contract.id

    return make


@pytest.fixture
def make_budget_line(app):
    """A line of the centre's 2026 stage with `planned` grosze."""

    def make(centre_id: int, planned: int, kind=BudgetLineKind.ALLOWANCES) -> int:
        with app.app_context():
            stage = db.session.scalar(
                select(ProjectStage)
                .join(Project)
                .where(ProjectStage.year == 2026, Project.centre_id == centre_id)
            )
            line = BudgetLine(
                centre_id=centre_id, stage_id=stage.id, kind=kind, planned_grosze=planned
            )
            db.session.add(line)
            db.session.commit()
            return line.id

    return make


@pytest.fixture
def make_allowance(app):
    """An allowance request prepared (and by default submitted) by `preparer_id`."""

    def make(
        participant_id: int,
        preparer_id: int,
        *,
        kind: AllowanceKind = AllowanceKind.PURPOSE,
        amount: int = 300_00,
        contract_id: int | None = None,
        first_month: date | None = date(2026, 3, 1),
        last_month: date | None = None,
        category: PurposeCategory | None = PurposeCategory.FUEL,
        purpose: str = "Opał na zimę",
        submit: bool = True,
        now: datetime = NOW,
    ) -> int:
        with app.app_context():
            person = db.session.get(Participant, participant_id)
            preparer = db.session.get(User, preparer_id)
            contract = db.session.get(SocialContract, contract_id) if contract_id else None
            fields = allowances.AllowanceFields(
                kind=kind,
                amount_grosze=amount,
                first_month=first_month,
                last_month=last_month,
                category=category if kind == AllowanceKind.PURPOSE else None,
                purpose=purpose,
                justification="Trudna sytuacja materialna",
            )
            allowance = allowances.create(person, contract, fields, prepared_by=preparer, now=now)
            if submit:
                allowances.submit(allowance, actor=preparer, now=now)
            db.session.commit()
            return allowance.id

    return make


@pytest.fixture
def make_periodic_allowance(make_allowance):
    """A periodic allowance request under a contract, from `first` to `last` month."""

    def make(participant_id, preparer_id, contract_id, first, last, amount=450_00, **kw) -> int:
        return make_allowance(
            participant_id,
            preparer_id,
            kind=AllowanceKind.PERIODIC,
            amount=amount,
            contract_id=contract_id,
            first_month=first,
            last_month=last,
            category=None,
            purpose="",
            **kw,
        )

    return make
