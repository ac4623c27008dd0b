"""Social contracts: numbering, the lifecycle and its rules."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.base import ExecutableOption

from portal.extensions import db
from portal.models import Participant, SocialContract, User
from portal.models.enums import ContractStatus, Instrument
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import PortalError
from portal.services.lifecycle import transitions
from portal.services.support import entitlements

CURRENT = (ContractStatus.SIGNED, ContractStatus.ACTIVE)


class ContractRefused(PortalError):
    message = _l("The contract cannot be changed this way.")


@dataclass
class ContractFields:
    start_date: date
    end_date: date
    problem: str
    goal: str
    participant_obligations: str
    centre_obligations: str
    instruments: list[Instrument]
    support: str


def check_period(fields: ContractFields) -> None:
    """The period's rule; the form runs it with its own checks, so one pass shows all."""
    if fields.end_date < fields.start_date:
        raise ContractRefused(_l("The contract cannot end before it starts."), field="end_date")


def _overlapping(contract: SocialContract) -> SocialContract | None:
    """Another signed or active contract of the same person in the same project."""
    return db.session.scalar(
        select(SocialContract).where(
            SocialContract.participant_id == contract.participant_id,
            SocialContract.project_id == contract.project_id,
            SocialContract.id != contract.id,
            SocialContract.status.in_(CURRENT),
        )
    )


def _next_number(centre_id: int, year: int) -> str:
    prefix = f"KS/{year}/"
    count = db.session.scalars(
        select(func.count(SocialContract.id)).where(
            SocialContract.centre_id == centre_id, SocialContract.number.like(f"{prefix}%")
        )
    ).one()
    return f"{prefix}{count + 1:03d}"


def create(
    person: Participant, fields: ContractFields, *, social_worker: User, now: datetime
) -> SocialContract:
    """A draft contract with the next number of the centre's year (KS/2026/001, ...)."""
    check_period(fields)
    values = vars(fields).copy()
    values["instruments"] = [i.value for i in fields.instruments]
    for _attempt in range(5):  # two workers may take the same number; the constraint decides
        contract = SocialContract(
            centre_id=person.centre_id,
            participant_id=person.id,
            project_id=person.project_id,
            social_worker_id=social_worker.id,
            number=_next_number(person.centre_id, fields.start_date.year),
            **values,
        )
        try:
            with db.session.begin_nested():
                db.session.add(contract)
                db.session.flush()
        except IntegrityError:
            continue
        audit.record(
            "contract.create",
            contract,
            actor=social_worker,
            changes={k: (None, v) for k, v in values.items()} | {"number": (None, contract.number)},
            at=now,
        )
        return contract
    raise ContractRefused(_l("Could not assign a contract number. Try again."))


def update_draft(
    contract: SocialContract, fields: ContractFields, *, actor: User, version: int, now: datetime
) -> None:
    """Only a draft can be edited; a stale form (someone saved meanwhile) is refused."""
    if contract.status != ContractStatus.DRAFT:
        raise ContractRefused(_l("Only a draft can be edited."))
    if contract.version_id != version:
        raise ContractRefused(
            _l("Someone else changed this contract meanwhile. Reload the page and try again.")
        )
    check_period(fields)
    values = vars(fields).copy()
    values["instruments"] = [i.value for i in fields.instruments]
    changes = audit.diff(contract, values)
    if changes:
        try:
            db.session.flush()
        except StaleDataError as error:  # saved or signed in a parallel request since the read
            raise ContractRefused(
                _l("Someone else changed this contract meanwhile. Reload the page and try again.")
            ) from error
        audit.record("contract.update", contract, actor=actor, changes=changes, at=now)


def sign(contract: SocialContract, *, signed_on: date, actor: User, now: datetime) -> None:
    """Signed on a date; refused while the person has another current contract in the project."""
    if signed_on > dates.local_date(now):
        raise ContractRefused(_l("The signing date cannot be in the future."), field="signed_on")
    if _overlapping(contract) is not None:
        raise ContractRefused(
            _l(
                "This person already has a signed or active contract in this project. "
                "Complete or terminate it first."
            )
        )
    try:
        with db.session.begin_nested():
            transitions.move(
                contract,
                "sign",
                refusal=ContractRefused(),
                actor=actor,
                now=now,
                signed_on=signed_on,
            )
    except IntegrityError as error:  # a parallel signing of another contract won
        raise ContractRefused(
            _l("This person already has a signed or active contract in this project.")
        ) from error


def activate(contract: SocialContract, *, actor: User, now: datetime) -> None:
    transitions.move(contract, "activate", refusal=ContractRefused(), actor=actor, now=now)


def ending(contract: SocialContract, *, now: datetime) -> entitlements.Ending:
    """What completing or terminating the contract now would cancel: its periodic instalments
    dated after today (services/support/entitlements)."""
    return entitlements.preview_for_contract(contract, dates.local_date(now))


def complete(
    contract: SocialContract,
    *,
    evaluation: str,
    actor: User,
    now: datetime,
    confirmed: str | None = None,
) -> entitlements.Ending:
    """Completed today; instalments after this month are cancelled (`confirmed`: what the
    page showed would be, as `ending(...).fingerprint`; None when it showed nothing)."""
    if not evaluation.strip():
        raise ContractRefused(_l("Write the evaluation of the contract."), field="evaluation")
    ended_on = dates.local_date(now)
    transitions.move(
        contract,
        "complete",
        refusal=ContractRefused(),
        actor=actor,
        now=now,
        ended_on=ended_on,
        evaluation=evaluation.strip(),
    )
    return entitlements.end_for_contract(
        contract,
        ended_on,
        reason="",
        confirmed=confirmed,
        actor=actor,
        now=now,
    )


def terminate(
    contract: SocialContract,
    *,
    reason: str,
    actor: User,
    now: datetime,
    confirmed: str | None = None,
) -> entitlements.Ending:
    """Ended early today, with a reason; its periodic instalments after this month are
    cancelled and their money released (`confirmed` as for `complete`)."""
    if not reason.strip():
        raise ContractRefused(_l("Give the reason for ending the contract early."), field="reason")
    ended_on = dates.local_date(now)
    transitions.move(
        contract,
        "terminate",
        refusal=ContractRefused(),
        actor=actor,
        now=now,
        ended_on=ended_on,
        termination_reason=reason.strip(),
    )
    return entitlements.end_for_contract(
        contract,
        ended_on,
        reason=reason.strip(),
        confirmed=confirmed,
        actor=actor,
        now=now,
    )


def shown() -> list[ExecutableOption]:
    """What a contract's page and document show beside it (its person, project and social
    worker), loaded with it in one statement."""
    return [
        joinedload(SocialContract.participant),
        joinedload(SocialContract.project),
        *loading.names(SocialContract.social_worker),
    ]


def list_for_participant(participant_id: int) -> list[SocialContract]:
    return list(
        db.session.scalars(
            select(SocialContract)
            .where(SocialContract.participant_id == participant_id)
            # Their pages name the social worker of each contract.
            .options(*loading.names(SocialContract.social_worker))
            .order_by(SocialContract.start_date.desc())
        )
    )


def current_for(participant_id: int) -> SocialContract | None:
    """The contract a participant sees on their page: the current one, else the latest."""
    contracts = [
        c for c in list_for_participant(participant_id) if c.status != ContractStatus.DRAFT
    ]
    current = [c for c in contracts if c.status in CURRENT]
    return next(iter(current or contracts), None)
