"""The conversation engine: a `Message` in, identity, dialogue state, an action, a `Reply` out."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot import colleagues
from bot import handoff as handoff_bridge
from bot.actions import (
    ACTIONS,
    FAQ_FALLBACK_SCORE,
    LINK_CODE,
    WORDED_CHOICES,
    faq_answer,
    faq_match,
    faq_search,
    reward_named,
    words_score,
)
from bot.dialogue import (
    FREE_TEXT_SLOTS,
    VERBATIM_SLOTS,
    Ask,
    Confirm,
    Context,
    Done,
    Identity,
    Outcome,
)
from bot.messages import Choice, Message, Notification, Reply, card_to_json
from bot.permissions import allowed
from bot.replies import reply_lang, say
from crm_core.db import Store
from crm_core.errors import StaffNotFound
from crm_core.services import conversations, loyalty, outbox, undo
from crm_core.services.customers import (
    contact_details,
    customer_by_contact,
    customer_by_line_user,
    iter_customer_names,
)
from crm_core.services.staff import list_staff, staff_by_slack_id
from crm_core.types import utcnow
from crm_core.uow import Actor, UnitOfWork
from intents import CustomerIndex, CustomerName, ParseContext, ParseResult, parse
from intents.extract import extract_entities
from intents.lexicon import load_lexicon
from intents.normalize import THAI_CHAR, clean_text, fold_text
from intents.parser import asks_something, default_tokeniser, points_back, reward_asked
from intents.slots.entities import SpanSet, extract_ids

UNDO_WORDS = frozenset({"undo", "ย้อนกลับ", "เลิกทำ", "undo last", "ยกเลิกรายการล่าสุด"})
CONFIRM = "__confirm__"
NAME_ONLY_SCORE = 92.0
# a customer's message this close to a stored question is answered from the FAQ, whatever
# else the parser reads it as
FAQ_EXACT_SCORE = 95.0
# readings a stored question asked word for word is answered over: they answer nothing of
# it ("ยกเลิกเวิร์กช็อปได้ไหม" is no "cancel" of the bot's question); every other reading is
# something the bot does itself (an order's status, a ticket, a person joining)
FAQ_OVER = frozenset({"cancel", "help"})
NOTE_LEAST = 6  # the fewest letters told of a customer, beside their name, to offer as a note
CORRECTION_WORDS = 3  # a confirmation answered with at most this many words may correct it
CORRECTABLE_SLOTS = frozenset(
    {"amount", "points", "stage", "priority", "status", "date", "due_date", "close_date"}
)
INDEX_MAX_AGE = 300.0  # seconds before the customer-name index is rebuilt from the store


# ids, numbers and signs tell no language ("ORD-3001", "0812345678", "TCK-2001?")
_NEUTRAL = re.compile(r"(?:ORD|TCK|M)-\d+|[\d\W_]", re.IGNORECASE)


def _language_neutral(text: str) -> bool:
    """True when nothing but ids, numbers and signs is written, or a link code alone."""
    return not _NEUTRAL.sub("", text) or (len(text.split()) == 1 and _typed_link_code(text))


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$dec" in value:
        return Decimal(value["$dec"])
    if isinstance(value, dict) and "$date" in value:
        return date.fromisoformat(value["$date"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


# slots the actions read as dates and as exact sums, whatever form they came in
_DATE_SLOTS = ("date", "due_date", "close_date", "send_date")
_SUM_SLOTS = ("amount", "amount_change")


def _plain_slots(values: dict[str, object]) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for key, value in values.items():
        if key in _DATE_SLOTS and isinstance(value, str):
            slots[key] = date.fromisoformat(value)
        elif key in _SUM_SLOTS and not isinstance(value, Decimal):
            slots[key] = Decimal(str(value))
        else:
            slots[key] = value
    return slots


# a message read this surely as another request, of some length ("ORD-3003 ส่งถึงไหนแล้วคะ"
# has no spaces to count words by), starts it instead of answering an open question; a name
# or a contact alone reads as a lookup or a new customer, and answers it
SURE_NEW_REQUEST = 0.9
NEW_REQUEST_LENGTH = 12
# what stops a question whose answer is taken as typed (an FAQ answer)
STOP_WORDS = frozenset({"cancel", "stop", "never mind", "nevermind", "ยกเลิก", "ไม่เอาแล้ว", "พอแล้ว"})
ANSWER_INTENTS = frozenset({"customer_lookup", "customer_create", "confirm", "deny"})
# a typed answer picks the option whose label it names this well (0-100)
OPTION_MATCH = 75


def _only_ids(text: str) -> bool:
    """A message of a ticket, order or member number and nothing more but particles."""
    rest = clean_text(text)
    spans = SpanSet()
    extract_ids(rest, spans)
    ids = [e for e in spans.entities if e.kind in ("order_id", "ticket_id", "member_id")]
    for e in sorted(ids, key=lambda e: e.start, reverse=True):
        rest = f"{rest[: e.start]} {rest[e.end :]}"
    particles = load_lexicon().particles
    words = fold_text(rest).replace("?", " ").replace(".", " ").split()
    return bool(ids) and all(w in particles for w in words)


# words a message giving a link code may have ("รหัส L2WQESS4 ครับ", "my code is L2WQESS4")
LINK_CODE_WORDS = 4


def _typed_link_code(text: str) -> bool:
    """A short message holding a link code as staff gave it ("L2WQESS4", "รหัส l2wqess4 ครับ"):
    letters and digits together (every code has both), so a word is none ("PAYMENTS")."""
    if len(text.split()) > LINK_CODE_WORDS:
        return False
    return any(
        LINK_CODE.fullmatch(word.upper())
        and any(c.isdigit() for c in word)
        and any(c.isalpha() for c in word)
        for word in re.findall(r"[A-Za-z0-9]+", text)
    )


def _ids_in(parsed: ParseResult) -> bool:
    """The message names an order, ticket or member: about that one, not a general question."""
    return bool(parsed.slots.keys() & {"order_id", "ticket_id", "member_id"})


# a link code typed: letters and digits together, or alone as a few words ("DCYB3NWX")
_CODE_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{6,12}(?![A-Za-z0-9])")
_CODE_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]{2,23}")


# questions whose answer names someone: a customer or a colleague
NAMING_SLOTS = frozenset({"customer", "customer_id", "assignee", "rep"})


# ids the bot asks for; told with more, they are a request of their own
_ID_SLOTS = frozenset({"ticket_id", "order_id"})
# ids that say which ticket, order or customer a request is about: another one told is
# another request, never a correction of the pending one
_ABOUT_SLOTS = _ID_SLOTS | {"member_id"}
# told anew by the same kind of request while a question waits, another of these makes it a
# request of its own: another stage, sum, status or day, or another ticket, order or member
_ANEW_SLOTS = CORRECTABLE_SLOTS | _ABOUT_SLOTS
# slots only a request of its own gives, never an answer told in words
_REQUEST_SLOTS = frozenset({"points", "amount", "stage", "ticket_id", "order_id"})
# words beyond the customer and what is told that make an answer a request of its own
_REQUEST_WORDS = 3


def _asks_anew(intent: str, parsed: ParseResult, text: str) -> bool:
    """A message read as the same kind of request, with words of asking beside what it tells
    ("open a ticket for Siam Paper: printer is broken", "deduct 1 point from Somchai"): a
    request of its own, not the words the bot asked for."""
    if parsed.intent != intent:
        return False
    if _REQUEST_SLOTS & parsed.slots.keys():
        return True
    told = " ".join(str(parsed.slots.get(s) or "") for s in ("description", "note", "customer"))
    return len(text.split()) - len(told.split()) >= _REQUEST_WORDS


def _names_another_id(slots: dict[str, Any], parsed: ParseResult) -> bool:
    """The message names a ticket, order or member the pending request is not about
    ("ปิดเคส TCK-2004" while a change to TCK-2005 waits for a yes)."""
    return any(
        key in parsed.slots and str(parsed.slots[key]) != str(slots.get(key))
        for key in _ABOUT_SLOTS
    )


def _names_another_customer(slots: dict[str, Any], parsed: ParseResult) -> bool:
    """The message names a customer other than the one the pending question is about."""
    named, asked = parsed.slots.get("customer_id"), slots.get("customer_id")
    if named is not None and asked is not None:
        return bool(named != asked)
    told, held = parsed.slots.get("customer"), slots.get("customer")
    return bool(told and held and fold_text(str(told)) != fold_text(str(held)))


# a place in a list of choices said in words ("อันแรก", "the second one", "ข้อ 2", "อันสุดท้าย")
_ORDINAL_WORDS = {
    "แรก": 1, "หนึ่ง": 1, "สอง": 2, "สาม": 3, "สี่": 4, "ห้า": 5, "สุดท้าย": -1,
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
    "4th": 4, "fifth": 5, "5th": 5, "last": -1,
}  # fmt: skip
_ORDINAL = re.compile(
    r"(?:(?:the|no\.?|number|option|choice)\s*)?(?:อัน|ข้อ|ตัว|รายการ|ดีล|งาน|เคส|ลำดับ)?\s*(?:ที่)?\s*"
    r"(\d|[a-z0-9]+|[\u0E00-\u0E7F]+?)\s*(?:one|อัน)?\s*(?:ครับ|ค่ะ|คะ|นะ|จ้า)?",
    re.IGNORECASE,
)


def _ordinal(text: str) -> int | None:
    """The place a typed answer names in a list (1 for "อันแรก", -1 for "the last one")."""
    m = _ORDINAL.fullmatch(text.strip())
    if m is None:
        return None
    word = m.group(1).lower()
    return int(word) if word.isdigit() else _ORDINAL_WORDS.get(word)


def _placed(options: list[list[str]], text: str) -> str | None:
    """The option a typed answer picks by its number or its place in the list."""
    stripped = text.strip().rstrip(".")
    if stripped.isdigit() and 1 <= int(stripped) <= len(options):
        return options[int(stripped) - 1][0]
    place = _ordinal(stripped)
    if place is not None and -len(options) <= place <= len(options) and place:
        # "อันแรก", "the second one", "ข้อ 2": the option at that place
        return options[place - 1 if place > 0 else place][0]
    return None


def _option(options: list[list[str]], text: str) -> str | None:
    """The option a typed answer picks: its number, or a close match of its label."""
    if not options:
        return None
    placed = _placed(options, text)
    if placed is not None:
        return placed
    # the label's words or a part of it, not any part of the answer ("ดีล Lotus Garden
    # อยู่ขั้นไหนแล้ว" asks anew; it picks no "Lotus Garden – steel shelving")
    scores = [words_score(text, (label,)) for _, label in options]
    best = max(scores)
    if best >= OPTION_MATCH and scores.count(best) == 1:
        return options[scores.index(best)][0]
    return None


def queue_notifications(uow: UnitOfWork, notes: tuple[Notification, ...], lang: str) -> None:
    """Write a turn's notifications to the outbox in the turn's own transaction."""
    for note in notes:
        payload: dict[str, Any] = {"text": note.text, "lang": lang}
        if note.card is not None:
            payload["card"] = card_to_json(note.card)
        if note.ref is not None:
            payload["ref"] = note.ref
        outbox.enqueue(
            uow, kind=note.kind, platform=note.platform, target=note.target, payload=payload
        )


def _slots_from(result: ParseResult) -> dict[str, Any]:
    slots = _plain_slots(result.slots)
    if result.customer_candidates and "customer_id" not in slots:
        slots["_candidates"] = [(c.id, c.name) for c, _score in result.customer_candidates]
    return slots


# what a colleague's things read as "my …" may be asked for: lists and reports the actions
# show for the colleague named ("Pim's tickets", "Nattaya's top customers")
OWN_READINGS = frozenset({"ticket_status", "report", "deal_list"})
# a short Latin message read as one of these keeps the conversation's language ("OK", "Acme")
KEEPS_LANG = frozenset({"confirm", "deny", "thanks", "customer_lookup"})
# a staff request a customer's message reads as, and what the customer may do instead: see
# the ticket or the points the staff member would change
OWN_SIDE = {"ticket_update": "ticket_status", "loyalty_adjust": "loyalty_balance"}
# what a customer's message naming a reward may have been read as instead of a redemption
REDEEM_FROM = frozenset({"out_of_scope", "ticket_create"})


class Bot:
    """Handles one message at a time; every message is one database transaction."""

    def __init__(
        self,
        store: Store,
        *,
        timezone: str = "Asia/Bangkok",
        support_channel: str = "",
        manager_channel: str = "",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.tz = ZoneInfo(timezone)
        self.support_channel = support_channel
        self.manager_channel = manager_channel
        self.clock = clock
        self._index: CustomerIndex | None = None
        self._index_built = 0.0

    # ---- customer names for the parser ------------------------------------------------------

    def customers(self, uow: UnitOfWork | None = None) -> CustomerIndex:
        """The customer-name index, rebuilt when stale (inside `uow` when one is open)."""
        index = self._index
        if index is None or time.monotonic() - self._index_built > INDEX_MAX_AGE:
            if uow is None:
                with self.store.uow() as own:
                    index = self._build_index(own)
            else:
                index = self._build_index(uow)
            self._index, self._index_built = index, time.monotonic()
        return index

    @staticmethod
    def _build_index(uow: UnitOfWork) -> CustomerIndex:
        return CustomerIndex.build(
            CustomerName(r.id, r.name, r.aliases) for r in iter_customer_names(uow)
        )

    def add_customers(self, names: list[CustomerName]) -> None:
        """Put new customers into the name index without rebuilding it (seconds at 100k)."""
        index = self._index
        if index is not None:
            for name in names:
                index.add(name)

    def parse(self, text: str, uow: UnitOfWork | None = None) -> ParseResult:
        """Parse text against the current customers and clock."""
        context = ParseContext(
            now=self.clock(), timezone=str(self.tz), customers=self.customers(uow)
        )
        return parse(text, context)

    def entities(self, text: str) -> dict[str, object]:
        """Every slot value the text holds by pattern or vocabulary, on the bot's clock."""
        return extract_entities(text, ParseContext(now=self.clock(), timezone=str(self.tz)))

    # ---- the turn ---------------------------------------------------------------------------

    def handle(self, message: Message) -> Reply | None:
        """Answer one message; None when it is a redelivery already handled."""
        return self._handle(message, None)

    def run_intent(self, message: Message, intent: str, slots: dict[str, Any]) -> Reply | None:
        """Run a known intent with given slots (a submitted form), with the same identity,
        permission, dedupe and transaction rules as a typed message."""
        return self._handle(message, (intent, slots))

    def _handle(self, message: Message, form: tuple[str, dict[str, Any]] | None) -> Reply | None:
        actor = Actor(f"{message.platform}:{message.user_id}", message.channel)
        with self.store.uow(actor) as uow:
            if message.event_id and not conversations.mark_processed(
                uow, message.platform, message.event_id
            ):
                return None
            relayed = handoff_bridge.relay_customer(uow, message)
            if relayed == handoff_bridge.PASSED_ON:
                # a person from staff has this conversation: relay it, say nothing
                uow.commit()
                return None
            if relayed == handoff_bridge.WITHDRAWN:
                # "ยกเลิกค่ะ": no longer waiting for staff, back to the bot
                uow.commit()
                lang = "th" if THAI_CHAR.search(message.text) else "en"
                return Reply(say("handoff_withdrawn", lang), lang)
            who = self._identify(uow, message)
            state = conversations.load_state(uow, message.platform, message.user_id)
            if who is None:
                lang = reply_lang(self.parse(message.text, uow).lang if message.text else None)
                uow.commit()
                return Reply(say("unknown_staff", lang), lang)
            if form is None:
                reply = self._turn(uow, who, message, state)
            else:
                lang = str(state.get("lang", "th"))
                reply = self._start(uow, who, message, state, form[0], dict(form[1]), lang)
            parsed_intent = state.pop("_intent", None)
            if reply.intent is None:
                reply = replace(reply, intent=parsed_intent)
            state["lang"] = reply.lang
            handoff_bridge.after_turn(
                uow, message, who.customer, state, reply, self.support_channel
            )
            added = state.pop("customers_added", [])
            conversations.save_state(uow, message.platform, message.user_id, state)
            uow.commit()
        if added:
            self.add_customers([CustomerName(int(i), str(name)) for i, name in added])
        return reply

    def _identify(self, uow: UnitOfWork, message: Message) -> Identity | None:
        ref = f"{message.platform}:{message.user_id}"
        if message.platform == "slack":
            try:
                staff = staff_by_slack_id(uow, message.user_id)
            except StaffNotFound:
                return None
            return Identity(staff.role.value, ref, staff=staff)
        customer = customer_by_line_user(uow, message.user_id)
        if customer is None or customer.lifecycle.value == "lead":
            return Identity("lead", message.user_id, customer=customer)
        return Identity("customer", message.user_id, customer=customer)

    def _turn(
        self, uow: UnitOfWork, who: Identity, message: Message, state: dict[str, Any]
    ) -> Reply:
        lang = str(state.get("lang", "th"))
        pending: dict[str, Any] | None = state.get("pending")
        # what the last reply offered with one button ("talk to staff?"): a typed yes takes it
        offer = state.pop("offer", None)
        if message.action is not None:
            return self._press(uow, who, message, state, pending, lang)
        text = message.text.strip()
        if not text:
            return Reply(say("please_type", lang), lang)
        if text.lower() in UNDO_WORDS and who.is_staff:
            if pending is not None:
                # "undo" with a question or a yes-or-no on screen backs out of that (nothing
                # is written yet), not out of the change before it
                state.pop("pending", None)
                key = "undo_pending_more" if state.get("last_change") else "undo_pending"
                return Reply(say(key, lang), lang)
            return self._undo(uow, state, lang)
        parsed = self.parse(text, uow)
        state["_intent"] = parsed.intent
        verbatim = pending is not None and pending.get("awaiting") in VERBATIM_SLOTS
        short_latin = parsed.lang == "en" and len(text.split()) <= 2
        if (
            not _language_neutral(text)
            and not verbatim
            and not (short_latin and (pending is not None or parsed.intent in KEEPS_LANG))
        ):
            # a short Latin answer ("50k", "Acme") keeps the conversation's language, as do an
            # "OK" or a customer's name typed alone, a message of ids and numbers alone
            # ("ORD-3001"), or an FAQ answer in either
            lang = reply_lang(parsed.lang, lang)
        if pending is not None:
            answered = self._answer(uow, who, message, state, pending, parsed, text, lang)
            if answered is not None:
                return answered
        elif offer and parsed.intent == "confirm":
            # "ค่ะ" after "ต้องการคุยกับเจ้าหน้าที่หรือไม่" with its one button: that button
            return self._start(uow, who, message, state, str(offer), {}, lang)
        elif who.is_staff and parsed.intent == "cancel" and points_back(text):
            # "ขอยกเลิกที่ปิดดีลเมื่อกี้ กดผิด", "undo that": the last change, as "undo" would
            return self._undo(uow, state, lang)
        if who.is_staff:
            parsed = self._read_as_own(uow, parsed, text) or parsed
            state["_intent"] = parsed.intent
        elif who.customer is not None:
            parsed = self._read_as_redeem(uow, parsed, text) or parsed
            state["_intent"] = parsed.intent
        slots = _slots_from(parsed)
        slots["_text"] = text
        slots["_confidence"] = parsed.confidence
        intent = parsed.intent
        if (
            who.is_staff
            and intent == "order_status"
            and slots.get("list")
            and not slots.keys() & {"customer", "customer_id", "order_id"}
        ):
            # "all my orders this week" from staff: their sales, not a customer's own orders
            intent = state["_intent"] = "report"
            slots = {k: v for k, v in slots.items() if k != "list"}
        elif not who.is_staff and intent == "task_create" and slots.get("request"):
            # "ยกเลิกงานสัมมนาวันเสาร์ได้ไหม" from a customer: no task of theirs to drop or
            # move, a question the knowledge base may answer
            intent = "out_of_scope"
        if intent in FAQ_OVER and not who.is_staff and not _ids_in(parsed):
            # a customer asking one of the stored questions word for word ("ยกเลิกเวิร์กช็อป
            # ได้ไหม" as staff wrote it): the answer staff gave, whatever else it reads as
            known = faq_match(uow, text)
            if known is not None and known[1] >= FAQ_EXACT_SCORE:
                intent = state["_intent"] = "faq"
                slots["_faq_entry"] = known[0].id
        if intent == "out_of_scope":
            known = faq_match(uow, text)
            if known is None or known[1] < FAQ_FALLBACK_SCORE:
                # a customer's words all held by one entry ("how do I pay"): staff ask the
                # knowledge base in its own words
                known = None if who.is_staff else faq_search(uow, text, least=1.0)
            if known is not None:
                intent = state["_intent"] = "faq"
                slots["_faq_entry"] = known[0].id  # the faq action answers it, not matches again
        unplaced = intent == "out_of_scope"
        if who.is_staff and intent == "faq" and not slots.get("request"):
            # a staff "question" the knowledge base cannot answer ("Acme ขอส่วนลด 5% ถ้าสั่ง
            # 100 ชิ้น") may tell something of a customer
            entry = faq_answer(uow, self._without_customer(uow, text))
            unplaced = entry is None
            if entry is not None:
                slots["_faq_entry"] = entry.id  # the faq action answers it, not matches again
        if unplaced and who.is_staff:
            # A bare customer name is a lookup (staff type "Acme Trading" to see the card).
            named = self.customers(uow).resolve(text)
            noted = None
            if named.best is not None and named.score >= NAME_ONLY_SCORE and not named.ambiguous:
                if intent == "out_of_scope":
                    intent, slots["customer_id"] = "customer_lookup", named.best.id
                    state["_intent"] = intent
            else:
                noted = self._read_as_note(uow, text)
            if noted is not None:
                # "Acme ขอ discount 10%": something told of a known customer, in words the
                # parser could not place: offered as a note on them, never written unasked
                # (no confidence)
                intent = state["_intent"] = "log_interaction"
                slots.update(noted, _confidence=0.0)
        return self._start(uow, who, message, state, intent, slots, lang)

    def _read_as_own(self, uow: UnitOfWork, parsed: ParseResult, text: str) -> ParseResult | None:
        """A staff message about a colleague's things that reads as nothing, or as a task
        named after them ("Pim's tickets", "งานพรุ่งนี้ของสมชาย" as a task "งาน ของสมชาย"):
        read again with the sender's own in their place ("my tickets"); the actions then find
        in the text whose they are. None when that reads as no such list either."""
        unread = parsed.intent == "out_of_scope" or (
            parsed.intent == "customer_lookup" and "customer_id" not in parsed.slots
        )
        titled = parsed.intent == "task_create" and not parsed.slots.get("list")
        if not (unread or titled):
            return None
        named = colleagues.named_colleagues(list_staff(uow), text)
        for member in named:
            own = colleagues.as_own(text, member)
            if own == text:
                continue
            again = self.parse(own, uow)
            listed = again.intent == "task_create" and bool(again.slots.get("list"))
            if listed or (unread and again.intent in OWN_READINGS):
                return again
        if named and unread:
            # "pipeline for Somchai and Nattaya" with a customer called Somchai too: read
            # without the customers, a colleague's name is no customer's
            again = parse(text, ParseContext(now=self.clock(), timezone=str(self.tz)))
            if again.intent in OWN_READINGS:
                return again
        return None

    def _holds_code(self, text: str) -> bool:
        """True when an answer may give a link code or a phone number ("DCYB3NWX", "my
        number is 082-345-6789", "0823456789 ค่ะ"), not when it asks something else."""
        if _CODE_LIKE.fullmatch(text.strip()) or _CODE_WORD.search(text):
            return True
        return bool({"phone", "member_id"} & self.entities(text).keys())

    def _told_of(self, uow: UnitOfWork, clean: str) -> tuple[CustomerName, str] | None:
        """The one known customer a cleaned text names, and the text without them; None when
        it names no one customer."""
        known = self.customers(uow).known_mention(clean)
        if known is None:
            return None
        mention, best = known
        return best, f"{clean[: mention.start]} {clean[mention.end :]}"

    def _without_customer(self, uow: UnitOfWork, text: str) -> str:
        """The text without the one known customer it names ("Acme ขอใบกำกับภาษี": what is
        asked of the knowledge base is "ขอใบกำกับภาษี")."""
        told = self._told_of(uow, clean_text(text))
        return text if told is None else told[1].strip()

    def _read_as_note(self, uow: UnitOfWork, text: str) -> dict[str, Any] | None:
        """A statement naming one known customer, with something more told of them ("Acme
        ขอ discount 10%"): the customer and what is told. None for a question ("what's
        Acme's credit limit?", "Acme จ่ายหรือยัง"), or when no one customer is named."""
        lexicon = load_lexicon()
        clean = clean_text(text)
        words = [w for w in default_tokeniser().tokens(fold_text(clean)) if w.strip()]
        if clean.rstrip().endswith("?") or not words:
            return None
        if words[0] in lexicon.question_words or any(
            not w.isascii() and w in lexicon.question_words for w in words
        ):
            return None
        known = self._told_of(uow, clean)
        if known is None:
            return None
        best, rest = known
        told = rest.strip(" ,:;-")
        latin = re.findall(r"[a-z]+", told.casefold())
        vocabulary = lexicon.latin_words | lexicon.stopwords
        if len(told) < NOTE_LEAST or (told.isascii() and set(latin) <= vocabulary):
            return None  # "Acme interactions": words of a request, nothing told
        return {"customer": best.name, "customer_id": best.id, "note": told}

    def _read_as_redeem(
        self, uow: UnitOfWork, parsed: ParseResult, text: str
    ) -> ParseResult | None:
        """A customer's message the model took for nothing or a problem, with a redemption
        the next best reading, that names one of the rewards ("I want the bag", "อยากได้
        กระเป๋า"): a request for that reward, which the customer then confirms. None when it
        names none."""
        runner_up = parsed.alternatives[0][0] if parsed.alternatives else None
        if parsed.intent not in REDEEM_FROM or runner_up != "loyalty_redeem":
            return None
        wanted = reward_asked(text)
        reward = reward_named(wanted, loyalty.list_rewards(uow), whole=True) if wanted else None
        if reward is None:
            return None
        return replace(parsed, intent="loyalty_redeem", slots={"reward": reward.code})

    def _press(
        self,
        uow: UnitOfWork,
        who: Identity,
        message: Message,
        state: dict[str, Any],
        pending: dict[str, Any] | None,
        lang: str,
    ) -> Reply:
        assert message.action is not None
        action = message.action
        if action.token != state.get("token"):
            return Reply(say("button_expired", lang), lang)
        state.pop("token", None)
        if action.value.startswith("intent:"):
            state.pop("pending", None)
            return self._start(uow, who, message, state, action.value[7:], {}, lang)
        if pending is None:
            return Reply(say("button_expired", lang), lang)
        if action.value == "cancel" or (pending["awaiting"] == CONFIRM and action.value == "no"):
            state.pop("pending", None)
            return Reply(say("cancelled", lang), lang)
        slots = {k: _decode(v) for k, v in pending["slots"].items()}
        confirmed = pending["awaiting"] == CONFIRM and action.value == "yes"
        if not confirmed:
            slots[pending["awaiting"]] = action.value
            slots["_answered"] = pending["awaiting"]  # chosen outright, not read from a sentence
            slots.pop("_candidates", None)
            slots.pop("_confidence", None)  # answering the question takes the reading as meant
        return self._run(uow, who, message, state, pending["intent"], slots, lang, confirmed)

    def _answer(
        self,
        uow: UnitOfWork,
        who: Identity,
        message: Message,
        state: dict[str, Any],
        pending: dict[str, Any],
        parsed: ParseResult,
        text: str,
        lang: str,
    ) -> Reply | None:
        """Continue a pending question; None when the message starts something new."""
        awaiting = str(pending["awaiting"])
        if awaiting in WORDED_CHOICES:
            # "เรื่องเดิมค่ะ", "the old one" answering "about TCK-2001, or something new?": the
            # choice its words make, whatever else they read as (a cancel, a no); a look-alike
            # of a label makes none ("เรื่องเดิม" is no "เรื่องใหม่"), so words that make none
            # ask again, unless they stop the question or surely ask something else
            options = pending.get("options") or []
            chosen = _placed(options, text) or WORDED_CHOICES[awaiting](uow, options, text)
            if chosen is not None:
                parsed = replace(parsed, intent=pending["intent"], slots={awaiting: chosen})
            elif parsed.intent != "cancel":
                unclear = (pending["intent"], "out_of_scope", "confirm", "deny", "thanks")
                if parsed.intent in unclear or parsed.confidence < SURE_NEW_REQUEST:
                    return self._ask_again(pending, state, lang)
                state.pop("pending", None)
                return None
        if awaiting in VERBATIM_SLOTS and text.strip().casefold() not in STOP_WORDS:
            # an answer typed out: nothing it reads as stops it ("ยกเลิกได้" is an answer);
            # only a word of stopping alone does
            parsed = replace(parsed, intent="out_of_scope")
        if parsed.intent == "cancel" or (awaiting == CONFIRM and parsed.intent == "deny"):
            state.pop("pending", None)
            return Reply(say("cancelled", lang), lang)
        slots = {k: _decode(v) for k, v in pending["slots"].items()}
        if awaiting == CONFIRM:
            if parsed.intent == "confirm":
                return self._run(uow, who, message, state, pending["intent"], slots, lang, True)
            # a message naming a customer ("ดีลใหม่ ร้านจักรยาน 80k"), or another ticket, order
            # or member ("ปิดเคส TCK-2004" while TCK-2005's change waits), is a request of its
            # own, never a correction of the one awaiting confirmation
            another = parsed.slots.get("customer") or _names_another_id(slots, parsed)
            corrected = {} if another else self._correction(pending, text)
            if corrected:
                # "50k" in answer to "close Acme at ฿80,000?" corrects the value and asks again
                slots.update(corrected)
                return self._run(uow, who, message, state, pending["intent"], slots, lang, False)
            if parsed.intent in ("out_of_scope", "thanks"):
                # "🙏", "ขอบคุณค่ะ" answer neither yes nor no: the question stands
                return Reply(
                    say("please_confirm", lang),
                    lang,
                    choices=self._yes_no(lang),
                    token=self._token(state),
                    confirm=True,
                )
            state.pop("pending", None)
            return None
        options = pending.get("options") or []
        if options and parsed.intent in ("confirm", "deny") and _option(options, text) is None:
            # "yes" to "which deal?" picks nothing: ask again; "no" drops the question
            if parsed.intent == "deny":
                state.pop("pending", None)
                return Reply(say("cancelled", lang), lang)
            return self._ask_again(pending, state, lang)
        switching = parsed.intent not in ("out_of_scope", pending["intent"])
        if pending["intent"] == "faq" and parsed.intent == "faq" and parsed.slots.get("request"):
            # "edit faq opening_hours" while the new entry's question waits: a request of its
            # own about the knowledge base, not the question
            state.pop("pending", None)
            return None
        if (
            awaiting == "reward"
            and options
            and parsed.intent in (pending["intent"], "faq", "out_of_scope")
            and not asks_something(text)
            and (code := self._reward_option(uow, options, text)) is not None
        ):
            # "Free shipping" for "ส่งฟรี 1 ครั้ง": a reward named in other words picks it
            text = next(label for value, label in options if value == code)
            parsed = replace(parsed, intent=pending["intent"], slots={})
            switching = False
        if options and switching and _option(options, text) is None:
            # a choice question answered with a new request: leave the question behind
            state.pop("pending", None)
            return None
        if (
            awaiting in _ID_SLOTS
            and parsed.intent == pending["intent"]
            and awaiting in parsed.slots
            and parsed.slots.keys() - {awaiting}
        ):
            # "TCK-2009 รอลูกค้าส่งข้อมูล" while "which ticket?" waits for an urgent one: a
            # change of its own to that ticket, without the one asked about
            state.pop("pending", None)
            return None
        if parsed.intent == pending["intent"] and (
            any(
                key != awaiting and key in slots and str(slots[key]) != str(value)
                for key, value in parsed.slots.items()
                if key in _ANEW_SLOTS
            )
            # "งานที่เลยกำหนด" while "which task to move?" waits: a list asked for
            or (parsed.slots.get("list") and not slots.get("list"))
        ):
            # "เอ้ย ไม่ใช่ ดีล Lotus Garden ขยับไป qualified" while "which deal?" waits to close
            # one as won: a request of its own with its own stage, not the deal's name; "close
            # TCK-2004" while a colleague for TCK-2005 is asked: a request for TCK-2004
            state.pop("pending", None)
            return None
        if parsed.intent == pending["intent"] == "deal_update" and parsed.slots.get("assign"):
            # "give the Acme deal to Nattaya" while its stage is asked: a new owner, not a stage
            state.pop("pending", None)
            return None
        if (
            awaiting not in NAMING_SLOTS
            and (awaiting not in FREE_TEXT_SLOTS or _asks_anew(pending["intent"], parsed, text))
            and _names_another_customer(slots, parsed)
        ):
            # "ดีล Lotus Garden แพ้แล้ว" while the Acme deal's stage is asked: a request about
            # Lotus Garden of its own, not the stage of Acme's deal (a problem told, or a name
            # picked, may name anyone)
            state.pop("pending", None)
            return None
        if (
            not options
            and switching
            and parsed.intent not in ANSWER_INTENTS
            and parsed.confidence >= SURE_NEW_REQUEST
            and len(text) >= NEW_REQUEST_LENGTH
        ):
            # "remind me to send samples to Lotus Garden on Monday" while "which customer?"
            # waits: a request of its own, not the name it holds
            state.pop("pending", None)
            return None
        value = self._slot_value(uow, pending["intent"], awaiting, options, parsed, text)
        if value is None:
            if parsed.intent not in ("out_of_scope", "confirm", "thanks", pending["intent"]):
                state.pop("pending", None)
                return None
            # nothing read, or an okay or a thanks ("👍", "โอเคค่ะ"): the question stands
            return self._ask_again(pending, state, lang)
        if awaiting == "customer" and isinstance(value, list):
            slots["_candidates"] = value
        elif awaiting == "customer":
            slots["customer_id"] = value
        else:
            slots[awaiting] = value
            slots["_answered"] = awaiting
        if awaiting == "customer_id":
            slots.pop("_candidates", None)
        slots.pop("_confidence", None)  # answering the question takes the reading as meant
        for key, extra in _slots_from(parsed).items():
            slots.setdefault(key, extra)
        for key, extra in self._told_slots(pending, text).items():
            # more told with the answer ("about 40k, closing next month"): kept too
            slots.setdefault(key, extra)
        return self._run(uow, who, message, state, pending["intent"], slots, lang, False)

    def _reward_option(self, uow: UnitOfWork, options: list[list[str]], text: str) -> str | None:
        """The reward offered that a typed answer names in other words or the other language
        ("Free shipping" for "ส่งฟรี 1 ครั้ง", "อยากได้กระเป๋าค่ะ"), when no label matches it as
        typed."""
        if _option(options, text) is not None:
            return None
        offered = {value for value, _ in options}
        catalogue = [r for r in loyalty.list_rewards(uow) if r.code in offered]
        wanted = reward_asked(text) or text  # "อยากได้กระเป๋าค่ะ": "กระเป๋า"
        reward = reward_named(wanted, catalogue) if catalogue else None
        return reward.code if reward is not None else None

    def _ask_again(self, pending: dict[str, Any], state: dict[str, Any], lang: str) -> Reply:
        """The pending question once more, with its choices."""
        return Reply(
            pending.get("question", say("please_answer", lang)),
            lang,
            choices=tuple(Choice(o[1], o[0]) for o in pending.get("options") or []),
            token=self._token(state),
        )

    def _correction(self, pending: dict[str, Any], text: str) -> dict[str, Any]:
        """Slot values a short message gives for the intent awaiting confirmation."""
        if len(text.split()) > CORRECTION_WORDS:
            return {}
        return self._told_slots(pending, text)

    def _told_slots(self, pending: dict[str, Any], text: str) -> dict[str, Any]:
        """Values the text gives, by pattern, for the pending intent's slots that may be
        corrected (amounts, points, stages, dates)."""
        wanted = set(load_lexicon().intents[str(pending["intent"])].slots)
        found = _plain_slots(self.entities(text))
        day = found.pop("date", None)
        for slot in ("date", "due_date", "close_date"):
            if day is not None and slot in wanted:
                found[slot] = day
                break
        return {k: v for k, v in found.items() if k in wanted and k in CORRECTABLE_SLOTS}

    def _slot_value(
        self,
        uow: UnitOfWork,
        intent: str,
        slot: str,
        options: list[list[str]],
        parsed: ParseResult,
        text: str,
    ) -> Any:
        told = parsed.slots.get(slot) if parsed.intent == intent else None
        if told is not None and any(str(told) == value for value, _ in options):
            # "ดีล Acme แพ้แล้ว" answering "which stage?": the stage it says (lost), before any
            # label its words look like ("ดีล" is near "ลีด")
            return told
        chosen = _option(options, text)
        if chosen is not None:
            return chosen
        if slot == "customer":
            # "M-10001" or "0812223344" in answer to "which customer?"
            found = self.entities(text)
            contact = contact_details(found)
            known = customer_by_contact(uow, **contact) if contact else None
            if known is not None:
                return known.id
            if parsed.slots.get("customer_id") is not None:
                # "คุณมาลีค่ะ", "Acme ครับ": the one the parser read, honorific and particle
                # aside
                return int(str(parsed.slots["customer_id"]))
            named = parsed.slots.get("customer")
            resolution = self.customers(uow).resolve(str(named) if named else text)
            if resolution.best is None:
                return None
            if resolution.ambiguous:
                return [(c.id, c.name) for c, _ in resolution.candidates]
            return resolution.best.id
        if slot == "code" and not self._holds_code(text):
            # "the phone number or code?" answered with a question ("มีสินค้าอะไรบ้าง"): no
            # answer; a request of its own is then served
            return None
        if slot in FREE_TEXT_SLOTS:
            # the parser's reading of the slot, when it read the same request ("อยากแลกกาแฟฟรี
            # ค่ะ" answering "which reward?" is "กาแฟฟรี"); else the answer as typed
            if parsed.slots.get("customer"):
                # "the machine we installed at Korat Furniture is leaking": the customer is
                # part of what is told, not taken out of it
                told = None
            return told or text
        slots = {**_plain_slots(self.entities(text)), **_slots_from(parsed)}
        if slot in ("date", "due_date", "close_date"):
            return slots.get(slot) or slots.get("date") or slots.get("due_date")
        if slot == "contact":
            # "which phone or email?": either answers it
            return slots.get("phone") or slots.get("email")
        return slots.get(slot)

    def _start(
        self,
        uow: UnitOfWork,
        who: Identity,
        message: Message,
        state: dict[str, Any],
        intent: str,
        slots: dict[str, Any],
        lang: str,
    ) -> Reply:
        if intent not in ACTIONS:
            intent = "out_of_scope"
        if who.role == "lead" and intent != "link_account" and _typed_link_code(message.text):
            # the code staff gave, typed as they said ("ให้ลูกค้าพิมพ์รหัสนี้ใน LINE"): linking
            intent = state["_intent"] = "link_account"
        if (
            who.role == "lead"
            and not allowed(who.role, intent)
            and (
                slots.get("order_id")
                or (intent == "customer_lookup" and slots.get("phone") and not slots.get("request"))
            )
        ):
            # "my phone is 08… and order ORD-3001": what linking asks for, given at once; a
            # phone number alone starts it (not "change my phone to 08…")
            phone = self.entities(message.text).get("phone")
            if phone:
                intent, slots["phone"] = "link_account", phone
        if (
            who.role == "customer"
            and not allowed(who.role, intent)
            and intent in OWN_SIDE
            and _only_ids(message.text)
        ):
            # "TCK-2001", "M-10013" alone: staff would change the ticket or the points; a
            # customer looks at their own ("TCK-2001 close it" is still refused)
            intent = state["_intent"] = OWN_SIDE[intent]
        if not allowed(who.role, intent):
            # a customer is told where such a request can go instead of being refused flat
            key = {"lead": "not_allowed_lead", "customer": "not_allowed_customer"}.get(
                who.role, "not_allowed"
            )
            return Reply(say(key, lang), lang)
        state.pop("pending", None)
        return self._run(uow, who, message, state, intent, slots, lang, False)

    def _run(
        self,
        uow: UnitOfWork,
        who: Identity,
        message: Message,
        state: dict[str, Any],
        intent: str,
        slots: dict[str, Any],
        lang: str,
        confirmed: bool,
    ) -> Reply:
        slots["_via"] = message.channel
        ctx = Context(
            uow=uow,
            who=who,
            lang=lang,
            now=self.clock(),
            tz=self.tz,
            slots=slots,
            customers=self.customers(uow),
            confirmed=confirmed,
            state=state,
            support_channel=self.support_channel,
            manager_channel=self.manager_channel,
        )
        marker = undo.audit_marker(uow)
        queued = outbox.queued_mark(uow)
        outcome: Outcome = ACTIONS[intent](ctx)
        if isinstance(outcome, Done):
            state.pop("pending", None)
            queue_notifications(uow, outcome.notify, lang)
            if outcome.changed and who.is_staff:
                state["last_change"] = {
                    "ids": undo.audit_ids_since(uow, marker),
                    # what the change announced: withdrawn if it is undone before sending
                    "outbox": outbox.queued_since(uow, queued),
                    "at": utcnow().isoformat(),
                    # what was said of it, to say what an undo reverts
                    "said": outcome.text.split("\n", 1)[0][:160],
                }
            token = self._token(state) if outcome.choices else None
            if len(outcome.choices) == 1:
                state["offer"] = outcome.choices[0].value
            choices = tuple(replace(c, value=f"intent:{c.value}") for c in outcome.choices)
            return Reply(
                outcome.text,
                lang,
                outcome.cards,
                choices,
                token=token,
                notify=outcome.notify,
                intent=intent,
                charts=outcome.charts,
            )
        awaiting = outcome.slot if isinstance(outcome, Ask) else CONFIRM
        pending: dict[str, Any] = {
            "intent": intent,
            "slots": {k: _encode(v) for k, v in slots.items() if k != "_via"},
            "awaiting": awaiting,
            "question": outcome.text,
        }
        token = self._token(state)
        if isinstance(outcome, Confirm):
            state["pending"] = pending
            return Reply(
                outcome.text,
                lang,
                outcome.cards,
                self._yes_no(lang),
                token=token,
                confirm=True,
                intent=intent,
            )
        pending["options"] = [[c.value, c.label] for c in outcome.choices]
        state["pending"] = pending
        return Reply(outcome.text, lang, (), outcome.choices, token=token, intent=intent)

    def _token(self, state: dict[str, Any]) -> str:
        token = secrets.token_urlsafe(6)
        state["token"] = token
        return token

    def _yes_no(self, lang: str) -> tuple[Choice, ...]:
        return (Choice(say("yes_button", lang), "yes"), Choice(say("no_button", lang), "no"))

    def _undo(self, uow: UnitOfWork, state: dict[str, Any], lang: str) -> Reply:
        last = state.get("last_change")
        if not last:
            return Reply(say("nothing_to_undo", lang), lang)
        try:
            undone = undo.undo_last(uow, [int(i) for i in last["ids"]])
        except undo.NothingToUndo:
            state.pop("last_change", None)
            return Reply(say("nothing_to_undo", lang), lang)
        state.pop("last_change", None)
        if "customer.create" in undone:
            self._index = None  # a customer added with a deal is gone: names are read again
        withdrawn, sent = outbox.withdraw(uow, [int(i) for i in last.get("outbox", [])])
        said = str(last.get("said") or "")
        text = say("undone_said", lang, said=said) if said else say("undone", lang)
        if withdrawn:
            text += " " + say("undo_withdrawn", lang, count=withdrawn)
        if sent:
            text += " " + say("undo_already_sent", lang, count=sent)
        return Reply(text, lang)
