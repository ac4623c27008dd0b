"""Outgoing mail: a stable Message-ID and retries with backoff.

Revision ID: 4d5e6f7a8b04
Revises: 3c4d5e6f7a03
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d5e6f7a8b04'
down_revision = '3c4d5e6f7a03'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
