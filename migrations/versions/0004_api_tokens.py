"""API tokens of organisers and staff (hashed, revocable).

Revision ID: 0004_api_tokens
Revises: 0003_scheduling
Create Date: 2026-11-25 14:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_api_tokens"
down_revision = "0003_scheduling"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("api_tokens",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("token_prefix", sa.String(length=16), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("last_used_at", sa.DateTime(), nullable=True),
    sa.Column("revoked_at", sa.DateTime(), nullable=True),
    sa.CheckConstraint("length(token_prefix) > 4", name=op.f("ck_api_tokens_prefix_not_empty")),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                            name=op.f("fk_api_tokens_user_id_users")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash"))
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_token_prefix"), ["token_prefix"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_api_tokens_token_prefix"))

    op.drop_table("api_tokens")
