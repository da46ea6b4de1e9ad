"""Handoffs: a LINE conversation a person from staff takes over in a Slack thread.

Every relayed line is an outbox row written in the same transaction as the change:
`handoff_open` (Slack, the thread's first message), `handoff_to_staff` (Slack, into the
thread), `handoff_to_customer` and `handoff_resolved` (LINE, to the customer). The payload is
`{"text", "lang", "thread_ts"?, "handoff_id"}`; `handoff_open` also carries Slack `blocks`
(the text plus a resolve button) for a deliverer that passes them on. Slack rows queued
before the thread exists carry no `thread_ts`; whoever delivers them looks it up by
`handoff_id` (`thread_of`), and whoever posts `handoff_open` stores the answer's ts with
`thread_posted`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm_core.errors import InvalidValue
from crm_core.models import Customer, Handoff, Staff
from crm_core.services import activities, outbox
from crm_core.types import utcnow
from crm_core.uow import UnitOfWork

OPEN = "open"
RESOLVED = "resolved"
RELAYED = "relayed"  # transcript speaker of what the customer wrote to staff
TRANSCRIPT_KEEP = 50  # lines kept on the handoff for the closing note


def open_handoff_for(uow: UnitOfWork, line_user_id: str) -> Handoff | None:
    """The customer's open handoff, locked for this transaction, or None."""
    return uow.session.scalar(
        select(Handoff)
        .where(Handoff.line_user_id == line_user_id, Handoff.status == OPEN)
        .with_for_update()
    )


def handoff_in_thread(uow: UnitOfWork, channel: str, thread_ts: str) -> Handoff | None:
    """The open handoff a Slack thread belongs to, or None."""
    return uow.session.scalar(
        select(Handoff)
        .where(Handoff.channel == channel, Handoff.thread_ts == thread_ts, Handoff.status == OPEN)
        .with_for_update()
    )


def open_handoffs_in(uow: UnitOfWork, channel: str) -> list[Handoff]:
    """Open handoffs whose thread is in `channel`, oldest first."""
    return list(
        uow.session.scalars(
            select(Handoff)
            .where(Handoff.channel == channel, Handoff.status == OPEN)
            .order_by(Handoff.id)
        )
    )


def _note(handoff: Handoff, speaker: str, text: str) -> None:
    handoff.transcript = [*handoff.transcript, [speaker, text]][-TRANSCRIPT_KEEP:]


def _payload(handoff: Handoff, text: str) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": text, "lang": handoff.lang, "handoff_id": handoff.id}
    if handoff.thread_ts:
        payload["thread_ts"] = handoff.thread_ts
    return payload


def open_handoff(
    uow: UnitOfWork,
    line_user_id: str,
    *,
    channel: str,
    lang: str,
    opening_text: str,
    recent: list[list[str]],
    customer: Customer | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> tuple[Handoff, bool]:
    """Open a handoff and queue its thread's first message; (handoff, False) when one is open."""
    if not channel:
        raise InvalidValue("a handoff needs a support channel")
    current = open_handoff_for(uow, line_user_id)
    if current is not None:
        return current, False
    handoff = Handoff(
        line_user_id=line_user_id,
        customer_id=customer.id if customer else None,
        status=OPEN,
        lang=lang,
        channel=channel,
        transcript=[list(line) for line in recent],
        opened_at=utcnow(),
    )
    uow.session.add(handoff)
    uow.session.flush()
    outbox.enqueue(
        uow,
        kind="handoff_open",
        platform="slack",
        target=channel,
        payload={**_payload(handoff, opening_text), **({"blocks": blocks} if blocks else {})},
        dedupe_key=f"handoff_open:{handoff.id}",
    )
    uow.audit("handoff.open", handoff, None)
    return handoff, True


def thread_posted(uow: UnitOfWork, handoff_id: int, thread_ts: str) -> None:
    """Remember the Slack ts of a handoff's first message (its thread)."""
    handoff = uow.session.get(Handoff, handoff_id, with_for_update=True)
    if handoff is not None and not handoff.thread_ts:
        handoff.thread_ts = thread_ts


def thread_of(uow: UnitOfWork, handoff_id: int) -> str | None:
    """The Slack thread ts of a handoff, None while its first message is not posted."""
    handoff = uow.session.get(Handoff, handoff_id)
    return handoff.thread_ts if handoff else None


def _to_thread(uow: UnitOfWork, handoff: Handoff, shown: str) -> None:
    """Queue a line for the handoff's Slack thread."""
    outbox.enqueue(
        uow,
        kind="handoff_to_staff",
        platform="slack",
        target=handoff.channel,
        payload=_payload(handoff, shown),
    )


def relay_to_staff(uow: UnitOfWork, handoff: Handoff, text: str, shown: str) -> None:
    """Queue what the customer wrote (`shown`, as staff see it) into the thread."""
    _note(handoff, RELAYED, text)
    _to_thread(uow, handoff, shown)


def relay_to_customer(uow: UnitOfWork, handoff: Handoff, text: str, staff_name: str) -> None:
    """Queue a staff reply from the thread for the customer on LINE."""
    _note(handoff, f"staff:{staff_name}", text)
    outbox.enqueue(
        uow,
        kind="handoff_to_customer",
        platform="line",
        target=handoff.line_user_id,
        payload=_payload(handoff, text),
    )


def withdraw_handoff(uow: UnitOfWork, handoff: Handoff, shown: str) -> None:
    """The customer no longer wants staff: the conversation goes back to the bot, and the
    thread is told (`shown`) so no one answers into it."""
    handoff.status = RESOLVED
    handoff.resolved_at = utcnow()
    handoff.resolved_by = "customer"
    _to_thread(uow, handoff, shown)
    uow.audit("handoff.withdraw", handoff, None)


def resolve_handoff(
    uow: UnitOfWork,
    handoff: Handoff,
    staff: Staff,
    *,
    customer_text: str,
    note: str,
) -> None:
    """Hand the conversation back to the bot, tell the customer, log it as a chat."""
    handoff.status = RESOLVED
    handoff.resolved_at = utcnow()
    handoff.resolved_by = staff.slack_user_id
    outbox.enqueue(
        uow,
        kind="handoff_resolved",
        platform="line",
        target=handoff.line_user_id,
        payload=_payload(handoff, customer_text),
    )
    if handoff.customer_id is not None:
        customer = uow.session.get(Customer, handoff.customer_id)
        if customer is not None:
            activities.log_interaction(uow, customer, "chat", note, staff=staff, channel="line")
    uow.audit("handoff.resolve", handoff, None)
