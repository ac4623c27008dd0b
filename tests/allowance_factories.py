"""Social contracts, budget lines and allowance requests for the money tests.

Each helper opens its own application context, commits and returns ids, like the factories
of conftest.py. Services are called with a fixed `now` inside the 2026 stage of make_centre().
"""

from datetime import UTC, date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BudgetLine,
    Participant,
    Project,
    ProjectStage,
    SocialContract,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import AllowanceKind, BudgetLineKind, Instrument, PurposeCategory
from portal.services import allowances, contracts, dates

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


def new_contract(app, participant_id: int, worker_id: int, *, sign: bool = True, **fields) -> int:
    """A contract (signed on 1 January 2026 unless sign=False); returns its id."""
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


def budget_line(app, centre_id: int, planned: int, kind=BudgetLineKind.ALLOWANCES) -> int:
    """A line of the centre's 2026 stage with `planned` grosze."""
    with app.app_context():
        stage = db.session.scalar(
            select(ProjectStage)
            .join(Project)
            .where(ProjectStage.year == 2026, Project.centre_id == centre_id)
        )
        line = BudgetLine(centre_id=centre_id, stage_id=stage.id, kind=kind, planned_grosze=planned)
        db.session.add(line)
        db.session.commit()
        return line.id


def new_allowance(
    app,
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
    """A request prepared (and by default submitted) by `preparer_id`; returns its id."""
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


def periodic(app, participant_id, preparer_id, contract_id, first, last, amount=450_00, **kw):
    return new_allowance(
        app,
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


def email(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def audit_rows(app, entity_id: int, entity_type: str = Allowance.__tablename__):
    """(action, actor id, at) of every audit entry about one record, oldest first."""
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.at)
                .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
                .order_by(AuditEntry.id)
            )
        ]
