"""The coordinator's figures kept between visits: each centre's figures version (moved with every
change that can move a figure), and the figures kept for a version, per stage and per centre.

New tables only, and a counter that starts at 0 for existing centres: nothing is kept yet, so
the first visit of each stage's home counts and keeps its figures.

Revision ID: d6e7f8a9b0c1
Revises: b4c5d6e7f8a9
Create Date: 2026-12-08 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base


# revision identifiers, used by Alembic.
revision = 'd6e7f8a9b0c1'
down_revision = 'b4c5d6e7f8a9'  # the chain: set-up's c5d6e7f8a9b0 comes after this one
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('centre_figures',
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('computed_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_centre_figures_centre_id_centres'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('centre_id', name=op.f('pk_centre_figures'))
    )
    op.create_table('stage_figures',
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('computed_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_stage_figures_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['stage_id'], ['project_stages.id'], name=op.f('fk_stage_figures_stage_id_project_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('stage_id', name=op.f('pk_stage_figures'))
    )
    op.create_index(op.f('ix_stage_figures_centre_id'), 'stage_figures', ['centre_id'], unique=False)

    # A column with a default is a plain ALTER on SQLite too: centres, which every table points
    # at, is never copied.
    op.add_column('centres', sa.Column('figures_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.execute('ALTER TABLE centres DROP COLUMN figures_version')
    op.drop_index(op.f('ix_stage_figures_centre_id'), table_name='stage_figures')
    op.drop_table('stage_figures')
    op.drop_table('centre_figures')
