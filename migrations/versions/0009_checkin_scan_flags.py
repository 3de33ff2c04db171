"""Scans: a flag when the device's time was not trusted, and manual (by name) entries.

Revision ID: 0009_checkin_scan_flags
Revises: 0008_checkin_rehearsal
Create Date: 2026-12-03 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_checkin_scan_flags"
down_revision = "0008_checkin_rehearsal"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_flag", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("manual", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_check_constraint(
            op.f("ck_scans_valid_time_flag"),
            "time_flag IN ('device_time_early', 'device_time_ahead') OR time_flag IS NULL")


def downgrade():
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_scans_valid_time_flag"), type_="check")
        batch_op.drop_column("manual")
        batch_op.drop_column("time_flag")
