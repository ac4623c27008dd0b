"""Centre set-up: project funder, budget line funding source, village area and retirement,
retired diagnosis test types.

Existing rows get server defaults: no funder, ESF, rural, active.

Revision ID: eafb0755e929
Revises: 7393435ed9e8
Create Date: 2026-11-29 13:35:02.240137

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'eafb0755e929'
down_revision = '7393435ed9e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funding_source', sa.Enum('esf', 'own', name='funding_source', native_enum=False, create_constraint=True, length=24), server_default='esf', nullable=False))

    with op.batch_alter_table('diagnosis_test_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funder', sa.String(length=200), server_default='', nullable=False))

    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area', sa.Enum('urban', 'rural', name='area', native_enum=False, create_constraint=True, length=24), server_default='rural', nullable=False))
        batch_op.add_column(sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.drop_column('is_active')
        batch_op.drop_column('area')

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('funder')

    with op.batch_alter_table('diagnosis_test_types', schema=None) as batch_op:
        batch_op.drop_column('is_active')

    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_column('funding_source')

