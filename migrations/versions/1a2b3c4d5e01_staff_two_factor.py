"""Staff two-factor sign-in: TOTP secrets and recovery codes.

Revision ID: 1a2b3c4d5e01
Revises: b7c1e4a90d31
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a2b3c4d5e01'
down_revision = 'b7c1e4a90d31'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
