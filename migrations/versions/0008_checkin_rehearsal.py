"""Check-in rehearsal mode per event (time windows not checked while staff practise).

Revision ID: 0008_checkin_rehearsal
Revises: 0007_checkin
Create Date: 2026-12-02 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_checkin_rehearsal"
down_revision = "0007_checkin"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkin_rehearsal", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("checkin_rehearsal")
