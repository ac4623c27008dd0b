"""Outgoing mail: a stable Message-ID and retries with backoff.

Revision ID: 4d5e6f7a8b04
Revises: 3c4d5e6f7a03
Create Date: 2026-11-29 20:00:00.000000

"""
import os
import uuid
from urllib.parse import urlsplit

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d5e6f7a8b04'
down_revision = '3c4d5e6f7a03'
branch_labels = None
depends_on = None


def _host() -> str:
    return urlsplit(os.environ.get("BASE_URL", "")).hostname or "localhost"


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))

    # Messages already queued get their Message-ID now, each its own, before the column is
    # made compulsory and unique.
    outbox = sa.table('outbox_messages', sa.column('id', sa.Integer), sa.column('message_id', sa.String))
    connection = op.get_bind()
    host = _host()
    for (message_id,) in connection.execute(sa.select(outbox.c.id)).all():
        connection.execute(
            outbox.update()
            .where(outbox.c.id == message_id)
            .values(message_id=f"<{uuid.uuid4().hex}@{host}>")
        )

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=250), nullable=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_message_id'), ['message_id'], unique=True)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_message_id'))
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('message_id')
