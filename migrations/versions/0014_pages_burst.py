"""Stored schedule reviews (the draft's and each solve's), read back by the organiser's
pages instead of evaluating the whole day at each visit.

Revision ID: 0014_pages_burst
Revises: 0013_after_the_day
Create Date: 2026-12-03 21:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_pages_burst"
down_revision = "0013_after_the_day"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "schedule_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name=op.f("fk_schedule_reviews_event_id_events"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["job_id"], ["solve_jobs.id"],
                                name=op.f("fk_schedule_reviews_job_id_solve_jobs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_reviews")),
        sa.UniqueConstraint("event_id", "source",
                            name=op.f("uq_schedule_reviews_event_source")),
    )
    with op.batch_alter_table("schedule_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_reviews_job_id"), ["job_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("schedule_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_reviews_job_id"))
    op.drop_table("schedule_reviews")
