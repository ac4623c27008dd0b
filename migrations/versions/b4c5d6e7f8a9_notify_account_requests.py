"""Users: a staff member's wish to be e-mailed about residents' new account requests.

Existing accounts are not e-mailed until their owner asks (the staff home shows the count to
everyone who decides requests either way).

Revision ID: b4c5d6e7f8a9
Revises: a3b4c5d6e7f8
Create Date: 2026-12-08 01:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4c5d6e7f8a9'
down_revision = 'a3b4c5d6e7f8'
branch_labels = None
depends_on = None


def upgrade():
    # A NOT NULL column with a constant default is a plain ALTER on SQLite too: users (pointed
    # at by nearly every table) is never copied.
    op.add_column(
        'users',
        sa.Column('notify_account_requests', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notify_account_requests')
