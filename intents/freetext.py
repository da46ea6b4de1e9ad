"""Free-text slots: the note, description, message, question or reward left in a message."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from intents.lexicon import SLOT_NAME, Lexicon
from intents.matchers import HONORIFICS
from intents.normalize import Tokeniser, fold_text
from intents.slots.entities import Entity

FREE_TEXT_SLOTS = ("note", "description", "message", "question", "reward")
_PIECE = re.compile(r"[\u0E01-\u0E4F]+|[A-Za-z0-9]+(?:['’.&-][A-Za-z0-9]+)*%?|[^\s]")
_PUNCT = re.compile(r"^[^\w\u0E01-\u0E4F]+$")
# Words that only link the removed command words to the rest; never the edge of a note.
_EDGE = frozenset(
    {
        "to", "on", "at", "for", "with", "about", "by", "from", "in", "of", "and", "that",
        "is", "are", "as", "then", "so", "please", "pls", "also", "re", "regarding",
        "ว่า", "ที่", "ให้", "กับ", "คือ", "และ", "เป็น", "เรื่อง", "โดย", "แล้ว", "ด้วย", "ไว้",
        "จะ", "ช่วย", "ขอ", "หน่อย", "ทีนะ", "ที",
    }
)  # fmt: skip
# Linking words that introduce a topic: inside a note they stay ("call about the renewal").
_TOPIC = frozenset({"about", "regarding", "re", "เรื่อง"})
# Words that only lead into what follows: never the end of a note ("…แต้มจาก" + a member id).
_TRAILING = frozenset({"the", "a", "an", "my", "our", "your", "their", "his", "her", "its", "จาก"})
# A word that only introduces the customer named right after it ("ลูกค้า Acme ระบบล่ม").
_CUSTOMER_WORDS = frozenset({"ลูกค้า", "customer", "client"})
_ID_KINDS = frozenset({"order_id", "ticket_id", "member_id", "phone", "email"})
_MESSAGE_CUES = frozenset({"ว่า", "that", ":", "saying"})
# a word naming the message: its text follows only when no other cue comes ("send a message
# to gold members tomorrow: double points" is "double points")
_MESSAGE_NOUNS = frozenset({"message"})
# A problem report keeps its problem words: only the request to open a ticket goes.
_DESCRIPTION_COMMANDS = frozenset({"open_ticket", "create_verb", "ticket_noun", "slot:priority"})
# A planned action is the task itself ("call Somchai tomorrow" -> "call"), and a reason for
# a points adjustment is its note ("+500 ชดเชย"): content, not command words.
_CONTENT_GROUPS = frozenset({"plan_verb", "adjust_reason"})


class _Piece(NamedTuple):
    """A word or punctuation mark of the cleaned message, with its span and folded form."""

    start: int
    end: int
    folded: str


# the same few words come back message after message: fold each once
_fold_word = lru_cache(maxsize=8192)(fold_text)


def _words(clean: str, tokeniser: Tokeniser) -> list[_Piece]:
    """Every word and punctuation mark of the text in order, Thai runs split into words."""
    out: list[_Piece] = []
    for m in _PIECE.finditer(clean):
        piece = m[0]
        pos, stop = m.span()
        if "\u0e01" <= piece[0] <= "\u0e4f":  # a Thai run: only it starts with a Thai letter
            for word in tokeniser.segment(piece):
                found = clean.find(word, pos, stop)
                if found < 0:
                    continue
                pos = found + len(word)
                out.append(_Piece(found, pos, _fold_word(word)))
        else:
            out.append(_Piece(pos, stop, _fold_word(piece)))
    return out


def _pieces(words: list[_Piece], entities: list[Entity]) -> list[_Piece | None]:
    """The words in order; None stands for an entity span (id, date, amount, name)."""
    spans = [(e.start, e.end) for e in entities]
    out: list[_Piece | None] = []
    for word in words:
        start, end, _ = word
        for s, e in spans:
            if s < end and start < e:
                if not out or out[-1] is not None:
                    out.append(None)
                break
        else:
            out.append(word)
    return out


def _commands(lexicon: Lexicon, intent: str, slot: str) -> frozenset[str]:
    """The phrase tags that count as command words when filling this slot."""
    if slot == "description":
        return _DESCRIPTION_COMMANDS
    spec = lexicon.intents[intent]
    return _command_tags(spec.explain, spec.slots)


@lru_cache(maxsize=64)
def _command_tags(explain: frozenset[str], slots: tuple[str, ...]) -> frozenset[str]:
    """An intent's explaining tags minus its boost phrases (those are content, not commands)
    and its content groups, plus the words naming one of its slots ("stage", "วันปิดดีล")."""
    own = frozenset(t for t in explain if not t.startswith("boost:")) - _CONTENT_GROUPS
    return own | {f"{SLOT_NAME}{s}" for s in slots}


# the tags of a word naming an interaction ("โทร", "emailed"): its type, or done in the past
_INTERACTION_TAGS = frozenset({"slot:interaction_type", "interaction_past"})
_NOTE_TYPE = "interaction_type=note"


def _interaction_tag(tag: str) -> bool:
    """True for a tag that names an interaction: its type, or one done in the past."""
    return tag in _INTERACTION_TAGS or tag.startswith("interaction_type=")


@lru_cache(maxsize=1024)
def _names_interaction(tags: frozenset[str]) -> bool:
    """True when a phrase's tags name an interaction type."""
    return any(_interaction_tag(t) for t in tags)


@lru_cache(maxsize=1024)
def _without_interaction(tags: frozenset[str]) -> frozenset[str]:
    """A phrase's tags less those naming an interaction."""
    return frozenset(t for t in tags if not _interaction_tag(t))


def _logged_interaction(hits: list[tuple[int, int, frozenset[str]]]) -> set[int]:
    """The hits that name the interaction logged: the first naming a type other than a note
    (a note is the type only when no other is named), else the first naming one; with the
    hits right after it ("โทร|คุยกับ", "zoom|call")."""
    typed = [at for at, (_, _, tags) in enumerate(hits) if _names_interaction(tags)]
    if not typed:
        return set()
    first = next((at for at in typed if _NOTE_TYPE not in hits[at][2]), typed[0])
    logged, end = {first}, hits[first][1]
    for at in typed:
        if at > first and hits[at][0] <= end:
            logged.add(at)
            end = max(end, hits[at][1])
    return logged


def _removed(
    lexicon: Lexicon,
    intent: str,
    slot: str,
    clean: str,
    words: list[_Piece],
    customer: str | None,
    values: list[int],
    ids: list[int],
) -> set[int]:
    """Indexes of the words that are command words of the intent, particles, the customer
    (with the word that introduces it), the words leading a deal's close date or amount, or
    those naming an id or contact taken out; `values` are where the date and amount entities
    start, `ids` where the id, phone and email ones do."""
    commands = _commands(lexicon, intent, slot)
    folded = [w.folded for w in words]
    # after "remind me to" / "อย่าลืม" the words are the note, even those that look like
    # commands ("remind me to send the tasks list")
    leads = lexicon.note_lead.scan(folded) if slot == "note" else []
    drop: set[int] = set()
    content_from = len(folded)
    if leads:
        # the first lead (the longest where several start together) is not part of the note
        lead_start, content_from, _ = min(leads, key=lambda hit: (hit[0], -hit[1]))
        drop.update(range(lead_start, content_from))
    elif slot == "note" and lexicon.intents[intent].record:
        # "log call with Siam Paper: they will email the PO": after the colon is the record
        at = record_colon(clean)
        colon = next((i for i, w in enumerate(words) if w.start == at), None)
        if colon is not None:
            drop.add(colon)
            content_from = colon + 1
    after_lead: set[int] = set()
    hits = lexicon.trie.scan(folded)
    # the interaction logged is named by its words; another one named is what was said
    # ("โทรหา Acme แล้ว ลูกค้าจะส่งอีเมลมา": a call, its note keeps the email); words of
    # writing a note ("จดโน้ต") only ask to log
    logged = _logged_interaction(hits)
    for at, (start, end, tags) in enumerate(hits):
        if at not in logged and _names_interaction(tags) and _NOTE_TYPE not in tags:
            tags = _without_interaction(tags)
        if not tags.isdisjoint(commands):
            (drop if start < content_from else after_lead).update(range(start, end))
    # after the lead, command words make a clause of their own only between punctuation or
    # the end ("remind me to send the contract next Monday, high priority")
    drop.update(_clauses(folded, after_lead))
    for start, end, _ in lexicon.note_strip.scan(folded):
        if start < content_from:
            drop.update(range(start, end))
    for start, end, _ in lexicon.correction_words.scan(folded):
        drop.update(range(start, end))  # "เอ้ย", "I mean": the slip corrected, no content
    if slot == "note":
        for start, end, _ in lexicon.note_keep.scan(folded):
            drop.difference_update(range(start, end))  # "ไม่รับสาย": what came of the call
    if slot == "reward":
        # "I want a free coffee": the asking words are no part of the reward's name
        for start, end, _ in lexicon.reward_strip.scan(folded):
            drop.update(range(start, end))
    leading = [(lexicon.id_leads, ids)]
    if "close_date" in lexicon.intents[intent].slots:
        # "close by 20 Dec", "worth 75k" in a deal: the words leading its values are no note
        leading.append((lexicon.deal_leads, values))
    if "due_date" in lexicon.intents[intent].slots:
        # "ส่งใบเสนอราคาภายในศุกร์นี้": the word leading a task's due date goes with it
        leading.append((lexicon.deadline_leads, values))
    # "order ORD-3003", "เบอร์ 081...": the word naming a value taken out goes with it
    for phrases, starts in leading:
        if not starts:
            continue  # no such value was taken out: nothing to lead into
        for start, end, _ in phrases.scan(folded):
            gap_end = words[end - 1].end
            if any(at >= gap_end and not clean[gap_end:at].strip() for at in starts):
                drop.update(range(start, end))
    particles = lexicon.particles
    drop.update(i for i, word in enumerate(folded) if word in particles)
    name = _fold_word(customer).replace(" ", "") if customer else ""
    if name:
        for i, word in enumerate(folded):
            if name.startswith(word):
                _drop_name(folded, i, name, drop)
    # a masked name (no word starts where it does): "ลูกค้า" right before it only introduces it
    named_at = clean.find(customer) if customer else -1
    if named_at >= 0 and all(w.start != named_at for w in words):
        drop.update(
            i
            for i, w in enumerate(words)
            if w.folded in _CUSTOMER_WORDS
            and w.end <= named_at
            and not clean[w.end : named_at].strip()
        )
    return drop


_RECORD_COLON = re.compile(r"(?<!\d):(?!\d)(?=.*\w)")


def record_colon(clean: str) -> int | None:
    """Where the first colon with words after it stands, unless a number touches it (a
    clock's, "14:00"): after it a record's note is the record itself."""
    m = _RECORD_COLON.search(clean)
    return m.start() if m else None


def _clauses(folded: list[str], marked: set[int]) -> set[int]:
    """The runs of marked words with punctuation (or the message's end) on both sides."""
    out: set[int] = set()
    if not marked:
        return out  # nearly always: no command words after a lead
    i = 0
    while i < len(folded):
        if i not in marked:
            i += 1
            continue
        j = i
        while j < len(folded) and j in marked:
            j += 1
        if i and _PUNCT.match(folded[i - 1]) and (j == len(folded) or _PUNCT.match(folded[j])):
            out.update(range(i, j))
        i = j
    return out


def _drop_name(folded: list[str], start: int, name: str, drop: set[int]) -> None:
    """Drop the words from `start` that spell the customer's name (newmm may split a Thai
    name: "สม" "ศรี"), and the honorific before it."""
    spelled = ""
    for end in range(start, len(folded)):
        spelled += folded[end]
        if spelled == name:
            drop.update(range(start, end + 1))
            if start and folded[start - 1] in HONORIFICS:
                drop.add(start - 1)
            return
        if not name.startswith(spelled):
            return


def _join(clean: str, words: list[_Piece]) -> str:
    """Words back into text, keeping the original spacing between neighbours."""
    out: list[str] = []
    previous: _Piece | None = None
    for word in words:
        if previous is not None:
            gap = clean[previous.end : word.start]
            out.append("" if gap == "" else " ")
        out.append(clean[word.start : word.end])
        previous = word
    return "".join(out).strip()


def _trim(words: list[_Piece], topic: bool = False) -> list[_Piece]:
    """Drop linking words and punctuation from both ends; with `topic`, a leading word that
    introduces a topic stays ("call Acme about the renewal" -> "call about the renewal")."""
    lo, hi = 0, len(words)
    while lo < hi and (
        (words[lo].folded in _EDGE and not (topic and words[lo].folded in _TOPIC))
        or _PUNCT.match(words[lo].folded)
    ):
        lo += 1
    while hi > lo and (
        words[hi - 1].folded in _EDGE
        or words[hi - 1].folded in _TRAILING
        or _PUNCT.match(words[hi - 1].folded)
    ):
        hi -= 1
    return words[lo:hi]


def _residue(
    lexicon: Lexicon,
    intent: str,
    slot: str,
    clean: str,
    pieces: list[_Piece | None],
    customer: str | None,
    values: list[int],
    ids: list[int],
    names: tuple[tuple[int, int], ...] = (),
) -> str:
    """The longest run of words left once commands, entities and particles are removed (the
    words of other customers' `names` stay)."""
    words = [p for p in pieces if p is not None]
    drop = _removed(lexicon, intent, slot, clean, words, customer, values, ids)
    if names:
        drop -= {i for i, w in enumerate(words) if any(s <= w.start < e for s, e in names)}
    # Words separated only by removed words and entities still read as one note: each run
    # of words kept is trimmed, then the runs are joined.
    trimmed: list[_Piece] = []
    chunk: list[_Piece] = []
    index = 0
    for piece in pieces:
        if piece is not None:
            index += 1
            if index - 1 not in drop:
                chunk.append(piece)
                continue
        if chunk:
            trimmed.extend(_trim(chunk, topic=bool(trimmed)))
            chunk = []
    if chunk:
        trimmed.extend(_trim(chunk, topic=bool(trimmed)))
    merged = _trim(trimmed)
    if all(lexicon.function_word(w.folded) for w in merged):
        return ""  # "ได้ที่ไหน" names no reward and says nothing as a note
    return _join(clean, merged)


def _message(clean: str, words: list[_Piece]) -> str | None:
    """The text after the first "ว่า", "that" or ":" as written, when there is one (else
    after the word "message")."""
    for cues in (_MESSAGE_CUES, _MESSAGE_NOUNS):
        for piece in words:
            if piece.folded in cues:
                text = clean[piece.end :].strip(" \"'“”")
                return text or None
    return None


def free_text(
    lexicon: Lexicon,
    intent: str,
    clean: str,
    entities: list[Entity],
    tokeniser: Tokeniser,
    customer: str | None = None,
    names: tuple[tuple[int, int], ...] = (),
) -> dict[str, object]:
    """The free-text slots this intent takes, each only when some text is left for it; the
    words inside `names` (spans of other customers named) are never dropped."""
    wanted = [s for s in FREE_TEXT_SLOTS if s in lexicon.intents[intent].slots]
    if not wanted:
        return {}
    # a salutation opening the message is no part of its text ("hello, the blender I
    # bought is broken"); blanked, so the entities keep their places
    opening = lexicon.salutation.match(clean) if lexicon.salutation else None
    if opening:
        clean = " " * opening.end() + clean[opening.end() :]
    found: dict[str, object] = {}
    # the words are the same for every slot: split and fold them once
    words = _words(clean, tokeniser)
    if "question" in wanted:
        question = _join(clean, [w for w in words if w.folded not in lexicon.particles])
        if question:
            found["question"] = question
        wanted.remove("question")
    if not wanted:
        return found
    pieces = _pieces(words, entities)
    values = [e.start for e in entities if e.kind in ("date", "amount")]
    ids = [e.start for e in entities if e.kind in _ID_KINDS]
    if "message" in wanted:
        message = _message(clean, words)
        if message is None:
            message = (
                _residue(lexicon, intent, "message", clean, pieces, customer, values, ids, names)
                or None
            )
        if message:
            found["message"] = message
        wanted.remove("message")
    for slot in wanted:
        text = _residue(lexicon, intent, slot, clean, pieces, customer, values, ids, names)
        if text:
            found[slot] = text
    return found
