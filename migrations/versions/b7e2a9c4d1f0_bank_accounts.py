"""Bank accounts: where each participant is paid, the centre's own account, and the changes
participants ask for, which wait for staff to confirm them.

Revision ID: b7e2a9c4d1f0
Revises: d7b3e9a2c410
Create Date: 2026-12-07 22:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base


# revision identifiers, used by Alembic.
revision = 'b7e2a9c4d1f0'
down_revision = 'd7b3e9a2c410'
branch_labels = None
depends_on = None


def _drop_column(table, column):
    # A plain DROP COLUMN (SQLite 3.35+): the batch way would copy the table, and dropping the
    # old copy fails on SQLite while other tables' rows point at it.
    op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_account', sa.String(length=28), nullable=True))
        batch_op.add_column(sa.Column('bank_account_owner', sa.String(length=140), nullable=True))
        batch_op.add_column(sa.Column('paid_in_cash', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_account', sa.String(length=28), nullable=True))

    op.create_table('bank_account_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('bank_account', sa.String(length=28), nullable=True),
    sa.Column('bank_account_owner', sa.String(length=140), nullable=True),
    sa.Column('paid_in_cash', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'refused', 'withdrawn', name='bank_account_change_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('requested_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('NOT (paid_in_cash AND bank_account IS NOT NULL)', name=op.f('ck_bank_account_changes_not_account_and_cash')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_bank_account_changes_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_bank_account_changes_participant_id_participants')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_bank_account_changes_requested_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_bank_account_changes_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_account_changes'))
    )
    with op.batch_alter_table('bank_account_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_account_changes_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_account_changes_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('uq_bank_account_changes_pending', ['participant_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('bank_account_changes', schema=None) as batch_op:
        batch_op.drop_index('uq_bank_account_changes_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_bank_account_changes_participant_id'))
        batch_op.drop_index(batch_op.f('ix_bank_account_changes_centre_id'))
    op.drop_table('bank_account_changes')

    _drop_column('centres', 'bank_account')
    _drop_column('participants', 'paid_in_cash')
    _drop_column('participants', 'bank_account_owner')
    _drop_column('participants', 'bank_account')
