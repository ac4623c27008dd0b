"""Instalments can be cancelled: the entitlement ended before their month, or the allowance was
withdrawn. A cancelled instalment says why and is on no payment list.

Existing rows are due or paid and stay as they are. Downgrading deletes the cancelled
instalments, as withdrawing an allowance did before this revision; their money was released
when they were cancelled.

Revision ID: c4e8a1f0b7d2
Revises: a8e3c51f7d20
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f0b7d2'
down_revision = 'a8e3c51f7d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instalments', schema=None) as batch_op:
        batch_op.drop_constraint('instalment_status', type_='check')
        batch_op.create_check_constraint(
            'instalment_status', "status IN ('due', 'paid', 'cancelled')"
        )
        batch_op.add_column(sa.Column('cancelled_because', sa.Enum('contract_ended', 'person_left', 'allowance_withdrawn', name='instalment_cancellation', native_enum=False, create_constraint=True, length=24), nullable=True))
        batch_op.create_check_constraint(
            'cancelled_off_lists',
            "status <> 'cancelled' OR (cancelled_because IS NOT NULL AND payment_list_id IS NULL)",
        )


def downgrade():
    op.execute("DELETE FROM instalments WHERE status = 'cancelled'")
    with op.batch_alter_table('instalments', schema=None) as batch_op:
        batch_op.drop_constraint('cancelled_off_lists', type_='check')
        # SQLite's copy of the table would keep the enum's CHECK on the dropped column.
        batch_op.drop_constraint('instalment_cancellation', type_='check')
        batch_op.drop_column('cancelled_because')
        batch_op.drop_constraint('instalment_status', type_='check')
        batch_op.create_check_constraint('instalment_status', "status IN ('due', 'paid')")
