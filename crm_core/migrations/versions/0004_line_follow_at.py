"""customers.line_follow_at: the time of the latest LINE follow or unfollow applied

Revision ID: 0004_line_follow_at
Revises: 0003_outbox_cancelled
Create Date: 2026-11-23 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm_core.types

revision: str = "0004_line_follow_at"
down_revision: str | None = "0003_outbox_cancelled"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = crm_core.types.UTCDateTime(timezone=True)
    op.add_column("customers", sa.Column("line_follow_at", when, nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # natively (SQLite >= 3.35): copying the table would trip the foreign keys to it
        op.execute("ALTER TABLE customers DROP COLUMN line_follow_at")
    else:
        op.drop_column("customers", "line_follow_at")
