"""Paid LINE pushes: who may be pushed to, and how many pushes each month cost."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select

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


def record_push(bot: Bot, target: str, reason: str, recipients: int = 1) -> None:
    """Count one push or multicast request in the audit log.

    LINE bills one message per recipient, however many bubbles the request carries.
    """
    with bot.store.uow(Actor("system", "line")) as uow:
        uow.session.add(
            AuditEntry(
                actor="system",
                channel="line",
                action=PUSH,
                entity_type=ENTITY,
                entity_id=target[:40],
                before=None,
                after={"reason": reason, "recipients": recipients},
                created_at=bot.clock(),
            )
        )
        uow.commit()


def month_start(moment: datetime, bot: Bot) -> datetime:
    """The first instant of `moment`'s month in the bot's time zone, in UTC."""
    local = moment.astimezone(bot.tz)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.astimezone(UTC)


def _month_rows(bot: Bot, moment: datetime | None) -> Select[tuple[dict[str, Any] | None]]:
    """The audit rows of the pushes sent in the month of `moment`, in the bot's time zone."""
    moment = moment or bot.clock()
    start = month_start(moment, bot)
    local = start.astimezone(bot.tz)
    following = local.replace(year=local.year + local.month // 12, month=local.month % 12 + 1)
    return select(AuditEntry.after).where(
        AuditEntry.action == PUSH,
        AuditEntry.created_at >= start,
        AuditEntry.created_at < following.astimezone(UTC),
    )


def pushes_in_month(bot: Bot, moment: datetime | None = None) -> int:
    """Push and multicast requests sent in the month of `moment` (default: now)."""
    query = _month_rows(bot, moment).subquery()
    with bot.store.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(query)) or 0)


def messages_in_month(bot: Bot, moment: datetime | None = None) -> int:
    """Messages LINE bills for the month of `moment`: one per recipient of each request."""
    with bot.store.uow() as uow:
        return sum(
            int((after or {}).get("recipients", 1))
            for after in uow.session.scalars(_month_rows(bot, moment))
        )
