"""The one audit mechanism: called inside the transaction of the change it records."""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from portal import database
from portal.extensions import db
from portal.models import AuditEntry, User
from portal.models.base import utcnow

# Values never written to the trail in clear, whatever the caller passes.
REDACTED_FIELDS = frozenset({"password", "password_hash", "session_token", "link_nonce", "pesel"})


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
    plain: dict[str, Any] = {}
    for field, (old, new) in (changes or {}).items():
        if field in REDACTED_FIELDS:
            plain[field] = {"old": "***" if old else None, "new": "***" if new else None}
        else:
            plain[field] = {"old": _plain(old), "new": _plain(new)}
    values = {
        "centre_id": centre_id if centre_id is not None else getattr(entity, "centre_id", None),
        "actor_id": actor.id if actor is not None else None,
        "at": at or utcnow(),
        "action": action,
        "entity_type": type(entity).__tablename__,
        "entity_id": entity.id,
        "changes": plain,
    }
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
) -> None:
    """The same change to many records of one kind, in one INSERT (bulk decisions)."""
    if not ids:
        return
    from sqlalchemy import insert

    plain = {
        field: {"old": _plain(old), "new": _plain(new)} for field, (old, new) in changes.items()
    }
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
                "changes": plain,
            }
            for entity_id in ids
        ],
    )
