"""One action per intent: slots in, CRM services called, an outcome out. Routing is ACTIONS."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pythainlp.tokenize import word_tokenize
from rapidfuzz import fuzz, process
from sqlalchemy import select

from bot import colleagues, own_account, ticket_choice
from bot.charts import chart_for
from bot.dialogue import Ask, Confirm, Context, Done, Outcome
from bot.messages import SLACK_MENTION, Card, Choice, Notification
from bot.permissions import allowed
from bot.replies import day, label, moment, money, month, points, say, templates
from crm_core import reports
from crm_core.errors import (
    CustomerNotFound,
    DuplicateCustomer,
    InsufficientPoints,
    InvalidValue,
    OrderNotFound,
    OutOfStock,
    RewardNotFound,
    TicketNotFound,
)
from crm_core.models import (
    Customer,
    Deal,
    KnowledgeEntry,
    LedgerKind,
    LinkCode,
    Order,
    PointsEntry,
    Reward,
    Staff,
    Stage,
    Task,
    Ticket,
    Tier,
)
from crm_core.services import (
    activities,
    campaigns,
    deals,
    knowledge,
    loyalty,
    orders,
    tickets,
    undo,
)
from crm_core.services import customers as customer_svc
from crm_core.services import staff as staff_svc
from crm_core.services.customers import CustomerInput
from crm_core.types import utcnow
from crm_core.uow import UnitOfWork
from intents.lexicon import load_lexicon
from intents.normalize import THAI_CHAR, clean_text, fold_text
from intents.parser import NAME_JOINERS, acknowledges, default_tokeniser
from intents.resolver import fold_name
from intents.slots.dates import BE_OFFSET

Action = Callable[[Context], Outcome]
ORDER_STEPS = ("pending", "paid", "packed", "shipped", "delivered")
LINK_ATTEMPTS_PER_HOUR = 5
LINK_CODE_TTL = timedelta(hours=24)
LINK_CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{8}\b")
FAQ_MIN_SCORE = 70.0
# A message the parser could not place is answered from the knowledge base only when it is
# nearly one of the stored questions ("can I bring my dog?" when staff wrote that question).
FAQ_FALLBACK_SCORE = 85.0
# A question close to no stored question is answered from the entry its telling words point
# to: this share of their weight must be found in the entry (in its questions whole, in its
# answers by FAQ_ANSWER_WORDS), and the next entry must be FAQ_MARGIN behind. A message the
# parser could not place must have all of them in one entry ("how do I pay").
FAQ_WORDS_FOUND = 0.7
FAQ_ANSWER_WORDS = 0.6
FAQ_MARGIN = 0.2


# ---- shared pieces -------------------------------------------------------------------------


def _t(ctx: Context, key: str, **values: Any) -> str:
    return say(key, ctx.lang, **values)


# below the parser's confidence threshold a reading is a guess
UNSURE = 0.6


def _guessed(ctx: Context) -> bool:
    """A typed message read only weakly as this write, not yet confirmed: ask before writing.

    Writes that always ask (deals, points, campaigns) need no such check; answering one of
    the bot's questions takes the reading as meant (the engine drops the confidence then).
    """
    weak = float(ctx.slots.get("_confidence", 1.0)) < UNSURE
    return weak and "_text" in ctx.slots and not ctx.confirmed


# the fewest letters that may name a part of a thing's name
NAME_PART = 4


def words_score(wanted: str, names: tuple[str, ...]) -> float:
    """How well the words asked for name a thing (0-100): as a set of words, or as a part of
    one of its names ("กาแฟฟรี" of "กาแฟฟรี 1 แก้ว"). Names are scored one by one, and a part
    only of four letters or more: run together, Thai text holds parts of anything. Both are
    folded keeping Thai vowel and tone marks (rapidfuzz's default processor drops them, so
    "ดีล" and "ลีด" would be the same two letters)."""
    scorers = [fuzz.token_set_ratio]
    if len(fold_name(wanted)) >= NAME_PART:
        scorers.append(fuzz.partial_ratio)  # "1" or "ดี" is a part of too many names
    return max(scorer(wanted, name, processor=fold_name) for name in names for scorer in scorers)


# a customer's contact history: how many interactions, and how much of each note
CONTACTS_SHOWN = 10
NOTE_SHOWN = 120
# roles that may see a colleague's deals, tasks and figures ("Somchai's pipeline"); anyone
# may see a colleague's tickets, the queue being the team's
SEE_COLLEAGUES = frozenset({"manager", "admin"})


def _rep(ctx: Context, *, shared: bool = False) -> Staff | Ask | Done | None:
    """The colleague whose deals, tasks, tickets or figures a staff request is about, when it
    mentions or names one ("Somchai's pipeline", "งานของณัฐยา", "deals owned by <@U123>");
    None when it names none, or the sender. Only managers and admins see another's, unless
    the list is the team's to share (`shared`)."""
    staff = ctx.who.staff
    assert staff is not None
    found = _named_colleague(ctx)
    if not isinstance(found, Staff):
        return found
    if found.id != staff.id and not shared and staff.role.value not in SEE_COLLEAGUES:
        return Done(_t(ctx, "colleague_not_allowed"))
    _not_a_customer(ctx, found)
    return found if found.id != staff.id else None


def _not_a_customer(ctx: Context, member: Staff) -> bool:
    """Forget the customer read from a colleague's name ("Somchai's deals": not the customer
    Somchai Prasert, nor someone unknown called Somchai); True when there was one."""
    mention = str(ctx.slots.get("customer") or "").casefold()
    if not any(n.casefold() in mention for n in colleagues.first_names(member)):
        return False
    for slot in ("customer", "customer_id", "_candidates"):
        ctx.slots.pop(slot, None)
    return True


def _named_colleague(ctx: Context) -> Staff | Ask | None:
    """The one colleague (or the sender) a staff message mentions or names, the one chosen
    when the bot asked, or None; asks which when several are named. A customer named by more
    than a colleague's first name is the customer ("deals of Somchai Prasert")."""
    chosen = ctx.slots.get("rep")
    if chosen is not None:
        return ctx.uow.session.get(Staff, int(chosen))
    text = str(ctx.slots.get("_text") or "")
    found = colleagues.named_colleagues(staff_svc.list_staff(ctx.uow), text)
    customer = ctx.slots.get("customer")
    if customer and ctx.slots.get("customer_id") is not None:
        found = [s for s in found if not colleagues.more_of(str(customer), s, text)]
    if len(found) > 1:
        choices = tuple(Choice(s.name, str(s.id)) for s in found)
        return Ask("rep", _t(ctx, "which_colleague"), choices)
    return found[0] if found else None


def _d(value: date, ctx: Context) -> str:
    return day(value, ctx.lang)


# a customer or deal staff talked about stays in focus this long: "move it to proposal" or
# "โทรหาเขาแล้ว" soon after is about them
FOCUS_WINDOW = timedelta(minutes=30)


def _focus(ctx: Context, customer: Customer, deal: Deal | None = None) -> None:
    """Remember whom (and which deal) a staff member is talking about, for "it", "them",
    "ดีลนี้" in the messages that follow; another customer leaves the deal behind."""
    if not ctx.who.is_staff:
        return
    held = ctx.state.get("focus") or {}
    deal_id = deal.id if deal is not None else None
    if deal_id is None and held.get("customer_id") == customer.id:
        deal_id = held.get("deal_id")
    ctx.state["focus"] = {"customer_id": customer.id, "deal_id": deal_id, "at": ctx.now.isoformat()}


def _focus_on_owner(ctx: Context, owner: Customer | None) -> None:
    """A ticket or order staff look at or change puts its customer in focus: "them", "เขา"
    then mean whose ticket or order it is, not a customer named before it."""
    if owner is not None:
        _focus(ctx, owner)


def _in_focus(ctx: Context) -> dict[str, Any] | None:
    """What a message pointing back refers to ("move it", "เขา"): the focus, while it is
    recent and the message names no one."""
    held = ctx.state.get("focus")
    if not ctx.slots.get("refers_back") or not held:
        return None
    if ctx.now - datetime.fromisoformat(str(held["at"])) > FOCUS_WINDOW:
        return None
    return dict(held)


def _customer(ctx: Context, *, required: bool = True) -> Customer | Ask | Done | None:
    """The customer the turn is about: the sender if a customer, else the mentioned one, else
    (for "them", "เขา") the one staff talked about just before."""
    if ctx.who.customer is not None and not ctx.who.is_staff:
        return ctx.who.customer
    found = _named_customer(ctx, required=required)
    if isinstance(found, Customer):
        _focus(ctx, found)
    return found


def _named_customer(ctx: Context, *, required: bool) -> Customer | Ask | Done | None:
    cid = ctx.slots.get("customer_id")
    if cid is not None:
        found = ctx.uow.session.get(Customer, int(cid))
        if found is not None:
            return found
    # staff may name the customer by member id, phone or email ("เพิ่ม 500 แต้มให้ M-10023")
    contact = customer_svc.contact_details(ctx.slots)
    if contact:
        known = customer_svc.customer_by_contact(ctx.uow, **contact)
        if known is not None:
            return known
    held = _in_focus(ctx)
    if held is not None:
        earlier = ctx.uow.session.get(Customer, int(held["customer_id"]))
        if earlier is not None:
            return earlier
    candidates = ctx.slots.get("_candidates") or []
    if len(candidates) > 1:
        return Ask(
            "customer_id",
            _t(ctx, "which_customer"),
            tuple(Choice(name, str(cid)) for cid, name in candidates[:5]),
        )
    mention = ctx.slots.get("customer")
    if mention:
        return Done(_t(ctx, "customer_not_found", name=mention))
    if contact:
        return Done(_t(ctx, "contact_not_found", contact=next(iter(contact.values()))))
    if required:
        return Ask("customer", _t(ctx, "ask_customer"))
    return None


def _period(ctx: Context, period: str) -> str:
    """A period's name: the calendar's ("เดือนนี้") or a look-back's ("3 เดือนที่ผ่านมา")."""
    back = reports.lookback(period)
    if back is None:
        return label("period", period, ctx.lang)
    count, unit = back
    return _t(ctx, f"period.past_{unit}", count=count)


def _staff_customer(ctx: Context) -> Customer | Outcome:
    found = _customer(ctx)
    if found is None:
        return Ask("customer", _t(ctx, "ask_customer"))
    return found


def _customer_card(ctx: Context, c: Customer) -> Card:
    fields: list[tuple[str, str]] = []
    if c.company:
        fields.append((_t(ctx, "f.company"), c.company))
    if c.phone:
        fields.append((_t(ctx, "f.phone"), c.phone))
    if c.email:
        fields.append((_t(ctx, "f.email"), c.email))
    if c.member_id:
        fields.append((_t(ctx, "f.member"), c.member_id))
    fields.append((_t(ctx, "f.tier"), label("tier", c.tier.value, ctx.lang)))
    fields.append((_t(ctx, "f.points"), points(loyalty.balance(ctx.uow, c.id), ctx.lang)))
    open_deals = deals.list_deals(ctx.uow, deals.DealFilter(customer=c), limit=3)
    if open_deals:
        fields.append(
            (
                _t(ctx, "f.open_deals"),
                "; ".join(
                    f"{d.title} {money(d.amount)} ({label('stage', d.stage.value, ctx.lang)})"
                    for d in open_deals
                ),
            )
        )
    recent = activities.recent_interactions(ctx.uow, c, limit=3)
    if recent:
        fields.append(
            (
                _t(ctx, "f.last_interactions"),
                "; ".join(
                    f"{_d(i.occurred_at.astimezone(ctx.tz).date(), ctx)} "
                    f"{label('interaction', i.type.value, ctx.lang)}: {i.note[:40]}"
                    for i in recent
                ),
            )
        )
    open_t = tickets.open_tickets(ctx.uow, c, limit=3)
    if open_t:
        fields.append(
            (_t(ctx, "f.open_tickets"), "; ".join(f"{t.number} {t.subject[:30]}" for t in open_t))
        )
    last = orders.latest_order(ctx.uow, c)
    if last is not None:
        fields.append(
            (
                _t(ctx, "f.last_order"),
                f"{last.number} {label('order', last.status.value, ctx.lang)} {money(last.total)}",
            )
        )
    fields.append((_t(ctx, "f.consent"), _t(ctx, "word.yes" if c.marketing_consent else "word.no")))
    return Card("customer", c.name, tuple(fields))


def _order_card(ctx: Context, order: Order) -> Card:
    return order_card(order, ctx.lang, ctx.tz, staff=ctx.who.is_staff)


def _owner_field(customer: Customer | None, lang: str, *, staff: bool) -> list[tuple[str, str]]:
    """The customer's name, opening a ticket's or an order's card for staff (its number does
    not say whose it is); none for a customer, who sees only their own."""
    if not staff or customer is None:
        return []
    return [(say("f.customer", lang), customer.name)]


def order_card(order: Order, lang: str, tz: tzinfo, *, staff: bool) -> Card:
    """An order's status steps, total, carrier, tracking and latest changes; staff also see
    whose it is."""
    fields = [
        *_owner_field(order.customer, lang, staff=staff),
        (say("f.status", lang), label("order", order.status.value, lang)),
        (say("f.total", lang), money(order.total)),
        (say("f.placed", lang), day(order.placed_at.astimezone(tz).date(), lang)),
    ]
    if order.carrier:
        fields.append((say("f.carrier", lang), order.carrier))
    if order.tracking_number:
        fields.append((say("f.tracking", lang), order.tracking_number))
    for change in order.history[-3:]:
        fields.append(
            (
                moment(change.changed_at.astimezone(tz), lang),
                label("order", change.to_status.value, lang),
            )
        )
    step = ORDER_STEPS.index(order.status.value) if order.status.value in ORDER_STEPS else -1
    return Card(
        "order",
        order.number,
        tuple(fields),
        steps=tuple(label("order", s, lang) for s in ORDER_STEPS),
        current_step=step,
    )


def _ticket_card(ctx: Context, ticket: Ticket) -> Card:
    return ticket_card(ticket, ctx.lang, ctx.tz, staff=ctx.who.is_staff)


def ticket_card(ticket: Ticket, lang: str, tz: tzinfo, *, staff: bool) -> Card:
    """A ticket's subject, status and priority; staff also see whose it is, the SLA, the
    assignee and the latest notes."""
    fields = [
        *_owner_field(ticket.customer, lang, staff=staff),
        (say("f.subject", lang), ticket.subject),
        (say("f.status", lang), label("ticket", ticket.status.value, lang)),
        (say("f.priority", lang), label("priority", ticket.priority.value, lang)),
        (say("f.opened", lang), moment(ticket.created_at.astimezone(tz), lang)),
    ]
    if staff:
        fields.append((say("f.sla", lang), moment(ticket.sla_due_at.astimezone(tz), lang)))
        if ticket.assignee is not None:
            fields.append((say("f.assignee", lang), ticket.assignee.name))
        # the latest remarks, oldest first; customers never see them
        notes = [
            f"{moment(n.created_at.astimezone(tz), lang)} "
            f"{n.author.name if n.author else '-'}: {_clip(n.body, NOTE_SHOWN)}"
            for n in ticket.notes[-NOTES_SHOWN:]
        ]
        if notes:
            fields.append((say("f.notes", lang), "\n".join(notes)))
    return Card("ticket", ticket.number, tuple(fields))


# a ticket card shows this many of the latest notes, each cut to so many characters
NOTES_SHOWN = 3
NOTE_SHOWN = 120


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _membership_card(ctx: Context, c: Customer) -> Card:
    status = loyalty.tier_status(ctx.uow, c.id)
    fields = [
        (_t(ctx, "f.points"), points(loyalty.balance(ctx.uow, c.id), ctx.lang)),
        (_t(ctx, "f.tier"), label("tier", c.tier.value, ctx.lang)),
    ]
    if c.member_id:
        fields.insert(0, (_t(ctx, "f.member"), c.member_id))
    if status.next_tier is not None:
        fields.append(
            (
                _t(ctx, "f.next_tier"),
                _t(
                    ctx,
                    "next_tier",
                    tier=label("tier", status.next_tier.value, ctx.lang),
                    points=points(status.points_to_next, ctx.lang),
                ),
            )
        )
    return Card("membership", c.name, tuple(fields))


# ---- conversation --------------------------------------------------------------------------


def greeting(ctx: Context) -> Outcome:
    staff = ctx.who.staff
    if staff is not None:
        # a colleague by their first name in the reply's language ("สวัสดี สมชาย", "Hello
        # Somchai"), not the whole "Somchai Sales (สมชาย ขายดี)"
        given = colleagues.first_names(staff)
        thai = [n for n in given if THAI_CHAR.search(n)]
        latin = [n for n in given if not THAI_CHAR.search(n)]
        if ctx.lang == "th" and thai:
            # politely, as colleagues say it ("สวัสดี คุณพิมพ์", not "สวัสดี พิมพ์")
            return Done(_t(ctx, "greeting", name=f"คุณ{thai[0]}"))
        ordered = latin + thai
        return Done(_t(ctx, "greeting", name=ordered[0] if ordered else staff.name))
    name = (ctx.who.customer or Customer(name="")).name
    if name and ctx.who.customer is not None and ctx.lang == "th" and not name.startswith("คุณ"):
        name = f"คุณ{name}"  # a customer greeted politely: "สวัสดี คุณสมศรี ใจดี"
    return Done(_t(ctx, "greeting", name=name or _t(ctx, "there")))


def thanks(ctx: Context) -> Outcome:
    return Done(_t(ctx, "thanks"))


def help_(ctx: Context) -> Outcome:
    topic = ctx.slots.get("topic")
    if topic is not None and ctx.who.is_staff:
        # "add a staff member", "export customers": work on the server, shown to admins and
        # left to them by everyone else
        return Done(_t(ctx, f"server_{topic}" if ctx.who.role == "admin" else "server_admin_only"))
    return Done(_t(ctx, f"help.{ctx.who.role}"))


def cancel(ctx: Context) -> Outcome:
    if ctx.who.is_staff:
        return Done(_t(ctx, "nothing_to_cancel"))
    # "ยกเลิกการแลกเวิร์กช็อปค่ะ", "ไม่ต้องส่งมาแล้ว ยกเลิกเลย": no question of the bot's waits,
    # and "nothing to cancel" would read as if the redemption or order were gone; staff can
    # cancel those
    return Done(
        _t(ctx, "nothing_to_cancel_customer"),
        choices=(Choice(_t(ctx, "talk_to_staff"), "handoff"),),
    )


def confirm(ctx: Context) -> Outcome:
    if acknowledges(str(ctx.slots.get("_text") or "")):
        # "ค่ะ", "โอเคค่ะ", "👍" with nothing asked: an acknowledgement
        return Done(_t(ctx, "thanks"))
    return Done(_t(ctx, "nothing_to_confirm"))


def out_of_scope(ctx: Context) -> Outcome:
    return Done(_t(ctx, "out_of_scope", help=_t(ctx, f"help.{ctx.who.role}")))


# ---- customers and activities ----------------------------------------------------------------


def customer_lookup(ctx: Context) -> Outcome:
    if ctx.slots.get("request") == "change":
        return _contact_change(ctx)
    if not ctx.who.is_staff:
        # a customer asking about themselves ("ข้อมูลของฉัน"): their own details, no one else's
        own = ctx.who.customer
        assert own is not None
        return Done(_t(ctx, "own_details"), (_profile_card(ctx, own),))
    found = _staff_customer(ctx)
    if not isinstance(found, Customer):
        return found
    if ctx.slots.get("request") == "history":
        return _contacts_of(ctx, found)
    return Done(_t(ctx, "customer_card", name=found.name), (_customer_card(ctx, found),))


def _contacts_of(ctx: Context, customer: Customer) -> Outcome:
    """ "Acme history", "ประวัติการติดต่อ Acme": the latest interactions with the customer,
    when, how, by whom and what was said, newest first."""
    _focus(ctx, customer)
    recent = activities.recent_interactions(ctx.uow, customer, limit=CONTACTS_SHOWN)
    if not recent:
        return Done(_t(ctx, "no_contacts_of", name=customer.name))
    names = {s.id: s.name for s in staff_svc.list_staff(ctx.uow)}
    lines = [
        f"• {_d(i.occurred_at.astimezone(ctx.tz).date(), ctx)} · "
        f"{label('interaction', i.type.value, ctx.lang)}"
        + (f" · {names[i.staff_id]}" if i.staff_id in names else "")
        + (f": {i.note[:NOTE_SHOWN]}" if i.note else "")
        for i in recent
    ]
    header = _t(ctx, "contacts_of", name=customer.name, count=len(recent))
    return Done(header + "\n" + "\n".join(lines))


def _contact_change(ctx: Context) -> Outcome:
    """ "เปลี่ยนเบอร์ Acme เป็น 08…": the named customer's phone or email, read back first; a
    customer on LINE changes their own ("เปลี่ยนเบอร์โทรเป็น 08…")."""
    if ctx.who.is_staff:
        # the customer by name only: the new phone or email is nobody's yet, or someone else's
        by_name = {k: v for k, v in ctx.slots.items() if k not in ("phone", "email", "member_id")}
        found = _staff_customer(replace(ctx, slots=by_name))
        if not isinstance(found, Customer):
            return found
    else:
        assert ctx.who.customer is not None
        found = ctx.who.customer
    given = {field: ctx.slots.get(field) for field in ("phone", "email")}
    answer = str(ctx.slots.get("contact") or "")
    if answer:
        # the answer to "which phone or email?": an email has an @, anything else is a phone
        given["email" if "@" in answer else "phone"] = answer
    if not any(given.values()):
        return Ask("contact", _t(ctx, "ask_new_contact"))
    changes = {
        field: str(value)
        for field, value in given.items()
        if value and str(value) != getattr(found, field)
    }
    if not changes:
        return Done(_t(ctx, "contact_unchanged", name=found.name))
    shown = ", ".join(
        _t(ctx, f"contact_{field}", value=value, was=getattr(found, field) or "-")
        for field, value in changes.items()
    )
    if not ctx.confirmed:
        return Confirm(_t(ctx, "confirm_contact_change", name=found.name, changes=shown))
    try:
        fresh = CustomerInput(
            name=found.name, phone=changes.get("phone"), email=changes.get("email")
        )
        customer_svc.update_customer(ctx.uow, found, fresh, source=ctx.who.ref)
    except DuplicateCustomer as exc:
        if not ctx.who.is_staff:
            # a customer is never told whose it is
            return Done(_t(ctx, "contact_in_use", value=exc.value))
        other = ctx.uow.session.get_one(Customer, exc.existing_id)
        return Done(_t(ctx, "contact_taken", value=exc.value, name=other.name))
    except InvalidValue as exc:
        return Done(_t(ctx, "invalid", reason=str(exc)))
    card = _customer_card(ctx, found) if ctx.who.is_staff else _profile_card(ctx, found)
    return Done(_t(ctx, "contact_changed", name=found.name, changes=shown), (card,), changed=True)


def _profile_card(ctx: Context, c: Customer) -> Card:
    """What a customer sees of their own record: how to reach them and their membership."""
    reach = ((_t(ctx, "f.phone"), c.phone or "-"), (_t(ctx, "f.email"), c.email or "-"))
    return Card("customer", c.name, reach + _membership_card(ctx, c).fields)


def customer_create(ctx: Context) -> Outcome:
    name = ctx.slots.get("customer") or ctx.slots.get("name")
    if not name:
        return Ask("customer", _t(ctx, "ask_new_customer_name"))
    phone = ctx.slots.get("phone")
    if not ctx.confirmed:
        similar = ctx.customers.resolve(str(name))
        if similar.best is not None and similar.score >= 90:
            return Confirm(_t(ctx, "customer_similar", name=name, existing=similar.best.name))
        if _guessed(ctx):
            return Confirm(_t(ctx, "confirm_customer_guess", name=name))
    try:
        created = customer_svc.create_customer(
            ctx.uow,
            CustomerInput(
                name=str(name),
                phone=phone,
                email=ctx.slots.get("email"),
                member_id=ctx.slots.get("member_id"),
                # the parser gives a new customer only a tier as its segment
                tier=ctx.slots.get("segment"),
            ),
            source=ctx.who.ref,
        )
    except DuplicateCustomer as exc:
        existing = ctx.uow.session.get_one(Customer, exc.existing_id)
        return Done(_t(ctx, "customer_duplicate", name=existing.name, field=exc.value))
    except InvalidValue as exc:
        return Done(_t(ctx, "invalid", reason=str(exc)))
    # the engine adds the name to its index once the turn is committed
    ctx.state.setdefault("customers_added", []).append([created.id, created.name])
    _focus(ctx, created)
    return Done(_t(ctx, "customer_created", name=created.name), changed=True)


def log_interaction(ctx: Context) -> Outcome:
    found = _staff_customer(ctx)
    if not isinstance(found, Customer):
        return found
    staff = ctx.who.staff
    if staff is not None and ctx.slots.get("task_id") is not None:
        return _task_done(ctx, staff)  # which of the tasks below was done, as answered
    told_done = _tasks_told_done(ctx, staff, found) if staff is not None else []
    if staff is not None and len(told_done) == 1:
        # "done with the Siam Paper quote": the sender's task for them is done, which they
        # confirm (a note saying "done" may be about something else)
        return _complete_task(ctx, staff, told_done[0], ask=True)
    if told_done:
        return Ask(
            "task_id",
            _t(ctx, "which_task_done"),
            tuple(Choice(_task_choice(ctx, t), str(t.id)) for t in told_done[:TASK_CHOICES]),
        )
    kind = ctx.slots.get("interaction_type") or "note"
    note = ctx.slots.get("note") or ""
    named = label("interaction", kind, ctx.lang)
    # a note is added to the customer ("บันทึกโน้ตของ …"), not logged "with" them
    noted = ".note" if kind == "note" else ""
    when = _happened_on(ctx)
    dated = f" {_t(ctx, 'logged_on', date=_d(when.date(), ctx))}" if when else ""
    if _guessed(ctx):
        return Confirm(
            _t(ctx, f"confirm_log_guess{noted}", kind=named, name=found.name, note=note or "-")
            + dated
        )
    activities.log_interaction(
        ctx.uow,
        found,
        kind,
        str(note),
        staff=ctx.who.staff,
        channel=ctx.slots["_via"],
        occurred_at=when.astimezone(UTC) if when else ctx.now,
    )
    return Done(
        _t(ctx, f"interaction_logged{noted}", kind=named, name=found.name) + dated, changed=True
    )


def _happened_on(ctx: Context) -> datetime | None:
    """When a call or meeting told of happened, if on an earlier day ("called Acme
    yesterday", "ประชุมกับ Lotus Garden เมื่อวันจันทร์"): that day at noon, local time; None for
    today or no day told."""
    told = ctx.slots.get("date")
    if not isinstance(told, date) or isinstance(told, datetime):
        return None
    if told >= ctx.now.astimezone(ctx.tz).date():
        return None
    return datetime.combine(told, time(12), tzinfo=ctx.tz)


def task_create(ctx: Context) -> Outcome:
    staff = ctx.who.staff
    assert staff is not None
    if ctx.slots.get("request") == "done":
        return _task_done(ctx, staff)
    if ctx.slots.get("request") == "move":
        return _task_move(ctx, staff)
    if ctx.slots.get("request") == "drop":
        return _task_drop(ctx, staff)
    title = ctx.slots.get("note") or ctx.slots.get("title")
    if ctx.slots.get("request") == "new" and not title and not ctx.slots.get("customer"):
        # "add a task", "สร้างงานใหม่": what it is, before anything is added
        return Ask("note", _t(ctx, "ask_task_title"))
    if ctx.slots.get("list") or (not title and not ctx.slots.get("customer")):
        return _task_list(ctx, staff)
    handed = _handed_to(ctx)
    if isinstance(handed, Ask):
        return handed
    owner = handed or staff
    title = ctx.slots.get("note") or ctx.slots.get("title")
    if title and ctx.slots.get("_answered") == "note" and not ctx.slots.get("customer"):
        title = ctx.slots["note"] = _customer_in(ctx, str(title))
    if handed is not None and not title and not ctx.slots.get("customer"):
        # "remind Somchai tomorrow": what it is, before it is theirs
        return Ask("note", _t(ctx, "ask_task_title"))
    customer = _customer(ctx, required=False)
    if isinstance(customer, Ask):
        return customer
    if not title:
        # "follow up with Siam Paper on Friday": the customer and the day are the task
        title = _t(ctx, "task_follow_up")
    if isinstance(customer, Done):
        # Not a known customer (a prospect, a place): keep the name in the task's title.
        customer = None
        title = f"{title} {ctx.slots.get('customer', '')}".strip()
    due = ctx.slots.get("due_date") or ctx.slots.get("date")
    at = ctx.slots.get("time")
    if at:
        # "เตือนโทร Acme บ่ายสอง": the time leads the title (a task keeps a day, not an hour),
        # and without a day it is the next such time, today or tomorrow
        title = f"{at} {title}"
        if due is None:
            local = ctx.now.astimezone(ctx.tz)
            due = local.date() + timedelta(days=1 if f"{local:%H:%M}" >= str(at) else 0)
    when = _d(due, ctx) if due else _t(ctx, "no_due_date")
    label = _task_label(str(title), customer)
    # a colleague's task says whose it is, and they are told of it in Slack
    of = "_for" if owner.id != staff.id else ""
    if _guessed(ctx):
        return Confirm(_t(ctx, f"confirm_task_guess{of}", title=label, due=when, name=owner.name))
    activities.create_task(ctx.uow, owner, str(title), due_date=due, customer=customer)
    notify = (
        Notification(
            "slack",
            owner.slack_user_id,
            _t(ctx, "task_handed_notice", by=staff.name, title=label, due=when),
            kind="task_handed",
        ),
    )
    return Done(
        _t(ctx, f"task_created{of}", title=label, due=when, name=owner.name),
        notify=notify if of else (),
        changed=True,
    )


def _handed_to(ctx: Context) -> Staff | Ask | None:
    """The colleague a new task is handed to ("remind Somchai to call Acme", "ฝากณัฐยาส่งใบ
    เสนอราคา", "assign a task to <@U123>: ..."), None when it is the sender's. Their name
    and the words handing it leave the title, and a customer read from their name
    ("Somchai" for the customer Somchai Prasert) gives way to the one named beside it."""
    staff = ctx.who.staff
    assert staff is not None
    member = _named_colleague(ctx)
    if not isinstance(member, Staff):
        return member
    if not colleagues.handed_to(str(ctx.slots.get("_text") or ""), member):
        return None  # "remind me to call Somchai": the sender's task, about them
    title = str(ctx.slots.get("note") or ctx.slots.get("title") or "")
    if _not_a_customer(ctx, member):
        # "remind Somchai to call Siam Paper": the customer is the one named in the rest
        title = _customer_in(ctx, title)
    ctx.slots["note"] = colleagues.without(title, member)
    ctx.slots.pop("title", None)
    return member if member.id != staff.id else None


def _customer_in(ctx: Context, title: str) -> str:
    """The task's title without the known customer it names, who becomes the task's
    customer ("visit Siam Paper" typed as the answer to "what is the task?")."""
    known = ctx.customers.known_mention(title)
    if known is None:
        return title
    mention, best = known
    ctx.slots["customer"], ctx.slots["customer_id"] = best.name, best.id
    return " ".join(f"{title[: mention.start]} {title[mention.end :]}".split())


def _task_list(ctx: Context, staff: Staff) -> Outcome:
    """The sender's open tasks, a colleague's or the team's for a manager ("งานของณัฐยามี
    อะไรบ้าง", "งานที่เลยกำหนดของทีม"); those due by a day when one is told ("งานพรุ่งนี้มี
    อะไรบ้าง", overdue ones included). Counts come from the store; the first ones are shown."""
    team = bool(ctx.slots.get("team"))
    if team and staff.role.value not in SEE_COLLEAGUES:
        return Done(_t(ctx, "colleague_not_allowed"))
    rep = None if team else _rep(ctx)
    if isinstance(rep, Ask | Done):
        return rep
    # a colleague's list says whose it is ("…_of"), the team's so ("…_team"), the sender's
    # says "your"
    of, name = ("_team", "") if team else (("_of", rep.name) if rep else ("", ""))
    owner = None if team else rep or staff
    by = ctx.slots.get("due_date") or ctx.slots.get("date")
    period = ctx.slots.get("period")
    if by is None and period:
        # "งานสัปดาห์นี้", "tasks next week": due by the period's last day
        by = reports.period_days(str(period), ctx.now, str(ctx.tz))[1] - timedelta(days=1)
    if ctx.slots.get("overdue"):
        # "งานที่เลยกำหนด", "overdue tasks": those due before today
        today = ctx.now.astimezone(ctx.tz).date()
        count, shown = activities.task_list(ctx.uow, owner, due_before=today)
        if not count:
            return Done(_t(ctx, f"no_tasks_overdue{of}", name=name))
        header = _t(ctx, f"tasks_overdue{of}", count=count, name=name)
    elif isinstance(by, date):
        count, shown = activities.task_list(ctx.uow, owner, due_by=by)
        if not count:
            return Done(_t(ctx, f"no_tasks_due{of}", day=_d(by, ctx), name=name))
        header = _t(ctx, f"tasks_due_list{of}", count=count, day=_d(by, ctx), name=name)
    else:
        count, shown = activities.task_list(ctx.uow, owner)
        if not count:
            return Done(_t(ctx, f"no_tasks{of}", name=name))
        header = _t(ctx, f"tasks_list{of}", count=count, name=name)
    lines = [
        f"• {_task_label(t.title, t.customer)}"
        + (f" ({_d(t.due_date, ctx)})" if t.due_date else "")
        + (f" · {_first_name(ctx, t.owner)}" if team else "")
        for t in shown
    ]
    if count > len(shown):
        lines.append(_t(ctx, "more_items", count=count - len(shown)))
    return Done(header + "\n" + "\n".join(lines))


def _year_or_quarter_said(ctx: Context, year: object, quarter: object) -> str:
    """A year ("2024", Thai "ปี 2567") or quarter ("Q2 2026", "ไตรมาส 2 ปี 2569") as said to
    the reader, in their era."""
    told = str(quarter or year)
    number = int(told[:4]) + (BE_OFFSET if ctx.lang == "th" else 0)
    if quarter:
        return _t(ctx, "quarter_of", quarter=told[-1], year=number)
    return _t(ctx, "year_of", year=number)


def _first_name(ctx: Context, member: Staff) -> str:
    """What colleagues call someone, in the reader's script when their name has it."""
    names = colleagues.first_names(member)
    thai = [n for n in names if THAI_CHAR.search(n)]
    return (thai[0] if ctx.lang == "th" and thai else names[0]) if names else member.name


# a task's title read as the one meant when the words told score this much (0-100)
TASK_MATCH = 70
TASK_CHOICES = 5


def _task_meant(ctx: Context, staff: Staff, which: str) -> Task | Outcome:
    """The sender's open task a message means: the one chosen, or the only one that the
    customer and the words told fit; else ask `which` ("which_task_done"), offering those
    that fit (or all)."""
    open_tasks = activities.open_tasks(ctx.uow, staff, limit=100)
    chosen = ctx.slots.get("task_id")
    if chosen is not None:
        task = next((t for t in open_tasks if str(t.id) == str(chosen)), None)
        return task if task is not None else Done(_t(ctx, "task_not_open"))
    if not open_tasks:
        return Done(_t(ctx, "no_tasks"))
    fitting = _fitting_tasks(ctx, open_tasks)
    if len(fitting) == 1:
        return fitting[0]
    name = ctx.slots.get("customer")
    ask = f"no_task_for.{which}" if name and not fitting else which
    offered = (fitting or open_tasks)[:TASK_CHOICES]
    return Ask(
        "task_id",
        _t(ctx, ask, name=name or ""),
        tuple(Choice(_task_choice(ctx, t), str(t.id)) for t in offered),
    )


def _task_done(ctx: Context, staff: Staff) -> Outcome:
    """Mark one of the sender's open tasks done (see _task_meant)."""
    task = _task_meant(ctx, staff, "which_task_done")
    return _complete_task(ctx, staff, task) if isinstance(task, Task) else task


def _task_drop(ctx: Context, staff: Staff) -> Outcome:
    """ "delete task visit Lotus Garden", "ยกเลิกงานโทรหา Acme": one of the sender's open tasks
    off the list, always asked first."""
    task = _task_meant(ctx, staff, "which_task_drop")
    if not isinstance(task, Task):
        return task
    named = _task_label(task.title, task.customer)
    if not ctx.confirmed:
        return Confirm(_t(ctx, "confirm_task_drop", title=named))
    activities.complete_task(ctx.uow, task.id, staff, dropped=True)
    return Done(_t(ctx, "task_dropped", title=named), changed=True)


def _task_move(ctx: Context, staff: Staff) -> Outcome:
    """ "เลื่อนงานโทรหา Acme เป็นวันศุกร์": one of the sender's open tasks to the day told,
    after a yes."""
    due = ctx.slots.get("due_date")
    if not isinstance(due, date):
        return Ask("due_date", _t(ctx, "ask_task_move_day"))
    task = _task_meant(ctx, staff, "which_task_move")
    if not isinstance(task, Task):
        return task
    named = _task_label(task.title, task.customer)
    if not ctx.confirmed:
        # the task is found by a customer and a few words: the sender sees which it is first
        return Confirm(_t(ctx, "confirm_task_move", title=named, day=_d(due, ctx)))
    activities.reschedule_task(ctx.uow, task.id, staff, due)
    return Done(_t(ctx, "task_moved", title=named, day=_d(due, ctx)), changed=True)


def _complete_task(ctx: Context, staff: Staff, task: Task, *, ask: bool = False) -> Outcome:
    """Mark the task done, asking first when the message was read weakly (or `ask`)."""
    named = _task_label(task.title, task.customer)
    if not ctx.confirmed and (ask or _guessed(ctx)):
        return Confirm(_t(ctx, "confirm_task_done", title=named))
    activities.complete_task(ctx.uow, task.id, staff)
    return Done(_t(ctx, "task_done", title=named), changed=True)


def _tasks_told_done(ctx: Context, staff: Staff, customer: Customer) -> list[Task]:
    """The sender's open tasks for the customer that a note saying something is done names
    ("done with the Siam Paper quote": "send the quote"); none when the note says nothing
    is done, or names no task of theirs."""
    lexicon = load_lexicon()
    text = str(ctx.slots.get("_text") or "")
    if not lexicon.task_done.scan(default_tokeniser().tokens(fold_text(clean_text(text)))):
        return []
    words = " ".join(lexicon.task_words.sub(" ", str(ctx.slots.get("note") or "")).split())
    if not words:
        return []
    return [
        t
        for t in activities.open_tasks(ctx.uow, staff, limit=100)
        if t.customer_id == customer.id and words_score(words, (t.title,)) >= TASK_MATCH
    ]


def _fitting_tasks(ctx: Context, tasks: list[Task]) -> list[Task]:
    """The tasks a "done" message fits: those of the customer named (linked, or named in the
    title), then those whose title the remaining words match best."""
    cid, name = ctx.slots.get("customer_id"), ctx.slots.get("customer")
    if cid is not None or name:
        folded = str(name or "").casefold()
        tasks = [
            t
            for t in tasks
            if (cid is not None and t.customer_id == int(cid))
            or (folded and folded in t.title.casefold())
        ]
    words = str(ctx.slots.get("note") or "")
    if not words or len(tasks) < 2:
        return tasks
    scores = [words_score(words, (t.title,)) for t in tasks]
    best = max(scores)
    if best < TASK_MATCH:
        return tasks
    return [t for t, score in zip(tasks, scores, strict=True) if score == best]


def _task_choice(ctx: Context, task: Task) -> str:
    """A task as a choice: what, for whom, and when due."""
    due = f" ({_d(task.due_date, ctx)})" if task.due_date else ""
    return _task_label(task.title, task.customer) + due


def _task_label(title: str, customer: Customer | None) -> str:
    """A task as a rep reads it: what to do, and for whom."""
    return f"{title} – {customer.name}" if customer is not None else title


# ---- deals ---------------------------------------------------------------------------------


def _deal_for(ctx: Context, customer: Customer) -> Deal | Outcome:
    staff = ctx.who.staff
    assert staff is not None
    candidates = deals.list_deals(ctx.uow, deals.DealFilter(customer=customer), limit=10)
    held = _in_focus(ctx)
    picked = ctx.slots.get("deal_id")
    if picked is None and held is not None and held.get("customer_id") == customer.id:
        picked = held.get("deal_id")  # "move it to proposal": the deal just talked about
    if picked:
        chosen = [d for d in candidates if str(d.id) == str(picked)]
        candidates = chosen or candidates
    if not candidates:
        return Done(_t(ctx, "no_open_deal", name=customer.name))
    if staff.role.value == "sales":
        own = [d for d in candidates if d.owner_id == staff.id]
        if not own:
            return Done(_t(ctx, "not_your_deal", name=customer.name))
        candidates = own
    said = fold_text(str(ctx.slots.get("_text") or ""))
    titled = [d for d in candidates if _title_said(d, customer, said)]
    if len(candidates) > 1 and len(titled) == 1:
        candidates = titled  # "ดีล Lotus Garden ชั้นวางสแตนเลส ขยับเป็น qualified": that one
    if len(candidates) > 1:
        return Ask(
            "deal_id",
            _t(ctx, "which_deal"),
            tuple(Choice(f"{d.title} {money(d.amount)}", str(d.id)) for d in candidates[:5]),
        )
    _focus(ctx, customer, candidates[0])
    return candidates[0]


# a deal's own words (its title without the customer's name) this long name it in a message
TITLE_SAID = 4


def _title_said(deal: Deal, customer: Customer, said: str) -> bool:
    """The message holds the deal's own title ("ชั้นวางสแตนเลส", "steel shelving for the
    kitchen" of "Lotus Garden – steel shelving for the kitchen")."""
    own = fold_text(deal.title).replace(fold_text(customer.name), " ").strip(" –-:,")
    return len(own) >= TITLE_SAID and own in said


def deal_update(ctx: Context) -> Outcome:
    to = _new_owner(ctx) if ctx.slots.get("assign") else None
    if isinstance(to, Ask | Done):
        return to
    if ctx.slots.get("assign") and to is None:
        # "give the Acme deal to Jane": no colleague of that name; no stage to ask for
        return Done(_t(ctx, "deal_hand_whom"))
    found = _staff_customer(ctx)
    if not isinstance(found, Customer):
        return found
    deal = _deal_for(ctx, found)
    if not isinstance(deal, Deal):
        return deal
    if to is not None:
        return _hand_deal(ctx, deal, found, to)
    stage = ctx.slots.get("stage")
    amount = ctx.slots.get("amount")
    change = ctx.slots.get("amount_change")
    if amount is None and change is not None:
        # "increase the Acme deal by 20k": the new value is the deal's plus the change
        amount = deal.amount + change
        if amount < 0:
            return Done(_t(ctx, "deal_below_zero", amount=money(deal.amount)))
    close = ctx.slots.get("close_date") or ctx.slots.get("date")
    # why it was won or lost ("went with a competitor"): kept with the move
    moves = stage in ("won", "lost") and stage != deal.stage.value
    reason = str(ctx.slots.get("reason") or "") if moves else ""
    if stage is None and amount is None and close is None:
        # "ดีล Acme ตอนนี้อยู่ขั้นไหน" asks where the deal is: say so, then offer to move it
        where = _t(ctx, "deal_where", **_deal_state(ctx, deal, found))
        return Ask("stage", f"{where}\n{_t(ctx, 'ask_stage')}", _stage_choices(ctx))
    if stage == "won" and amount is None and deal.amount == 0:
        return Ask("amount", _t(ctx, "ask_amount"))
    new_amount = Decimal(str(amount)) if amount is not None else deal.amount
    if not ctx.confirmed:
        key = "confirm_deal_won" if stage == "won" else "confirm_deal_update"
        if stage is None or stage == deal.stage.value:
            key = "confirm_deal_edit"  # no move: only the amount or the close date changes
        return Confirm(
            _t(
                ctx,
                key,
                name=found.name,
                title=deal.title,
                stage=label("stage", str(stage or deal.stage.value), ctx.lang),
                amount=money(new_amount),
                was=_was_part(ctx, deal.amount, new_amount),
                close=_close_part(ctx, close),
                why=_why_part(ctx, reason),
            )
        )
    if moves and close is None:
        close = ctx.now.astimezone(ctx.tz).date()  # closed today: no longer expected later
    deals.update_deal(
        ctx.uow, deal, stage=stage, amount=amount, close_date=close, reason=reason or None
    )
    notify: tuple[Notification, ...] = ()
    if stage == "won" and ctx.manager_channel:
        notify = (
            Notification(
                "slack",
                ctx.manager_channel,
                kind="deal_won",
                text=say(
                    "deal_won_notice",
                    "en",
                    name=found.name,
                    amount=money(new_amount),
                    owner=ctx.who.staff.name if ctx.who.staff else "",
                ),
            ),
        )
    return Done(
        _t(ctx, "deal_updated", **_deal_state(ctx, deal, found)),
        notify=notify,
        changed=True,
    )


def _new_owner(ctx: Context) -> Staff | Ask | Done | None:
    """The colleague a deal is handed to ("give the Acme deal to Nattaya", "โอนดีล Acme
    ให้ณัฐยา"): the one mentioned or named after the handing word (not whose deal it was in
    "give Nattaya's Korat deal to Somchai"), not the customer read from their name; None when
    the words hand it to no one named."""
    named = str(ctx.slots.get("assignee") or "")
    member = _colleague(ctx) if named else _named_colleague(ctx)
    said = named.split()
    if isinstance(member, Ask | Done) and len(said) > 1 and said[1].lower() not in NAME_JOINERS:
        # more words than the name after it ("to Nattaya since I am on leave"): its first;
        # two names joined are asked about ("to Somchai or Narin")
        first = said[0]
        member = _colleague(replace(ctx, slots={**ctx.slots, "assignee": first}))
    if isinstance(member, Staff):
        _not_a_customer(ctx, member)
    return member


def _hand_deal(ctx: Context, deal: Deal, customer: Customer, to: Staff) -> Outcome:
    """The deal becomes `to`'s after a yes (undoable); they are told in Slack."""
    staff = ctx.who.staff
    assert staff is not None
    if deal.owner_id == to.id:
        return Done(_t(ctx, "deal_owned_already", title=deal.title, owner=to.name))
    if not allowed(to.role.value, "deal_update"):
        return Done(_t(ctx, "deal_owner_role", owner=to.name))
    if not ctx.confirmed:
        return Confirm(
            _t(ctx, "confirm_deal_hand", title=deal.title, name=customer.name, owner=to.name)
        )
    before = deal.owner
    deals.update_deal(ctx.uow, deal, owner=to)
    # the new owner and the one it was taken from are told, unless they handed it themselves
    notify = tuple(
        Notification(
            "slack",
            member.slack_user_id,
            _t(
                ctx,
                key,
                by=staff.name,
                title=deal.title,
                name=customer.name,
                amount=money(deal.amount),
                owner=to.name,
            ),
            kind="deal_handed",
        )
        for member, key in ((to, "deal_handed_notice"), (before, "deal_taken_notice"))
        if member is not None and member.id != staff.id
    )
    return Done(
        _t(ctx, "deal_handed", title=deal.title, name=customer.name, owner=to.name),
        notify=notify,
        changed=True,
    )


def _deal_state(ctx: Context, deal: Deal, customer: Customer) -> dict[str, str]:
    """Where a deal stands, as the fields of the deal replies: title, customer name, stage,
    amount and the close date still expected (none once the deal is won or lost)."""
    settled = deal.stage in (Stage.WON, Stage.LOST)
    return {
        "title": deal.title,
        "name": customer.name,
        "stage": label("stage", deal.stage.value, ctx.lang),
        "amount": money(deal.amount),
        "close": _close_part(ctx, None if settled else deal.close_date),
        "why": _why_part(ctx, deals.stage_reason(deal) if settled else None),
    }


def _part(ctx: Context, key: str, **fields: str) -> str:
    """A part of a sentence from the reply templates; its leading space stays (say() trims
    whole replies)."""
    return templates(ctx.lang)[key].format(**fields)


def _close_part(ctx: Context, close: date | None) -> str:
    """ " กำหนดปิด 30 พ.ย. 2569" / ", closing 30 Nov 2026", or nothing without a date."""
    return _part(ctx, "deal_close_part", date=_d(close, ctx)) if close else ""


def _why_part(ctx: Context, reason: str | None) -> str:
    """ " (เหตุผล: went with a competitor)" / " (reason: …)", or nothing when none was told."""
    return _part(ctx, "deal_why_part", reason=reason) if reason else ""


def _was_part(ctx: Context, old: Decimal, new: Decimal) -> str:
    """ " (เดิม ฿80,000)" / " (was ฿80,000)" when an update replaces a set amount, else nothing."""
    if old == new or old == 0:
        return ""
    return _part(ctx, "deal_was_part", amount=money(old))


def _stage_choices(ctx: Context) -> tuple[Choice, ...]:
    return tuple(Choice(label("stage", s.value, ctx.lang), s.value) for s in Stage)


def _prospect(ctx: Context) -> str | None:
    """The name of a customer to add with a new deal ("new deal Bangkok Bikes 50k"): the
    mention no known customer answers to. A name close to a known one was resolved to it
    already; the confirmation says the customer is new, so a stray name can be refused."""
    mention = str(ctx.slots.get("customer") or "").strip()
    return mention if mention and not ctx.slots.get("customer_id") else None


def deal_create(ctx: Context) -> Outcome:
    found = _staff_customer(ctx)
    prospect = None
    if not isinstance(found, Customer):
        # not found by name: a prospect to add with the deal; a question stands as asked
        prospect = _prospect(ctx) if isinstance(found, Done) else None
        if prospect is None:
            return found
    amount = ctx.slots.get("amount")
    if amount is None:
        return Ask("amount", _t(ctx, "ask_amount"))
    stage = ctx.slots.get("stage") or "lead"
    named = ctx.slots.get("note") or ctx.slots.get("title")
    name = prospect or (found.name if isinstance(found, Customer) else "")
    title = str(named or name)
    close = ctx.slots.get("close_date") or ctx.slots.get("date")
    # the deal's own title and close date are read back: both are stored as written
    parts = {
        "title": _part(ctx, "deal_title_part", title=str(named)) if named else "",
        "close": _close_part(ctx, close),
    }
    if not ctx.confirmed:
        return Confirm(
            _t(
                ctx,
                "confirm_deal_new_customer" if prospect else "confirm_deal_create",
                name=name,
                amount=money(Decimal(str(amount))),
                stage=label("stage", stage, ctx.lang),
                **parts,
            )
        )
    added = ""
    if prospect is not None:
        # a prospect is added with its first deal, in the same transaction
        found = customer_svc.create_customer(
            ctx.uow, CustomerInput(name=prospect), source=ctx.who.ref
        )
        ctx.uow.session.flush()
        ctx.state.setdefault("customers_added", []).append([found.id, found.name])
        added = _t(ctx, "customer_created", name=found.name) + "\n"
    assert isinstance(found, Customer)
    deal = deals.create_deal(
        ctx.uow,
        found,
        title,
        owner=ctx.who.staff,
        amount=Decimal(str(amount)),
        stage=stage,
        close_date=close,
    )
    _focus(ctx, found, deal)
    return Done(
        added
        + _t(
            ctx,
            "deal_created",
            name=found.name,
            amount=money(deal.amount),
            stage=label("stage", deal.stage.value, ctx.lang),
            **parts,
        ),
        changed=True,
    )


def deal_list(ctx: Context) -> Outcome:
    staff = ctx.who.staff
    assert staff is not None
    rep = _rep(ctx)
    if isinstance(rep, Ask | Done):
        return rep
    customer = _customer(ctx, required=False)
    if isinstance(customer, Ask | Done):
        return customer
    owner = rep or (staff if staff.role.value == "sales" else None)
    # "Somchai's deals": whose they are, above what is said of them
    whose = _t(ctx, "deals_of", name=rep.name) + "\n" if rep else ""
    stage = Stage(str(ctx.slots["stage"])) if ctx.slots.get("stage") else None
    period = ctx.slots.get("period")
    reached = closing = None
    if period and stage in (Stage.WON, Stage.LOST):
        # "deals we won this month": the deals that reached the stage within the period
        reached = reports.period_range(str(period), ctx.now, tz=str(ctx.tz))
    elif period:
        # "ดีลที่จะปิดเดือนหน้า": the open deals expected to close within the period
        closing = reports.period_days(str(period), ctx.now, tz=str(ctx.tz))
    stale = _stale_since(ctx) if ctx.slots.get("stale") else None
    wanted = deals.DealFilter(
        owner=owner,
        customer=customer,
        stage=stage,
        reached=reached,
        closing=closing,
        still_since=stale[0] if stale else None,
    )
    top = ctx.slots.get("top")
    shown = min(int(str(top)), DEAL_LIST) if top else DEAL_LIST
    rows = deals.list_deals(ctx.uow, wanted, largest_first=bool(top), limit=shown)
    named = label("stage", stage.value, ctx.lang) if stage else ""
    when = _period(ctx, str(period)) if period else ""
    # "ดีลที่หลุดเดือนนี้": the deals that reached the stage in the period, said so
    within = "_in" if reached else ""
    if not rows:
        if stale:
            at = "_at" if stage else ""
            return Done(whose + _t(ctx, f"no_deals_stale{at}", span=stale[1], stage=named))
        if closing:
            return Done(whose + _t(ctx, "no_deals_closing", period=when))
        if stage:
            return Done(whose + _t(ctx, f"no_deals_at_stage{within}", stage=named, period=when))
        return Done(whose + _t(ctx, "no_deals"))
    count, total = deals.deal_totals(ctx.uow, wanted)
    lines = [
        f"• {d.customer.name}: {d.title} {money(d.amount)} "
        f"({_listed_state(ctx, d, stale, dated=closing is not None)})"
        for d in rows
    ]
    if stale:
        key = "deals_stale"
    else:
        key = "deals_closing" if closing else f"deals_at_stage{within}" if stage else "deals_list"
    header = _t(
        ctx,
        key,
        count=count,
        total=money(total),
        stage=named,
        period=when,
        span=stale[1] if stale else "",
    )
    if top and count > len(rows):
        header += "\n" + _t(ctx, "deals_largest", count=len(rows))
    elif count > len(rows):
        lines.append(_t(ctx, "more_items", count=count - len(rows)))
    return Done(whose + header + "\n" + "\n".join(lines))


# deals listed at most; those in one stage this long (days) are stuck when no time is told
DEAL_LIST = 15
STALE_DAYS = 14


def _stale_since(ctx: Context) -> tuple[datetime, str]:
    """Since when a stuck deal has not changed stage ("ดีลที่ไม่ขยับเกิน 30 วัน": 30 days ago;
    "stuck deals": STALE_DAYS), and that time as said."""
    told = ctx.slots.get("stale_days")
    days = int(str(told)) if told else STALE_DAYS
    return ctx.now - timedelta(days=days), _t(ctx, "stale_days", count=days)


def _listed_state(
    ctx: Context, deal: Deal, stale: tuple[datetime, str] | None, *, dated: bool
) -> str:
    """A deal's stage as listed, with how long it has been there when stuck deals are asked
    for, or its expected close date when `dated` and it has one; a won or lost deal's with
    why, when that was told."""
    state = label("stage", deal.stage.value, ctx.lang)
    reason = deals.stage_reason(deal) if deal.stage in (Stage.WON, Stage.LOST) else None
    if reason:
        return f"{state}, {reason}"
    if stale:
        days = (ctx.now - deals.stage_entered(deal)).days
        return state + ", " + _t(ctx, "days_in_stage", count=days)
    if dated and deal.close_date:
        return state + f", {_d(deal.close_date, ctx)}"
    return state


# ---- orders and tickets ----------------------------------------------------------------------


def order_status(ctx: Context) -> Outcome:
    own = None if ctx.who.is_staff else ctx.who.customer
    number = ctx.slots.get("order_id")
    if number is None and ctx.who.is_staff and ctx.slots.get("customer"):
        # "ออเดอร์ของ Siam Paper ล่าสุด": that customer's latest orders
        return _orders_of(ctx)
    if number is None and own is not None and ctx.slots.get("list"):
        # "ออเดอร์ของหนูมีอะไรบ้าง": a customer's own recent orders
        return _orders_of(ctx)
    if number is None:
        if own is None:
            return Ask("order_id", _t(ctx, "ask_order_id"))
        latest = orders.latest_order(ctx.uow, own)
        if latest is None:
            return Done(_t(ctx, "no_orders"))
        number = latest.number
    try:
        order = orders.get_order(ctx.uow, str(number), customer=own)
    except (OrderNotFound, InvalidValue):
        return Done(_t(ctx, "order_not_found", number=number))
    _focus_on_owner(ctx, order.customer)
    text = _t(
        ctx,
        "order_status",
        number=order.number,
        status=label("order", order.status.value, ctx.lang),
    )
    if ctx.slots.get("request") == "change":
        # "ยกเลิกออเดอร์ ORD-3003 ได้ไหม": the status, and who can cancel or change it
        text += "\n" + _t(ctx, "order_change_by_staff")
    return Done(text, (_order_card(ctx, order),))


def _orders_of(ctx: Context) -> Outcome:
    found = _staff_customer(ctx)
    if not isinstance(found, Customer):
        return found
    own = "" if ctx.who.is_staff else "_own"  # a customer reads of their own orders
    period = ctx.slots.get("period")
    if period:
        # "what did I order last month": the orders placed within the period, more of them
        within = reports.period_range(str(period), ctx.now, tz=str(ctx.tz))
        recent = orders.recent_orders(ctx.uow, found, limit=HISTORY_IN_PERIOD, within=within)
        when = _period(ctx, str(period))
        if not recent:
            return Done(_t(ctx, f"no_orders_of{own}_in", name=found.name, period=when))
        # how many, and what was spent: the orders kept, not those cancelled or returned
        count, kept = orders.spent_within(ctx.uow, found, within)
        header = _t(
            ctx, f"orders_of{own}_in", name=found.name, count=count, period=when, total=money(kept)
        )
        if count > len(recent):
            header += "\n" + _t(ctx, "orders_latest", count=len(recent))
    else:
        recent = orders.recent_orders(ctx.uow, found)
        if not recent:
            return Done(_t(ctx, "no_orders") if own else _t(ctx, "no_orders_of", name=found.name))
        header = _t(ctx, f"orders_of{own}", name=found.name, count=len(recent))
    lines = [
        f"• {o.number} {money(o.total)} · {label('order', o.status.value, ctx.lang)}"
        f" · {_d(o.placed_at.astimezone(ctx.tz).date(), ctx)}"
        for o in recent
    ]
    return Done(header + "\n" + "\n".join(lines), (_order_card(ctx, recent[0]),))


def order_update(ctx: Context) -> Outcome:
    """Staff move an order to a new status (the Slack order card's menu); the customer is told."""
    number = ctx.slots.get("order_id")
    if number is None:
        return Ask("order_id", _t(ctx, "ask_order_id"))
    try:
        order = orders.get_order(ctx.uow, str(number))
        state = orders.order_status(str(ctx.slots.get("order_state") or ""))
    except (OrderNotFound, InvalidValue):
        return Done(_t(ctx, "order_not_found", number=number))
    orders.change_order_status(
        ctx.uow,
        order,
        state,
        carrier=ctx.slots.get("carrier"),
        tracking_number=ctx.slots.get("tracking_number"),
    )
    status = label("order", order.status.value, ctx.lang)
    return Done(
        _t(ctx, "order_updated", number=order.number, status=status),
        (_order_card(ctx, order),),
        changed=True,
    )


def ticket_create(ctx: Context) -> Outcome:
    customer: Customer | None
    if ctx.who.is_staff:
        found = _customer(ctx, required=False)
        if isinstance(found, Ask | Done):
            return found
        customer = found
    else:
        customer = ctx.who.customer
        if customer is not None and _order_not_theirs(ctx, customer):
            return Done(_t(ctx, "order_not_yours", number=ctx.slots["order_id"]))
    description = str(ctx.slots.get("description") or ctx.slots.get("note") or "").strip()
    if not description:
        return Ask("description", _t(ctx, "ask_problem"))
    if not ctx.who.is_staff and customer is not None:
        follow_up = _follow_up(ctx, customer, description)
        if follow_up is not None:
            return follow_up
    order = ctx.slots.get("order_id")
    if order and str(order) not in description:
        # the order the problem is about stays with the ticket ("ของแตก 2 ใบ (ORD-3003)")
        description = f"{description} ({order})"
    subject = str(ctx.slots.get("subject") or description.split("\n")[0][:80])
    priority = str(ctx.slots.get("priority") or "normal")
    if not ctx.who.is_staff and _guessed(ctx):
        # read as a problem report only weakly: ask before a ticket lands in the queue
        return Confirm(_t(ctx, "confirm_ticket_unsure", subject=subject))
    if ctx.who.is_staff and "_text" in ctx.slots and not ctx.confirmed:
        # a sentence from staff is read back first (the ticket form is taken as filled in)
        return Confirm(
            _t(
                ctx,
                "confirm_ticket_create",
                subject=subject,
                name=customer.name if customer else _t(ctx, "no_customer"),
                priority=label("priority", priority, ctx.lang),
            )
        )
    ticket = tickets.create_ticket(
        ctx.uow,
        subject,
        customer=customer,
        description=description,
        priority=priority,
        channel=ctx.slots["_via"],
        assignee=None,
    )
    notify: tuple[Notification, ...] = ()
    if not ctx.who.is_staff and ctx.support_channel:
        notify = (
            Notification(
                "slack",
                ctx.support_channel,
                say(
                    "ticket_new_notice",
                    "en",
                    number=ticket.number,
                    name=customer.name if customer else "-",
                    subject=subject,
                ),
                _support_card(ticket, customer, ctx),
                kind="ticket_new",
                ref=ticket.number,
            ),
        )
    return Done(
        _t(ctx, "ticket_opened" if ctx.who.is_staff else "ticket_created", number=ticket.number),
        (_ticket_card(ctx, ticket),),
        notify=notify,
        changed=True,
    )


def _order_not_theirs(ctx: Context, customer: Customer) -> bool:
    """A customer's problem report names an order that is none of theirs: another
    customer's or nobody's, alike (which of the two is not for them to learn)."""
    number = ctx.slots.get("order_id")
    if not number:
        return False
    try:
        orders.get_order(ctx.uow, str(number), customer=customer)
    except (OrderNotFound, InvalidValue):
        return True
    return False


# a customer's ticket still open and touched this recently: more said may be about it
FOLLOW_UP_WINDOW = timedelta(days=7)


def _ticket_to_follow(ctx: Context, customer: Customer) -> Ticket | None:
    """The open ticket more said may be about, touched within FOLLOW_UP_WINDOW: the latest
    one, or with an order named the latest one about that order (a problem with another
    order is a ticket of its own)."""
    order = ctx.slots.get("order_id")
    if order:
        open_t = tickets.open_tickets_about(ctx.uow, customer, str(order))
    else:
        open_t = tickets.open_tickets(ctx.uow, customer, limit=1)
    latest = next(iter(open_t), None)
    if latest is None or latest.updated_at < utcnow() - FOLLOW_UP_WINDOW:
        return None
    return latest


def _follow_up(ctx: Context, customer: Customer, description: str) -> Outcome | None:
    """A customer with a ticket still open that was touched lately ("ส่งรูปไปแล้วนะคะ", "แต่
    แก้วยังไม่ได้เปลี่ยนเลย" after reporting a broken mug, "ORD-3003 ของแตก" a second time) is
    asked whether it is about that one; about it, what they said is added to it (and support
    told), not a second ticket. None when there is no such ticket or a new one is asked for."""
    chosen = ctx.slots.get("ticket_choice")
    if chosen == ticket_choice.NEW:
        return None
    latest = _ticket_to_follow(ctx, customer)
    if latest is None:
        return None
    if chosen != latest.number:
        return Ask(
            "ticket_choice",
            _t(ctx, "ask_same_ticket", number=latest.number, subject=latest.subject),
            (
                Choice(_t(ctx, "same_ticket", number=latest.number), latest.number),
                Choice(_t(ctx, "new_ticket"), ticket_choice.NEW),
            ),
        )
    tickets.add_note(ctx.uow, latest, _t(ctx, "customer_added", text=description), author=None)
    notify: tuple[Notification, ...] = ()
    if ctx.support_channel:
        notify = (
            Notification(
                "slack",
                ctx.support_channel,
                say("ticket_followup_notice", "en", number=latest.number, text=description),
                kind="ticket_followup",
                ref=latest.number,
            ),
        )
    return Done(_t(ctx, "ticket_followup_added", number=latest.number), notify=notify, changed=True)


def ticket_chosen(uow: UnitOfWork, options: list[list[str]], text: str) -> str | None:
    """The choice a typed answer to "is this about TCK-2001, or something new?" makes by its
    words ("เรื่องเดิมค่ะ", "the old one", "อีกเรื่อง", the ticket's number or words of its
    subject): the ticket's number or NEW; None when the words tell neither."""
    number = next((value for value, _ in options if value != ticket_choice.NEW), None)
    if number is None:
        return None
    if number.casefold() in fold_text(text):
        return number
    try:
        subject = tickets.get_ticket(uow, number).subject
    except (TicketNotFound, InvalidValue):
        subject = ""
    meant = ticket_choice.meant(text, subject)
    return number if meant == ticket_choice.SAME else meant


def _support_card(ticket: Ticket, customer: Customer | None, ctx: Context) -> Card:
    """The ticket card for the support channel, with who the customer is."""
    card = ticket_card(ticket, "en", ctx.tz, staff=True)
    if customer is None:
        return card
    about = [
        (say("f.tier", "en"), label("tier", customer.tier.value, "en")),
        (say("f.member", "en"), customer.member_id or "-"),
        (say("f.phone", "en"), customer.phone or "-"),
        (say("f.points", "en"), f"{loyalty.balance(ctx.uow, customer.id):,}"),
    ]
    # right after the customer's name, which a staff card opens with
    whose, rest = card.fields[:1], card.fields[1:]
    return Card(card.kind, card.title, (*whose, *about, *rest))


def ticket_status(ctx: Context) -> Outcome:
    own = None if ctx.who.is_staff else ctx.who.customer
    number = ctx.slots.get("ticket_id")
    if number is None:
        if own is None:
            return _ticket_queue(ctx)
        open_t = tickets.open_tickets(ctx.uow, own)
        if not open_t:
            return Done(_t(ctx, "no_open_tickets"))
        return Done(
            _t(ctx, "open_tickets", count=len(open_t)),
            tuple(_ticket_card(ctx, t) for t in open_t[:3]),
        )
    try:
        ticket = tickets.get_ticket(ctx.uow, str(number), customer=own)
    except (TicketNotFound, InvalidValue):
        return Done(_t(ctx, "ticket_not_found", number=number))
    _focus_on_owner(ctx, ticket.customer)
    return Done(
        _t(
            ctx,
            "ticket_status",
            number=ticket.number,
            status=label("ticket", ticket.status.value, ctx.lang),
        ),
        (_ticket_card(ctx, ticket),),
    )


def _ticket_queue(ctx: Context) -> Outcome:
    """Staff asking about tickets without a number: a named customer's open tickets, else the
    open tickets due first ("ticket ที่ยังเปิดอยู่มีอะไรบ้าง"), or a colleague's ("เคสของพิมพ์")."""
    rep = _rep(ctx, shared=True)
    if isinstance(rep, Ask | Done):
        return rep
    customer = _customer(ctx, required=False)
    if isinstance(customer, Ask | Done):
        return customer
    query = str(ctx.slots.get("query") or "")
    if query:
        return _tickets_found(ctx, query, customer)
    mine = bool(ctx.slots.get("mine"))
    if customer is not None:
        rows = tickets.open_tickets(ctx.uow, customer)
        if not rows:
            return Done(_t(ctx, "queue_of_empty", name=customer.name))
        header = _t(ctx, "queue_of", name=customer.name, count=len(rows))
    else:
        # "my tickets": those assigned to the sender; "urgent tickets": of that priority;
        # "overdue tickets": past their due time
        priority = ctx.slots.get("priority")
        overdue = bool(ctx.slots.get("overdue"))
        assignee = rep or (ctx.who.staff if mine else None)
        # "unassigned tickets": nobody's; "pending tickets": waiting on the customer
        unassigned = assignee is None and bool(ctx.slots.get("unassigned"))
        # (past their due time, whatever they wait for)
        pending = ctx.slots.get("status") == "pending" and not overdue
        count, rows = tickets.queue(
            ctx.uow,
            assignee=assignee,
            priority=priority,
            due_before=ctx.now if overdue else None,
            unassigned=unassigned,
            status="pending" if pending else None,
        )
        level = label("priority", str(priority), ctx.lang) if priority else ""
        name = rep.name if rep else ""
        if overdue:
            key = "queue_overdue_rep" if rep else "queue_overdue"
            key += "_unassigned" if unassigned else ""
        elif unassigned:
            key = "queue_unassigned"
        elif pending:
            key = "queue_pending_rep" if rep else "queue_pending_mine" if mine else "queue_pending"
        elif rep:
            key = "queue_rep"
        elif mine:
            key = "queue_mine"
        else:
            key = "queue_priority" if priority else "queue"
        if unassigned or pending:
            # "unassigned urgent tickets": the priority named before the noun
            level += " " if level and ctx.lang == "en" else ""
        header = _t(ctx, key, count=count, priority=level, name=name)
        if not rows:
            return Done(_t(ctx, f"{key}_empty", priority=level, name=name))
    if not rows:
        return Done(_t(ctx, "queue_empty"))
    lines = [
        f"• {t.number} {t.subject[:60]} ({label('priority', t.priority.value, ctx.lang)}, "
        f"{_t(ctx, 'overdue' if t.sla_due_at < ctx.now else 'due')} "
        f"{moment(t.sla_due_at.astimezone(ctx.tz), ctx.lang)})"
        for t in rows
    ]
    return Done(header + "\n" + "\n".join(lines))


def _tickets_found(ctx: Context, query: str, customer: Customer | None) -> Outcome:
    """ "tickets about late delivery", "ค้นหาเคส ใบกำกับภาษี": the tickets, open or not (of the
    customer named), whose subject, description or notes hold every word, newest first."""
    words = [w for w in default_tokeniser().tokens(fold_text(query)) if w.strip()]
    count, rows = tickets.search(ctx.uow, words, customer=customer, limit=TICKETS_FOUND)
    if not rows:
        return Done(_t(ctx, "tickets_found_none", query=query))
    lines = [
        f"• {t.number} {t.subject[:60]} ({label('ticket', t.status.value, ctx.lang)}"
        + (f", {t.customer.name}" if t.customer is not None else "")
        + f", {_d(t.created_at.astimezone(ctx.tz).date(), ctx)})"
        for t in rows
    ]
    more = [_t(ctx, "more_items", count=count - len(rows))] if count > len(rows) else []
    return Done("\n".join([_t(ctx, "tickets_found", query=query, count=count), *lines, *more]))


# tickets listed for a search at most
TICKETS_FOUND = 10


def ticket_update(ctx: Context) -> Outcome:
    number = ctx.slots.get("ticket_id")
    if number is None:
        return Ask("ticket_id", _t(ctx, "ask_ticket_id"))
    try:
        ticket = tickets.get_ticket(ctx.uow, str(number))
    except (TicketNotFound, InvalidValue):
        return Done(_t(ctx, "ticket_not_found", number=number))
    _focus_on_owner(ctx, ticket.customer)
    status = ctx.slots.get("status")
    priority = ctx.slots.get("priority")
    note = str(ctx.slots.get("note") or "").strip()
    told = status is not None or priority is not None
    # the sender takes it when they say so ("รับเรื่อง TCK-2001", the Assign button), when the
    # message changes nothing else, or when they remark on a ticket nobody has yet; a remark on
    # a colleague's ticket leaves it theirs ("TCK-2002 ลูกค้าโทรมาตามอีกรอบ")
    assign = bool(ctx.slots.get("assign")) or (
        not told and (not note or ticket.assignee_id is None)
    )
    assignee = ctx.who.staff if assign else None
    # a colleague named or mentioned takes it, when taking it is asked ("TCK-2002 ส่งต่อให้
    # Somchai"), not when a status is given with thanks to someone
    handed = _colleague(ctx) if assign or ctx.slots.get("assignee") else None
    if isinstance(handed, Ask | Done):
        return handed
    if handed is not None:
        assignee = handed  # "TCK-2002 ส่งต่อให้ Somchai": to them, not to the sender
    staff = ctx.who.staff
    if ctx.who.role == "sales" and staff is not None:
        # a rep works the tickets handed to them (a note, a status, a priority), and takes or
        # hands on none: that is support's
        if ticket.assignee_id != staff.id:
            return Done(_t(ctx, "ticket_not_yours", number=ticket.number))
        if assignee is not None and assignee.id != staff.id:
            return Done(_t(ctx, "ticket_hand_support", number=ticket.number))
        assignee = None
    if _guessed(ctx):
        changes = [label("ticket", str(status), ctx.lang)] if status else []
        if priority:
            level = label("priority", str(priority), ctx.lang)
            changes.append(_t(ctx, "priority_change", priority=level))
        if assignee is not None:
            changes.append(_t(ctx, "assign_change", assignee=assignee.name))
        if note:
            changes.append(_t(ctx, "note_change", note=_clip(note, NOTE_SHOWN)))
        joined = ", ".join(changes)
        return Confirm(_t(ctx, "confirm_ticket_update_guess", number=ticket.number, changes=joined))
    taken = assignee is not None and assignee.id != ticket.assignee_id
    tickets.update_ticket(ctx.uow, ticket, status=status, priority=priority, assignee=assignee)
    if note:
        tickets.add_note(ctx.uow, ticket, note, author=ctx.who.staff)
    if note and not told and not taken:
        text = _t(ctx, "ticket_note_added", number=ticket.number)
    else:
        text = _t(
            ctx,
            "ticket_updated",
            number=ticket.number,
            status=label("ticket", ticket.status.value, ctx.lang),
            priority=label("priority", ticket.priority.value, ctx.lang),
            assignee=ticket.assignee.name if ticket.assignee else _t(ctx, "nobody_yet"),
        )
        if note:
            text += " " + _t(ctx, "ticket_note_too")
    return Done(text, (_ticket_card(ctx, ticket),), changed=True)


# a colleague's name as written scores this much against theirs (0-100)
COLLEAGUE_MATCH = 90


def _colleague(ctx: Context) -> Staff | Ask | Done | None:
    """The active colleague a ticket is handed to: mentioned in Slack, or named ("ส่งต่อให้
    Somchai"); None when the message hands it to no one; asks which when several fit."""
    mentioned = set(SLACK_MENTION.findall(str(ctx.slots.get("_text") or "")))
    named = str(ctx.slots.get("assignee") or "")
    if not mentioned and not named:
        return None
    team = [s for s in staff_svc.list_staff(ctx.uow) if s.active]
    # only colleagues count: the bot's own mention, or a guest's, hands nothing
    fits = [s for s in team if s.slack_user_id in mentioned]
    if not fits and named:
        scores = {s.id: words_score(named, (s.name,)) for s in team}
        best = max(scores.values(), default=0)
        fits = [s for s in team if scores[s.id] == best and best >= COLLEAGUE_MATCH]
    elif not fits:
        return None
    if len(fits) == 1:
        return fits[0]
    if not fits:
        return Done(_t(ctx, "colleague_not_found", name=named))
    return Ask("assignee", _t(ctx, "which_colleague"), tuple(Choice(s.name, s.name) for s in fits))


# ---- loyalty -------------------------------------------------------------------------------


def _points_account(ctx: Context) -> Customer | Outcome:
    """Whose points a request is about: the customer named, for staff; a customer's own, and
    only their own (one naming someone else is told so, and nothing else is done)."""
    me = ctx.who.customer
    if (
        me is not None
        and not ctx.who.is_staff
        and own_account.names_someone_else(me, ctx.slots, ctx.customers)
    ):
        return Done(_t(ctx, "own_account_only"))
    return _staff_customer(ctx)


def loyalty_balance(ctx: Context) -> Outcome:
    staff = ctx.who.staff
    if (
        staff is not None
        and ctx.slots.get("report_kind") == "loyalty"
        and staff.role.value not in ROLE_REPORTS
        and _customer(ctx, required=False) is None
    ):
        # a manager's "loyalty", "แต้มสะสม": the programme's report, no one's balance
        return report(replace(ctx, slots={"report_kind": "loyalty"}))
    found = _points_account(ctx)
    if not isinstance(found, Customer):
        return found
    bal = loyalty.balance(ctx.uow, found.id)
    # a customer is told their own balance to their face ("คุณมี …"), staff whose it is
    key = "balance" if ctx.who.is_staff else "own_balance"
    return Done(
        _t(ctx, key, name=found.name, points=points(bal, ctx.lang)),
        (_membership_card(ctx, found),),
    )


HISTORY_IN_PERIOD = 20


def loyalty_history(ctx: Context) -> Outcome:
    found = _points_account(ctx)
    if not isinstance(found, Customer):
        return found
    period = ctx.slots.get("period")
    if period:
        # "ประวัติแต้มย้อนหลัง 3 เดือน": the movements within the period, more of them
        within = reports.period_range(str(period), ctx.now, tz=str(ctx.tz))
        rows = loyalty.history(ctx.uow, found.id, limit=HISTORY_IN_PERIOD, within=within)
    else:
        rows = loyalty.history(ctx.uow, found.id, limit=10)
    when = _period(ctx, str(period)) if period else ""
    if not rows:
        return Done(
            _t(ctx, "no_points_history_in", period=when) if period else _t(ctx, "no_points_history")
        )
    rewards = {r.code: r for r in loyalty.list_rewards(ctx.uow, available_only=False)}
    lines = [
        f"• {_d(e.created_at.astimezone(ctx.tz).date(), ctx)} {e.delta:+,} "
        f"{label('ledger', e.kind.value, ctx.lang)} {_ledger_reason(ctx, e, rewards)}".rstrip()
        for e in rows
    ]
    bal = loyalty.balance(ctx.uow, found.id)
    key = "points_history_in" if period else "points_history"
    return Done(_t(ctx, key, points=points(bal, ctx.lang), period=when) + "\n" + "\n".join(lines))


def _ledger_reason(ctx: Context, entry: PointsEntry, rewards: dict[str, Reward]) -> str:
    """Why points moved, as the reader should see it: the reward's name in their language,
    the order that earned them, a staff member's note, a reversal as such."""
    if entry.kind is LedgerKind.REDEEM:
        reward = rewards.get(entry.reference or "")
        if reward is not None:
            name = reward.name_th if ctx.lang == "th" else reward.name_en
            return f"{name} ({loyalty.redemption_number(entry)})"
    if entry.kind is LedgerKind.ADJUST:
        reversal = entry.reason.startswith(undo.UNDO_REASON)
        return _t(ctx, "ledger_reversal") if reversal else entry.reason
    # earned: the order it came from; opening balances and expiry say it all
    return entry.reference or ""


# a reward asked for by a name that scores this much against its Thai or English name (0-100)
REWARD_MATCH = 70
# how much better the best reward must score than the next to be the one meant
REWARD_MARGIN = 3
_NUMBER = re.compile(r"\d+")


@lru_cache(maxsize=1)
def _reward_alike() -> tuple[re.Pattern[str], dict[str, str]]:
    """The words naming the same in rewards' names, as one pattern (a Latin word whole)."""
    alike = load_lexicon().reward_alike
    parts = [
        rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" if w.isascii() else re.escape(w)
        for w in sorted(alike, key=len, reverse=True)
    ]
    return re.compile("|".join(parts) or "(?!)"), alike


def _reward_words(text: str) -> str:
    """A reward's name, or the words asking for one, with the words that name the same made
    one ("free shipping": "free delivery", "500 baht": "500 thb", "คูปอง": "บัตรกำนัล")."""
    pattern, alike = _reward_alike()
    return " ".join(pattern.sub(lambda m: f" {alike[m[0]]} ", fold_text(text)).split())


def reward_named(wanted: str, catalogue: list[Reward], *, whole: bool = False) -> Reward | None:
    """The reward whose name the words name best, scoring REWARD_MATCH or more, and clearly
    better than any other ("a voucher" of two names none); a number said must be in its name
    ("500 baht voucher" is not the 100 one), unless none has it. `whole`: every word said,
    but for words such as "the", must be in the name of the one reward found ("the bag" is
    the tote bag; "the mug I got was cracked" names more than a mug)."""
    if whole:
        stop = load_lexicon().stopwords
        said_words = [w for w in _reward_words(wanted).split() if w not in stop]
        fits = [
            r
            for r in catalogue
            if said_words and all(_in_name(w, f"{r.name_th} {r.name_en}") for w in said_words)
        ]
        return fits[0] if len(fits) == 1 else None
    said = set(_NUMBER.findall(wanted.replace(",", "")))
    if said:
        numbered = [
            r
            for r in catalogue
            if said <= set(_NUMBER.findall(f"{r.name_th} {r.name_en}".replace(",", "")))
        ]
        catalogue = numbered or catalogue
    words = _reward_words(wanted)
    scored = [
        (words_score(words, (_reward_words(r.name_th), _reward_words(r.name_en))), r)
        for r in catalogue
    ]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    if not scored or scored[0][0] < REWARD_MATCH:
        return None
    if len(scored) > 1 and scored[1][0] > scored[0][0] - REWARD_MARGIN:
        return None  # two names alike: the menu asks which
    return scored[0][1]


def _in_name(word: str, name: str) -> bool:
    """A word said is in a reward's name: a Latin one as a word of it, a Thai one (names run
    together) as a part of it."""
    folded = _reward_words(name)
    return word in folded.split() if word.isascii() else word in folded


# how many of a reward are asked for: "2 ใบ", "2 แก้ว", "x3", "3 tote bags" (not "500 บาท")
_COUNT_ASKED = re.compile(
    r"(?:^|\s)(?:x\s?|×\s?)(\d{1,2})\b|(\d{1,2})\s?(?:x\b|×|ใบ|แก้ว|ชิ้น|ที่นั่ง|ที่|อัน|ชุด|ถุง|กล่อง"
    r"|ครั้ง|pcs\b|pieces?\b)|^(\d{1,2})\s+(?!baht|thb|points?|pts|บาท|แต้ม)[a-z]",
    re.IGNORECASE,
)


def _count_asked(wanted: str) -> int:
    """The largest count asked for in the words naming a reward; 1 when none is said."""
    counts = [int(n) for m in _COUNT_ASKED.finditer(wanted) for n in m.groups() if n]
    return max(counts, default=1)


def loyalty_redeem(ctx: Context) -> Outcome:
    found = _points_account(ctx)
    if not isinstance(found, Customer):
        return found
    bal = loyalty.balance(ctx.uow, found.id)
    catalogue = loyalty.list_rewards(ctx.uow)
    wanted = ctx.slots.get("reward")
    reward = None
    if wanted:
        try:
            reward = loyalty.get_reward(ctx.uow, str(wanted))
        except RewardNotFound:
            reward = reward_named(str(wanted), catalogue)
        if reward is None:
            # a reward named that is out of stock: said so, not the others offered in silence
            # (only when it is the one the words name among them all: "แลกกาแฟ" is no grinder)
            gone = reward_named(str(wanted), loyalty.list_rewards(ctx.uow, available_only=False))
            if gone is not None and gone.stock == 0:
                name = gone.name_th if ctx.lang == "th" else gone.name_en
                return Done(_t(ctx, "out_of_stock", reward=name))
    if reward is None:
        if not catalogue:
            return Done(_t(ctx, "no_rewards"))
        # the rewards the balance covers ("what can I redeem with 1200 points": those too)
        asked = ctx.slots.get("points")
        budget = min(bal, int(asked)) if isinstance(asked, int) and asked > 0 else bal
        affordable = [r for r in catalogue if r.points_cost <= budget]
        if not affordable:
            cheapest = min(r.points_cost for r in catalogue)
            return Done(
                _t(
                    ctx,
                    "no_affordable_reward",
                    points=points(budget, ctx.lang),
                    cost=points(cheapest, ctx.lang),
                )
            )
        return Ask(
            "reward",
            _t(ctx, "choose_reward", points=points(bal, ctx.lang)),
            tuple(
                Choice(
                    f"{r.name_th if ctx.lang == 'th' else r.name_en} ({r.points_cost:,})", r.code
                )
                for r in affordable[:10]
            ),
        )
    name = reward.name_th if ctx.lang == "th" else reward.name_en
    if bal < reward.points_cost:
        return Done(
            _t(
                ctx,
                "insufficient_points",
                balance=points(bal, ctx.lang),
                cost=points(reward.points_cost, ctx.lang),
                reward=name,
            )
        )
    if not ctx.confirmed:
        asked = _t(
            ctx,
            "confirm_redeem",
            reward=name,
            cost=points(reward.points_cost, ctx.lang),
            after=points(bal - reward.points_cost, ctx.lang),
        )
        if _count_asked(str(wanted or "")) > 1:
            # "บัตรกำนัล 500 บาท 2 ใบ": one is redeemed; said before the yes, not after
            asked = f"{_t(ctx, 'redeem_one_at_a_time')}\n{asked}"
        return Confirm(asked)
    try:
        entry = loyalty.redeem_reward(ctx.uow, found.id, reward.code)
    except InsufficientPoints as exc:
        return Done(
            _t(
                ctx,
                "insufficient_points",
                balance=points(exc.balance, ctx.lang),
                cost=points(reward.points_cost, ctx.lang),
                reward=name,
            )
        )
    except OutOfStock:
        return Done(_t(ctx, "out_of_stock", reward=name))
    return Done(
        _t(
            ctx,
            # the customer is told to show the number; staff who redeemed for them, to pass it on
            "redeemed_for" if ctx.who.is_staff else "redeemed",
            reward=name,
            number=loyalty.redemption_number(entry),
            customer=found.name,
            balance=points(loyalty.balance(ctx.uow, found.id), ctx.lang),
        ),
        (_membership_card(ctx, found),),
        changed=True,
    )


def loyalty_adjust(ctx: Context) -> Outcome:
    found = _staff_customer(ctx)
    if not isinstance(found, Customer):
        return found
    delta = ctx.slots.get("points")
    if delta is None:
        return Ask("points", _t(ctx, "ask_points"))
    delta = int(delta)
    reason = str(ctx.slots.get("note") or ctx.slots.get("reason") or "").strip()
    if not reason:
        return Ask("note", _t(ctx, "ask_reason"))
    bal = loyalty.balance(ctx.uow, found.id)
    if bal + delta < 0:
        return Done(
            _t(
                ctx,
                "insufficient_points",
                balance=points(bal, ctx.lang),
                cost=points(-delta, ctx.lang),
                reward=reason,
            )
        )
    if not ctx.confirmed:
        return Confirm(
            _t(
                ctx,
                "confirm_adjust",
                name=found.name,
                delta=f"{delta:+,}",
                count=abs(delta),
                after=points(bal + delta, ctx.lang),
            )
        )
    loyalty.adjust_points(ctx.uow, found.id, delta, reason=reason)
    return Done(
        _t(
            ctx,
            "adjusted",
            name=found.name,
            balance=points(loyalty.balance(ctx.uow, found.id), ctx.lang),
        ),
        changed=True,
    )


# ---- reports, campaigns ----------------------------------------------------------------------


# the reports a role may see, where it may not see them all: a sales rep their own sales,
# pipeline, interactions and top customers; a support agent the tickets
ROLE_REPORTS = {
    "sales": frozenset({"sales", "pipeline", "interactions", "top_customers", "quiet_customers"}),
    "support": frozenset({"tickets"}),
}


# the reports that can be of one person: their deals, interactions, customers or tickets
BY_PERSON = frozenset(
    {"sales", "pipeline", "interactions", "tickets", "top_customers", "quiet_customers"}
)


# the reports whose figures a customer named may have been meant to narrow: their card then
ONE_CUSTOMER_CARD = frozenset({"sales", "pipeline", "interactions"})


def _customer_named_in(ctx: Context) -> Customer | None:
    """The one known customer a message names, by name or alias, when it names one (a report
    takes no customer slot, so the text is read for one)."""
    known = ctx.customers.known_mention(clean_text(str(ctx.slots.get("_text") or "")))
    return None if known is None else ctx.uow.session.get(Customer, known[1].id)


def report(ctx: Context) -> Outcome:
    staff = ctx.who.staff
    assert staff is not None
    segment = ctx.slots.get("segment")
    role = staff.role.value
    # "who is in at risk?": the customers of one segment rather than a whole report
    usual = "tickets" if role == "support" else "sales"
    kind = str(ctx.slots.get("report_kind") or ("segments" if segment else usual))
    period = str(ctx.slots.get("period") or "this_month")
    if kind not in reports.REPORTS:
        return Done(_t(ctx, "unknown_report", kind=kind))
    top = ctx.slots.get("top")
    shown = "top_customers" if top and kind == "customers" else kind
    if ctx.slots.get("quiet") and kind == "customers":
        shown = "quiet_customers"
    if role in ROLE_REPORTS and shown not in ROLE_REPORTS[role]:
        return Done(_t(ctx, f"report_not_allowed.{role}"))
    if period in reports.AHEAD_PERIODS:
        # "ยอดขายเดือนหน้า": no numbers yet; for sales, the deals expected to close then
        if kind in ("sales", "pipeline"):
            return deal_list(replace(ctx, slots={**ctx.slots, "stage": None}))
        return Done(_t(ctx, "no_report_ahead", period=_period(ctx, period)))
    named = ctx.slots.get("month")
    if named and not ctx.slots.get("period"):
        # "sales for August": no report period covers that month alone; this month's
        # numbers would read as August's
        first = date.fromisoformat(f"{named}-01")
        return Done(_t(ctx, "no_month_report", month=month(first, ctx.lang)))
    year, quarter = ctx.slots.get("year"), ctx.slots.get("quarter")
    if (year or quarter) and not ctx.slots.get("period"):
        # "sales 2024", "ยอดขายไตรมาส 2 ปี 2568": no report period is that year or quarter;
        # this month's numbers would read as theirs
        return Done(_t(ctx, "no_named_report", name=_year_or_quarter_said(ctx, year, quarter)))
    # "Somchai's pipeline", "ยอดขายของณัฐยา": a manager's view of one colleague; the tickets
    # report of one agent is the team's to share
    rep = _rep(ctx, shared=kind == "tickets") if shown in BY_PERSON else None
    if isinstance(rep, Ask | Done):
        return rep
    owner = rep or (staff if role == "sales" else None)
    named = _customer_named_in(ctx) if rep is None and shown in ONE_CUSTOMER_CARD else None
    if named is not None and kind == "interactions":
        return _contacts_of(ctx, named)  # "Acme Trading interactions": their contact history
    if named is not None:
        # "how is Siam Paper doing this quarter", "sales report for Siam Paper": no report is of
        # one customer; their card is what there is to know, said so
        _focus(ctx, named)
        text = _t(ctx, "report_of_customer", name=named.name)
        return Done(text, (_customer_card(ctx, named),))
    if shown == "top_customers":
        return _top_customers(ctx, period, int(str(top)), owner)
    if shown == "quiet_customers":
        return _quiet_customers(ctx, owner)
    if segment and kind in ("segments", "customers"):
        return _segment_members(ctx, str(segment))
    owner_id = owner.id if owner else None
    try:
        result = reports.REPORTS[kind](ctx.uow, period, ctx.now, tz=str(ctx.tz), owner_id=owner_id)
    except InvalidValue as exc:
        return Done(_t(ctx, "invalid", reason=str(exc)))
    # a sales rep's figures are their own deals': the title says whose; the pipeline is the
    # deals open now, whatever period was asked ("pipeline เดือนที่แล้ว" is today's)
    whose = rep or owner
    title = _t(
        ctx,
        "report_title_of" if whose else "report_title",
        kind=label("report", kind, ctx.lang),
        period=_t(ctx, "period_now") if kind == "pipeline" else _period(ctx, period),
        name=whose.name if whose else "",
    )
    lines = [
        f"{label('rs', key, ctx.lang)}: {_cell(key, value, ctx.lang)}"
        for key, value in result.summary()
    ]
    if isinstance(result, reports.SalesReport):
        # the days compared with, said: this month so far is set against the same days of
        # the month before, not the whole of it
        first = result.previous_start.astimezone(ctx.tz).date()
        last = (result.previous_end - timedelta(microseconds=1)).astimezone(ctx.tz).date()
        keys = [key for key, _ in result.summary()]
        lines.insert(
            keys.index("previous_count"),
            _t(ctx, "report_compared", start=_d(first, ctx), end=_d(last, ctx)),
        )
    rows = result.rows()[:10]
    if rows and len(result.columns) > 2:
        # several figures a row: a line naming them first ("ความสำคัญ · เปิดใหม่ · …")
        lines.append(" · ".join(_t(ctx, f"col.{column}") for column in result.columns))
    for row in rows:
        cells = [
            _cell(col, value, ctx.lang) for col, value in zip(result.columns, row, strict=False)
        ]
        if result.kind == "interactions":
            # (group, key, count): the group named, and a type's key as the type's name
            cells[0] = label("group", str(row[0]), ctx.lang)
            if row[0] == "type":
                cells[1] = label("interaction", str(row[1]), ctx.lang)
        lines.append("• " + " · ".join(cells))
    if isinstance(result, reports.PipelineReport) and len(result.by_rep) > 1:
        # the team's pipeline: each rep's open deals as well ("pipeline by rep")
        lines.append(
            " · ".join(_t(ctx, f"col.{c}") for c in ("rep", "count", "amount", "weighted"))
        )
        lines.extend(
            f"• {r.name or _t(ctx, 'no_owner')} · {r.count:,} · {money(r.amount)}"
            f" · {money(r.weighted)}"
            for r in result.by_rep[:10]
        )
    chart = chart_for(result, title, ctx.lang)
    return Done(title + "\n" + "\n".join(lines), charts=(chart,) if chart else ())


def _whose(ctx: Context, owner: Staff | None) -> tuple[str, str]:
    """Which form of a reply fits whose figures they are, and the name it takes: the team's
    (""), the sender's own ("_mine": "your …") or a colleague's ("_of": "Somchai's …")."""
    if owner is None:
        return "", ""
    if ctx.who.staff is not None and owner.id == ctx.who.staff.id:
        return "_mine", ""
    return "_of", owner.name


def _top_customers(ctx: Context, period: str, top: int, owner: Staff | None) -> Outcome:
    """The customers who brought the most in the period; a rep's, by the deals they won."""
    try:
        result = reports.top_customers_report(
            ctx.uow, period, ctx.now, tz=str(ctx.tz), owner_id=owner.id if owner else None, top=top
        )
    except InvalidValue as exc:
        return Done(_t(ctx, "invalid", reason=str(exc)))
    whose, name = _whose(ctx, owner)
    when = _period(ctx, period)
    if not result.top:
        return Done(_t(ctx, f"no_top_customers{whose}", period=when, name=name))
    title = _t(ctx, f"top_customers{whose}", period=when, name=name)
    counted = "_mine" if owner else ""  # a rep's customers count only the deals they won
    lines = [
        f"{rank}. {c.name} {money(c.amount)} ("
        + _t(ctx, f"top_customer_counts{counted}", orders=c.orders, deals=c.deals)
        + ")"
        for rank, c in enumerate(result.top, 1)
    ]
    total = _t(ctx, "top_customers_total", count=result.customers, total=money(result.total_amount))
    chart = chart_for(result, title, ctx.lang)
    return Done("\n".join([title, *lines, total]), charts=(chart,) if chart else ())


# customers gone quiet: how long without contact when no time is told (days), and how many
# are listed
QUIET_DAYS = 30
QUIET_LIST = 20


def _quiet_customers(ctx: Context, owner: Staff | None) -> Outcome:
    """The customers no one has been in touch with for a while ("ลูกค้าที่ไม่ได้ติดต่อนานเกิน 30
    วัน"), longest quiet first; for a rep, those of their open deals. A period named ("เดือน
    นี้") is the time since its start."""
    days = ctx.slots.get("quiet_days")
    period = ctx.slots.get("period")
    if days:
        since = ctx.now - timedelta(days=int(str(days)))
        span = _t(ctx, "quiet_days", count=int(str(days)))
    elif period and period not in reports.AHEAD_PERIODS:
        since = reports.period_range(str(period), ctx.now, str(ctx.tz))[0]
        span = _period(ctx, str(period))
    else:
        since = ctx.now - timedelta(days=QUIET_DAYS)
        span = _t(ctx, "quiet_days", count=QUIET_DAYS)
    whose, name = _whose(ctx, owner)
    count, rows = activities.quiet_customers(
        ctx.uow, since, owner_id=owner.id if owner else None, limit=QUIET_LIST
    )
    if not rows:
        return Done(_t(ctx, f"no_quiet_customers{whose}", span=span, name=name))
    lines = [
        f"• {c.name} ("
        + (
            _t(ctx, "last_contact", day=_d(at.astimezone(ctx.tz).date(), ctx))
            if at is not None
            else _t(ctx, "never_contacted")
        )
        + ")"
        for c, at in rows
    ]
    more = [_t(ctx, "and_more", count=count - len(rows))] if count > len(rows) else []
    title = _t(ctx, f"quiet_customers{whose}", span=span, count=count, name=name)
    return Done("\n".join([title, *lines, *more]))


SEGMENT_LIST = 10


def _segment_members(ctx: Context, segment: str) -> Outcome:
    """How many customers a tier or RFM segment holds, and the biggest spenders in it."""
    if segment in {t.value for t in Tier}:
        found = ctx.uow.session.scalars(
            select(Customer.name).where(Customer.tier == Tier(segment)).order_by(Customer.name)
        ).all()
        names = list(found[:SEGMENT_LIST])
        count = len(found)
        title = label("tier", segment, ctx.lang)
    else:
        members = sorted(
            (s for s in reports.rfm_scores(ctx.uow, ctx.now) if s.segment == segment),
            key=lambda s: s.monetary,
            reverse=True,
        )
        by_id = dict(
            ctx.uow.session.execute(
                select(Customer.id, Customer.name).where(
                    Customer.id.in_([m.customer_id for m in members[:SEGMENT_LIST]])
                )
            ).all()
        )
        names = [f"{by_id[m.customer_id]} · {money(m.monetary)}" for m in members[:SEGMENT_LIST]]
        count = len(members)
        title = label("segment", segment, ctx.lang)
    lines = [_t(ctx, "segment_members", segment=title, count=count)]
    lines += [f"• {n}" for n in names]
    if count > len(names):
        lines.append(_t(ctx, "and_more", count=count - len(names)))
    return Done("\n".join(lines))


MONEY_KEYS = ("amount", "thb", "value", "monetary", "weighted")


def _cell(key: str, value: object, lang: str) -> str:
    """One report figure for a reader: money, percentages, counts, labels."""
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        if "pct" in key:
            return f"{value:+}%"
        if key.endswith("_rate"):
            return f"{value}%"
        if any(part in key for part in MONEY_KEYS):
            return money(value)
        return f"{value:,}"
    if isinstance(value, int):
        return f"{value:,}"
    text = str(value)
    if key == "measure":
        return label("rs", text, lang)  # the customers report's rows name a figure
    for group in ("stage", "priority", "tier", "interaction", "segment"):
        if key in (group, f"{group}s", "type" if group == "interaction" else ""):
            return label(group, text, lang)
    return text


def campaign_send(ctx: Context) -> Outcome:
    segment = ctx.slots.get("segment")
    if not segment:
        return Ask("segment", _t(ctx, "ask_segment"))
    text = str(ctx.slots.get("message") or ctx.slots.get("note") or "").strip()
    if not text:
        return Ask("message", _t(ctx, "ask_campaign_message"))
    # "ลูกค้า gold และ platinum": every segment named, each customer once
    segments = [str(s) for s in ctx.slots.get("segments") or [segment]]
    audience = sorted({c for s in segments for c in campaigns.audience(ctx.uow, s, ctx.now)})
    # every opted-in customer is named as such ("ลูกค้าทุกคน"); a tier or segment by its code
    if segment == "all":
        shown = label("segment", "all", ctx.lang)
    elif len(segments) > 1:
        shown = _t(ctx, "segments_joined", first=", ".join(segments[:-1]), last=segments[-1])
    else:
        shown = str(segment)
    if not audience:
        return Done(_t(ctx, "campaign_empty", segment=shown))
    if not ctx.confirmed:
        asked = _t(ctx, "confirm_campaign", count=len(audience), segment=shown, message=text)
        when = ctx.slots.get("send_date")
        if when is not None and when > ctx.now.astimezone(ctx.tz).date():
            # a campaign goes out when confirmed: say so rather than send early unasked
            asked += "\n" + _t(ctx, "campaign_now_only", day=day(when, ctx.lang))
        return Confirm(asked)
    staff = ctx.who.staff
    _, recipients, _ = campaigns.queue_campaign(
        ctx.uow,
        audience,
        segment="+".join(segments),
        text=text,
        lang=ctx.lang,
        report_to=staff.slack_user_id if staff is not None else None,
    )
    return Done(_t(ctx, "campaign_queued", count=recipients), changed=False)


# ---- customer self-service ------------------------------------------------------------------


# the knowledge base entry that tells customers how to reach the shop
CONTACT_ENTRY = "contact"


def handoff(ctx: Context) -> Outcome:
    if not ctx.support_channel:
        # no support channel to hand the chat to: promise no one, say how to reach the shop
        entry = knowledge.entry_by_key(ctx.uow, CONTACT_ENTRY)
        how = (entry.answer_th if ctx.lang == "th" else entry.answer_en) if entry else ""
        return Done(_t(ctx, "handoff_no_desk") + (f"\n{how}" if how else ""))
    ctx.state["handoff"] = {"since": utcnow().isoformat()}
    return Done(_t(ctx, "handoff"))


def consent_update(ctx: Context) -> Outcome:
    if ctx.who.is_staff:
        return _consent_told(ctx)
    customer = ctx.who.customer
    consent = ctx.slots.get("consent")
    if consent not in ("opt_in", "opt_out"):
        return Ask(
            "consent",
            _t(ctx, "ask_consent"),
            (
                Choice(_t(ctx, "consent.opt_in"), "opt_in"),
                Choice(_t(ctx, "consent.opt_out"), "opt_out"),
            ),
        )
    if customer is None:
        return Done(_t(ctx, "link_first"))
    typed = "_text" in ctx.slots and ctx.slots.get("_answered") != "consent"
    if consent == "opt_in" and typed and not ctx.confirmed:
        # consent to marketing must be a clear yes: a sentence the parser read as an opt-in
        # is asked back first (an answer to the consent question, or an opt-out, is taken)
        return Confirm(_t(ctx, "confirm_opt_in"))
    if consent == "opt_out" and typed and _guessed(ctx):
        return Confirm(_t(ctx, "confirm_opt_out_guess"))
    customer_svc.set_marketing_consent(
        ctx.uow, customer, consent == "opt_in", source=f"{ctx.slots['_via']}:{ctx.who.ref}"
    )
    return Done(_t(ctx, f"consent_saved.{consent}"), changed=True)


def _consent_told(ctx: Context) -> Outcome:
    """Staff record a customer's opt-out they were told of ("คุณสมศรีโทรมาขอไม่รับข่าวสาร
    แล้ว", "unsubscribe Lotus Garden from marketing"), after a yes; an opt-in must come from
    the customer themself (on LINE), so staff cannot record one."""
    if ctx.slots.get("consent") != "opt_out":
        return Done(_t(ctx, "consent_in_by_customer"))
    found = _staff_customer(ctx)
    if not isinstance(found, Customer):
        return found
    if found.marketing_consent is False:
        return Done(_t(ctx, "consent_out_already", name=found.name))
    if not ctx.confirmed:
        return Confirm(_t(ctx, "confirm_opt_out_for", name=found.name))
    customer_svc.set_marketing_consent(
        ctx.uow, found, False, source=f"{ctx.slots['_via']}:{ctx.who.ref}"
    )
    return Done(_t(ctx, "consent_out_for", name=found.name), changed=True)


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _credentials(ctx: Context) -> tuple[str | None, str | None]:
    """(phone, link code) from the slots or the free-text answer."""
    phone = ctx.slots.get("phone")
    code: str | None = None
    for raw in (ctx.slots.get("code"), ctx.slots.get("_text")):
        if not raw:
            continue
        text = str(raw).strip()
        if phone is None:
            try:
                phone = customer_svc.normalise_phone(text)
            except InvalidValue:
                phone = None
        found = LINK_CODE.search(text.upper())
        if code is None and found and not text.upper().startswith(("ORD", "TCK")):
            code = found.group(0)
    return (str(phone) if phone else None), code


def link_account(ctx: Context) -> Outcome:
    if ctx.who.is_staff:
        return _issue_link_code(ctx)
    if ctx.who.customer is not None and ctx.who.role == "customer":
        return Done(_t(ctx, "already_linked", name=ctx.who.customer.name))
    since = utcnow() - timedelta(hours=1)
    if customer_svc.link_failures_since(ctx.uow, ctx.who.ref, since) >= LINK_ATTEMPTS_PER_HOUR:
        return Done(_t(ctx, "link_rate_limited"))
    phone, code = _credentials(ctx)
    order_id = ctx.slots.get("order_id")
    if not code and not phone:
        return Ask("code", _t(ctx, "ask_link_phone"))
    if phone and not order_id and not code:
        return Ask("order_id", _t(ctx, "ask_link_order"))
    customer: Customer | None = None
    if code:
        row = ctx.uow.session.scalar(select(LinkCode).where(LinkCode.code_hash == _hash_code(code)))
        if row is not None and row.used_at is None and row.expires_at > utcnow():
            row.used_at = utcnow()
            customer = ctx.uow.session.get(Customer, row.customer_id)
    else:
        try:
            candidate = customer_svc.customer_by_reference(ctx.uow, str(phone))
            orders.get_order(ctx.uow, str(order_id), customer=candidate)
            customer = candidate
        except (InvalidValue, OrderNotFound, CustomerNotFound):
            customer = None
    if customer is None or (customer.line_user_id and customer.line_user_id != ctx.who.ref):
        customer_svc.record_link_failure(ctx.uow, ctx.who.ref)
        return Done(_t(ctx, "link_failed"))
    customer_svc.link_line_user(ctx.uow, customer, ctx.who.ref)
    return Done(_t(ctx, "linked", name=customer.name))


LINK_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
LINK_CODE_DIGITS = "23456789"


def _new_link_code() -> str:
    """Eight letters and digits, never read one for another (no I, O, 0, 1), with at least
    one of each, so a word typed in capitals ("PAYMENTS") is never taken for one."""
    while True:
        code = "".join(secrets.choice(LINK_CODE_LETTERS + LINK_CODE_DIGITS) for _ in range(8))
        if any(c in LINK_CODE_DIGITS for c in code) and any(c in LINK_CODE_LETTERS for c in code):
            return code


def _issue_link_code(ctx: Context) -> Outcome:
    found = _staff_customer(ctx)
    if not isinstance(found, Customer):
        return found
    code = _new_link_code()
    row = LinkCode(
        code_hash=_hash_code(code),
        customer_id=found.id,
        issued_by=ctx.who.ref,
        expires_at=utcnow() + LINK_CODE_TTL,
    )
    ctx.uow.session.add(row)
    ctx.uow.audit("link_code.issue", row, None, {"customer_id": found.id})
    return Done(_t(ctx, "link_code", name=found.name, code=code))


@lru_cache(maxsize=8192)
def _faq_words(text: str) -> str:
    """A question as its words: Thai segmented, case folded, politeness particles dropped.

    Cached: every message the parser cannot place is compared with every stored variant.
    """
    return " ".join(default_tokeniser().tokens(fold_text(clean_text(text))))


def _units(words: list[str]) -> list[str]:
    """Latin words whole, Thai words as their letters (Thai word breaks vary with spelling)."""
    out: list[str] = []
    for word in words:
        out.extend(word if THAI_CHAR.match(word) else (word,))
    return out


def _faq_score(asked: str, known: str, **_: Any) -> float:
    """Whole-question similarity, in any word order: the mean of a character-level score
    (forgives typos) and a word-level one (a different word counts whole, so "can I bring my
    own wine" is not "can I bring my dog into the cafe" for sharing its first four words).
    Partial matching is left out on purpose: one shared word ("ร้าน") must not make an
    unrelated stored answer look right."""
    chars = max(fuzz.ratio(asked, known), fuzz.token_sort_ratio(asked, known))
    asked_words, known_words = asked.split(), known.split()
    words = max(
        fuzz.ratio(_units(asked_words), _units(known_words)),
        fuzz.ratio(_units(sorted(asked_words)), _units(sorted(known_words))),
    )
    return (chars + words) / 2


def faq_match(uow: UnitOfWork, question: str) -> tuple[KnowledgeEntry, float] | None:
    """The stored entry whose question variants are closest to `question`, with the score."""
    entries = knowledge.list_entries(uow)
    choices: dict[tuple[int, int], str] = {
        (e.id, i): _faq_words(q) for e in entries for i, q in enumerate(e.questions)
    }
    match = (
        process.extractOne(_faq_words(question), choices, scorer=_faq_score) if choices else None
    )
    if match is None:
        return None
    return next(e for e in entries if e.id == match[2][0]), float(match[1])


@lru_cache(maxsize=8192)
def _faq_terms(text: str) -> frozenset[str]:
    """The words of a question or an answer that tell what it is about: Thai split by the
    plain dictionary (the CRM one runs "รับบัตรเครดิต" together), no stopwords, particles or
    words of asking alone, an English plural as its singular ("cards": "card")."""
    lexicon = load_lexicon()
    ignore = lexicon.stopwords | lexicon.particles | lexicon.faq_ignore
    terms = set()
    for word in word_tokenize(fold_text(clean_text(text)), engine="newmm", keep_whitespace=False):
        if word in ignore or len(word) < 2 or not any(ch.isalnum() for ch in word):
            continue
        if word.isascii() and len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        terms.add(word)
    return frozenset(terms)


def faq_answer(uow: UnitOfWork, question: str) -> KnowledgeEntry | None:
    """The entry that answers a question read as one for the knowledge base: a stored way of
    asking close to it, else the entry holding its telling words; None when neither."""
    found = faq_match(uow, question)
    if found is None or found[1] < FAQ_MIN_SCORE:
        found = faq_search(uow, question)
    return found[0] if found is not None else None


def faq_search(
    uow: UnitOfWork, question: str, *, least: float = FAQ_WORDS_FOUND
) -> tuple[KnowledgeEntry, float] | None:
    """The stored entry that holds the question's telling words ("can I get a receipt for my
    company": the tax invoice's "company receipt"), with the share of their weight found
    (0-1); a word the fewer entries hold weighs the more, one none holds the most ("can I
    bring my dog" finds nothing). None below `least`, or when another entry is close."""
    asked = _faq_terms(question)
    entries = knowledge.list_entries(uow)
    if not asked or not entries:
        return None
    held = [
        (
            frozenset().union(*(_faq_terms(q) for q in e.questions)),
            _faq_terms(e.answer_th) | _faq_terms(e.answer_en),
        )
        for e in entries
    ]
    weight = {
        w: math.log((len(entries) + 1) / (sum(w in q or w in a for q, a in held) + 0.5))
        for w in asked
    }
    total = sum(weight.values())
    scored = sorted(
        (
            (
                sum(
                    weight[w] * (1.0 if w in q else FAQ_ANSWER_WORDS if w in a else 0.0)
                    for w in asked
                )
                / total,
                i,
            )
            for i, (q, a) in enumerate(held)
        ),
        reverse=True,
    )
    best, at = scored[0]
    if best < least or (len(scored) > 1 and scored[1][0] > best - FAQ_MARGIN):
        return None
    return entries[at], best


# staff who keep the knowledge base: add entries, change answers, add ways of asking
FAQ_KEEPERS = frozenset({"support", "manager", "admin"})
# an answer to "the English answer?" or "a new answer?" that leaves it as it is ("ไม่มี", there
# is none, may be the answer itself); and to "another way of asking?" that there is none
KEEP_ANSWER = frozenset({"-"})
NO_MORE = frozenset({"-", "none", "no", "skip", "ไม่มี", "ไม่", "ข้าม"})
FAQ_CHOICES = 10
FAQ_KEY_WORDS = 4


def _faq_list(ctx: Context) -> Outcome:
    """The knowledge base's entries: staff see each key and how many ways of asking it has;
    a customer sees one question of each, in their language where one is written so."""
    entries = knowledge.list_entries(ctx.uow)
    if not entries:
        return Done(_t(ctx, "faq_list_empty"))
    lines = []
    for e in entries:
        asked = _faq_question(ctx, e)
        if ctx.who.is_staff:
            more = f" (+{len(e.questions) - 1})" if len(e.questions) > 1 else ""
            lines.append(f"• {e.key}: {asked}{more}")
        else:
            lines.append(f"• {asked}")
    return Done(_t(ctx, "faq_list", count=len(entries)) + "\n" + "\n".join(lines))


def _faq_question(ctx: Context, entry: KnowledgeEntry) -> str:
    """The entry's first question in the reader's language (Thai letters or not), else its
    first."""
    thai = ctx.lang == "th"
    return next(
        (q for q in entry.questions if bool(THAI_CHAR.search(q)) == thai), entry.questions[0]
    )


def _answer_given(ctx: Context, slot: str, keep: frozenset[str] = KEEP_ANSWER) -> str | None:
    """A typed answer to one of the keeping questions; "" when it leaves the value as is."""
    given = ctx.slots.get(slot)
    if given is None:
        return None
    text = str(given).strip()
    return "" if text.casefold() in keep else text


def _faq_key(question: str, taken: set[str]) -> str:
    """A key for a new entry from the question's English words ("do you have parking?":
    "parking"), or a number; never one in use."""
    words = [
        w
        for w in re.findall(r"[a-z0-9]+", question.casefold())
        if w not in load_lexicon().stopwords
    ]
    base = "_".join(words[:FAQ_KEY_WORDS]) or f"faq_{len(taken) + 1}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _new_faq(ctx: Context) -> Outcome:
    question = str(ctx.slots.get("question") or "").strip()
    if not question:
        return Ask("question", _t(ctx, "ask_faq_question"))
    known = faq_match(ctx.uow, question)
    if known is not None and known[1] >= FAQ_FALLBACK_SCORE:
        return Done(_t(ctx, "faq_exists", entry=known[0].key))
    answer_th = _answer_given(ctx, "answer_th")
    if not answer_th:
        return Ask("answer_th", _t(ctx, "ask_faq_answer_th"))
    answer_en = _answer_given(ctx, "answer_en")
    if answer_en is None:
        return Ask("answer_en", _t(ctx, "ask_faq_answer_en"))
    answer_en = answer_en or answer_th
    if not ctx.confirmed:
        return Confirm(
            _t(ctx, "confirm_faq_new", question=question, answer_th=answer_th, answer_en=answer_en)
        )
    taken = {e.key for e in knowledge.list_entries(ctx.uow)}
    key = _faq_key(question, taken)
    knowledge.upsert_entry(ctx.uow, key, [question], answer_th, answer_en)
    return Done(_t(ctx, "faq_added", entry=key), changed=True)


def _faq_entry(ctx: Context) -> KnowledgeEntry | Outcome:
    """The entry to change: the one chosen, the one whose key is named, else the one the
    words ask; else which, offering them all."""
    entries = knowledge.list_entries(ctx.uow)
    if not entries:
        return Done(_t(ctx, "faq_list_empty"))
    chosen = ctx.slots.get("faq_key")
    named = str(chosen or ctx.slots.get("question") or "").strip()
    by_key = {e.key.casefold(): e for e in entries}
    folded = re.sub(r"\s+", "_", named.casefold())
    if folded in by_key:
        return by_key[folded]
    if named and chosen is None:
        found = faq_match(ctx.uow, named)
        if found is None or found[1] < FAQ_MIN_SCORE:
            found = faq_search(ctx.uow, named)
        if found is not None:
            return found[0]
    return Ask(
        "faq_key",
        _t(ctx, "which_faq"),
        tuple(Choice(f"{e.key}: {_faq_question(ctx, e)}", e.key) for e in entries[:FAQ_CHOICES]),
    )


def _edit_faq(ctx: Context) -> Outcome:
    entry = _faq_entry(ctx)
    if not isinstance(entry, KnowledgeEntry):
        return entry
    ctx.slots["faq_key"] = entry.key  # asked again after each answer: the same entry
    answer_th = _answer_given(ctx, "answer_th")
    if answer_th is None:
        return Ask("answer_th", _t(ctx, "ask_faq_edit_th", current=entry.answer_th))
    answer_en = _answer_given(ctx, "answer_en")
    if answer_en is None:
        return Ask("answer_en", _t(ctx, "ask_faq_edit_en", current=entry.answer_en))
    also = _answer_given(ctx, "also_asked", NO_MORE)
    if also is None:
        return Ask("also_asked", _t(ctx, "ask_faq_also"))
    answer_th, answer_en = answer_th or entry.answer_th, answer_en or entry.answer_en
    if not ctx.confirmed:
        text = _t(
            ctx, "confirm_faq_edit", entry=entry.key, answer_th=answer_th, answer_en=answer_en
        )
        if also:
            text += "\n" + _t(ctx, "faq_also_line", question=also)
        return Confirm(text)
    questions = (
        [*entry.questions, also] if also and also not in entry.questions else entry.questions
    )
    knowledge.upsert_entry(ctx.uow, entry.key, list(questions), answer_th, answer_en)
    return Done(_t(ctx, "faq_changed", entry=entry.key), changed=True)


def faq(ctx: Context) -> Outcome:
    request = ctx.slots.get("request")
    if request == "list":
        return _faq_list(ctx)
    if request in ("new", "edit"):
        # "add faq", "แก้ faq opening_hours": the knowledge base itself, kept by staff
        staff = ctx.who.staff
        if staff is None or staff.role.value not in FAQ_KEEPERS:
            return Done(_t(ctx, "faq_keep_not_allowed"))
        return _new_faq(ctx) if request == "new" else _edit_faq(ctx)
    known = ctx.slots.get("_faq_entry")  # the engine's fallback already matched it
    if known is not None:
        entry = ctx.uow.session.get(KnowledgeEntry, int(known))
    else:
        entry = faq_answer(ctx.uow, str(ctx.slots.get("question") or ctx.slots.get("_text") or ""))
    if entry is None:
        if ctx.who.is_staff:
            return Done(_t(ctx, "faq_miss_staff"))
        return Done(
            _t(ctx, "faq_miss"),
            choices=(Choice(_t(ctx, "talk_to_staff"), "handoff"),),
        )
    return Done(entry.answer_th if ctx.lang == "th" else entry.answer_en)


ACTIONS: dict[str, Action] = {
    "greeting": greeting,
    "thanks": thanks,
    "help": help_,
    "cancel": cancel,
    "confirm": confirm,
    "deny": cancel,
    "customer_lookup": customer_lookup,
    "customer_create": customer_create,
    "log_interaction": log_interaction,
    "deal_create": deal_create,
    "deal_update": deal_update,
    "deal_list": deal_list,
    "task_create": task_create,
    "ticket_create": ticket_create,
    "ticket_update": ticket_update,
    "ticket_status": ticket_status,
    "order_status": order_status,
    "loyalty_balance": loyalty_balance,
    "loyalty_history": loyalty_history,
    "loyalty_redeem": loyalty_redeem,
    "loyalty_adjust": loyalty_adjust,
    "report": report,
    "handoff": handoff,
    "link_account": link_account,
    "faq": faq,
    "consent_update": consent_update,
    "campaign_send": campaign_send,
    "order_update": order_update,
    "out_of_scope": out_of_scope,
}

# questions whose choices the action reads in the answer's words, not by how alike the words
# look to a button's label: slot -> reader(uow, options, typed answer) -> the value or None
WORDED_CHOICES: dict[str, Callable[[UnitOfWork, list[list[str]], str], str | None]] = {
    "ticket_choice": ticket_chosen,
}
