"""A plan action names the group session it stands for, beside the course it could already
name, so that completing the course or attending the session marks the action done; both
looked up by the action's course or session, hence indexed.

A nullable column and two indexes: existing actions keep naming nothing.

Revision ID: e7f8a9b0c1d2
Revises: c5d6e7f8a9b0
Create Date: 2026-12-08 02:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7f8a9b0c1d2"
down_revision = "c5d6e7f8a9b0"
branch_labels = None
depends_on = None


def upgrade():
    # The batch way copies plan_actions on SQLite to add the foreign key: no table points at
    # plan_actions, so the copy replaces it cleanly.
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_actions_event_id_events"), "events", ["event_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_plan_actions_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_actions_course_assignment_id"),
            ["course_assignment_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_actions_course_assignment_id"))
        batch_op.drop_index(batch_op.f("ix_plan_actions_event_id"))
        batch_op.drop_constraint(batch_op.f("fk_plan_actions_event_id_events"), type_="foreignkey")
        batch_op.drop_column("event_id")
