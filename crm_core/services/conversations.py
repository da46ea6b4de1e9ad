"""Dialogue state per (platform, user), stored so any process can continue a conversation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from crm_core.models import ConversationState, ProcessedEvent
from crm_core.types import utcnow
from crm_core.uow import UnitOfWork

DEFAULT_TTL = timedelta(minutes=30)


def load_state(uow: UnitOfWork, platform: str, user_id: str) -> dict[str, Any]:
    """The live state of a conversation, or {} when there is none or it expired."""
    row = uow.session.scalar(
        select(ConversationState)
        .where(ConversationState.platform == platform, ConversationState.user_id == user_id)
        .with_for_update()
    )
    if row is None or row.expires_at <= utcnow():
        return {}
    return dict(row.state)


def save_state(
    uow: UnitOfWork,
    platform: str,
    user_id: str,
    state: dict[str, Any],
    *,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> None:
    """Store the conversation's state until now + ttl (an empty state is kept, expired)."""
    row = uow.session.scalar(
        select(ConversationState).where(
            ConversationState.platform == platform, ConversationState.user_id == user_id
        )
    )
    expires = (now or utcnow()) + ttl
    if row is None:
        uow.session.add(
            ConversationState(platform=platform, user_id=user_id, state=state, expires_at=expires)
        )
    else:
        row.state = state
        row.expires_at = expires


def purge_expired(uow: UnitOfWork) -> int:
    """Delete expired conversation states; returns how many."""
    result = uow.session.execute(
        delete(ConversationState).where(ConversationState.expires_at <= utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def mark_processed(uow: UnitOfWork, platform: str, event_id: str) -> bool:
    """Record an incoming event id; False when it was already processed (a redelivery).

    The row commits with the work the event causes, so a failed attempt can be retried.
    """
    savepoint = uow.session.begin_nested()
    try:
        uow.session.add(ProcessedEvent(platform=platform, event_id=event_id))
        uow.session.flush()
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True
