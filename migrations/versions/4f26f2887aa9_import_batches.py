"""Import batches: a checked spreadsheet's valid rows and problems, waiting between the preview
and the user's choice (a new table; no existing rows).

Revision ID: 4f26f2887aa9
Revises: 59c8df886553
Create Date: 2026-11-29 14:13:52.331934

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base


# revision identifiers, used by Alembic.
revision = '4f26f2887aa9'
down_revision = '59c8df886553'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'imported', 'discarded', name='import_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('file_kind', sa.String(length=4), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('imported_count', sa.Integer(), nullable=True),
    sa.Column('finished_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('row_count >= 0', name=op.f('ck_import_batches_row_count_not_negative')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_import_batches_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_batches_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_batches_created_by_id'), ['created_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batches_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_import_batches_centre_id'))

    op.drop_table('import_batches')
