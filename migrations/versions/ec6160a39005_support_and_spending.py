"""Support as delivered and money as spent: project posts, the expense ledger, the casework
log, work placements with their days, and group-instrument sessions on events (new tables and
nullable or defaulted columns; existing rows are untouched).

Revision ID: ec6160a39005
Revises: 5d1e7c0a9b21
Create Date: 2026-11-29 16:34:34.031556

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base


# revision identifiers, used by Alembic.
revision = 'ec6160a39005'
down_revision = '5d1e7c0a9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('person_name', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('fte_percent', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('monthly_cost_grosze', sa.BigInteger(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_project_posts_ends_after_start')),
    sa.CheckConstraint('fte_percent > 0 AND fte_percent <= 100', name=op.f('ck_project_posts_fte_range')),
    sa.CheckConstraint('monthly_cost_grosze > 0', name=op.f('ck_project_posts_cost_positive')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_project_posts_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_posts_project_id_projects')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_project_posts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_posts'))
    )
    with op.batch_alter_table('project_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_posts_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_posts_project_id'), ['project_id'], unique=False)

    op.create_table('casework_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('contact_kind', sa.Enum('home_visit', 'interview', 'phone', 'other', name='contact_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('with_family', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes > 0 AND minutes <= 1440', name=op.f('ck_casework_entries_minutes_range')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_casework_entries_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['contract_id'], ['social_contracts.id'], name=op.f('fk_casework_entries_contract_id_social_contracts')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_casework_entries_participant_id_participants')),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_casework_entries_worker_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_casework_entries'))
    )
    with op.batch_alter_table('casework_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_casework_entries_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_casework_entries_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_casework_entries_worker_id'), ['worker_id'], unique=False)

    op.create_table('expenses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('ledger', 'event_cost', 'salary', 'correction', name='expense_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('document_number', sa.String(length=60), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount_grosze', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('cost_kind', sa.Enum('bus', 'catering', 'insurance', 'room', 'other', name='event_cost_kind', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.Date(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'correction') = (corrects_id IS NOT NULL)", name=op.f('ck_expenses_correction_points_back')),
    sa.CheckConstraint("(kind = 'event_cost') = (event_id IS NOT NULL AND cost_kind IS NOT NULL)", name=op.f('ck_expenses_event_cost_has_event')),
    sa.CheckConstraint("(kind = 'salary') = (post_id IS NOT NULL AND month IS NOT NULL)", name=op.f('ck_expenses_salary_has_post_and_month')),
    sa.CheckConstraint("kind <> 'correction' OR reason IS NOT NULL", name=op.f('ck_expenses_correction_reason')),
    sa.CheckConstraint("kind = 'correction' OR amount_grosze > 0", name=op.f('ck_expenses_amount_positive')),
    sa.CheckConstraint('amount_grosze <> 0', name=op.f('ck_expenses_amount_not_zero')),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_lines.id'], name=op.f('fk_expenses_budget_line_id_budget_lines')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_expenses_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['corrects_id'], ['expenses.id'], name=op.f('fk_expenses_corrects_id_expenses')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_expenses_created_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_expenses_event_id_events')),
    sa.ForeignKeyConstraint(['post_id'], ['project_posts.id'], name=op.f('fk_expenses_post_id_project_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expenses'))
    )
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expenses_budget_line_id'), ['budget_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expenses_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expenses_corrects_id'), ['corrects_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expenses_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expenses_post_id'), ['post_id'], unique=False)
        batch_op.create_index('uq_expenses_salary_month', ['post_id', 'month'], unique=True, sqlite_where=sa.text("kind = 'salary'"), postgresql_where=sa.text("kind = 'salary'"))

    op.create_table('placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('work_training', 'socially_useful_work', name='placement_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('supervisor', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('hours_per_month', sa.Integer(), nullable=False),
    sa.Column('hourly_rate_grosze', sa.BigInteger(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_placements_ends_after_start')),
    sa.CheckConstraint('hourly_rate_grosze IS NULL OR hourly_rate_grosze > 0', name=op.f('ck_placements_rate_positive')),
    sa.CheckConstraint('hours_per_month > 0 AND hours_per_month <= 744', name=op.f('ck_placements_hours_range')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_placements_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['contract_id'], ['social_contracts.id'], name=op.f('fk_placements_contract_id_social_contracts')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_placements_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements'))
    )
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placements_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_participant_id'), ['participant_id'], unique=False)

    op.create_table('placement_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('worked_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('hours > 0 AND hours <= 24', name=op.f('ck_placement_days_hours_range')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_placement_days_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_placement_days_placement_id_placements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_days')),
    sa.UniqueConstraint('placement_id', 'worked_on', name=op.f('uq_placement_days_placement_id_worked_on'))
    )
    with op.batch_alter_table('placement_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_days_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_days_placement_id'), ['placement_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instrument', sa.Enum('social_skills', 'group_counselling', 'club_meeting', name='group_instrument', native_enum=False, create_constraint=True, length=24), nullable=True))
        batch_op.add_column(sa.Column('trainer', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('topics', sa.Text(), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        # SQLite's copy of the table would keep the enum's CHECK on the dropped column.
        batch_op.drop_constraint('group_instrument', type_='check')
        batch_op.drop_column('topics')
        batch_op.drop_column('trainer')
        batch_op.drop_column('instrument')

    with op.batch_alter_table('placement_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_days_placement_id'))
        batch_op.drop_index(batch_op.f('ix_placement_days_centre_id'))

    op.drop_table('placement_days')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placements_participant_id'))
        batch_op.drop_index(batch_op.f('ix_placements_centre_id'))

    op.drop_table('placements')
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.drop_index('uq_expenses_salary_month', sqlite_where=sa.text("kind = 'salary'"), postgresql_where=sa.text("kind = 'salary'"))
        batch_op.drop_index(batch_op.f('ix_expenses_post_id'))
        batch_op.drop_index(batch_op.f('ix_expenses_event_id'))
        batch_op.drop_index(batch_op.f('ix_expenses_corrects_id'))
        batch_op.drop_index(batch_op.f('ix_expenses_centre_id'))
        batch_op.drop_index(batch_op.f('ix_expenses_budget_line_id'))

    op.drop_table('expenses')
    with op.batch_alter_table('casework_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_casework_entries_worker_id'))
        batch_op.drop_index(batch_op.f('ix_casework_entries_participant_id'))
        batch_op.drop_index(batch_op.f('ix_casework_entries_centre_id'))

    op.drop_table('casework_entries')
    with op.batch_alter_table('project_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_posts_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_posts_centre_id'))

    op.drop_table('project_posts')
