"""Hand moves that broke a soft rule on purpose ("move anyway"), recorded.

Revision ID: 0012_move_overrides
Revises: 0011_event_stage
Create Date: 2026-12-03 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_move_overrides"
down_revision = "0011_event_stage"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "move_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("when_key", sa.String(length=100), nullable=False),
        sa.Column("to_key", sa.String(length=100), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('session', 'workshop')",
                           name=op.f("ck_move_overrides_valid_kind")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name=op.f("fk_move_overrides_event_id_events"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"],
                                name=op.f("fk_move_overrides_participant_id_participants"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_move_overrides_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_move_overrides")),
    )
    with op.batch_alter_table("move_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_move_overrides_event_id"), ["event_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_move_overrides_participant_id"),
                              ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_move_overrides_user_id"), ["user_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("move_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_move_overrides_user_id"))
        batch_op.drop_index(batch_op.f("ix_move_overrides_participant_id"))
        batch_op.drop_index(batch_op.f("ix_move_overrides_event_id"))
    op.drop_table("move_overrides")
