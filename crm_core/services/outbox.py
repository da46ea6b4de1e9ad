"""The outbox: notifications written in the same transaction as the change that caused them.

A row names where it goes (`platform` "slack" or "line", `target` a channel, Slack user or
LINE user id) and carries a JSON `payload` the delivering channel renders. `kind` says what
it is about; `MARKETING_KINDS` are the ones an opted-out or unfollowed customer never gets.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm_core.errors import InvalidValue
from crm_core.models import OutboxMessage
from crm_core.uow import UnitOfWork

PLATFORMS = frozenset({"slack", "line"})
MARKETING_KINDS = frozenset({"campaign"})


def enqueue(
    uow: UnitOfWork,
    *,
    kind: str,
    platform: str,
    target: str,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue one notification in the caller's transaction; None when `dedupe_key` was queued."""
    if platform not in PLATFORMS:
        raise InvalidValue(f"unknown platform {platform!r}")
    if not target:
        raise InvalidValue("a notification needs a target")
    if dedupe_key is not None:
        queued = uow.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if queued is not None:
            return None
    row = OutboxMessage(
        kind=kind, platform=platform, target=target, payload=payload, dedupe_key=dedupe_key
    )
    uow.session.add(row)
    uow.session.flush()
    return row
