"""Everything held about a participant, for them to download (GDPR art. 15, ASVS 8.3.2).

Staff-only notes are the exception: the advisor's notes on the plan and the social worker's
notes in the casework log are kept from the participant (the contacts themselves are listed).
"""

from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import inspect, select

from portal.extensions import db
from portal.models import (
    Allowance,
    CaseworkEntry,
    Consent,
    CounsellingSession,
    CourseAssignment,
    DiagnosisTest,
    IndividualPlan,
    Instalment,
    Participant,
    Placement,
    PlacementDay,
    PlanRevision,
    Registration,
    SocialContract,
)

# The records of one person that are listed as rows of their own.
PersonRecord = TypeVar(
    "PersonRecord",
    Allowance,
    SocialContract,
    DiagnosisTest,
    CounsellingSession,
    CourseAssignment,
    CaseworkEntry,
    Placement,
    Consent,
)

# Internal bookkeeping and secrets that are not data about the person.
_LEFT_OUT = {
    "calendar_token", "version_id", "advisor_notes", "notes", "centre_id", "anonymised_at",
}  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(record: Any) -> dict[str, Any]:
    return {
        column.key: _plain(getattr(record, column.key))
        for column in inspect(type(record)).column_attrs
        if column.key not in _LEFT_OUT
    }


def _rows(model: type[PersonRecord], participant_id: int) -> list[dict[str, Any]]:
    query = select(model).where(model.participant_id == participant_id).order_by(model.id)
    return [_row(record) for record in db.session.scalars(query)]


def export(person: Participant) -> dict[str, Any]:
    allowances = _rows(Allowance, person.id)
    instalments = db.session.scalars(
        select(Instalment)
        .join(Allowance)
        .where(Allowance.participant_id == person.id)
        .order_by(Instalment.month)
    )
    plan = db.session.scalar(
        select(IndividualPlan).where(IndividualPlan.participant_id == person.id)
    )
    shared_plan = None
    if plan is not None and plan.shared_revision_number is not None:
        revision = db.session.scalar(
            select(PlanRevision).where(
                PlanRevision.plan_id == plan.id,
                PlanRevision.number == plan.shared_revision_number,
            )
        )
        if revision is not None:
            shared_plan = {k: v for k, v in revision.snapshot.items() if k not in _LEFT_OUT}
    return {
        "participant": _row(person),
        "village": person.village.name if person.village else None,
        "project": person.project.title,
        "account": {"email": person.user.email, "language": person.user.locale}
        if person.user
        else None,
        "event_registrations": [
            {**_row(r), "event": r.event.title, "event_starts_at": _plain(r.event.starts_at)}
            for r in db.session.scalars(
                select(Registration).where(Registration.participant_id == person.id)
            )
        ],
        "social_contracts": _rows(SocialContract, person.id),
        "allowances": allowances,
        "instalments": [_row(i) for i in instalments],
        "diagnosis_tests": _rows(DiagnosisTest, person.id),
        "counselling_sessions": _rows(CounsellingSession, person.id),
        "courses": _rows(CourseAssignment, person.id),
        "casework_contacts": [
            {key: value for key, value in row.items() if key != "note"}
            for row in _rows(CaseworkEntry, person.id)
        ],
        "work_placements": _rows(Placement, person.id),
        "work_placement_days": [
            _row(day)
            for day in db.session.scalars(
                select(PlacementDay)
                .join(Placement)
                .where(Placement.participant_id == person.id)
                .order_by(PlacementDay.worked_on)
            )
        ],
        "individual_plan_shared_with_you": shared_plan,
        "consents": _rows(Consent, person.id),
    }
