"""Whether a customer's request names someone other than themself: on LINE a customer sees
and spends only their own points, whoever else they name ("คุณมาลีมีแต้มกี่แต้ม")."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from bot.replies import words
from crm_core.models import Customer
from intents import CustomerIndex, CustomerName
from intents.lexicon import is_given_name, is_thai_word
from intents.normalize import clean_text, fold_text
from intents.parser import default_tokeniser


def names_someone_else(me: Customer, slots: dict[str, Any], customers: CustomerIndex) -> bool:
    """True when the request names a person other than the sender: the customer the parser
    read, known or not ("คุณมาลีมีแต้มกี่แต้ม", "Nida's points"), a known customer in its words
    ("แลกแต้มของคุณมาลี ..."), or a Thai given name someone is called by ("แลกแต้มของมาลี",
    "ให้น้องมาลี"). Whether they are a customer changes nothing, so the answer tells nothing
    of it; the sender's own name ("คุณสมศรี มีกี่แต้ม") is theirs."""
    named = slots.get("customer_id")
    mention = str(slots.get("customer") or "").strip()
    if named is not None and int(named) != me.id and not _names_self(me, mention):
        return True
    if named is None and mention and not _names_self(me, mention):
        return True
    text = clean_text(str(slots.get("_text") or ""))
    for found in customers.find_mentions(text):
        if all(c.id != me.id for c, _ in found.resolution.candidates):
            return True
    return any(not _names_self(me, name) for name in _given_names_led(text))


def _names_self(me: Customer, mention: str) -> bool:
    """The mention names the sender ("สมศรี", "คุณสมศรี" of "คุณสมศรี ใจดี", an alias)."""
    own = CustomerIndex([CustomerName(me.id, me.name, tuple(me.alias_names))])
    return bool(mention) and own.resolve(mention).best is not None


def _given_names_led(text: str) -> list[str]:
    """The Thai given names a text calls someone by: after an honorific ("คุณมาลี",
    "ให้น้องมาลี"), or after a word such as "ของ" or "ให้" when the name is no ordinary word
    too or ends its run of letters ("แลกแต้มของมาลี บัตรกำนัล"); "ให้ส่งไปที่บ้าน" calls
    nobody "ส่ง"."""
    honorifics, leads = set(words("person_honorifics")), set(words("person_leads"))
    return [
        name
        for (before, _), (name, last) in pairwise(_words_and_ends(text))
        if is_given_name(name)
        and (before in honorifics or (before in leads and (last or not is_thai_word(name))))
    ]


def _words_and_ends(text: str) -> list[tuple[str, bool]]:
    """The words of a text, folded, each with whether it ends its run of letters (a space or
    the end follows it: Thai runs words together, and a name often stands before a space)."""
    found: list[tuple[str, bool]] = []
    for run in fold_text(text).split():
        pieces = [t for t in default_tokeniser().tokens(run) if t.strip()]
        found += [(piece, i == len(pieces) - 1) for i, piece in enumerate(pieces)]
    return found
