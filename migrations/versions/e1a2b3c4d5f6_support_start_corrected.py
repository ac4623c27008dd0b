"""Participant: the start of participation follows the first support delivered; staff may
correct it, with a reason (support_start_reason).

`support_start` now holds only a corrected start. The dates typed on the monitoring form before
this revision were never the start the figures used (the report, the exports and the dashboard
took the first support already), so they are cleared rather than turned into corrections that
would move every figure: each person's start becomes their first support. Their earlier values
stay in the audit trail of the monitoring form. A downgrade cannot bring them back.

Revision ID: e1a2b3c4d5f6
Revises: d9a4c1e6f3b2
Create Date: 2026-12-08 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a2b3c4d5f6'
down_revision = 'd9a4c1e6f3b2'
branch_labels = None
depends_on = None

CHECK = 'support_start_reason IS NULL OR support_start IS NOT NULL'


def upgrade():
    op.execute('UPDATE participants SET support_start = NULL WHERE support_start IS NOT NULL')
    if op.get_bind().dialect.name == 'sqlite':
        # A plain ADD COLUMN with its named CHECK: the batch way would copy participants, which
        # most tables point at.
        op.execute(
            'ALTER TABLE participants ADD COLUMN support_start_reason VARCHAR(500) '
            f'CONSTRAINT ck_participants_support_start_reason_with_date CHECK ({CHECK})'
        )
        return
    op.add_column(
        'participants', sa.Column('support_start_reason', sa.String(length=500), nullable=True)
    )
    op.create_check_constraint(
        op.f('ck_participants_support_start_reason_with_date'), 'participants', CHECK
    )


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(
            op.f('ck_participants_support_start_reason_with_date'), 'participants', type_='check'
        )
    # A plain DROP COLUMN (SQLite 3.35+), as b7e2a9c4d1f0 does, for the same reason.
    op.execute('ALTER TABLE participants DROP COLUMN support_start_reason')
