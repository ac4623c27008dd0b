"""Events: the reason an event that had already taken place was recorded afterwards.

A centre going live in the middle of a year enters the PAL events already held, with their
attendance; the reason is kept with the event (and in the audit trail). Existing rows stay
without a reason.

Revision ID: 6c2d9e4f1a07
Revises: c4e8a1f0b7d2
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6c2d9e4f1a07'
down_revision = 'c4e8a1f0b7d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('recorded_afterwards_reason', sa.String(length=500), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('recorded_afterwards_reason')
