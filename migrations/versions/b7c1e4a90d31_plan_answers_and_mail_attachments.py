"""Plan questions get answers, outgoing mail an attachment.

plan_comments.reply_to_id: the advisor's answer points at the participant's question (a question
has none, so existing comments stay questions). outbox_messages.attachment_name/_body: one text
attachment (an event's .ics with a sign-up confirmation). All nullable; existing rows unchanged.

Revision ID: b7c1e4a90d31
Revises: d23396520420
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c1e4a90d31'
down_revision = 'd23396520420'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_plan_comments_reply_to_id'), ['reply_to_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_plan_comments_reply_to_id_plan_comments'),
            'plan_comments',
            ['reply_to_id'],
            ['id'],
            ondelete='CASCADE',
        )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment_body', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('attachment_body')
        batch_op.drop_column('attachment_name')
    with op.batch_alter_table('plan_comments', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_plan_comments_reply_to_id_plan_comments'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_plan_comments_reply_to_id'))
        batch_op.drop_column('reply_to_id')
