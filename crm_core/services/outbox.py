"""The outbox: notifications written in the same transaction as the change that caused them.

A row names where it goes (`platform` "slack" or "line", `target` a channel, Slack user or
LINE user id) and carries a JSON `payload` the delivering channel renders. `kind` says what
it is about; `MARKETING_KINDS` are the ones an opted-out or unfollowed customer never gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from crm_core.errors import InvalidValue
from crm_core.models import OutboxMessage, OutboxStatus
from crm_core.uow import UnitOfWork

PLATFORMS = frozenset({"slack", "line"})
MARKETING_KINDS = frozenset({"campaign"})
# session.info key: ids of the rows queued in this unit of work, in order
_QUEUED = "khui.outbox.queued"


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
    uow.session.info.setdefault(_QUEUED, []).append(row.id)
    return row


def queued_mark(uow: UnitOfWork) -> int:
    """A bookmark in this unit of work's queued notifications (before an action runs)."""
    return len(uow.session.info.get(_QUEUED, ()))


def queued_since(uow: UnitOfWork, mark: int) -> list[int]:
    """Ids of the notifications this unit of work queued after `mark`."""
    return list(uow.session.info.get(_QUEUED, ())[mark:])


def withdraw(uow: UnitOfWork, ids: list[int]) -> tuple[int, int]:
    """Cancel the notifications not sent yet (their change was undone): (withdrawn, sent)."""
    if not ids:
        return 0, 0
    rows = uow.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).with_for_update()
    )
    withdrawn = sent = 0
    for row in rows:
        if row.status is OutboxStatus.SENT:
            sent += 1
        elif row.status is not OutboxStatus.CANCELLED:
            row.status = OutboxStatus.CANCELLED
            row.last_error = "withdrawn: the change it announced was undone"
            withdrawn += 1
    return withdrawn, sent


@dataclass(frozen=True)
class Claimed:
    """A row a worker took: what to send, and the attempt number that fences its result."""

    id: int
    kind: str
    platform: str
    target: str
    payload: dict[str, Any]
    attempt: int


def claim(uow: UnitOfWork, *, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Take up to `limit` due rows for one worker, oldest first.

    Claiming pushes `next_attempt_at` out by `lease` and counts the attempt, in the caller's
    transaction: rows locked by another worker are skipped (PostgreSQL `SKIP LOCKED`; SQLite
    serialises writers), and a row whose worker died is due again when its lease runs out.
    """
    rows = list(
        uow.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claimed = []
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
        claimed.append(
            Claimed(row.id, row.kind, row.platform, row.target, dict(row.payload), row.attempts)
        )
    return claimed


def _fenced(uow: UnitOfWork, item: Claimed) -> OutboxMessage | None:
    """The row if it is still this claim's (pending, same attempt), locked; else None."""
    row = uow.session.get(OutboxMessage, item.id, with_for_update=True)
    if row is None or row.status is not OutboxStatus.PENDING or row.attempts != item.attempt:
        return None
    return row


def mark_sent(
    uow: UnitOfWork, item: Claimed, *, now: datetime, payload: dict[str, Any] | None = None
) -> bool:
    """Record a delivery; False when the claim was lost (the lease ran out and another took it)."""
    row = _fenced(uow, item)
    if row is None:
        return False
    row.status = OutboxStatus.SENT
    row.sent_at = now
    row.last_error = None
    if payload is not None:
        row.payload = payload
    return True


def backoff(attempt: int, *, base: float, cap: float) -> timedelta:
    """Exponential delay before the next attempt: base, 2·base, 4·base ... at most `cap`."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempt - 1)))


def mark_failed(
    uow: UnitOfWork,
    item: Claimed,
    error: str,
    *,
    now: datetime,
    retry_in: timedelta | None,
) -> OutboxStatus | None:
    """Record a failed attempt: due again after `retry_in`, or `failed` for good when None.

    Returns the row's new status, None when the claim was lost.
    """
    row = _fenced(uow, item)
    if row is None:
        return None
    row.last_error = error[:2000]
    if retry_in is None:
        row.status = OutboxStatus.FAILED
    else:
        row.next_attempt_at = now + retry_in
    return row.status


def retry_failed(uow: UnitOfWork, ids: list[int], *, now: datetime) -> int:
    """Put failed rows back in the queue (an admin fixed the cause); how many."""
    rows = uow.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.FAILED
        )
    )
    count = 0
    for row in rows:
        row.status = OutboxStatus.PENDING
        row.attempts = 0
        row.next_attempt_at = now
        count += 1
    return count


def listing(uow: UnitOfWork, *, status: str | None = None, limit: int = 50) -> list[OutboxMessage]:
    """The newest rows, optionally of one status (pending, sent, failed, cancelled)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    return list(uow.session.scalars(query))


def counts(uow: UnitOfWork) -> dict[str, int]:
    """How many rows have each status."""
    rows = uow.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    found = {status.value: int(n) for status, n in rows}
    return {status.value: found.get(status.value, 0) for status in OutboxStatus}


def pending_with_prefix(uow: UnitOfWork, prefix: str) -> int:
    """Rows still pending whose dedupe key starts with `prefix` (the batches of one send)."""
    return int(
        uow.session.scalar(
            select(func.count()).where(
                OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
        or 0
    )
