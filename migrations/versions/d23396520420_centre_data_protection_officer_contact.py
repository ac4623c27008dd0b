"""Centre: how to reach its data protection officer (an e-mail or a postal address), shown in
the privacy notice when given.

A nullable column; existing centres stay without it and the notice keeps its general wording.

Revision ID: d23396520420
Revises: f45ee2b6a5f8
Create Date: 2026-11-29 17:22:13.750108

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd23396520420'
down_revision = 'f45ee2b6a5f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dpo_contact', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.drop_column('dpo_contact')
