"""An event's stage (draft, registration open, closed) and a name for workshop slots.

Existing events were taking registrations the moment they were created, so they become
"open"; events created from now on start as drafts.

Revision ID: 0011_event_stage
Revises: 0010_session_generation
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_event_stage"
down_revision = "0010_session_generation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.String(length=20), nullable=False,
                                      server_default="open"))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("stage", existing_type=sa.String(length=20),
                              server_default="draft")
        batch_op.create_check_constraint(op.f("ck_events_valid_stage"), "stage IN ('draft', 'open', 'closed')")
    with op.batch_alter_table("workshop_slots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=False,
                                      server_default=""))


def downgrade():
    with op.batch_alter_table("workshop_slots", schema=None) as batch_op:
        batch_op.drop_column("name")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_events_valid_stage"), type_="check")
        batch_op.drop_column("stage")
