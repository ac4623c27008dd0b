"""Participant: the day an unemployed person became unemployed, when known (the long-term
unemployment flag is checked against it and the age at entry).

Existing rows stay without the date; their long-term flag is kept as it was.

Revision ID: 5d1e7c0a9b21
Revises: 4f26f2887aa9
Create Date: 2026-11-29 16:33:53.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e7c0a9b21'
down_revision = '4f26f2887aa9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unemployed_since', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('unemployed_since')
