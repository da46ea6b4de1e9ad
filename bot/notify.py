"""What a queued notification says: an outbox row rendered as a `Reply` when it is delivered.

Service messages about a customer's own order or ticket (`order_status`, `ticket_status`)
are queued by `crm_core` with only the record's number and new status, whoever made the
change (chat, CLI, import); they are rendered here with the record's card in the customer's
language. Every other row carries its text (and optionally a card) ready to send.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sqlalchemy import select

from bot.actions import order_card, ticket_card
from bot.messages import Reply, card_from_json
from bot.replies import label, say
from crm_core.errors import InvalidValue, OrderNotFound, TicketNotFound
from crm_core.models import ConversationState, Customer
from crm_core.services import orders, tickets
from crm_core.uow import UnitOfWork

SERVICE_KINDS = frozenset({"order_status", "ticket_status"})


def customer_lang(uow: UnitOfWork, line_user_id: str) -> str:
    """The language the LINE user last chatted in (Thai when unknown)."""
    state = uow.session.scalar(
        select(ConversationState.state).where(
            ConversationState.platform == "line", ConversationState.user_id == line_user_id
        )
    )
    lang = (state or {}).get("lang")
    return lang if lang in ("th", "en") else "th"


def render(uow: UnitOfWork, kind: str, target: str, payload: dict[str, Any], tz: tzinfo) -> Reply:
    """The reply a row delivers. Raises LookupError when the record it names is gone."""
    if kind == "order_status":
        lang = customer_lang(uow, target)
        try:
            order = orders.get_order(uow, str(payload["order"]))
        except (OrderNotFound, InvalidValue) as exc:
            raise LookupError(f"order {payload.get('order')} not found") from exc
        status = label("order", str(payload.get("status") or order.status.value), lang)
        text = say("order_changed_notice", lang, number=order.number, status=status)
        return Reply(text, lang, (order_card(order, lang, tz, staff=False),))
    if kind == "ticket_status":
        lang = customer_lang(uow, target)
        try:
            ticket = tickets.get_ticket(uow, str(payload["ticket"]))
        except (TicketNotFound, InvalidValue) as exc:
            raise LookupError(f"ticket {payload.get('ticket')} not found") from exc
        status = label("ticket", str(payload.get("status") or ticket.status.value), lang)
        text = say("ticket_changed_notice", lang, number=ticket.number, status=status)
        return Reply(text, lang, (ticket_card(ticket, lang, tz, staff=False),))
    card = payload.get("card")
    cards = (card_from_json(card),) if isinstance(card, dict) else ()
    return Reply(str(payload.get("text") or ""), str(payload.get("lang") or "th"), cards)


def line_recipients(uow: UnitOfWork, user_ids: list[str], *, marketing: bool) -> list[str]:
    """The LINE users who may still be sent to now: following, and consenting for marketing."""
    if not user_ids:
        return []
    query = select(Customer.line_user_id, Customer.line_followed, Customer.marketing_consent)
    known = {
        uid: (followed, consent)
        for uid, followed, consent in uow.session.execute(
            query.where(Customer.line_user_id.in_(user_ids))
        )
    }
    allowed = []
    for uid in user_ids:
        followed, consent = known.get(uid, (True, False))
        if followed is False or (marketing and not consent):
            continue
        allowed.append(uid)
    return allowed
