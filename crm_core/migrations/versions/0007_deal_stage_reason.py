"""deal_stage_reason: why a deal was won or lost, kept with the stage change

Revision ID: 0007_deal_stage_reason
Revises: 0006_ticket_notes
Create Date: 2026-11-25 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_deal_stage_reason"
down_revision: str | None = "0006_ticket_notes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deal_stage_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deal_stage_changes", schema=None) as batch_op:
        batch_op.drop_column("reason")
