"""The centre's contacts for going live: the postcode beside the street address, the data
protection officer's name, and the building's accessibility for the accessibility statement.

Columns with an empty default only: existing centres keep their details, and their address
written whole (street, postcode and town) is still shown as it is.

Revision ID: c5d6e7f8a9b0
Revises: d6e7f8a9b0c1
Create Date: 2026-12-08 02:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5d6e7f8a9b0"
down_revision = "d6e7f8a9b0c1"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs with a default, also on SQLite: centres, which every table points at, is
    # never copied.
    op.add_column(
        "centres", sa.Column("postcode", sa.String(length=6), server_default="", nullable=False)
    )
    op.add_column(
        "centres", sa.Column("dpo_name", sa.String(length=200), server_default="", nullable=False)
    )
    op.add_column(
        "centres", sa.Column("building_accessibility", sa.Text(), server_default="", nullable=False)
    )


def downgrade():
    op.execute("ALTER TABLE centres DROP COLUMN building_accessibility")
    op.execute("ALTER TABLE centres DROP COLUMN dpo_name")
    op.execute("ALTER TABLE centres DROP COLUMN postcode")
