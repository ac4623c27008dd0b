"""Many submitted requests in a few statements (as bench/bulk_approve.py builds them), with the
audit trail the four-eyes check reads."""

from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from portal.extensions import db
from portal.models import Allowance, AuditEntry
from portal.models.enums import AllowanceKind, AllowanceStatus, PurposeCategory


def submitted_requests(
    app,
    *,
    centre_id: int,
    participant_ids: list[int],
    preparer_id: int,
    count: int,
    amount: int = 10_00,
    first_month: date = date(2026, 3, 1),
    submitted_at: datetime,
    purpose: str = "Opał na zimę",
) -> list[int]:
    """`count` submitted purpose allowances spread over the people, the oldest first."""
    with app.app_context():
        before = set(db.session.scalars(select(Allowance.id)))
        db.session.execute(
            insert(Allowance),
            [
                {
                    "centre_id": centre_id,
                    "participant_id": participant_ids[n % len(participant_ids)],
                    "kind": AllowanceKind.PURPOSE,
                    "category": PurposeCategory.FUEL,
                    "amount_grosze": amount,
                    "first_month": first_month,
                    "purpose": purpose,
                    "justification": "Brak środków na opał.",
                    "status": AllowanceStatus.SUBMITTED,
                    "prepared_by_id": preparer_id,
                    "submitted_at": submitted_at + timedelta(seconds=n),
                }
                for n in range(count)
            ],
        )
        ids = sorted(set(db.session.scalars(select(Allowance.id))) - before)
        db.session.execute(
            insert(AuditEntry),
            [
                {
                    "centre_id": centre_id,
                    "actor_id": preparer_id,
                    "at": submitted_at,
                    "action": action,
                    "entity_type": Allowance.__tablename__,
                    "entity_id": allowance_id,
                    "changes": {},
                }
                for allowance_id in ids
                for action in ("allowance.create", "allowance.submitted")
            ],
        )
        db.session.commit()
        return ids
