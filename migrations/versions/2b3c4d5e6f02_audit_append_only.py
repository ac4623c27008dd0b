"""The audit trail is append-only, enforced by the database.

Revision ID: 2b3c4d5e6f02
Revises: 1a2b3c4d5e01
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2b3c4d5e6f02'
down_revision = '1a2b3c4d5e01'
branch_labels = None
depends_on = None


# The statements as the model attaches them to its table (for create_all), copied here so that
# this step stays as it was written whatever the model says later.
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


def upgrade():
    # Indexes for reading the trail newest first with a filter (keyset pages), and by date.
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_centre_id')
        batch_op.drop_index('ix_audit_entries_actor_id')
        batch_op.create_index('ix_audit_entries_centre_keyset', ['centre_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_entries_actor_keyset', ['actor_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_entries_action_keyset', ['action', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries')
        op.execute('DROP FUNCTION IF EXISTS audit_entries_append_only()')
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_at'))
        batch_op.drop_index('ix_audit_entries_action_keyset')
        batch_op.drop_index('ix_audit_entries_actor_keyset')
        batch_op.drop_index('ix_audit_entries_centre_keyset')
        batch_op.create_index('ix_audit_entries_actor_id', ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_entries_centre_id', ['centre_id'], unique=False)
