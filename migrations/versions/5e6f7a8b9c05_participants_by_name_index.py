"""The staff list of a centre's people, by name, from an index.

Revision ID: 5e6f7a8b9c05
Revises: 4d5e6f7a8b04
Create Date: 2026-11-30 00:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e6f7a8b9c05'
down_revision = '4d5e6f7a8b04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_participants_centre_id_name',
        'participants',
        ['centre_id', 'last_name', 'first_name'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_participants_centre_id_name', table_name='participants')
