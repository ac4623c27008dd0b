"""The one audit mechanism: called inside the transaction of the change it records."""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from portal import database
from portal.extensions import db
from portal.models import AuditEntry, User
from portal.models.base import utcnow

# Secrets: never written to the trail in clear, whatever the caller passes.
SECRET_FIELDS = frozenset({"password", "password_hash", "session_token", "link_nonce"})
# Personal data (GDPR): the trail says that such a field changed, never from what to what, so
# that the trail, which is never edited, holds nothing to erase when a person's retention period
# ends. Identity and contact data, and every free text written about a person.
PERSONAL_FIELDS = frozenset(
    {
        # identity and contact
        "name", "first_name", "last_name", "full_name", "person_name", "pesel",
        "no_pesel_country", "birth_date", "email", "to_address", "phone", "address", "street",
        "building_number", "flat_number", "postcode", "town",
        # free text about a person: notes, plans, contracts, allowances, placements, answers
        "note", "notes", "advisor_notes", "comment", "answer", "body", "companion_names",
        "justification", "purpose", "problem", "goal", "participant_obligations",
        "centre_obligations", "support", "evaluation", "result_summary", "strengths",
        "weaknesses", "opportunities", "threats", "potential", "predispositions",
        "target_occupations", "market_demand", "market_fit", "goals", "actions", "description",
        "responsible", "supervisor", "employer", "occupation", "certificate_number",
        "exit_reason", "refusal_reason", "rejection_reason", "termination_reason",
        "drop_reason", "reopened_reason", "text",
        # where a person is paid: never in the trail, whose rows are never erased
        "bank_account", "bank_account_owner",
    }
)  # fmt: skip
REDACTED_FIELDS = SECRET_FIELDS | PERSONAL_FIELDS
# Records of the organisation, not of a person: a centre's name, address and phone, a budget
# line's name, an expense's description stay in clear (the money's trail needs them).
ORGANISATION_ENTITIES = frozenset(
    {
        "centres", "projects", "project_stages", "budget_lines", "expenses", "events", "courses",
        "villages", "diagnosis_test_types", "stage_reports",
    }
)  # fmt: skip
# What a redacted value is written as: whether it was set, never what it was.
MASK = "***"


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _masked(entity_type: str, changes: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    """The changes as the trail keeps them: personal and secret values replaced by `MASK`."""
    hidden = SECRET_FIELDS if entity_type in ORGANISATION_ENTITIES else REDACTED_FIELDS
    plain: dict[str, Any] = {}
    for field, (old, new) in changes.items():
        if field in hidden:
            plain[field] = {"old": MASK if _set(old) else None, "new": MASK if _set(new) else None}
        else:
            plain[field] = {"old": _plain(old), "new": _plain(new)}
    return plain


def _set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def record(
    action: str,
    entity: Any,
    *,
    actor: User | None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    centre_id: int | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Record who did `action` to `entity`; `changes` maps field -> (old, new)."""
    db.session.flush()  # the entity needs its id
    values = {
        "centre_id": centre_id if centre_id is not None else getattr(entity, "centre_id", None),
        "actor_id": actor.id if actor is not None else None,
        "at": at or utcnow(),
        "action": action,
        "entity_type": type(entity).__tablename__,
        "entity_id": entity.id,
        "changes": _masked(type(entity).__tablename__, changes or {}),
    }
    return _write(values)


def record_reading(
    action: str,
    entity_type: str,
    *,
    actor: User,
    centre_id: int | None,
    changes: dict[str, tuple[Any, Any]],
) -> AuditEntry:
    """Record that `actor` read records of one kind that no single row stands for (a list of
    people): one entry, the records named by id in `changes`."""
    values = {
        "centre_id": centre_id,
        "actor_id": actor.id,
        "at": utcnow(),
        "action": action,
        "entity_type": entity_type,
        "entity_id": None,
        "changes": _masked(entity_type, changes),
    }
    return _write(values)


def _write(values: dict[str, Any]) -> AuditEntry:
    if database.serving_reads_only():
        # Who looked at or downloaded what, on a page that changes nothing: the one record a
        # GET writes, in a short transaction of its own (database.insert_apart).
        database.insert_apart(AuditEntry, values)
        return AuditEntry(**values)
    entry = AuditEntry(**values)
    db.session.add(entry)
    return entry


def diff(obj: Any, new_values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Apply `new_values` to `obj` and return the fields that really changed, old and new."""
    changes = {}
    for field, new in new_values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = (old, new)
            setattr(obj, field, new)
    return changes


def record_many(
    action: str,
    entity_type: str,
    ids: list[int],
    *,
    actor: User | None,
    centre_id: int | None,
    changes: dict[str, tuple[Any, Any]],
    at: datetime | None = None,
    each: Mapping[int, dict[str, tuple[Any, Any]]] | None = None,
) -> None:
    """The same change to many records of one kind, in one INSERT (bulk decisions); `each`
    adds what one record's entry says beyond the common `changes`."""
    if not ids:
        return
    from sqlalchemy import insert

    each = each or {}
    when = at or utcnow()
    db.session.execute(
        insert(AuditEntry),
        [
            {
                "centre_id": centre_id,
                "actor_id": actor.id if actor else None,
                "at": when,
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "changes": _masked(entity_type, changes | each.get(entity_id, {})),
            }
            for entity_id in ids
        ],
    )
