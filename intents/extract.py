"""Slot values in a message whatever its intent: answers to a question the bot asked."""

from __future__ import annotations

from intents.lexicon import load_lexicon
from intents.matchers import analyse
from intents.models import ParseContext
from intents.normalize import clean_text, fold_text
from intents.parser import (
    VOCABULARY_SLOTS,
    _mask,
    default_tokeniser,
    pattern_entities,
    slot_value,
)
from intents.slots.dates import period_of


def extract_entities(text: str, context: ParseContext | None = None) -> dict[str, object]:
    """Every slot value recognisable by pattern or vocabulary, first occurrence wins."""
    lexicon = load_lexicon()
    clean = clean_text(text)
    spans, _ = pattern_entities(clean, lexicon, context or ParseContext())
    found: dict[str, object] = {}
    entities = sorted(spans.entities, key=lambda e: e.start)
    for ent in entities:
        if ent.kind == "date":
            period = period_of(ent)
            found.setdefault("period" if period else "date", period or ent.value)
        else:
            found.setdefault(ent.kind, ent.value)
    tokens = default_tokeniser().tokens(fold_text(_mask(clean, entities)))
    analysis = analyse(tokens, lexicon)
    for slot in VOCABULARY_SLOTS:
        value = slot_value(analysis, slot)
        if value is not None:
            found.setdefault(slot, value[0])
    return found
