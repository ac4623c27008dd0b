"""Stage reports: the discrepancies found when the report was closed, with their explanations.

A report closed while the check of its figures still finds something keeps each finding and the
coordinator's written explanation; the PDF and DOCX print them as an annex. Reports closed
before keep none.

Revision ID: d7b3e9a2c410
Revises: 6c2d9e4f1a07
Create Date: 2026-12-07 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7b3e9a2c410'
down_revision = '6c2d9e4f1a07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stage_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explained_discrepancies', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('stage_reports', schema=None) as batch_op:
        batch_op.drop_column('explained_discrepancies')
