"""Participants' own switches after publication (self-service log).

Revision ID: 0005_switch
Revises: 0004_api_tokens
Create Date: 2026-11-25 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_switch"
down_revision = "0004_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "schedule_switches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("when_key", sa.String(length=100), nullable=False),
        sa.Column("from_key", sa.String(length=100), nullable=True),
        sa.Column("to_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('session', 'workshop')",
                           name=op.f("ck_schedule_switches_valid_kind")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name=op.f("fk_schedule_switches_event_id_events"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"],
                                name=op.f("fk_schedule_switches_participant_id_participants"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"],
                                name=op.f("fk_schedule_switches_publication_id_publications"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_switches")),
    )
    with op.batch_alter_table("schedule_switches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_switches_event_id"), ["event_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_schedule_switches_participant_id"),
                              ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedule_switches_publication_id"),
                              ["publication_id"], unique=False)


def downgrade():
    with op.batch_alter_table("schedule_switches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_switches_publication_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_switches_participant_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_switches_event_id"))
    op.drop_table("schedule_switches")
