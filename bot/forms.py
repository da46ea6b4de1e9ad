"""Submitted forms: resolve a typed customer name to an id before running the intent."""

from __future__ import annotations

from typing import Any

from bot.engine import Bot
from bot.messages import Message, Reply


def form_slots(bot: Bot, slots: dict[str, Any]) -> dict[str, Any]:
    """Slots with a typed `customer` name resolved to `customer_id` (or candidates to ask)."""
    resolved = dict(slots)
    name = str(resolved.get("customer") or "").strip()
    if not name or "customer_id" in resolved:
        return resolved
    resolution = bot.customers().resolve(name)
    if resolution.best is None:
        return resolved
    if resolution.ambiguous:
        resolved["_candidates"] = [(c.id, c.name) for c, _score in resolution.candidates]
        return resolved
    resolved["customer_id"] = resolution.best.id
    return resolved


def submit_form(bot: Bot, message: Message, intent: str, slots: dict[str, Any]) -> Reply | None:
    """Run `intent` with the slots of a submitted form (None when it was already handled)."""
    return bot.run_intent(message, intent, form_slots(bot, slots))
