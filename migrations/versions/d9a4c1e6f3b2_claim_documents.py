"""The payment claim's list of documents: the ledger's entries carry their document (kind,
accounting number, issuer and tax number, dates of issue and payment, gross and VAT beside the
eligible amount), and budget lines belong to the tasks of the funding agreement.

Existing entries are wholly eligible (gross = eligible amount, a correction's gross 0), issued
and paid on their date; salary postings are payroll lists. Existing lines belong to no task
until the coordinator sets one.

Revision ID: d9a4c1e6f3b2
Revises: c8f3b0d5e2a1
Create Date: 2026-12-07 23:00:00.000000

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd9a4c1e6f3b2'
down_revision = 'c8f3b0d5e2a1'
branch_labels = None
depends_on = None

KINDS = "'invoice', 'bill', 'payroll', 'payment_list', 'other'"


def upgrade():
    op.create_table('project_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('number >= 1 AND number <= 99', name=op.f('ck_project_tasks_number_range')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'number')
    )
    with op.batch_alter_table('project_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_tasks_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_tasks_project_id'), ['project_id'], unique=False)

    # A nullable column with its reference is a plain ALTER on SQLite too, so budget_lines
    # (pointed at by expenses and allowances) is never copied.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE budget_lines ADD COLUMN task_id INTEGER REFERENCES project_tasks (id)')
    else:
        op.add_column('budget_lines', sa.Column('task_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            'fk_budget_lines_task_id_project_tasks', 'budget_lines', 'project_tasks', ['task_id'], ['id']
        )
    op.create_index(op.f('ix_budget_lines_task_id'), 'budget_lines', ['task_id'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        _expenses_on_sqlite()
    else:
        _expenses()


CHECKS = {
    'ck_expenses_eligible_within_gross': "kind = 'correction' OR amount_grosze <= gross_grosze",
    'ck_expenses_vat_not_negative': 'vat_grosze >= 0',
    'ck_expenses_vat_within_eligible': "kind = 'correction' OR vat_grosze <= amount_grosze",
    'ck_expenses_paid_after_issue': 'paid_on >= issued_on',
}


def _fill():
    op.execute("UPDATE expenses SET issued_on = spent_on, paid_on = spent_on")
    op.execute(
        "UPDATE expenses SET gross_grosze = CASE WHEN kind = 'correction' THEN 0 "
        "ELSE amount_grosze END"
    )


def _expenses():
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_kind', sa.String(length=24), server_default='other', nullable=False))
        batch_op.add_column(sa.Column('accounting_number', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('issuer', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('issuer_nip', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('paid_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('gross_grosze', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('vat_grosze', sa.BigInteger(), server_default='0', nullable=False))
    _fill()
    op.execute("UPDATE expenses SET document_kind = 'payroll' WHERE kind = 'salary'")
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.alter_column('issued_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('paid_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('gross_grosze', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_check_constraint(op.f('ck_expenses_document_kind'), f"document_kind IN ({KINDS})")
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(name), condition)


def _expenses_on_sqlite():
    """Plain ADD COLUMNs: copying the table (SQLite's only way to add a constraint) would break
    the references of the corrections to their entries under enforced foreign keys. A NOT NULL
    column needs a constant default here: the dates and the gross amount get a placeholder,
    overwritten at once (the model always gives them). The CHECKs ride on the last column,
    added once every row holds its values."""
    for column in (
        "accounting_number VARCHAR(60) DEFAULT '' NOT NULL",
        "issuer VARCHAR(200) DEFAULT '' NOT NULL",
        "issuer_nip VARCHAR(10) DEFAULT '' NOT NULL",
        "issued_on DATE DEFAULT '2000-01-01' NOT NULL",
        "paid_on DATE DEFAULT '2000-01-01' NOT NULL",
        "gross_grosze BIGINT DEFAULT 0 NOT NULL",
    ):
        op.execute(f'ALTER TABLE expenses ADD COLUMN {column}')
    _fill()
    op.execute(
        "ALTER TABLE expenses ADD COLUMN document_kind VARCHAR(24) DEFAULT 'other' NOT NULL "
        f"CONSTRAINT ck_expenses_document_kind CHECK (document_kind IN ({KINDS}))"
    )
    op.execute("UPDATE expenses SET document_kind = 'payroll' WHERE kind = 'salary'")
    checks = ' '.join(f'CONSTRAINT {name} CHECK ({condition})' for name, condition in CHECKS.items())
    op.execute(f'ALTER TABLE expenses ADD COLUMN vat_grosze BIGINT DEFAULT 0 NOT NULL {checks}')


def downgrade():
    # vat_grosze carries the CHECKs on SQLite, document_kind its own: dropped first, the other
    # columns are referenced by nothing left (PostgreSQL drops each column's constraints with it).
    for column in (
        'vat_grosze',
        'document_kind',
        'gross_grosze',
        'paid_on',
        'issued_on',
        'issuer_nip',
        'issuer',
        'accounting_number',
    ):
        op.execute(f'ALTER TABLE expenses DROP COLUMN {column}')

    op.drop_index(op.f('ix_budget_lines_task_id'), table_name='budget_lines')
    if op.get_bind().dialect.name == 'sqlite':
        _drop_task_on_sqlite()
    else:
        op.drop_constraint('fk_budget_lines_task_id_project_tasks', 'budget_lines', type_='foreignkey')
        op.drop_column('budget_lines', 'task_id')

    with op.batch_alter_table('project_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_tasks_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_tasks_centre_id'))
    op.drop_table('project_tasks')


def _drop_task_on_sqlite():
    """SQLite drops a referencing column only by copying the table, and budget_lines is pointed
    at by expenses and allowances: the copy is made with foreign keys off (possible only outside
    a transaction), checked before they are on again."""
    with op.get_context().autocommit_block():
        raw = op.get_bind().connection.driver_connection
        table_sql = raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'budget_lines'"
        ).fetchone()[0]
        without = re.sub(r',\s*task_id INTEGER( NOT NULL)?\s*REFERENCES\s+"?project_tasks"?\s*\(id\)', '', table_sql)
        without = re.sub(r',\s*FOREIGN KEY\s*\(task_id\)\s*REFERENCES\s+"?project_tasks"?\s*\(id\)', '', without)
        without = re.sub(r',\s*task_id INTEGER', '', without)
        if 'task_id' in without:
            raise RuntimeError('budget_lines.task_id is not where this migration put it')
        indexes = raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'budget_lines' "
            "AND sql IS NOT NULL"
        ).fetchall()
        columns = ', '.join(
            row[1] for row in raw.execute('PRAGMA table_info(budget_lines)') if row[1] != 'task_id'
        )
        # The block's own (empty) transaction, if the driver opened one, ends here and is
        # opened again afterwards, so the pragma takes effect.
        reopen = raw.in_transaction
        if reopen:
            raw.execute('COMMIT')
        raw.execute('PRAGMA foreign_keys = OFF')
        try:
            raw.execute('BEGIN IMMEDIATE')
            raw.execute(without.replace('budget_lines', '_new_budget_lines', 1))
            raw.execute(f'INSERT INTO _new_budget_lines ({columns}) SELECT {columns} FROM budget_lines')
            raw.execute('DROP TABLE budget_lines')
            raw.execute('ALTER TABLE _new_budget_lines RENAME TO budget_lines')
            for (index_sql,) in indexes:
                raw.execute(index_sql)
            if raw.execute('PRAGMA foreign_key_check').fetchall():
                raise RuntimeError('foreign keys broken by dropping budget_lines.task_id')
            raw.execute('COMMIT')
        except Exception:
            raw.execute('ROLLBACK')
            raise
        finally:
            raw.execute('PRAGMA foreign_keys = ON')
            if reopen:
                raw.execute('BEGIN IMMEDIATE')
