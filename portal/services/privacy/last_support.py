"""When a person was last supported, by any kind of support, and what of it is still open.

Retention counts from here (retention.py). The end of support recorded in the monitoring data is
one source among many: a person whose exit was recorded in 2013 and who signed a new contract,
has allowance instalments to be paid and a place at next week's meeting is being supported now.

Each kind is one grouped statement over the people asked about (a subquery of their ids), and
everything still open is one more: reading one person or a whole installation takes the same
number of statements.

Drafts (a contract, an allowance request or a plan being prepared) are not support yet: their
dates count, so a draft written recently keeps the person, but a draft is never "open", for a
forgotten one could otherwise keep a person's data for ever (a draft contract cannot be closed).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, union_all

from portal.extensions import db
from portal.models import (
    Allowance,
    CaseworkEntry,
    CounsellingSession,
    CourseAssignment,
    DiagnosisTest,
    Event,
    IndividualPlan,
    Instalment,
    Placement,
    Registration,
    SocialContract,
)
from portal.models.enums import (
    AllowanceStatus,
    ContractStatus,
    CourseStatus,
    EventStatus,
    InstalmentStatus,
    PlanStatus,
    RegistrationStatus,
)
from portal.services.common import dates

# Still in force: signed and not yet completed or terminated, whatever its planned end says.
CONTRACT_OPEN = (ContractStatus.SIGNED, ContractStatus.ACTIVE)
# Given to the participant and not completed: the advisor and the person still work on it.
PLAN_OPEN = (PlanStatus.SHARED, PlanStatus.ACKNOWLEDGED, PlanStatus.IN_PROGRESS)
PLACE_HELD = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)


@dataclass(frozen=True)
class LastSupport:
    day: date
    kind: str  # which kind of support gave the day (named in the command's output)


def _dated(scope: Select[int]) -> list[tuple[str, Select[int, Any]]]:
    """Per kind: (participant id, the latest day of that kind) for the people of `scope`."""

    def latest(kind: str, owner: Any, day: Any, *where: ColumnElement[bool]) -> Any:
        query = select(owner, func.max(day)).where(owner.in_(scope), day.is_not(None), *where)
        return kind, query.group_by(owner)

    return [
        # Ended early: the day it ended; otherwise the end of its period (planned, for a draft).
        latest(
            "contract",
            SocialContract.participant_id,
            func.coalesce(SocialContract.ended_on, SocialContract.end_date),
        ),
        latest(
            "allowance",
            Allowance.participant_id,
            func.coalesce(Allowance.last_month, Allowance.first_month),
        ),
        _instalments(scope),
        latest(
            "event registration",
            Registration.participant_id,
            Event.ends_at,
            Registration.event_id == Event.id,
            Registration.status != RegistrationStatus.CANCELLED,
            Event.status != EventStatus.CANCELLED,
        ),
        latest("plan", IndividualPlan.participant_id, IndividualPlan.updated_at),
        latest("placement", Placement.participant_id, Placement.ends_on),
        latest("casework", CaseworkEntry.participant_id, CaseworkEntry.happened_on),
        latest(
            "course",
            CourseAssignment.participant_id,
            func.coalesce(
                CourseAssignment.completed_on,
                CourseAssignment.planned_end,
                CourseAssignment.planned_start,
            ),
        ),
        latest("diagnosis test", DiagnosisTest.participant_id, DiagnosisTest.taken_on),
        latest("counselling", CounsellingSession.participant_id, CounsellingSession.held_on),
    ]


def _instalments(scope: Select[int]) -> tuple[str, Select[int, date]]:
    day = func.max(func.coalesce(Instalment.paid_on, Instalment.month))
    return "allowance instalment", (
        select(Allowance.participant_id, day)
        .join(Instalment, Instalment.allowance_id == Allowance.id)
        .where(
            Allowance.participant_id.in_(scope),
            Instalment.status != InstalmentStatus.CANCELLED,  # never given: not support
        )
        .group_by(Allowance.participant_id)
    )


def _as_day(value: date | datetime) -> date:
    return dates.local_date(value) if isinstance(value, datetime) else value


def last_support(scope: Select[int]) -> dict[int, LastSupport]:
    """The last day of support of each person of `scope` that has any record of support."""
    found: dict[int, LastSupport] = {}
    for kind, query in _dated(scope):
        for participant_id, value in db.session.execute(query):
            day = _as_day(value)
            known = found.get(participant_id)
            if known is None or day > known.day:
                found[participant_id] = LastSupport(day, kind)
    return found


def still_open(scope: Select[int], today: date) -> dict[int, tuple[str, ...]]:
    """The kinds of support still open for each person of `scope` who has any (one statement)."""
    start_of_today = dates.local_to_utc(today, time.min)

    def member(kind: str, owner: Any, *where: ColumnElement[bool]) -> Select[str, int]:
        return select(literal(kind).label("kind"), owner.label("participant_id")).where(
            owner.in_(scope), *where
        )

    statement = union_all(
        member(
            "contract",
            SocialContract.participant_id,
            SocialContract.status.in_(CONTRACT_OPEN),
        ),
        member(
            "allowance request",
            Allowance.participant_id,
            Allowance.status == AllowanceStatus.SUBMITTED,
        ),
        # Instalments cancelled by an early end or a withdrawal are deleted: what is left and
        # unpaid is still to be paid.
        member(
            "allowance instalment",
            Allowance.participant_id,
            Instalment.allowance_id == Allowance.id,
            Instalment.status == InstalmentStatus.DUE,
        ),
        member(
            "event registration",
            Registration.participant_id,
            Registration.event_id == Event.id,
            Registration.status.in_(PLACE_HELD),
            Event.status != EventStatus.CANCELLED,
            Event.ends_at >= start_of_today,
        ),
        member("plan", IndividualPlan.participant_id, IndividualPlan.status.in_(PLAN_OPEN)),
        member("placement", Placement.participant_id, Placement.ends_on >= today),
        member(
            "course",
            CourseAssignment.participant_id,
            CourseAssignment.status == CourseStatus.ENROLLED,
        ),
    )
    kinds: dict[int, set[str]] = {}
    for kind, participant_id in db.session.execute(statement):
        kinds.setdefault(participant_id, set()).add(kind)
    return {pid: _sorted(found) for pid, found in kinds.items()}


def _sorted(kinds: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(kinds))
