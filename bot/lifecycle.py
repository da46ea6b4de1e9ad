"""LINE follow and unfollow: leads for new followers, unreachable customers for blockers."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from bot.messages import Choice, Reply
from bot.replies import say
from crm_core.models import Customer, Lifecycle
from crm_core.services import conversations
from crm_core.services.customers import CustomerInput, create_customer, customer_by_line_user
from crm_core.uow import Actor, snapshot

if TYPE_CHECKING:
    from bot.engine import Bot

PLATFORM = "line"
LINK_VALUE = "intent:link_account"
WELCOME = (
    "สวัสดี ขอบคุณที่เพิ่มเราเป็นเพื่อน 🙏\n"
    'ถ้าเคยสั่งซื้อกับเรา กด "เชื่อมบัญชี" เพื่อดูคำสั่งซื้อและแต้มสะสมได้ที่นี่\n'
    "ต้องการรับข่าวสารและโปรโมชันทาง LINE หรือไม่\n\n"
    "Hello and thanks for adding us!\n"
    'If you have shopped with us, tap "Link" to see your orders and points here.\n'
    "Would you like news and offers on LINE?"
)
WELCOME_BACK = (
    "ยินดีต้อนรับกลับมา {name} สอบถามคำสั่งซื้อ แต้ม หรือเรื่องที่แจ้งไว้ได้เลย\n"
    "Welcome back, {name}! Ask about your orders, points or tickets any time."
)
LINK_LABEL = "เชื่อมบัญชี / Link"
OPT_IN_LABEL = "รับข่าวสาร / Offers"
OPT_OUT_LABEL = "ไม่รับ / No offers"


def _actor(user_id: str) -> Actor:
    return Actor(f"{PLATFORM}:{user_id}", PLATFORM)


def _stale(customer: Customer | None, at: datetime | None) -> bool:
    """True when LINE says this event happened before the follow state already applied (a
    redelivered follow arriving after the unfollow that followed it)."""
    known = customer.line_follow_at if customer is not None else None
    return at is not None and known is not None and at < known


def follow(
    bot: Bot,
    user_id: str,
    display_name: str | None,
    event_id: str | None,
    at: datetime | None = None,
) -> Reply | None:
    """A LINE user added or unblocked the account: welcome them; None for a redelivery or
    for a follow older than the unfollow already applied.

    A stranger becomes a lead (so consent can be recorded before linking) and is offered
    linking and marketing consent; a known customer is marked reachable again.
    """
    with bot.store.uow(_actor(user_id)) as uow:
        if event_id and not conversations.mark_processed(uow, PLATFORM, event_id):
            return None
        customer = customer_by_line_user(uow, user_id)
        if _stale(customer, at):
            uow.commit()
            return None
        if customer is None:
            name = (display_name or "").strip()[:200] or f"LINE {user_id[-6:]}"
            lead = create_customer(
                uow,
                CustomerInput(name=name, line_user_id=user_id, lifecycle=Lifecycle.LEAD.value),
                source=f"{PLATFORM}:follow",
            )
            lead.line_follow_at = at
            # The lead is not added to the bot's name index: a LINE display name matters
            # to nobody's parse until the index refreshes anyway.
        elif not customer.line_followed or at is not None:
            before = snapshot(customer)
            customer.line_followed = True
            customer.line_follow_at = at or customer.line_follow_at
            uow.audit("customer.line_follow", customer, before)
        if customer is not None and customer.lifecycle is Lifecycle.CUSTOMER:
            uow.commit()
            return Reply(WELCOME_BACK.format(name=customer.name), "th", intent="follow")
        state = conversations.load_state(uow, PLATFORM, user_id)
        token = secrets.token_urlsafe(6)
        # The consent answer continues a pending consent_update, the way the engine
        # continues any question it asked; the link button starts link_account afresh.
        state["token"] = token
        state["pending"] = {
            "intent": "consent_update",
            "slots": {},
            "awaiting": "consent",
            "question": say("ask_consent", "th"),
            "options": [["opt_in", OPT_IN_LABEL], ["opt_out", OPT_OUT_LABEL]],
        }
        state["lang"] = "th"
        conversations.save_state(uow, PLATFORM, user_id, state)
        uow.commit()
    choices = (
        Choice(LINK_LABEL, LINK_VALUE),
        Choice(OPT_IN_LABEL, "opt_in"),
        Choice(OPT_OUT_LABEL, "opt_out"),
    )
    return Reply(WELCOME, "th", choices=choices, token=token, intent="follow")


def unfollow(bot: Bot, user_id: str, event_id: str | None, at: datetime | None = None) -> bool:
    """A LINE user blocked the account: never push to them again; False for a redelivery.

    An unfollow older than a follow already applied changes nothing.
    """
    with bot.store.uow(_actor(user_id)) as uow:
        if event_id and not conversations.mark_processed(uow, PLATFORM, event_id):
            return False
        customer = customer_by_line_user(uow, user_id)
        if (
            customer is not None
            and (customer.line_followed or at is not None)
            and not _stale(customer, at)
        ):
            before = snapshot(customer)
            customer.line_followed = False
            customer.line_follow_at = at or customer.line_follow_at
            uow.audit("customer.line_unfollow", customer, before)
        uow.commit()
    return True
