"""outbox: a notification can be withdrawn before it is sent (status cancelled)

Revision ID: 0003_outbox_cancelled
Revises: 0002_handoffs
Create Date: 2026-11-23 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_outbox_cancelled"
down_revision: str | None = "0002_handoffs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("pending", "sent", "failed")
NEW = (*OLD, "cancelled")


def _swap(values: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_outboxstatus"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_outboxstatus"), f"status IN ({allowed})")


def upgrade() -> None:
    _swap(NEW)


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'cancelled'")
    _swap(OLD)
