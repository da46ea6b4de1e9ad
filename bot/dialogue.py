"""What an action may answer: done, ask for a slot, offer choices, or ask to confirm."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.messages import Card, Chart, Choice, Notification
from crm_core.models import Customer, Staff
from crm_core.uow import UnitOfWork
from intents import CustomerIndex

# Slots whose answer is the whole message, not something the parser extracts.
FREE_TEXT_SLOTS = frozenset(
    {"note", "description", "subject", "title", "message", "question", "reward", "code"}
    | {"answer_th", "answer_en", "also_asked"}
)
# answers taken as typed, whatever they read as: an FAQ answer ("ยกเลิกได้ภายใน 7 วัน",
# "we deliver on Saturdays") is no new request nor a "cancel"
VERBATIM_SLOTS = frozenset({"answer_th", "answer_en", "also_asked"})


@dataclass(frozen=True)
class Identity:
    """Who is talking: a staff member, a linked customer, or a LINE lead."""

    role: str
    ref: str
    staff: Staff | None = None
    customer: Customer | None = None

    @property
    def is_staff(self) -> bool:
        return self.staff is not None


@dataclass
class Context:
    """Everything an action needs for one turn."""

    uow: UnitOfWork
    who: Identity
    lang: str
    now: datetime
    tz: ZoneInfo
    slots: dict[str, Any]
    customers: CustomerIndex
    confirmed: bool = False
    state: dict[str, Any] = field(default_factory=dict)
    support_channel: str = ""
    manager_channel: str = ""

    def today(self) -> Any:
        return self.now.astimezone(self.tz).date()


@dataclass(frozen=True)
class Done:
    """The action finished; `changed` marks a write the user may undo."""

    text: str
    cards: tuple[Card, ...] = ()
    choices: tuple[Choice, ...] = ()
    notify: tuple[Notification, ...] = ()
    changed: bool = False
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Ask:
    """A required slot is missing (or ambiguous): ask, optionally with choices."""

    slot: str
    text: str
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Confirm:
    """A write that moves money, points or stages: ask yes/no before doing it."""

    text: str
    cards: tuple[Card, ...] = ()


Outcome = Done | Ask | Confirm
