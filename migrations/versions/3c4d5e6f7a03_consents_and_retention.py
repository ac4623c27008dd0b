"""Consent records with their text version; anonymisation after the retention period.

Each participant's `consent_at` becomes consent records: the only way a consent was given
before was the account request's box, whose wording (text version "1") covers both processing
to run the project and contact by e-mail, so each becomes two records. Projects get the day
until which their documents must be archived; participants the moment they were anonymised.

Revision ID: 3c4d5e6f7a03
Revises: 2b3c4d5e6f02
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base


# revision identifiers, used by Alembic.
revision = '3c4d5e6f7a03'
down_revision = '2b3c4d5e6f02'
branch_labels = None
depends_on = None

# The text version the account request's consent box had when these consents were given.
FIRST_TEXT_VERSION = "1"


def _drop_column(table, column):
    op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')


def upgrade():
    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('processing', 'email_contact', name='consent_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('text_version', sa.String(length=20), nullable=False),
    sa.Column('given_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('withdrawn_at IS NULL OR withdrawn_at >= given_at', name=op.f('ck_consents_withdrawn_after_given')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_consents_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_consents_participant_id_participants')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consents_participant_id'), ['participant_id'], unique=False)

    for kind in ('processing', 'email_contact'):
        op.execute(
            sa.text(
                "INSERT INTO consents (participant_id, kind, text_version, given_at, centre_id) "
                "SELECT id, :kind, :version, consent_at, centre_id FROM participants "
                "WHERE consent_at IS NOT NULL ORDER BY id"
            ).bindparams(kind=kind, version=FIRST_TEXT_VERSION)
        )

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
    # A plain DROP COLUMN (SQLite 3.35+): the batch way would copy the table, and dropping the
    # old copy fails on SQLite while other tables' rows point at it.
    _drop_column('participants', 'consent_at')

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archive_until', sa.Date(), nullable=True))


def downgrade():
    _drop_column('projects', 'archive_until')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
    _drop_column('participants', 'anonymised_at')

    # The earliest consent to processing not withdrawn goes back to the single column.
    op.execute(
        "UPDATE participants SET consent_at = (SELECT min(c.given_at) FROM consents c "
        "WHERE c.participant_id = participants.id AND c.kind = 'processing' "
        "AND c.withdrawn_at IS NULL)"
    )

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_participant_id'))
        batch_op.drop_index(batch_op.f('ix_consents_centre_id'))

    op.drop_table('consents')
