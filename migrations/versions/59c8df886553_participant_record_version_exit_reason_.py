"""Participant record: an edit version (optimistic locking), the reason of an early exit and
the day the result at exit was known.

Existing rows start at version 1; their exit reason and result date stay empty.

Revision ID: 59c8df886553
Revises: eafb0755e929
Create Date: 2026-11-29 14:11:11.457222

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '59c8df886553'
down_revision = 'eafb0755e929'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exit_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('exit_result_on', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('version_id', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('version_id')
        batch_op.drop_column('exit_result_on')
        batch_op.drop_column('exit_reason')
