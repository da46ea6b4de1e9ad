"""The human handoff bridge: a LINE customer talks to staff through a Slack thread.

While a handoff is open the bot stays silent for that customer: their messages are only
relayed into the thread. Staff replies in the thread go to the customer, except internal
notes starting with `NOTE_MARKER`. Resolving hands the conversation back to the bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.messages import Message, Reply
from bot.replies import say
from crm_core.errors import StaffNotFound
from crm_core.models import Customer
from crm_core.services import conversations, handoffs
from crm_core.services.staff import staff_by_slack_id
from crm_core.uow import Actor, UnitOfWork
from intents.normalize import clean_text, fold_text
from intents.parser import without_end_particles

if TYPE_CHECKING:
    from bot.engine import Bot

RECENT_KEEP = 10
# what relay_customer did with a customer's message: passed it to staff, or closed the
# handoff the customer no longer wants
PASSED_ON = "passed_on"
WITHDRAWN = "withdrawn"
NOTE_MARKER = "//"
RESOLVE_ACTION = "handoff_resolve"
RESOLVE_WORDS = frozenset({"resolve", "resolved", "ปิดเคส", "เสร็จสิ้น"})
# what a customer says, alone, to stop waiting for staff and talk to the bot again
WITHDRAW_WORDS = frozenset(
    {
        "cancel",
        "ยกเลิก",
        "ไม่ต้องแล้ว",
        "ไม่ต้องคุยกับเจ้าหน้าที่แล้ว",
        "ไม่คุยกับเจ้าหน้าที่แล้ว",
        "กลับไปคุยกับบอท",
        "back to the bot",
        "never mind",
    }
)
STAFF_LANG = "th"


def remember(state: dict[str, Any], speaker: str, text: str) -> None:
    """Keep the last few lines of a customer's conversation for a later handoff."""
    if not text:
        return
    recent = [*(state.get("recent") or []), [speaker, text[:500]]]
    state["recent"] = recent[-RECENT_KEEP:]


def _escape(text: str) -> str:
    """Slack mrkdwn control characters in customer text shown as themselves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _who(customer: Customer | None, line_user_id: str) -> str:
    return customer.name if customer is not None else line_user_id


def _opening(
    customer: Customer | None, line_user_id: str, recent: list[list[str]]
) -> dict[str, Any]:
    lines = [say("handoff_thread_open", STAFF_LANG, customer=_who(customer, line_user_id))]
    for speaker, text in recent:
        key = "handoff_line_customer" if speaker == "customer" else "handoff_line_bot"
        lines.append(say(key, STAFF_LANG, text=text))
    lines.append(say("handoff_thread_hint", STAFF_LANG, marker=NOTE_MARKER))
    text = "\n".join(lines)
    button = {
        "type": "button",
        "action_id": RESOLVE_ACTION,
        "style": "primary",
        "value": line_user_id,
        "text": {"type": "plain_text", "text": say("handoff_resolve_button", STAFF_LANG)},
    }
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _escape(text)[:2900]}},
        {"type": "actions", "elements": [button]},
    ]
    return {"text": text, "blocks": blocks}


def _withdraws(text: str) -> bool:
    """The message only says the customer no longer wants staff ("ยกเลิกค่ะ", "cancel")."""
    words = without_end_particles(fold_text(clean_text(text)).replace(" ", ""))
    return words in {w.replace(" ", "") for w in WITHDRAW_WORDS}


def relay_customer(uow: UnitOfWork, message: Message) -> str | None:
    """Relay a LINE message into its open handoff thread (`PASSED_ON`), or, when the customer
    withdraws before anyone from staff has answered ("ยกเลิกค่ะ"), close it and tell the
    thread (`WITHDRAWN`); None when no handoff is open. Once staff have answered, everything
    goes to them: "ยกเลิกค่ะ" then answers their question ("ยกเลิกออเดอร์ใช่ไหมคะ")."""
    if message.platform != "line":
        return None
    handoff = handoffs.open_handoff_for(uow, message.user_id)
    if handoff is None:
        return None
    customer = uow.session.get(Customer, handoff.customer_id) if handoff.customer_id else None
    answered = any(speaker.startswith("staff:") for speaker, _ in handoff.transcript)
    if not answered and _withdraws(message.text):
        who = _who(customer, message.user_id)
        handoffs.withdraw_handoff(
            uow, handoff, say("handoff_withdrawn_staff", STAFF_LANG, customer=who)
        )
        return WITHDRAWN
    text = message.text.strip() or say("handoff_non_text", STAFF_LANG)
    shown = say("handoff_line_customer", STAFF_LANG, text=text)
    handoffs.relay_to_staff(uow, handoff, text, f"{_who(customer, message.user_id)}: {shown}")
    return PASSED_ON


def after_turn(
    uow: UnitOfWork,
    message: Message,
    customer: Customer | None,
    state: dict[str, Any],
    reply: Reply,
    support_channel: str,
) -> None:
    """Record the turn in the recent history; open the handoff the turn asked for."""
    if message.platform != "line":
        return
    remember(state, "customer", message.text.strip())
    wanted = state.pop("handoff", None)
    if wanted and support_channel:
        opening = _opening(customer, message.user_id, list(state.get("recent") or []))
        handoffs.open_handoff(
            uow,
            message.user_id,
            channel=support_channel,
            lang=reply.lang,
            opening_text=opening["text"],
            recent=list(state.get("recent") or []),
            customer=customer,
            blocks=opening["blocks"],
        )
        # The bot stays silent from here on; a later turn starts without this history.
        state.pop("recent", None)
        state.pop("pending", None)
    else:
        remember(state, "bot", reply.text)


def staff_reply(
    bot: Bot,
    channel: str,
    thread_ts: str,
    slack_user: str,
    text: str,
    event_id: str | None = None,
) -> bool:
    """Relay a staff message in a handoff thread to the customer; False when not relayed."""
    text = text.strip()
    if not text or text.startswith(NOTE_MARKER):
        return False
    with bot.store.uow(Actor(f"slack:{slack_user}", "slack")) as uow:
        if event_id and not conversations.mark_processed(uow, "slack", event_id):
            return False
        handoff = handoffs.handoff_in_thread(uow, channel, thread_ts)
        if handoff is None:
            return False
        try:
            staff = staff_by_slack_id(uow, slack_user)
        except StaffNotFound:
            return False
        handoffs.relay_to_customer(uow, handoff, text, staff.name)
        uow.commit()
    return True


def resolve(bot: Bot, channel: str, thread_ts: str | None, slack_user: str) -> str:
    """Hand a thread's conversation (or the channel's only open one) back to the bot.

    Returns what to tell the staff member who asked.
    """
    with bot.store.uow(Actor(f"slack:{slack_user}", "slack")) as uow:
        try:
            staff = staff_by_slack_id(uow, slack_user)
        except StaffNotFound:
            return say("unknown_staff", STAFF_LANG)
        if thread_ts:
            handoff = handoffs.handoff_in_thread(uow, channel, thread_ts)
        else:
            open_ones = handoffs.open_handoffs_in(uow, channel)
            if len(open_ones) > 1:
                return say("handoff_which", STAFF_LANG, count=len(open_ones))
            handoff = open_ones[0] if open_ones else None
            if handoff is not None:
                handoff = handoffs.open_handoff_for(uow, handoff.line_user_id)
        if handoff is None:
            return say("handoff_none_open", STAFF_LANG)
        relayed = [t for speaker, t in handoff.transcript if speaker == handoffs.RELAYED]
        earlier = [t for speaker, t in handoff.transcript if speaker == "customer"]
        asked = relayed or earlier[-1:]
        staff_lines = [t for speaker, t in handoff.transcript if speaker.startswith("staff:")]
        note = say(
            "handoff_summary",
            STAFF_LANG,
            customer_lines=len(relayed),
            staff_lines=len(staff_lines),
            first=asked[0][:200] if asked else "-",
            last=staff_lines[-1][:200] if staff_lines else "-",
            staff=staff.name,
        )
        handoffs.resolve_handoff(
            uow,
            handoff,
            staff,
            customer_text=say("handoff_resolved", handoff.lang),
            note=note,
        )
        uow.commit()
    return say("handoff_resolved_staff", STAFF_LANG, staff=staff.name)
