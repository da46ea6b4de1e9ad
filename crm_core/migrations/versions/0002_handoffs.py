"""handoffs: LINE conversations taken over by staff in a Slack thread

Revision ID: 0002_handoffs
Revises: 0001
Create Date: 2026-11-23 00:12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_core.types

revision: str = "0002_handoffs"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_user_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("thread_ts", sa.String(length=40), nullable=True),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("opened_at", crm_core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", crm_core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_handoffs_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index("ix_handoffs_open", ["line_user_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_handoffs_thread_ts"), ["thread_ts"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_thread_ts"))
        batch_op.drop_index("ix_handoffs_open")
    op.drop_table("handoffs")
