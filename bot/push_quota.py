"""Paid LINE pushes: who may be pushed to, and how many pushes each month cost."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from crm_core.models import AuditEntry, Customer
from crm_core.uow import Actor

if TYPE_CHECKING:
    from bot.engine import Bot

PUSH = "line.push"
ENTITY = "line_users"


def reachable(bot: Bot, user_id: str) -> bool:
    """False when the LINE user has unfollowed (blocked) the account."""
    with bot.store.uow() as uow:
        followed = uow.session.scalar(
            select(Customer.line_followed).where(Customer.line_user_id == user_id)
        )
    return followed is not False


def record_push(bot: Bot, user_id: str, reason: str, messages: int) -> None:
    """Count one push request (LINE bills one message per recipient) in the audit log."""
    with bot.store.uow(Actor("system", "line")) as uow:
        uow.session.add(
            AuditEntry(
                actor="system",
                channel="line",
                action=PUSH,
                entity_type=ENTITY,
                entity_id=user_id[:40],
                before=None,
                after={"reason": reason, "messages": messages},
                created_at=bot.clock(),
            )
        )
        uow.commit()


def month_start(moment: datetime, bot: Bot) -> datetime:
    """The first instant of `moment`'s month in the bot's time zone, in UTC."""
    local = moment.astimezone(bot.tz)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.astimezone(UTC)


def pushes_in_month(bot: Bot, moment: datetime | None = None) -> int:
    """Pushes sent in the month of `moment` (default: now), in the bot's time zone."""
    moment = moment or bot.clock()
    start = month_start(moment, bot)
    local = start.astimezone(bot.tz)
    following = local.replace(year=local.year + local.month // 12, month=local.month % 12 + 1)
    with bot.store.uow() as uow:
        count = uow.session.scalar(
            select(func.count()).where(
                AuditEntry.action == PUSH,
                AuditEntry.created_at >= start,
                AuditEntry.created_at < following.astimezone(UTC),
            )
        )
    return int(count or 0)
