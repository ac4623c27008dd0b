"""The audit trail refuses TRUNCATE too, and only its owner may do more than read and add.

Revision ID: a8e3c51f7d20
Revises: 5e6f7a8b9c05
Create Date: 2026-12-07 19:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a8e3c51f7d20'
down_revision = '5e6f7a8b9c05'
branch_labels = None
depends_on = None


# As models/audit.py has them, copied so this step stays as it was written. SQLite has no
# TRUNCATE and no privileges: nothing to do there.
TRUNCATE_TRIGGER = (
    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()"
)
# The serving role gets SELECT, INSERT, UPDATE and DELETE on every table from the owner's
# default privileges (README, "Two database roles"); on the trail it keeps reading and adding.
REVOKE = """
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


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(TRUNCATE_TRIGGER)
        op.execute(REVOKE)


def downgrade():
    # The privileges taken are not given back: the owner grants them by hand if it must.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries')
