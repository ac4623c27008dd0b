"""The audit trail, append-only in the database itself."""

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """Who did what to which record, when, from which value to which. Never updated or deleted."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # The trail is read newest first, a page at a time (`id < :last ORDER BY id DESC`): each
    # filter's index ends with the id, so a page is one short index walk however long the trail.
    __table_args__ = (
        Index("ix_audit_entries_entity", "entity_type", "entity_id"),
        Index("ix_audit_entries_centre_keyset", "centre_id", "id"),
        Index("ix_audit_entries_actor_keyset", "actor_id", "id"),
        Index("ix_audit_entries_action_keyset", "action", "id"),
    )


# Append-only, enforced by the database itself: no UPDATE, DELETE or TRUNCATE of the trail gets
# through, whoever sends it (the portal, a script, a console). Only the table's owner can switch
# the triggers off, and on PostgreSQL the portal does not serve as the owner (README, "Two
# database roles"): the serving role may only read and add entries. The same statements are in
# the migrations 2b3c4d5e6f02 and a8e3c51f7d20; `create_all` builds them from here.
REFUSAL = "audit entries are append-only"
SQLITE_TRIGGERS = {
    f"audit_entries_no_{verb.lower()}": (
        f"CREATE TRIGGER audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )
    for verb in ("UPDATE", "DELETE")
}
POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""
POSTGRESQL_TRIGGER = (
    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"
)
# TRUNCATE fires no row trigger; a statement trigger refuses it (SQLite has no TRUNCATE).
POSTGRESQL_TRUNCATE_TRIGGER = (
    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()"
)
# The owner's default privileges give the serving role UPDATE and DELETE on every table it
# creates; on the trail every role but the owner keeps only reading and adding. Run by the
# migration a8e3c51f7d20 and after a restore (which creates the tables afresh).
POSTGRESQL_REVOKE = """
DO $$
DECLARE
    grantee regrole;
BEGIN
    REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_entries FROM PUBLIC;
    FOR grantee IN
        SELECT DISTINCT acl.grantee::regrole
        FROM pg_class AS c, aclexplode(c.relacl) AS acl
        WHERE c.oid = 'audit_entries'::regclass
          AND acl.grantee NOT IN (0, c.relowner)
          AND acl.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER')
    LOOP
        EXECUTE format(
            'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_entries FROM %s',
            grantee
        );
    END LOOP;
END
$$
"""


def _after_create(statement: str, dialect: str) -> None:
    ddl = DDL(statement)  # type: ignore[no-untyped-call]
    event.listen(AuditEntry.__table__, "after_create", ddl.execute_if(dialect=dialect))


for _statement in SQLITE_TRIGGERS.values():
    _after_create(_statement, "sqlite")
for _statement in (POSTGRESQL_FUNCTION, POSTGRESQL_TRIGGER, POSTGRESQL_TRUNCATE_TRIGGER):
    _after_create(_statement, "postgresql")
