"""Participant: the three questions 2021–2027 (CST2021) asks apart where 2007–2020 asked one
"minority, migrant or foreign origin": a national or ethnic minority, a foreign origin, a
third-country national; each yes / no / refuses to answer.

Existing rows have no answer to the new questions (the old single answer cannot be split); the
central system's checks list them for a 2021–2027 project until staff record the answers.

Revision ID: f2b3c4d5e6a7
Revises: e1a2b3c4d5f6
Create Date: 2026-12-08 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2b3c4d5e6a7'
down_revision = 'e1a2b3c4d5f6'
branch_labels = None
depends_on = None

# (column, its enum's CHECK constraint name: the models' naming convention "ck_<table>_<name>")
COLUMNS = (
    ('national_minority', 'answer_national_minority'),
    ('foreign_origin', 'answer_foreign_origin'),
    ('third_country_national', 'answer_third_country'),
)
VALUES = "'yes', 'no', 'refused'"


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # A plain ADD COLUMN with its named CHECK: the batch way would copy participants, which
        # most tables point at.
        for column, name in COLUMNS:
            op.execute(
                f'ALTER TABLE participants ADD COLUMN {column} VARCHAR(24) '
                f'CONSTRAINT ck_participants_{name} CHECK ({column} IN ({VALUES}))'
            )
        return
    for column, name in COLUMNS:
        op.add_column('participants', sa.Column(column, sa.String(length=24), nullable=True))
        op.create_check_constraint(
            op.f(f'ck_participants_{name}'), 'participants', f'{column} IN ({VALUES})'
        )


def downgrade():
    for column, name in reversed(COLUMNS):
        if op.get_bind().dialect.name != 'sqlite':
            op.drop_constraint(op.f(f'ck_participants_{name}'), 'participants', type_='check')
        # A plain DROP COLUMN (SQLite 3.35+), as b7e2a9c4d1f0 does, for the same reason.
        op.execute(f'ALTER TABLE participants DROP COLUMN {column}')
