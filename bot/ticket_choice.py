"""A customer's typed answer to "is this about TCK-2001, still open, or something new?" read
by its words (kept in bot/replies/*.words.yaml), not by how alike it looks to a button: the
label "เรื่องใหม่" looks like "เรื่องเดิม", the answer meaning the opposite."""

from __future__ import annotations

from functools import cache

from bot.replies import words
from intents.normalize import THAI_CHAR, fold_text
from intents.parser import default_tokeniser

SAME = "same"
NEW = "new"
# the fewest letters of a Thai word found inside a subject's run-together words
SUBJECT_PART = 4


def _tokens(text: str) -> list[str]:
    """The words of a text, folded, without particles ("ค่ะ"), spaces or signs."""
    return [w for w in default_tokeniser().tokens(fold_text(text)) if w.strip()]


@cache
def _fillers() -> frozenset[str]:
    return frozenset(w for entry in words("ticket_choice_fillers") for w in _tokens(entry))


@cache
def vocabulary(key: str) -> frozenset[str]:
    """The words of a list's entries, the fillers aside ("อีกเรื่อง" counts as "อีก")."""
    return frozenset(w for entry in words(key) for w in _tokens(entry)) - _fillers()


def telling_words(text: str) -> list[str]:
    """The words of an answer that may tell which: without the fillers any answer may hold
    ("เรื่อง", "the", "one")."""
    fillers = _fillers()
    return [w for w in _tokens(text) if w not in fillers]


def meant(text: str, subject: str) -> str | None:
    """SAME when every telling word means the same one, the earlier one or that one
    ("เรื่องเดิมค่ะ", "the old one"), or is a word of the open ticket's subject ("เรื่องแก้ว
    แตก" of a broken mug); NEW when every one means another ("อีกเรื่อง", "something else");
    None when they tell neither, or both ("แก้วใบใหม่ก็แตก"): the question is asked again."""
    said = set(telling_words(text))
    if not said:
        return None
    if said <= vocabulary("ticket_new"):
        return NEW
    if said <= vocabulary("ticket_same"):
        return SAME
    if said & vocabulary("ticket_new"):
        return None
    held = set(_tokens(subject))
    folded = fold_text(subject)
    in_subject = all(
        w in held or (THAI_CHAR.match(w) is not None and len(w) >= SUBJECT_PART and w in folded)
        for w in said
    )
    return SAME if in_subject else None
