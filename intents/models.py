"""Value types of the intent parser: customers, resolutions, parse context and result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intents.resolver import CustomerIndex


@dataclass(frozen=True)
class CustomerName:
    """A customer the parser may resolve a mention to."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving a customer mention against the index."""

    best: CustomerName | None
    score: float
    candidates: tuple[tuple[CustomerName, float], ...]
    ambiguous: bool


@dataclass(frozen=True)
class ParseContext:
    """What the parser needs besides the text: the clock, the time zone and customers."""

    now: datetime | None = None
    timezone: str = "Asia/Bangkok"
    customers: CustomerIndex | None = None


def _json_value(value: object) -> Any:
    """Turn a slot value into its JSON form (Decimal to int/float, dates to ISO)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class ParseResult:
    """One parsed message: language, intent, confidence, slots and runners-up."""

    text: str
    lang: str
    intent: str
    confidence: float
    slots: dict[str, object]
    alternatives: tuple[tuple[str, float], ...]
    customer_candidates: tuple[tuple[CustomerName, float], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """Return the `khui parse` JSON object of SPEC.md."""
        return {
            "text": self.text,
            "lang": self.lang,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "slots": {name: _json_value(value) for name, value in self.slots.items()},
            "alternatives": [
                {"intent": name, "confidence": round(score, 4)} for name, score in self.alternatives
            ],
        }
