"""Colleagues a staff message is about: mentioned in Slack ("deals owned by <@U123>") or
called by their first name ("Somchai's pipeline", "ยอดขายของสมชายเดือนนี้")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.messages import SLACK_MENTION
from crm_core.models import Staff
from intents.lexicon import is_thai_word, load_lexicon
from intents.normalize import THAI_CHAR

# a name's words: split on spaces, brackets and commas ("Somchai Sales (สมชาย ขายดี)")
_NAME_WORDS = re.compile(r"[^\s()\[\],]+")


def first_names(member: Staff) -> tuple[str, ...]:
    """The first names a colleague goes by: the first word of each script in their name
    ("Somchai Sales (สมชาย ขายดี)" -> "Somchai", "สมชาย")."""
    words = _NAME_WORDS.findall(member.name)
    latin = next((w for w in words if not THAI_CHAR.search(w)), None)
    thai = next((w for w in words if THAI_CHAR.search(w)), None)
    return tuple(w for w in (latin, thai) if w)


def named_colleagues(team: Sequence[Staff], text: str) -> list[Staff]:
    """The active colleagues the text mentions or names, in team order.

    A Slack mention of a colleague counts as it is. A Latin first name counts as a whole
    word written with its capital ("Somchai"), with "'s" ("somchai's deals") or after a word
    such as "of" or "by"; a Thai first name counts anywhere, unless it is also an ordinary
    word ("พิมพ์" is "print"), which counts only after "ของ", "คุณ" and the like ("เคสของ
    พิมพ์"). A name right after "customer" or "ลูกค้า" is a customer's, never a colleague's."""
    active = [s for s in team if s.active]
    mentioned = set(SLACK_MENTION.findall(text))
    # the bot's own mention ("<@UBOT> Somchai's pipeline") is nobody's: names count then
    by_mention = [s for s in active if s.slack_user_id in mentioned]
    return by_mention or [s for s in active if any(_names(text, n) for n in first_names(s))]


def more_of(customer: str, member: Staff, text: str) -> bool:
    """True when the customer shares the colleague's first name and the text names them by
    more than it: another word of the customer's name is in it ("deals of Somchai Prasert",
    "ดีลของสมชาย ใจดี"), so the name is the customer's, not the colleague's."""
    theirs = {n.casefold() for n in first_names(member)}
    words = [w.casefold() for w in _NAME_WORDS.findall(customer)]
    if not any(n in w for w in words for n in theirs):
        return False  # another customer ("ask Nattaya to visit Lotus Garden")
    return any(
        _holds(text.casefold(), word)
        for word in words
        if len(word) > 1 and not any(n in word for n in theirs)
    )


def _holds(text: str, word: str) -> bool:
    """True when the text holds the word: a Thai one anywhere, a Latin one as a whole word
    ("Co" is not the start of "close")."""
    if THAI_CHAR.search(word):
        return word in text
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def _names(text: str, name: str) -> bool:
    """True when `text` calls someone by the first name `name` (see named_colleagues)."""
    lexicon = load_lexicon()
    thai = bool(THAI_CHAR.search(name))
    for found in re.finditer(_alternatives((name,)), text, re.IGNORECASE):
        before = text[: found.start()].rstrip().casefold()
        if _ends_with(before, lexicon.colleague_not):
            continue
        led = _ends_with(before, lexicon.colleague_leads)
        if thai and (led or not is_thai_word(name)):
            return True
        if not thai and (led or found.group()[0].isupper() or _possessive(text, found.end())):
            return True
    return False


def without(text: str, member: Staff) -> str:
    """The text with the colleague handed something taken out, with the words handing it
    ("remind Somchai to call" -> "call", "ฝากสมชายโทรหา" -> "โทรหา", "assign Somchai: visit"
    -> "visit")."""
    lexicon = load_lexicon()
    leads = _alternatives(lexicon.delegate_leads)
    joins = _alternatives(lexicon.delegate_joins)
    for name in first_names(member):
        pattern = rf"(?:(?:{leads})\s*)*{_alternatives((name,))}(?:['’]s)?(?:\s*(?:{joins}))?"
        text = re.sub(pattern + r"[\s:,]*", " ", text, count=1, flags=re.IGNORECASE)
    # the name may have left with a customer's read from it: the handing words still go
    text = re.sub(rf"^\s*(?:(?:{leads})\s*)+(?:(?:{joins})\s*)?", "", text, flags=re.IGNORECASE)
    return " ".join(text.split()).strip(" ,:;")


def as_own(text: str, member: Staff) -> str:
    """The text with the colleague's possessive made the sender's ("Pim's tickets" -> "my
    tickets", "งานพรุ่งนี้ของสมชาย" -> "งานพรุ่งนี้ของฉัน"), for a second reading of what is
    asked; unchanged when it holds none."""
    lexicon = load_lexicon()
    names = rf"(?:{_alternatives(first_names(member))}|{_mention(member)})"
    honorifics = _alternatives(lexicon.colleague_leads)
    # the sender's own, in each script: "my" for "Pim's", "ของฉัน" for "ของพิมพ์"
    latin = next(w for w in lexicon.own_forms if not THAI_CHAR.search(w))
    thai = next(w for w in lexicon.own_forms if THAI_CHAR.search(w))
    text = re.sub(rf"{names}['’]s(?!\w)", latin, text, flags=re.IGNORECASE)
    return re.sub(rf"ของ\s*(?:(?:{honorifics})\s*)?{names}", thai, text, flags=re.IGNORECASE)


def handed_to(text: str, member: Staff) -> bool:
    """True when the text hands something to the colleague: a handing word right before
    their name or Slack mention ("remind Somchai to", "ฝากสมชาย", "assign a task to <@U1>"),
    not merely naming them ("remind me to call Somchai")."""
    leads = _alternatives(load_lexicon().delegate_leads)
    names = rf"(?:{_alternatives(first_names(member))}|{_mention(member)})"
    return re.search(rf"(?:{leads})\s*{names}", text, re.IGNORECASE) is not None


def _mention(member: Staff) -> str:
    """A pattern for the colleague's Slack mention ("<@U123>", "<@U123|somchai>")."""
    return rf"<@{re.escape(member.slack_user_id)}(?:\|[^>]*)?>"


def _alternatives(words: Sequence[str]) -> str:
    """A pattern for any of the words, longest first: a Latin one only as a whole word."""
    return "|".join(
        re.escape(w) if THAI_CHAR.search(w) else rf"(?<![\w@]){re.escape(w)}(?!\w)"
        for w in sorted(words, key=len, reverse=True)
    )


def _ends_with(before: str, words: tuple[str, ...]) -> bool:
    """True when `before` ends with one of `words`: a Thai one as it is, a Latin one as a whole
    word ("by", not the end of "ruby")."""
    return any(
        before.endswith(w)
        and (THAI_CHAR.search(w) or len(before) == len(w) or not before[-len(w) - 1].isalnum())
        for w in words
    )


def _possessive(text: str, end: int) -> bool:
    """True when the word ending at `end` takes "'s" ("Somchai's")."""
    return text[end : end + 2] in ("'s", "’s")
