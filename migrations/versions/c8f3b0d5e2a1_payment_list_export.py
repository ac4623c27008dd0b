"""Payment lists exported to the bank: locked, with their files kept byte for byte, and the
correction lists of a month already exported (a month may now hold several lists, numbered).

Revision ID: c8f3b0d5e2a1
Revises: b7e2a9c4d1f0
Create Date: 2026-12-07 23:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base


# revision identifiers, used by Alembic.
revision = 'c8f3b0d5e2a1'
down_revision = 'b7e2a9c4d1f0'
branch_labels = None
depends_on = None


def _rebuilding_payment_lists(change):
    """Change payment_lists' constraints. SQLite does it by copying the table, and cannot drop
    the old copy while instalments point at its rows (foreign keys are on, and the pragma that
    turns them off does nothing inside the migration's transaction): the instalments' links are
    set aside and put back after. PostgreSQL alters the table in place."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute('CREATE TABLE _instalment_lists AS SELECT id, payment_list_id FROM instalments '
                   'WHERE payment_list_id IS NOT NULL')
        op.execute('UPDATE instalments SET payment_list_id = NULL WHERE payment_list_id IS NOT NULL')
    with op.batch_alter_table('payment_lists', schema=None) as batch_op:
        change(batch_op)
    if sqlite:
        op.execute('UPDATE instalments SET payment_list_id = (SELECT s.payment_list_id FROM '
                   '_instalment_lists s WHERE s.id = instalments.id) '
                   'WHERE id IN (SELECT id FROM _instalment_lists)')
        op.execute('DROP TABLE _instalment_lists')


def _numbered_and_locked(batch_op):
    batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='1', nullable=False))
    batch_op.add_column(sa.Column('exported_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
    batch_op.add_column(sa.Column('exported_by_id', sa.Integer(), nullable=True))
    batch_op.drop_constraint(batch_op.f('uq_payment_lists_centre_id_month'), type_='unique')
    batch_op.create_unique_constraint(batch_op.f('uq_payment_lists_centre_id_month_sequence'), ['centre_id', 'month', 'sequence'])
    batch_op.create_foreign_key(batch_op.f('fk_payment_lists_exported_by_id_users'), 'users', ['exported_by_id'], ['id'])
    batch_op.create_check_constraint(batch_op.f('ck_payment_lists_sequence_positive'), 'sequence >= 1')
    batch_op.create_check_constraint(batch_op.f('ck_payment_lists_exported_by_someone'), '(exported_at IS NULL) = (exported_by_id IS NULL)')


def _one_per_month(batch_op):
    batch_op.drop_constraint(batch_op.f('ck_payment_lists_exported_by_someone'), type_='check')
    batch_op.drop_constraint(batch_op.f('ck_payment_lists_sequence_positive'), type_='check')
    batch_op.drop_constraint(batch_op.f('fk_payment_lists_exported_by_id_users'), type_='foreignkey')
    batch_op.drop_constraint(batch_op.f('uq_payment_lists_centre_id_month_sequence'), type_='unique')
    batch_op.create_unique_constraint(batch_op.f('uq_payment_lists_centre_id_month'), ['centre_id', 'month'])
    batch_op.drop_column('exported_by_id')
    batch_op.drop_column('exported_at')
    batch_op.drop_column('sequence')


def upgrade():
    _rebuilding_payment_lists(_numbered_and_locked)

    op.create_table('transfer_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_list_id', sa.Integer(), nullable=False),
    sa.Column('file_format', sa.Enum('elixir', 'sepa', 'cash', name='transfer_file_format', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('total_grosze', sa.BigInteger(), nullable=False),
    sa.Column('made_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_transfer_files_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_transfer_files_made_by_id_users')),
    sa.ForeignKeyConstraint(['payment_list_id'], ['payment_lists.id'], name=op.f('fk_transfer_files_payment_list_id_payment_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_files')),
    sa.UniqueConstraint('payment_list_id', 'file_format', name=op.f('uq_transfer_files_payment_list_id_file_format'))
    )
    with op.batch_alter_table('transfer_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_files_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_files_payment_list_id'), ['payment_list_id'], unique=False)


def downgrade():
    with op.batch_alter_table('transfer_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_files_payment_list_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_files_centre_id'))
    op.drop_table('transfer_files')

    # Correction lists cannot survive one list a month: downgrading a month that has one fails.
    _rebuilding_payment_lists(_one_per_month)
