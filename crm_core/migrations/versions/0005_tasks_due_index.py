"""tasks: an index on (due_date, done) for the daily reminder job

Revision ID: 0005_tasks_due_index
Revises: 0004_line_follow_at
Create Date: 2026-11-24 00:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_tasks_due_index"
down_revision: str | None = "0004_line_follow_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_tasks_due_open", "tasks", ["due_date", "done"])


def downgrade() -> None:
    op.drop_index("ix_tasks_due_open", table_name="tasks")
