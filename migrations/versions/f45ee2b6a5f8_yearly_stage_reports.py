"""Yearly stage reports: the coordinator's texts per stage with their revisions, and the
figures frozen when a report is closed (new tables only; existing rows are untouched).

Revision ID: f45ee2b6a5f8
Revises: ec6160a39005
Create Date: 2026-11-29 17:03:30.944180

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base


# revision identifiers, used by Alembic.
revision = 'f45ee2b6a5f8'
down_revision = 'ec6160a39005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stage_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('frozen_figures', sa.JSON(), nullable=True),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_stage_reports_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_stage_reports_closed_by_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['project_stages.id'], name=op.f('fk_stage_reports_stage_id_project_stages')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_stage_reports_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_reports')),
    sa.UniqueConstraint('stage_id', name=op.f('uq_stage_reports_stage_id'))
    )
    with op.batch_alter_table('stage_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_reports_centre_id'), ['centre_id'], unique=False)

    op.create_table('stage_report_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_stage_report_revisions_created_by_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['stage_reports.id'], name=op.f('fk_stage_report_revisions_report_id_stage_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_report_revisions')),
    sa.UniqueConstraint('report_id', 'number', name=op.f('uq_stage_report_revisions_report_id_number'))
    )
    with op.batch_alter_table('stage_report_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_report_revisions_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stage_report_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_report_revisions_report_id'))

    op.drop_table('stage_report_revisions')
    with op.batch_alter_table('stage_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_reports_centre_id'))

    op.drop_table('stage_reports')
