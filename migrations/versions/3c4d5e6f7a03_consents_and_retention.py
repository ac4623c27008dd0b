"""Consent records with their text version; anonymisation after the retention period.

Revision ID: 3c4d5e6f7a03
Revises: 2b3c4d5e6f02
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c4d5e6f7a03'
down_revision = '2b3c4d5e6f02'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
