"""The parse pipeline: clean, extract patterns, tokenise, match, threshold, fill slots."""

from __future__ import annotations

import gc
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from intents.features import feature_parts
from intents.freetext import free_text, record_colon
from intents.lexicon import (
    IntentSpec,
    Lexicon,
    PhraseTrie,
    base_dictionary,
    is_common_word,
    is_family_name,
    is_given_name,
    is_thai_word,
    load_lexicon,
)
from intents.matchers import (
    HONORIFICS,
    Analysis,
    TypoCorrector,
    analyse,
    coverage,
    meets_requirement,
    rank,
    unexplained,
)
from intents.models import CustomerName, ParseContext, ParseResult
from intents.normalize import THAI_CHAR, Tokeniser, clean_text, detect_lang, fold_text
from intents.resolver import fold_name
from intents.slots.dates import BE_OFFSET, JUST_PAST, common_era, last_year, period_of
from intents.slots.entities import Entity, SpanSet, extract_ids, extract_numbers

OUT_OF_SCOPE = "out_of_scope"
# A message opening with a salutation that reads as out of scope, or only weakly as a
# greeting, is read again without it; the rest counts when it is a request read surely.
# Dialogue acts and asking for a person stay greetings ("hi admin", "สวัสดีค่ะ อยู่ไหมคะ").
_SURE_GREETING = 0.9
_SURE_REST = 0.8
_NOT_AFTER_HELLO = frozenset(
    {OUT_OF_SCOPE, "greeting", "thanks", "help", "cancel", "confirm", "deny", "handoff"}
)
_DATE_SLOTS = ("due_date", "close_date", "date")
# stages that end a deal: a plan to reach them is not the news that it did
_SETTLED = frozenset({"won", "lost"})
# slots whose first value named is the one meant, and the value that counts only when no
# other is named: the interaction a rep names first is the one they had, one named later is
# part of what was said, and a note ("จดไว้ว่าโทรหา…") is what they write when nothing else is
EARLIEST_SLOTS = {"interaction_type": "note"}
# the kinds of id a message may hold beside a name
_ID_KINDS = ("order_id", "ticket_id", "member_id")
# how a customer is reached, besides their name
_CONTACT_KINDS = ("phone", "email")
# staff requests about one customer that may point back at the one talked about before
# ("log a call with them"), and those of them about a deal, which "it" may point at
_DEAL_INTENTS = frozenset({"deal_update", "deal_create", "deal_list"})
_REFERRING = _DEAL_INTENTS | {
    "log_interaction",
    "task_create",
    "loyalty_adjust",
    "loyalty_balance",
    "loyalty_history",
    "customer_lookup",
}
# a ticket remark says at least this many words beyond the change it asks for
REMARK_WORDS = 2
# intents a ticket id and a word for noting turn into a remark on the ticket
_REMARK_FROM = frozenset({"log_interaction", "ticket_status", "ticket_update", "customer_create"})
# Thai words that join a handing word to whom ("assign TCK-2002 ให้ทีม", "ไปทีม onsite",
# "เปลี่ยนคนดูแล TCK-5152 เป็นคุณนก")
_HAND_LEADS = ("ไปให้", "ให้", "ไป", "เป็น")
# a ranking of customers ("top customers"): how many when no count is given, and at most
TOP_CUSTOMERS = 10
TOP_CUSTOMERS_MOST = 50
# a customer named this close after the word before a colleague is that colleague's name
# ("to Somchai", "ให้ สมชาย"), not the deal's customer ("ให้ณัฐยาดูแลดีล Acme")
_HAND_GAP = 6
# words joining two names ("to Somchai or Narin": which of them is asked)
NAME_JOINERS = frozenset({"or", "and"})
# a word owning what follows, before more words ("Nattaya's Korat deal")
_POSSESSIVE_WORD = re.compile(r"\S+'s(?=\s+\S)")
# the largest deals listed when no count is told, and at most
TOP_DEALS = 5
TOP_DEALS_MOST = 15
# slots filled from the vocabulary, in the order they pick their phrase
VOCABULARY_SLOTS = (
    "stage",
    "priority",
    "status",
    "period",
    "report_kind",
    "consent",
    "segment",
    "interaction_type",
)
_ENGLISH_ENDINGS = frozenset({"s", "d", "ed", "ing"})
# a whole number, perhaps signed, that is no part of a word, decimal, date or time
_SIGNED_NUMBER = re.compile(r"(?<![\w.,/:])([-+−]\s?)?(\d{1,3}(?:,\d{3})+|\d+)(?![\w/:%]|[.,]\d)")
_CAPITALISED = re.compile(r"(?<![\w@-])(?:[A-Z][\w&'.-]*|&)(?:\s+(?:[A-Z][\w&'.-]*|&|of\b|and\b))*")
_NAME_CUES = frozenset(
    {
        "deal_noun",
        "customer_noun",
        "interaction_past",
        "new_deal",
        "customer_info",
        "new_customer",
        "lookup_verb",
    }
)


@lru_cache(maxsize=1)
def default_tokeniser() -> Tokeniser:
    """The shared tokeniser used when no customer index is given."""
    tokeniser = Tokeniser(base_dictionary(), load_lexicon().particles)
    tokeniser.warm()
    return tokeniser


@lru_cache(maxsize=1)
def _corrector() -> TypoCorrector:
    """The shared typo corrector."""
    return TypoCorrector(load_lexicon())


def warm(context: ParseContext | None = None) -> None:
    """Load dictionaries and data so the first message is as fast as the rest."""
    parse("สวัสดีครับ where is ORD-1 พรุ่งนี้ 50k", context)
    is_given_name("")  # the name lists, read for the first name after คุณ
    # The dictionary tries hold millions of long-lived objects; keeping them out of the
    # cyclic collector avoids 20-30 ms pauses on unlucky messages.
    gc.freeze()


def _mask(text: str, entities: list[Entity]) -> str:
    """Replace entity spans with marker tokens such as " @order_id "."""
    out: list[str] = []
    pos = 0
    for ent in sorted(entities, key=lambda e: e.start):
        out.append(text[pos : ent.start])
        out.append(f" @{ent.kind} ")
        pos = ent.end
    out.append(text[pos:])
    return "".join(out)


def slot_value(
    analysis: Analysis,
    slot: str,
    spec: IntentSpec | None = None,
    taken: Collection[int] = (),
) -> tuple[str, int] | None:
    """The vocabulary value of a slot and the index of the phrase hit it came from.

    A phrase gives way when a longer phrase that names a slot holds it ("เลื่อนวันปิดดีล"
    moves the close date and is no won stage), when another slot already took it, or when
    the intent does not take its value. Of the rest, a phrase that fills this slot alone
    beats one that could fill another slot of the intent ("ลูกค้าใหม่" in a customers report
    is the report, not a segment); then a value the intent prefers (an asked-for ticket
    status over a described one); then the longest wins, and the latest on a tie; for an
    interaction's type the earliest other than a note ("called Acme, they will email the PO"
    is a call).
    """
    allowed = spec.values.get(slot) if spec else None
    preferred = spec.prefer.get(slot, ()) if spec else ()
    others = {f"slot:{s}" for s in spec.slots if s != slot} if spec else set()
    named = analysis.slot_names
    best: tuple[bool, int, tuple[bool, int], int, str, int] | None = None
    for at, value in analysis.slot_values.get(slot, ()):
        start, end, tags = analysis.hits[at]
        if (
            at in taken
            or (allowed is not None and value not in allowed)
            or any(s <= start and end <= e and e - s > end - start for s, e in named)
        ):
            continue
        rank = len(preferred) - preferred.index(value) if value in preferred else 0
        # the earliest of a slot whose first value is the one meant (its fallback value only
        # when no other is named), else the longest
        if slot in EARLIEST_SLOTS:
            size = (value != EARLIEST_SLOTS[slot], -start)
        else:
            size = (True, end - start)
        key = (not tags & others, rank, size, start, value, at)
        if best is None or key[:4] > best[:4]:
            best = key
    return (best[4], best[5]) if best else None


def _known_word(lexicon: Lexicon, word: str) -> bool:
    """True when a word is part of the intent vocabulary rather than a name."""
    folded = fold_text(word).strip("'.,!?")
    if folded.endswith("'s"):
        folded = folded[:-2]
    return (
        folded in lexicon.stopwords
        or folded in lexicon.latin_words
        or folded in lexicon.dates.months
        or folded in lexicon.not_names
        or len(folded) < 2
        or bool(lexicon.phone_words.scan([folded]))  # "Tel", "Mobile": no part of a name
    )


def _guess_customer(lexicon: Lexicon, clean: str, spans: SpanSet) -> Entity | None:
    """A customer as written, when no index knows it: the longest capitalised unknown run."""
    found: list[Entity] = []
    for m in _CAPITALISED.finditer(clean):
        if not spans.free(m.start(), m.end()):
            continue
        words = [(w.start(), w.end(), w.group()) for w in re.finditer(r"\S+", m.group())]
        while words and _known_word(lexicon, words[0][2]):
            words.pop(0)
        while words and _known_word(lexicon, words[-1][2]):
            words.pop()
        if not words:
            continue
        start, end = m.start() + words[0][0], m.start() + words[-1][1]
        name = clean[start:end].rstrip(",.!?")
        if name.endswith("'s"):
            name = name[:-2]
        if name:
            found.append(Entity("customer", start, start + len(name), name))
    return max(found, key=lambda e: e.end - e.start, default=None)


def _introduced_name(
    lexicon: Lexicon, analysis: Analysis, covered: set[int], text: str
) -> str | None:
    """A Thai name after คุณ / ชื่อ, however newmm split it ("แต้มคุณสมศรี" -> "สมศรี").

    The name is the Thai words written together (`text` is the folded message) up to a
    stopword or a slot phrase, and a known family name written after a space
    ("ชื่อ สมศรี ใจดี"). Words run on after a known given name end it ("คุณสมศรีซื้อครบ").
    """
    tokens = analysis.tokens
    for i, token in enumerate(tokens[:-1]):
        if token not in HONORIFICS:
            continue
        # the words written together after the honorific, then those after one space
        runs: list[list[str]] = [[]]
        for j in range(i + 1, len(tokens)):
            word = tokens[j]
            if j in covered or not THAI_CHAR.match(word) or word in lexicon.stopwords:
                break
            # the name's first word may look like two ("มานะ"); later ones end it ("ให้ได้")
            if runs[0] and lexicon.function_word(word):
                break
            if runs[-1] and "".join(runs[-1]) + word not in text:
                if len(runs) == 2:
                    break
                runs.append([])
            runs[-1].append(word)
        name = _given_name(runs[0])
        if len(runs) == 2 and name == "".join(runs[0]) and is_family_name("".join(runs[1])):
            name += " " + "".join(runs[1])
        if len(name) > 2:
            return name
    return None


def _given_name(parts: list[str]) -> str:
    """The name the words after an honorific spell: all of them, unless a known given name
    (of three letters or more) is followed by a common word that is no family name
    ("สมศรี" + "ซื้อ"; not "นคร" + "ทูลส์", not "สมศรี" + "ใจดี")."""
    whole = "".join(parts)
    if is_given_name(whole):
        return whole
    for cut in range(len(parts) - 1, 0, -1):
        given, rest = "".join(parts[:cut]), "".join(parts[cut:])
        if len(given) > 2 and is_given_name(given):
            if is_common_word(parts[cut]) and not is_family_name(rest):
                return given
            break
    return whole


def _thai_customer(lexicon: Lexicon, analysis: Analysis, text: str) -> str | None:
    """A Thai name after an honorific, or an unknown Thai word right after a deal/customer/call
    phrase, taken as the customer; `text` is the folded message."""
    covered = {i for start, end, _ in analysis.hits for i in range(start, end)}
    introduced = _introduced_name(lexicon, analysis, covered, text)
    if introduced is not None:
        return introduced
    ends = {end for _, end, tags in analysis.hits if tags & _NAME_CUES}
    tokens = analysis.tokens
    for i in sorted(ends):
        if i and tokens[i - 1] in lexicon.business_words:
            i -= 1  # the cue ends with a business word: it begins the name ("บริษัท ทองดี")
        name = _name_after_cue(lexicon, tokens, covered, text, i)
        if name is None or (i < len(tokens) and is_common_word(tokens[i])):
            # "มีลูกค้าใหม่ติดต่อมา ร้านข้าวมันไก่ป้าแดง": a business written apart names the
            # customer, not the ordinary words after the cue
            name = _business_apart(lexicon, tokens, covered, text, i) or name
            if (
                i < len(tokens)
                and name == tokens[i]
                and not name.startswith(lexicon.business_words)
            ):
                name = None  # one ordinary word is nobody's name ("ประชุมทีม")
        if name is not None:
            return name
    return None


def _business_apart(
    lexicon: Lexicon, tokens: list[str], covered: set[int], text: str, start: int
) -> str | None:
    """The name of the first business from token `start` on that is written after a space
    ("… ร้านข้าวมันไก่ป้าแดง", not the "ร้าน" inside "เรื่องร้านสาขาใหม่")."""
    for j in range(max(start, 0), len(tokens)):
        if tokens[j].startswith(lexicon.business_words) and (
            text.startswith(tokens[j]) or f" {tokens[j]}" in text
        ):
            return _name_after_cue(lexicon, tokens, covered, text, j)
    return None


def _name_after_cue(
    lexicon: Lexicon, tokens: list[str], covered: set[int], text: str, i: int
) -> str | None:
    """The Thai name that begins at token i, after a deal/customer/call phrase: the words
    written together up to a slot phrase or a function word ("ร้านกาแฟบ้านสวน", not
    "ร้านกาแฟ"); "ชื่อ" before it is no part of it. A bare business word takes the words
    after one space ("บริษัท สยามเปเปอร์", "ร้าน ป้าแดง"), and a business's name runs on
    to its legal ending ("บริษัท ทองดี ค้าไม้ จำกัด")."""
    while i < len(tokens) and tokens[i] in HONORIFICS:
        i += 1
    if i >= len(tokens):
        return None
    first = tokens[i]
    business = first.startswith(lexicon.business_words)
    if not THAI_CHAR.match(first) or lexicon.function_word(first) or len(first) <= 2:
        return None
    if i in covered and not business:
        return None
    # the groups of words written together, up to four, while they may belong to a name
    groups: list[list[str]] = [[first]]
    for k in range(i + 1, len(tokens)):
        word = tokens[k]
        # "การ" inside a name written as one ("ขอนแก่นการยาง") is no function word
        kept = word in lexicon.legal_endings or (
            word in lexicon.name_infixes
            and k + 1 < len(tokens)
            and groups[-1][-1] + word + tokens[k + 1] in text
        )
        if not THAI_CHAR.match(word) or (
            not kept and (lexicon.function_word(word) or k in covered)
        ):
            break
        if groups[-1][-1] + word not in text:
            if not business or len(groups) == 4:
                break
            groups.append([])
        groups[-1].append(word)
    names = ["".join(group) for group in groups]
    legal_at = [n for n, name in enumerate(names) if n and name in lexicon.legal_endings]
    if legal_at:
        return " ".join(names[: legal_at[-1] + 1])
    if names[0] in lexicon.business_words:
        return " ".join(names[:2]) if len(names) > 1 else None
    return names[0]


def _planned(
    lexicon: Lexicon,
    analysis: Analysis,
    cue_start: int,
    clean: str,
    entities: list[Entity],
    today: date,
) -> bool:
    """True when the won or lost cue at token `cue_start` is a plan or a maybe, not news.

    "ต้องปิดดีล Acme ก่อนสิ้นเดือน" and "we need to close the deal by Friday" set a target;
    "ปิดดีล Acme ภายใน 15 ธ.ค." too (a deadline with a date still ahead), and a cue that says
    nothing of when with a date ahead ("ปิดดีล Acme สัปดาห์หน้า"). A word saying it already
    happened ("ปิดได้แล้ว", "already") keeps the stage.
    """
    plan = deadline = tenseless = False
    for start, end, kinds in lexicon.cues.scan(analysis.tokens):
        if "done" in kinds:
            return False
        plan = plan or ("plan" in kinds and start < cue_start)
        if "negation" in kinds and start < cue_start and _negated(lexicon, analysis, cue_start):
            return True  # "Acme ไม่ปิดดีล", "didn't sign": not won, whatever else is said
        if "denied" in kinds and end == cue_start and _opens_clause(lexicon, analysis, start):
            return True  # "ไม่ได้หลุดนะ Acme ยังคุยอยู่": not lost
        deadline = deadline or "deadline" in kinds
        tenseless = tenseless or ("tenseless" in kinds and start == cue_start)
    if plan:
        return True
    ahead = _dates_ahead(entities, today)
    return (
        bool(ahead)
        and (
            deadline
            or tenseless
            # the date took its deadline word in ("ภายใน 3 วัน")
            or any(
                fold_text(clean[e.start : e.end]).startswith(lexicon.deadline_words) for e in ahead
            )
        )
    )


_REASON_END = " \t,.;:!?-–—()\"'"


def _reason_given(lexicon: Lexicon, prepared: Prepared, stage: str) -> tuple[str, int]:
    """Why a deal was won or lost, as written, and where it starts in the cleaned text: the
    words after a reason word ("because the price was higher"), or, for a lost deal, from a
    choosing word on ("they went with a competitor"), to the end of the message, without the
    pleasantries that close it ("นะคะ", "thanks"). Only after the customer is named:
    "ลูกค้าเลือกเจ้าอื่น ดีล Acme หลุด" opens on the reason and gives none."""
    clean = prepared.clean
    after = next((e.end for e in prepared.entities if e.kind == "customer"), 0)
    tokens = prepared.analysis.tokens
    stage_words = [
        joiner.join(tokens[start:end])
        for start, end, tags in prepared.analysis.hits
        if any(t.startswith("stage=") for t in tags)
        for joiner in (" ", "")
    ]
    cues = [(lexicon.reason_words, False)]
    if stage == "lost":
        cues.append((lexicon.reason_kept, True))
    best, best_at = "", -1
    for pattern, keep in cues:
        found = pattern.search(clean, after)
        if found is None:
            continue
        at = found.start() if keep else found.end()
        reason = clean[at:]
        # the stage word said after the reason ends it ("picked another vendor, deal lost")
        folded = fold_text(reason)
        cut = min((i for w in stage_words if (i := folded.find(w, 1)) > 0), default=None)
        if cut is not None and len(folded) == len(reason):
            reason = lexicon.reason_trail.sub("", reason[:cut])
        reason = lexicon.reason_end.sub("", reason).strip(_REASON_END)
        if len(reason) > len(best):
            best, best_at = reason, at
    return best[:300], best_at


def _opens_clause(lexicon: Lexicon, analysis: Analysis, at: int) -> bool:
    """True when token `at` opens what is said: first, or after a name, an id or a word of
    no content (not after a verb: "ติดต่อไม่ได้" is "could not reach")."""
    if at == 0:
        return True
    before = analysis.tokens[at - 1]
    return before.startswith("@") or lexicon.function_word(before)


def _dates_ahead(entities: list[Entity], today: date) -> list[Entity]:
    """The date entities after today."""
    return [
        e for e in entities if e.kind == "date" and isinstance(e.value, date) and e.value > today
    ]


def _outside(lexicon: Lexicon, prepared: Prepared, part: str) -> Analysis:
    """The message read without `part` (a campaign's text to send): its words before and
    after it, with the entities there masked as usual."""
    clean = prepared.clean
    at = clean.find(part)
    if at < 0:
        return prepared.analysis
    tokens: list[str] = []
    for lo, hi in ((0, at), (at + len(part), len(clean))):
        inside = [
            Entity(e.kind, e.start - lo, e.end - lo, e.value, e.extra)
            for e in prepared.entities
            if e.start >= lo and e.end <= hi
        ]
        said = _mask(clean[lo:hi], inside)
        tokens += _corrector().correct(prepared.tokeniser.tokens(fold_text(said)))
        tokens.append("@message")
    return analyse(tokens, lexicon)


# the customers named with "ทุกคน", "all": "ลูกค้าทุกคน" (one word to the tokeniser), "all
# customers", "all our members"
_CUSTOMERS_NAMED = re.compile(r"ลูกค้า|สมาชิก|customer|client|member", re.IGNORECASE)


# words joining segments named together ("gold และ platinum", "silver, gold", "gold & platinum")
_SEGMENT_JOINERS = NAME_JOINERS | {"และ", "กับ", "&", "+", "หรือ"}


def _segment_hits(analysis: Analysis) -> list[tuple[int, int, str]]:
    """Every tier or segment named, other than "everyone": (first token, end token, segment)."""
    return [
        (start, end, t.removeprefix("segment="))
        for start, end, tags in analysis.hits
        for t in sorted(tags)
        if t.startswith("segment=") and t != "segment=all"
    ]


def _segments_joined(analysis: Analysis) -> list[str]:
    """The segments named one after another, joined by "และ", "กับ", "and" or nothing, from
    the first one named: "ลูกค้า gold กับ platinum" is both; "bronze … upgrade to silver" only
    bronze (silver is said of something else)."""
    found = _segment_hits(analysis)
    if not found:
        return []
    chain = [found[0][2]]
    last = found[0][1]
    for start, end, segment in found[1:]:
        between = analysis.tokens[last:start]
        if not all(t in _SEGMENT_JOINERS for t in between) or len(between) > 1:
            break
        if segment not in chain:
            chain.append(segment)
        last = end
    return chain


def _every_customer(analysis: Analysis, intent: str, slots: dict[str, object]) -> None:
    """Segment `all` holds only for a campaign that names every customer as such ("ลูกค้า
    ทุกคน", "all customers"); a tier or segment named right before a bare "ทุกคน" is that one
    ("ลูกค้า gold ทุกคน"); a bare "everyone" anywhere else ("แจ้งทุกคนว่าพรุ่งนี้ประชุม", "Hi
    everyone" in the text to send) names no one, and the bot asks which customers."""
    said = [(start, end) for start, end, tags in analysis.hits if "segment=all" in tags]
    start = said[0][0] if said else 0
    # "ลูกค้าทุกคน", "all customers": the customers named in or right before the words
    as_customers = any(
        _CUSTOMERS_NAMED.search(" ".join(analysis.tokens[max(0, s - 1) : e])) for s, e in said
    )
    # outside a campaign any other named; in one, only right before it (the text to send
    # may name others)
    campaign = intent == "campaign_send"
    before = [
        segment
        for _, e, segment in _segment_hits(analysis)
        if not campaign or start - 1 <= e <= start
    ]
    if before:
        slots["segment"] = before[-1]  # "ลูกค้า gold ทุกคน": every one of the gold ones
    elif not (campaign and as_customers):
        del slots["segment"]


def _tells_a_problem(lexicon: Lexicon, analysis: Analysis) -> bool:
    """A complaint said without a yes, and not denied ("ไม่มีปัญหา", "no problem" agree)."""
    if "yes_word" in analysis.tags:
        return False
    said = [start for start, _, tags in analysis.hits if "complaint" in tags]
    return bool(said) and not any(_negated(lexicon, analysis, at) for at in said)


def _negated(lexicon: Lexicon, analysis: Analysis, at: int) -> bool:
    """True when a negation ends right before token `at`, or one stopword before it."""
    tokens = analysis.tokens
    return any(
        "negation" in kinds and (end == at or (end == at - 1 and tokens[end] in lexicon.stopwords))
        for _, end, kinds in lexicon.cues.scan(tokens)
    )


def _fill_slots(
    lexicon: Lexicon,
    intent: str,
    analysis: Analysis,
    entities: list[Entity],
    clean: str,
    today: date,
) -> dict[str, object]:
    """Slots the intent takes, from entities and vocabulary hits."""
    spec = lexicon.intents[intent]
    wanted = set(spec.slots)
    slots: dict[str, object] = {}
    ordered = sorted(entities, key=lambda e: e.start)
    for ent in ordered:
        if ent.kind in {"order_id", "ticket_id", "member_id", "email", "phone", "points"}:
            if ent.kind in wanted and ent.kind not in slots:
                slots[ent.kind] = ent.value
        elif ent.kind == "time":
            slots.setdefault("time", ent.value)  # only a timed intent's entities hold one
        elif ent.kind == "amount" and "amount" in wanted:
            if "amount" not in slots or (slots.get("_bare") and not ent.extra):
                slots["amount"] = ent.value
                slots["_bare"] = ent.extra == "bare"
        elif ent.kind == "date":
            if "period" in wanted and period_of(ent) and "period" not in slots:
                slots["period"] = period_of(ent)
                continue
            name = next((s for s in _DATE_SLOTS if s in wanted), None)
            if name and name not in slots:
                slots[name] = ent.value
    slots.pop("_bare", None)
    taken: set[int] = set()
    for slot in VOCABULARY_SLOTS:
        if slot in wanted and slot not in slots:
            found = slot_value(analysis, slot, spec, taken)
            if found is None:
                continue
            value, hit = found
            taken.add(hit)
            cue_start, cue_end = analysis.hits[hit][0], analysis.hits[hit][1]
            if (
                slot == "stage"
                and value == "won"
                and cue_end < len(analysis.tokens)
                and not analysis.tokens[cue_end].isascii()
                and lexicon.cannot_words.fullmatch(analysis.tokens[cue_end])
            ):
                # "Acme ปิดดีลไม่ได้": could not close it, as "ปิดไม่ได้" (a Thai verb's "cannot"
                # follows it; English "closed the deal, can't wait" is glad)
                value = "lost"
            opposite = lexicon.opposites.get(slot, {}).get(value)
            if opposite is not None and _negated(lexicon, analysis, cue_start):
                # "ปกติพอ ไม่ต้องด่วน": another value named outright wins over the opposite
                other = slot_value(analysis, slot, spec, taken)
                value = other[0] if other is not None else opposite
            if not (
                value in _SETTLED
                and slot == "stage"
                and _planned(lexicon, analysis, cue_start, clean, entities, today)
            ):
                slots[slot] = value
    close = slots.get("close_date")
    if slots.get("stage") in _SETTLED and isinstance(close, date) and close > today:
        # won or lost is news: a date ahead is another thing's ("won, delivery next week")
        del slots["close_date"]
    for slot, hints in lexicon.slot_hints.items():
        if slot in wanted and slot not in slots:
            # the first hint word of the message ("how are tickets looking" -> tickets)
            hinted = next((hints[t] for t in analysis.tokens if t in hints), None)
            if hinted is not None:
                slots[slot] = hinted
    for ent in ordered:
        if ent.kind == "customer" and "customer" in wanted:
            slots["customer"] = ent.value
            break
    if "customer" in wanted and "customer" not in slots:
        thai = _thai_customer(lexicon, analysis, fold_text(clean))
        if thai:
            slots["customer"] = thai
    return slots


@dataclass(frozen=True)
class Prepared:
    """A message after cleaning, entity extraction, tokenising and rule ranking."""

    text: str
    clean: str
    lang: str
    spans: SpanSet
    entities: list[Entity]
    analysis: Analysis
    ranking: list[tuple[str, float]]
    mention_text: str
    mention_customer: tuple[CustomerName, float] | None
    candidates: tuple[tuple[CustomerName, float], ...]
    tokeniser: Tokeniser
    today: date
    other_names: tuple[tuple[int, int], ...] = ()


# values a slip may be corrected in ("ปิดได้ 80k เอ้ย ไม่ใช่ 85k")
_CORRECTABLE_KINDS = frozenset({"amount", "date", "points", "order_id", "ticket_id"})


def _taken_back(lexicon: Lexicon, clean: str, entities: list[Entity]) -> list[Entity]:
    """The entities a correction word takes back: a value before the last "เอ้ย" / "I mean"
    when another of its kind follows ("เตือนโทรหา Acme วันศุกร์ เอ้ย วันพฤหัส" is Thursday)."""
    cues = [m.start() for m in lexicon.correction_pattern.finditer(clean)]
    if not cues:
        return []
    at = cues[-1]
    later = {e.kind for e in entities if e.start >= at}
    return [e for e in entities if e.end <= at and e.kind in later & _CORRECTABLE_KINDS]


def _with_family_name(lexicon: Lexicon, prepared: Prepared, name: str) -> str:
    """A Thai given name and the word written after it, one space apart, before the end, a
    contact or another space: that word is the family name unless the lexicon knows it as a
    word of a request ("คุณวิไล สวยงาม 08…" is วิไล สวยงาม; "วิไล ด่วน" is วิไล)."""
    clean = prepared.clean
    at = clean.find(name)
    if at < 0 or " " in name or not is_given_name(name):
        return name  # a business ("สวนทุเรียนลุงเผือก จันทบุรี") is named as written
    m = _FAMILY_AFTER.match(clean, at + len(name))
    if m is None:
        return name
    word = m.group(1)
    tokens = prepared.tokeniser.tokens(word)
    known = (
        lexicon.trie.scan(tokens)
        or word in lexicon.particles
        or any(lexicon.function_word(t) for t in tokens)
    )
    return f"{name} {word}" if is_family_name(word) or not known else name


# a Thai word after one space, ending the message or followed by a space or a number
_FAMILY_AFTER = re.compile(r" ([\u0E01-\u0E4F]{3,})(?=$|\s|\d)")


def _other_surname(lexicon: Lexicon, clean: str, at: int, customer: CustomerName) -> int | None:
    """Where another person's family name ends when one follows a customer's given name
    ("John Smith" for the customer John Carter, "กัญญา รักดี" for กัญญา มีสุข): a capitalised
    Latin word that is no word of a request, or a Thai family name, that is not one of the
    customer's own names; None when none follows."""
    m = _NEXT_WORD.match(clean, at)
    if m is None:
        return None
    word = m.group(1)
    own = {fold_name(w) for n in (customer.name, *customer.aliases) for w in n.split()}
    named = clean[:at].split()[-1].removeprefix("คุณ")
    # only a person's given name, the first of their names, said alone
    first_names = {fold_name(n.split()[0]) for n in (customer.name, *customer.aliases)}
    if fold_name(word) in own or fold_name(named) not in first_names:
        return None
    if word.isascii():
        other = word[:1].isupper() and word[1:].islower() and not _known_word(lexicon, word)
    else:
        other = is_family_name(word) and not lexicon.trie.scan([word])
    return m.end(1) if other else None


# the word right after a name, after one space
_NEXT_WORD = re.compile(r" ([A-Za-z]{2,}|[\u0E01-\u0E4F]{2,})(?=$|[\s,.!?])")


def _drop_bare_numbers(spans: SpanSet, start: int, end: int) -> None:
    """Release bare-number amounts overlapping [start, end) when only they block the span."""
    blocking = [e for e in spans.entities if e.overlaps(start, end)]
    if blocking and all(e.kind == "amount" and e.extra == "bare" for e in blocking):
        spans.entities = [e for e in spans.entities if e not in blocking]


def pattern_entities(clean: str, lexicon: Lexicon, ctx: ParseContext) -> tuple[SpanSet, datetime]:
    """Ids, dates and amounts found by pattern in a cleaned message, and the context's now
    in its timezone (dates are relative to it)."""
    zone = ZoneInfo(ctx.timezone)
    now = ctx.now.astimezone(zone) if ctx.now else datetime.now(zone)
    spans = SpanSet()
    extract_ids(clean, spans)
    lexicon.dates.extract(clean, now.date(), spans)
    extract_numbers(clean, spans)
    return spans, now


def prepare(text: str, ctx: ParseContext) -> Prepared:
    """Every stage before the decision: clean, entities, tokens, phrase hits, rule ranking."""
    lexicon = load_lexicon()
    clean = clean_text(text)
    spans, now = pattern_entities(clean, lexicon, ctx)
    mention_customer: tuple[CustomerName, float] | None = None
    candidates: tuple[tuple[CustomerName, float], ...] = ()
    mention_text = ""
    # other customers named besides the one taken: their words stay whole in a note
    # ("assign a task to Somchai: visit CP All" keeps "CP All" for the bot to find)
    others: list[tuple[int, int]] = []
    if ctx.customers is not None and len(ctx.customers):
        for mention in ctx.customers.find_mentions(clean):
            if mention_text:
                if mention.resolution.best is not None and spans.free(mention.start, mention.end):
                    others.append((mention.start, mention.end))
                continue
            # a known name wins over a bare number inside it ("Thai Spa 58535")
            _drop_bare_numbers(spans, mention.start, mention.end)
            best = mention.resolution.best
            # "John Smith" when the customer known is John Carter: someone else, named whole
            end = _other_surname(lexicon, clean, mention.end, best) if best else None
            if spans.add(Entity("customer", mention.start, end or mention.end, mention.text)):
                res = mention.resolution
                candidates = res.candidates
                mention_text = clean[mention.start : end] if end else mention.text
                if best is not None and not res.ambiguous and end is None:
                    mention_customer = (best, res.score)
        tokeniser = ctx.customers.tokeniser()
    else:
        tokeniser = default_tokeniser()
    if mention_text == "":
        guess = _guess_customer(lexicon, clean, spans)
        if guess is not None:
            spans.add(guess)
    entities = list(spans.entities)
    residue = _mask(clean, entities)
    tokens = _corrector().correct(tokeniser.tokens(fold_text(residue)))
    analysis = analyse(tokens, lexicon)
    ranking = rank(lexicon, analysis)
    # the language of the words around the entities (their placeholders are no English)
    words = re.sub(r"@\w+", " ", residue)
    lang = detect_lang(words)
    if lang == "en" and THAI_CHAR.search(clean) and not re.search("[A-Za-z]{2}", words):
        lang = "th"  # "สมศรี ใจดี" alone: a Thai name is said in Thai
    return Prepared(
        text,
        clean,
        lang,
        spans,
        entities,
        analysis,
        ranking,
        mention_text,
        mention_customer,
        candidates,
        tokeniser,
        now.date(),
        tuple(others),
    )


# A dialogue act with this much unexplained content looks like part of a longer request
# ("cancel my flight reservation"); less (a typo, "folks", a name) is not flagged.
_GATE_TOKENS = 2
_GATE_CHARS = 8


def gated_intents(lexicon: Lexicon, analysis: Analysis) -> frozenset[str]:
    """Dialogue acts whose phrases leave much of the message unexplained (a model feature)."""
    out: set[str] = set()
    content = analysis.content
    # most messages hold none of a dialogue act's words: then all their content is left
    # unexplained, the same for every such act
    everything: bool | None = None
    for name, spec in lexicon.intents.items():
        if not spec.min_coverage or not content:
            continue
        if spec.explain.isdisjoint(analysis.tags):
            if everything is None:
                rest = [analysis.tokens[i] for i in content]
                everything = len(rest) >= _GATE_TOKENS and sum(map(len, rest)) >= _GATE_CHARS
            if everything:
                out.add(name)
        elif coverage(spec, analysis) < spec.min_coverage:
            rest = unexplained(spec, analysis)
            if len(rest) >= _GATE_TOKENS and sum(map(len, rest)) >= _GATE_CHARS:
                out.add(name)
    return frozenset(out)


def _decide(prepared: Prepared) -> list[tuple[str, float]]:
    """Intents best first; out_of_scope first when the evidence is below the threshold."""
    # the model needs numpy: loaded with the first message, not when khui starts
    from intents.model import active_model, load_exemplars

    lexicon = load_lexicon()
    model = active_model()
    if model is None:
        ranking = prepared.ranking
        if not ranking or ranking[0][1] < lexicon.threshold:
            return [(OUT_OF_SCOPE, _oos_confidence(ranking)), *ranking[:3]]
        return ranking
    analysis = prepared.analysis
    parts = feature_parts(analysis, prepared.ranking, gated_intents(lexicon, analysis))
    exemplars = load_exemplars()
    if exemplars is not None and exemplars.classes == model.classes:
        # similarity leaves out the character n-grams: the other features are enough
        sims = exemplars.similarities(parts.words)
    else:
        sims = [0.0] * len(model.classes)
    rules = [0.0] * len(model.classes)
    for name, score in prepared.ranking:
        rules[model.index[name]] = score
    excluded = [
        model.index[name]
        for name, spec in lexicon.intents.items()
        if spec.requires and not meets_requirement(spec, analysis) and name in model.index
    ]
    return model.rank(model.part_probabilities(parts), sims, rules, excluded)


# the confidence of a change of consent that names no marketing: below the bot's sure reading
_WEAK_CONSENT = 0.5


def parse(text: str, context: ParseContext | None = None) -> ParseResult:
    """Parse one chat message into an intent with slots (out_of_scope below the threshold)."""
    ctx = context or ParseContext()
    lexicon = load_lexicon()
    if polite_yes(text) or signs_only(text, _AGREE_SIGNS):
        # "ค่ะ", "ครับผม", "👍": said alone, a yes
        return ParseResult(text, "th", "confirm", 1.0, {}, ())
    if signs_only(text, _THANK_SIGNS):
        return ParseResult(text, "th", "thanks", 1.0, {}, ())  # "🙏": thanks
    prepared = prepare(text, ctx)
    decided = _decide(prepared)
    intent, confidence = decided[0]
    if intent == OUT_OF_SCOPE or (intent == "greeting" and confidence < _SURE_GREETING):
        # "สวัสดีค่ะ แอปเข้าไม่ได้": what follows a salutation may ask for more than hello
        rest = _after_salutation(lexicon, prepared.clean)
        if rest:
            again = parse(rest, ctx)
            if again.intent not in _NOT_AFTER_HELLO and again.confidence >= _SURE_REST:
                return replace(again, text=text)
    if intent == "log_interaction" and _is_plan(prepared):
        intent = "task_create"
    elif intent in ("task_create", "customer_lookup") and _tells_a_past_contact(prepared):
        intent = "log_interaction"
    elif (
        intent == OUT_OF_SCOPE
        and _opens_moving(lexicon, prepared)
        and _dates_ahead(prepared.entities, prepared.today)
    ):
        # "postpone the Siam Paper quote to tomorrow": one of the sender's tasks to move, in
        # words the model did not know
        intent = "task_create"
    elif (
        intent != "task_create"
        and lexicon.team_words.scan(prepared.analysis.tokens)
        and _names_only_tasks(lexicon, prepared.analysis)
    ):
        # "team tasks", "the team's tasks": everyone's list, whatever the model made of it
        intent = "task_create"
    elif intent == "deal_update" and _moves_a_named_task(lexicon, prepared):
        # "เลื่อนงาน Lotus Garden ไปวันจันทร์": the task moves, not the deal's closing date
        intent = "task_create"
    elif intent == OUT_OF_SCOPE and _plans_with_someone(prepared):
        # "นัด Lotus Garden พรุ่งนี้บ่ายสอง คุยเรื่องชั้นวาง": a customer, a day ahead and a word
        # planning to meet or call them: a task, though the model did not know the words
        intent = "task_create"
    elif intent in (OUT_OF_SCOPE, "help") and (
        _opens_with_tasks(prepared.analysis) or _names_only_tasks(lexicon, prepared.analysis)
    ):
        # "วันนี้มีงานอะไรบ้าง", "what am I working on", "งานพรุ่งนี้": one's tasks, asked in
        # words the model did not know (or took for asking what the bot can do)
        intent = "task_create"
    task_done = _reports_task_done(lexicon, prepared, intent)
    task_dropped = not task_done and _drops_a_task(lexicon, prepared, intent)
    if task_done or task_dropped:
        # "finished the Acme task", "งานโทรหา Acme เสร็จแล้ว": one of the sender's tasks is
        # done; "delete the Lotus Garden task", "ยกเลิกงานโทรหา Acme": dropped; no new task to
        # add, no interaction to log, no question of the bot's to cancel
        intent = "task_create"
    if intent == "confirm" and _tells_a_problem(lexicon, prepared.analysis):
        # "มีปัญหาค่ะ" says there is a problem; it answers yes to nothing
        intent = "ticket_create"
    elif intent == "confirm" and lexicon.goodbye_words.search(prepared.clean):
        intent = "thanks"  # "see ya", "ok bye": a goodbye agrees to nothing waiting
    elif (
        intent == "consent_update"
        and confidence >= _WEAK_CONSENT
        and not prepared.analysis.tags & {"marketing_noun", "consent_strong"}
    ):
        # "ช้ามาก ไม่อยากได้แล้วค่ะ", "ไม่รับค่ะ": no news or promotions named, so only a weak
        # reading as a change of consent (the bot asks first); an answer to its consent
        # question is read on its own
        confidence = _WEAK_CONSENT
    elif intent == "confirm" and lexicon.hold_words.search(prepared.clean):
        # "โอเค รอแป๊บนะคะ", "ok let me think", "ได้ไหมคะ": time asked for, or a question,
        # never a yes to what waits
        return ParseResult(text, prepared.lang, OUT_OF_SCOPE, 1.0 - confidence, {}, ())
    if intent == "cancel" and (
        any(e.kind == "order_id" for e in prepared.entities)
        or _cancels_an_order(lexicon, prepared.analysis)
    ):
        # "please cancel ORD-3003", "ขอยกเลิกออเดอร์ล่าสุด" ask about the order, not to drop
        # the bot's question
        intent = "order_status"
    # a known customer named, and not as the start of a new one's name ("Lotus Garden Bangna")
    longer = _name_goes_on(lexicon, prepared) if intent == "customer_create" else None
    known = prepared.mention_customer is not None and not longer
    # "add Siam Paper email …": a known customer's contact, no second Siam Paper; "new
    # customer Siam Paper phone 08…" asks for a new one (the bot says one is similar)
    adds_to_known = (
        intent == "customer_create"
        and known
        and "new_customer" not in prepared.analysis.tags
        and any(e.kind in ("phone", "email") for e in prepared.entities)
    )
    contact_anew = adds_to_known or (
        (
            intent in _CONTACT_CHANGE_FROM
            or intent == "customer_lookup"
            or (intent == "log_interaction" and _only_contact(lexicon, prepared.analysis.tokens))
        )
        and _gives_contact_anew(lexicon, prepared)
    )
    if not contact_anew and intent in _OWN_CONTACT_FROM and _changes_a_contact(lexicon, prepared):
        # "เปลี่ยนเบอร์โทรเป็น 08…", "change my email to …": a phone or email given anew with
        # no one named: the sender's own (a customer's), or the customer asked for (staff)
        contact_anew = True
    if contact_anew:
        # "update Acme Trading phone to 08…", "เบอร์ใหม่คุณสมศรี 08…": a named customer's
        # new phone or email; no deal takes a phone, nor is a known customer new
        intent = "customer_lookup"
    queue_priority = None
    ordered = False
    bare_queue = (
        intent == "ticket_update"
        and not any(e.kind == "ticket_id" for e in prepared.entities)
        and not _REFERS & set(prepared.analysis.tokens)
    )
    if (intent in _QUEUE_FROM or bare_queue) and _asks_for_tickets(
        lexicon, prepared.analysis, bare=bare_queue
    ):
        # "urgent tickets", "เคสด่วนมีอะไรบ้าง", "tickets of Siam Paper": no problem told, a
        # question about the queue (or a customer's part of it); "เคสด่วน" alone names no
        # ticket to change ("เคสนี้ด่วน" does)
        intent = "ticket_status"
        found = slot_value(prepared.analysis, "priority", lexicon.intents["ticket_create"], ())
        queue_priority = found[0] if found else None
    elif (
        intent == "report"
        and "report_kind=tickets" in prepared.analysis.tags
        and prepared.mention_customer is not None
    ):
        # "open tickets for Acme Trading": no report is of one customer; their open tickets
        intent = "ticket_status"
    elif (intent in _SEARCH_FROM and _ticket_search(lexicon, prepared)) or (
        intent in (OUT_OF_SCOPE, "ticket_create")
        and _ticket_search(lexicon, prepared, searching=True)
    ):
        # "tickets about mugs", "ค้นหาเคส ใบกำกับภาษี": the tickets holding those words
        intent = "ticket_status"
    elif (
        intent == "report"
        and not any(e.kind == "date" for e in prepared.entities)
        and _asks_for_part_of_queue(lexicon, prepared.analysis)
    ):
        # "tickets waiting for customer", "which tickets have no owner": a part of the
        # queue to see, not the tickets report
        intent = "ticket_status"
    if (
        intent in _REMARK_FROM
        and "log_verb" in prepared.analysis.tags
        and any(e.kind == "ticket_id" for e in prepared.entities)
    ):
        # "note on TCK-2002: customer prefers email", "บันทึก TCK-2002 ...": a remark on the
        # ticket, not an interaction logged or a question about it
        intent = "ticket_update"
    if intent == "ticket_update" and _asks_own_tickets(lexicon, prepared):
        # "tickets assigned to me": no ticket to change, a question about one's own
        intent = "ticket_status"
    if (
        intent in ("customer_lookup", OUT_OF_SCOPE)
        and not _names_a_customer(lexicon, prepared)
        and _ranking(lexicon, prepared) is not None
    ):
        # "ลูกค้าที่ซื้อเยอะที่สุด": no customer named, a ranking of them ("top customers of
        # Nattaya": of a colleague)
        intent = "report"
    if (
        intent == "report" or (intent == OUT_OF_SCOPE and prepared.analysis.tags & _TIER_TAGS)
    ) and lexicon.tier_progress.scan(prepared.analysis.tokens):
        # "อีกกี่แต้มจะได้ platinum": one member's way to a tier, not a report on the tier (nor
        # nothing, when the model does not know it; points or a tier must be named then)
        intent = "loyalty_balance"
    elif intent in _ORDERED_FROM and _asks_what_was_ordered(lexicon, prepared):
        # "Acme orders", "Acme สั่งอะไรไปบ้าง": that customer's orders, not nothing nor what
        # the bot can do
        intent, ordered = "order_status", True
    elif intent in _OWN_TIER_FROM and _asks_own_tier(lexicon, prepared):
        # "what tier am I", "ฉันเป็นสมาชิกระดับไหน": the sender's membership, which the balance
        # card shows, not what the bot can do nor how tiers work
        intent = "loyalty_balance"
    if (
        intent == "report"
        and "new_customer" in prepared.analysis.tags
        and _someone_named(lexicon, prepared)
    ):
        # "เพิ่มลูกค้าใหม่วันนี้ ร้านป้าแดง": a new customer named is one to add, not a count
        intent = "customer_create"
    elif intent == "customer_create" and _counts_new_customers(lexicon, prepared):
        # "ลูกค้าใหม่ 30 วันที่ผ่านมา": no one to add, the new customers of a period
        intent = "report"
    if (
        (
            intent in _ORDERS_FROM
            or (intent == "report" and lexicon.first_person & set(prepared.analysis.tokens))
        )
        and lexicon.order_names & set(prepared.analysis.tokens)
        and "points_noun" not in prepared.analysis.tags
        and _asks_for_orders(lexicon, prepared.analysis)
        and not (intent == "customer_lookup" and _names_a_customer(lexicon, prepared))
    ):
        # "show all my orders", "order history", "ประวัติการสั่งซื้อ": one's orders, in words
        # the model missed or took for points history ("history"), deals ("ทั้งหมดของฉัน") or,
        # said by the sender of themself, a sales report ("what did I order last week");
        # a customer named keeps a lookup ("ขอประวัติการซื้อของ บ้านสวน": their card)
        intent = "order_status"
    if intent == "deny" and _agrees(lexicon, prepared.analysis):
        # "no problem", "no worries": a yes, though it opens with "no"
        intent = "confirm"
    quiet = _asks_for_quiet_customers(lexicon, prepared, intent)
    if quiet:
        # "ลูกค้าที่ไม่ได้ติดต่อนานเกิน 30 วัน", "who haven't I called in 2 weeks": the customers
        # no one has been in touch with, not a problem, a note or a sales number
        intent = "report"
    elif (
        intent == OUT_OF_SCOPE
        and "ticket_noun" in prepared.analysis.tags
        and lexicon.overdue_words.scan(prepared.analysis.tokens)
    ):
        # "tickets breaching SLA", "ทิกเก็ตไหนเกิน SLA บ้าง": the tickets past their due time
        intent = "ticket_status"
    elif intent == "ticket_update" and _only_ids(lexicon, prepared):
        # "TCK-2010": the ticket to see, no change to it (not taking it)
        intent = "ticket_status"
    elif _only_ids(lexicon, prepared, ("member_id",)):
        # "M-10013" alone: the member's points (a customer's own), not points to give
        intent = "loyalty_balance"
    elif _only_ids(lexicon, prepared, _CONTACT_KINDS):
        # "0812345678", "somsri@example.com" alone: whose it is (staff see the card), not a
        # handoff
        intent = "customer_lookup"
    elif intent in _DEAL_HANDED_FROM and _hands_one_deal(lexicon, prepared):
        # "reassign my Acme deal to Nattaya", "โอนดีลนี้ให้ณัฐยา": a deal handed to a
        # colleague, not the deals of one nor a request the model did not know
        intent = "deal_update"
    elif intent in _DEAL_STATE_FROM and _asks_about_a_deal(prepared):
        # "whats the status of the Acme deal", "สถานะดีล Acme เป็นยังไง": where a customer's
        # deal stands (the bot says so and offers to move it), not a ticket or an order
        intent = "deal_update"
    elif (
        intent == OUT_OF_SCOPE
        and "slot:report_kind" in prepared.analysis.tags
        and lexicon.own_words.scan(prepared.analysis.tokens)
    ):
        # "how is my pipeline looking": one's own numbers, in words the model did not know
        intent = "report"
    elif (
        intent == OUT_OF_SCOPE
        and prepared.mention_customer is not None
        and [t for t in prepared.analysis.tokens if t not in HONORIFICS] == ["@customer"]
    ):
        # "คุณสมศรี": a known customer, called politely, and nothing more: their card
        intent = "customer_lookup"
    elif (
        intent == OUT_OF_SCOPE
        and "slot:report_kind" in prepared.analysis.tags
        and _year_or_quarter(prepared.clean, prepared.today)
    ):
        # "Q3 sales", "sales 2024": numbers of a quarter or a year
        intent = "report"
    if (
        intent in (OUT_OF_SCOPE, "report")
        and prepared.mention_customer is not None
        and _asks_contact_history(lexicon, prepared)
    ):
        # "Acme Trading interactions": a known customer's contacts, not the team's report (a
        # name only guessed may be anything: "เล่าประวัติ Roman Empire")
        intent = "customer_lookup"
    topic = (
        _server_work(lexicon, prepared)
        if intent not in _RECORDS_WORDS | _OWN_THINGS
        and not _tells_a_problem(lexicon, prepared.analysis)
        else None
    )
    if topic is not None:
        # "add a staff member", "export customers", "เพิ่มพนักงานใหม่": done on the server, not in
        # chat; help says how, rather than a customer created or a report given
        slots_help: dict[str, object] = {"topic": topic}
        return ParseResult(text, prepared.lang, "help", confidence, slots_help, tuple(decided[1:4]))
    keeping = _keeps_faq(lexicon, prepared)
    if keeping is not None and not (keeping[0] == "list" and intent == "help"):
        # "add an FAQ", "แก้ faq opening_hours", "faq list": the knowledge base itself, to add
        # to, change or list, not a question to answer from it
        request, told = keeping
        kept: dict[str, object] = {"request": request}
        if told:
            kept["question"] = told
        return ParseResult(text, prepared.lang, "faq", confidence, kept, tuple(decided[1:4]))
    if intent == OUT_OF_SCOPE:
        alternatives = tuple(decided[1:4])
        return ParseResult(text, prepared.lang, OUT_OF_SCOPE, confidence, {}, alternatives)
    analysis, entities = prepared.analysis, prepared.entities
    spec = lexicon.intents[intent]
    if any(s in spec.slots for s in _DATE_SLOTS) and not any(e.kind == "date" for e in entities):
        entities = _period_edges(lexicon, entities, prepared.clean, prepared.today)
    if intent == "task_create" and _dates_ahead(entities, prepared.today):
        # "เตือนให้ส่งสรุปที่ประชุมเมื่อวันจันทร์ให้ Acme พรุ่งนี้": due on the day ahead, not
        # on the day the meeting was
        entities = [
            e
            for e in entities
            if not (e.kind == "date" and isinstance(e.value, date) and e.value < prepared.today)
        ]
    if intent == "log_interaction":
        # logged after it happened: a day just past is that day, a date ahead ("they'll decide
        # next week", "คุยแผนเดือนหน้า") no date of the interaction but part of its note
        entities = _looking_back(entities)
        ahead = _dates_ahead(entities, prepared.today)
        entities = [e for e in entities if e not in ahead]
    if spec.timed:
        entities = _times(lexicon, entities, prepared.clean)
    entities = _points_from_number(spec, entities, prepared.clean)
    if "points" in spec.signed:
        entities = _signed_points(lexicon, entities, prepared.entities, analysis.tokens)
    # a value taken back ("80k เอ้ย 85k") fills no slot, and stays out of the free text
    taken_back = _taken_back(lexicon, prepared.clean, entities)
    slots = _fill_slots(
        lexicon,
        intent,
        analysis,
        [e for e in entities if e not in taken_back],
        prepared.clean,
        prepared.today,
    )
    amount = slots.get("amount")
    if "amount" in spec.relative and isinstance(amount, Decimal):
        change = _amount_change(lexicon, amount, prepared.entities, analysis.tokens)
        if change is not None:
            # a change by a sum names no deal's value: it replaces the amount
            del slots["amount"]
            slots["amount_change"] = change
    if intent == "deal_list" and "stage" not in slots and lexicon.closed_past.scan(analysis.tokens):
        slots["stage"] = "won"  # "deals closed this month": those won, not those due to close
    if intent == "deal_update" and lexicon.asks_when.scan(analysis.tokens):
        # "ปิดดีล Acme ได้เมื่อไหร่": when it will close is asked, no stage to move it to
        slots.pop("stage", None)
    if spec.ahead and "period" not in slots:
        upcoming = lexicon.dates.period_ahead(prepared.clean)
        if upcoming is not None:
            slots["period"] = upcoming
    if "period" in spec.slots and "period" not in slots:
        named = _month_period(lexicon, prepared.clean, entities, prepared.today) or (
            _year_or_quarter(prepared.clean, prepared.today)
        )
        if intent != "report":
            # only a report says it has no such year or quarter; a list takes this or the
            # last one
            named = {k: v for k, v in named.items() if k not in ("year", "quarter")}
        slots.update(named)
    customer = slots.get("customer")
    slots.update(
        free_text(
            lexicon,
            intent,
            prepared.clean,
            _slot_entities(spec, entities),
            prepared.tokeniser,
            customer if isinstance(customer, str) else None,
            prepared.other_names,
        )
    )
    description = slots.get("description")
    if (
        intent == "ticket_create"
        and isinstance(description, str)
        and not any(ch.isalnum() for ch in lexicon.problem_words.sub(" ", description))
    ):
        # "อยากแจ้งปัญหาค่ะ", "I have a problem": a ticket to open, no problem told yet
        del slots["description"]
    if task_done or task_dropped:
        slots["request"] = "done" if task_done else "drop"
        note = lexicon.task_words.sub(" ", str(slots.pop("note", "")))
        note = " ".join(lexicon.task_drop.sub(" ", note).split()) if task_dropped else note
        note = " ".join(note.split())
        if note:
            slots["note"] = note
    elif intent == "task_create" and (
        _asks_for_tasks(analysis)
        or _names_only_tasks(lexicon, analysis)
        # "งานที่ต้องตามวันนี้": a task named only as a task is no title
        or fold_text(str(slots.get("note", ""))) in lexicon.task_noun_words
    ):
        # "งานพรุ่งนี้มีอะไรบ้าง", "what do I have due this week", "งานที่เลยกำหนด": a list, not
        # a new task; "overdue tasks" those past their due date
        slots.pop("note", None)
        slots["list"] = True
        if lexicon.team_words.scan(analysis.tokens):
            slots["team"] = True  # "งานของทีม", "team tasks": everyone's, for a manager
        if lexicon.overdue_words.scan(analysis.tokens):
            slots["overdue"] = True
        elif period := _tasks_period(lexicon, prepared):
            # "งานสัปดาห์นี้", "my tasks next week": those due by the period's end, not by
            # the day "next week" reads as (its Monday)
            slots["period"] = period
            slots.pop("due_date", None)
    elif (
        intent == "task_create"
        and isinstance(due := slots.get("due_date"), date)
        and due < prepared.today
        and not _moves_a_task(lexicon, prepared, slots)
    ):
        # "ตามงาน Acme ที่ค้างตั้งแต่เมื่อวันศุกร์": a new task is never due in the past
        del slots["due_date"]
    elif intent == "task_create" and _moves_a_task(lexicon, prepared, slots):
        # "เลื่อนงานโทรหา Acme เป็นวันศุกร์", "move the Acme task to Friday": one of the sender's
        # tasks to a new day, with the words left to find it by; no new task
        slots["request"] = "move"
        note = lexicon.task_words.sub(" ", lexicon.task_move.sub(" ", str(slots.pop("note", ""))))
        if " ".join(note.split()):
            slots["note"] = " ".join(note.split())
    elif (
        intent == "task_create"
        and "customer" not in slots
        and analysis.tags & {"create_verb", "remind"}
        and not analysis.tags & _SHOWING_TAGS
        and _only_creating(lexicon, prepared, str(slots.get("note") or ""))
    ):
        # "add a task", "สร้างงานใหม่", "new reminder": a task to add, nothing told of it yet
        # (not one called "สร้าง" or "new", nor the list of tasks)
        slots.pop("note", None)
        slots["request"] = "new"
    if intent == "order_status" and _asks_order_change(lexicon, analysis.tokens):
        slots["request"] = "change"
    elif (
        intent == "order_status" and "order_id" not in slots and _asks_for_orders(lexicon, analysis)
    ):
        # "ออเดอร์ของหนูมีอะไรบ้าง", "my orders": the recent ones, not the latest's status
        slots["list"] = True
    if ordered:
        slots["list"] = True
    if intent == "order_status" and not slots.get("list"):
        slots.pop("period", None)  # "ORD-3003 ส่งเมื่อวาน": when it went, no orders asked for
    if contact_anew:
        slots["request"] = "change"
        for kind in ("phone", "email"):
            given = [e for e in entities if e.kind == kind]
            if len(given) > 1:
                # "เปลี่ยนเบอร์จาก 081… เป็น 089…", "from … to …": the new one is said last
                slots[kind] = given[-1].value
    elif intent == "customer_lookup" and _asks_contact_history(lexicon, prepared):
        slots["request"] = "history"  # "Acme history": the latest interactions, not the card
    if queue_priority is not None:
        slots["priority"] = queue_priority
    if intent == "ticket_update" and "status" not in slots and _closes_outright(lexicon, prepared):
        slots["status"] = "closed"  # "TCK-2010 เปลี่ยนที่อยู่ให้แล้ว ปิดได้": it may be closed
    if intent == "ticket_update":
        handed = _handed_to(lexicon, prepared)
        if handed:
            # "TCK-2002 ส่งต่อให้ Somchai": a colleague to take it, not the sender
            slots["assignee"] = handed
            slots.pop("note", None)
        elif {"note", "status", "priority"} & slots.keys():
            # "TCK-2002 ลูกค้าโทรมาตามอีกรอบ", "TCK-2010 เปลี่ยนที่อยู่ให้แล้ว ปิดได้": a remark to
            # keep on the ticket, as written; a word or so beside the change ("set TCK-5121
            # priority to normal") is none
            leftover = str(slots.pop("note", ""))
            says = (
                _says_beside_change(lexicon, prepared)
                if {"status", "priority"} & slots.keys()
                else _says_more(lexicon, prepared, leftover)
            ) or sum(e.kind == "ticket_id" for e in prepared.entities) > 1  # "same as TCK-2001"
            remark = _remark(lexicon, prepared) if says else ""
            if remark:
                slots["note"] = remark
                if "status" not in slots and "priority" not in slots and _takes_it(prepared):
                    # "TCK-2002 รับเรื่องแล้ว เดี๋ยวโทรหาลูกค้า": the sender takes it as well
                    slots["assign"] = True
    if quiet:
        slots["report_kind"] = "customers"
        for slot in ("description", "note", "top", "segment"):
            slots.pop(slot, None)
        slots["quiet"] = True
        days = _days_told(lexicon, prepared.clean)
        if days is not None:
            slots["quiet_days"] = days
            slots.pop("period", None)  # "นานเกิน 30 วัน" is the quiet time, not a period
    if intent == "report" and not quiet:
        top = _ranking(lexicon, prepared)
        if top is not None:
            # "top customers", "ลูกค้ารายใหญ่ปีนี้": the customers who brought the most
            slots["report_kind"] = "customers"
            slots["top"] = top
    if intent == "loyalty_balance" and not slots and _names_the_programme(lexicon, analysis):
        # "loyalty", "แต้มสะสม": the programme named and nothing asked of anyone's points; to
        # a manager its report, to a customer their own balance
        slots["report_kind"] = "loyalty"
    hand_over = _hands_a_deal(lexicon, prepared.clean) if intent == "deal_update" else None
    hand_at = hand_over[0] if hand_over is not None else None
    if hand_over and not {"stage", "amount", "amount_change", "close_date"} & slots.keys():
        # "give the Acme deal to Nattaya": a new owner, named
        slots["assign"] = True
        if hand_over[1]:
            slots["assignee"] = hand_over[1]
    if intent == "deal_update" and slots.get("stage") in _SETTLED:
        reason, said_at = _reason_given(lexicon, prepared, str(slots["stage"]))
        if reason:
            slots["reason"] = reason  # "Acme หลุด เพราะราคาสูงกว่าคู่แข่ง": kept with the move
            for kind, slot in (("amount", "amount"), ("date", "close_date")):
                # a figure or a day within the reason is the reason's ("เพราะลูกค้ามีงบแค่ 5
                # หมื่น"), not the deal's
                if any(e.kind == kind and e.start >= said_at for e in prepared.entities):
                    slots.pop(slot, None)
                    if slot == "amount":
                        slots.pop("amount_change", None)
    heard = analysis
    if intent == "campaign_send" and slots.get("message"):
        # who it goes to is said outside the text to send ("ส่งโปรให้ลูกค้าทุกคน: สมาชิก gold
        # รับแต้ม x2" goes to everyone)
        outside = _outside(lexicon, prepared, str(slots["message"]))
        found = slot_value(outside, "segment", spec)
        if found is not None:
            slots["segment"], heard = found[0], outside
        # none said outside it ("message platinum inviting them to …"): as the words say
    if slots.get("segment") == "all":
        _every_customer(heard, intent, slots)
    elif intent == "campaign_send" and slots.get("segment"):
        joined = _segments_joined(heard)
        if len(joined) > 1:
            # "ลูกค้า gold และ platinum": every segment named, in the helper slot segments
            slots["segment"], slots["segments"] = joined[0], joined
    if intent == "deal_list":
        # "stuck deals", "ดีลที่ไม่ขยับเกิน 30 วัน", "top 5 deals": which of them, and how
        asked, words = _deals_asked(lexicon, prepared)
        slots.update(asked)
        if "customer_id" not in slots and str(slots.get("customer", "")).replace(" ", "") in words:
            del slots["customer"]  # "ดีลใหญ่สุด": the largest deals, not those of "ใหญ่สุด"
        if "stale_days" in slots:
            slots.pop("period", None)  # "เกิน 30 วัน" is how long, not a period
    if spec.record:
        slots.update(_named_before_colon(lexicon, prepared, spec, entities, slots))
    if spec.mine and "ticket_id" not in slots and lexicon.own_words.scan(analysis.tokens):
        slots["mine"] = True
    if (
        intent == "ticket_status"
        and "ticket_id" not in slots
        and lexicon.overdue_words.scan(analysis.tokens)
    ):
        slots["overdue"] = True  # "overdue tickets": those past their due time
    if intent == "ticket_status" and "ticket_id" not in slots:
        query = _ticket_search(lexicon, prepared)
        if query:
            slots["query"] = query
    if (
        intent == "ticket_status"
        and "ticket_id" not in slots
        and "query" not in slots
        and _asks_for_part_of_queue(lexicon, analysis)
    ):
        # "unassigned tickets": those nobody has taken; "pending tickets": those waiting on
        # the customer
        if lexicon.unassigned_words.scan(analysis.tokens):
            slots["unassigned"] = True
        elif lexicon.waiting_words.scan(analysis.tokens):
            slots["status"] = "pending"
        if {"unassigned", "status"} & slots.keys() and "priority" not in slots:
            found = slot_value(analysis, "priority", lexicon.intents["ticket_create"], ())
            if found:
                slots["priority"] = found[0]  # "เคสด่วนที่ยังไม่มีคนรับ"
    if spec.when:
        # "ส่งไลน์หาลูกค้า gold พรุ่งนี้ ว่ามีโปร": a date outside the message is when to send
        told = " ".join(str(slots.get(s, "")) for s in ("message", "note", "description"))
        for e in entities:
            if e.kind == "date" and prepared.clean[e.start : e.end].rstrip(". ") not in told:
                slots[spec.when] = e.value
                break
    candidates = prepared.candidates
    if "customer" in lexicon.intents[intent].slots:
        mention_customer, mention_text = prepared.mention_customer, prepared.mention_text
        if longer is None and intent == "customer_create":
            # read as a new customer only after the contact was weighed ("เพิ่มลูกค้าใหม่วันนี้
            # ร้านป้าแดง" was a count of new customers then)
            longer = _name_goes_on(lexicon, prepared)
        if mention_customer is not None and longer and intent == "customer_create":
            # "new customer Lotus Garden Bangna": the new customer as written, not the known one
            # whose name begins it (the bot says that one is similar)
            slots["customer"] = f"{mention_text} {longer}"
        elif mention_customer is not None:
            # a new customer keeps the name as written, though it is another's alias ("new
            # customer Lotus Garden Restaurant"): the bot asks before adding a namesake
            canonical = mention_customer[0].name
            written = (
                intent == "customer_create"
                and mention_text.isascii()
                and fold_name(mention_text) != fold_name(canonical)
            )
            slots["customer"] = mention_text if written else canonical
            slots["customer_id"] = mention_customer[0].id
        elif mention_text:
            slots["customer"] = mention_text
        elif ctx.customers is not None and "customer" in slots and len(ctx.customers):
            res = ctx.customers.resolve(str(slots["customer"]))
            candidates = res.candidates
            if (
                res.best is not None
                and not res.ambiguous
                and (intent != "customer_create" or _named_as(str(slots["customer"]), res.best))
            ):
                # a new customer keeps the name written ("Lotus Gardens"), only the same one
                # is theirs
                if intent != "customer_create":
                    slots["customer"] = res.best.name
                slots["customer_id"] = res.best.id
        new_name = slots.get("customer")
        if intent == "customer_create" and "customer_id" not in slots and isinstance(new_name, str):
            # "ลูกค้าใหม่ชื่อ คุณวิไล สวยงาม 08…": the family name written after is the new
            # customer's too
            slots["customer"] = _with_family_name(lexicon, prepared, new_name)
        back = _back_reference(lexicon, prepared, intent, slots)
        if back is not None:
            # "move it to proposal", "โทรหาเขาแล้ว": no one named, the customer (or deal) the
            # sender talked about just before; a name guessed from the words pointing back
            # ("ลูกค้ารายนี้") is none
            slots.pop("customer", None)
            slots["refers_back"] = True
            candidates = ()
            note = str(slots.get("note") or "")
            if intent == "log_interaction" and fold_text(note).startswith(back):
                # "called them, they want a discount": who was called is no part of the note
                rest = note[len(back) :].lstrip(" ,;:-")
                first, _, after = rest.partition(" ")
                if after and not first.isascii() and lexicon.function_word(fold_text(first)):
                    rest = after  # "โทรหาเขาแล้ว ลูกค้าขอส่วนลด": "แล้ว" goes with the call
                if rest:
                    slots["note"] = rest
    mention = next((e for e in entities if e.kind == "customer"), None)
    if (
        slots.get("assign")
        and hand_at is not None
        and (
            mention is None
            or 0 <= mention.start - hand_at <= _HAND_GAP
            or _POSSESSIVE_WORD.search(str(mention.value))
        )
    ):
        # the customer is named before the colleague ("give the Korat deal to Somchai": Korat,
        # not the customer Somchai Prasert; "give Nattaya's Korat deal to Somchai": Korat)
        for slot in ("customer", "customer_id"):
            slots.pop(slot, None)
        candidates = ()
        slots.update(_customer_before(lexicon, prepared, ctx, hand_at))
        if "customer" not in slots and _back_reference(lexicon, prepared, intent, slots):
            slots["refers_back"] = True  # "hand this deal over to Nattaya": the one in focus
    if intent == "log_interaction" and "date" in slots and slots.get("note"):
        _date_in_note(prepared, slots)
    if (
        intent == "log_interaction"
        and not lexicon.contact_history_words.sub("", str(slots.get("note") or "")).strip(" .,:;")
        and _asks_contact_history(lexicon, prepared)
    ):
        # "notes on Acme", "โน้ตของ Acme": nothing to log, the notes kept to read
        intent = "customer_lookup"
        slots = {k: v for k, v in slots.items() if k in ("customer", "customer_id")}
        slots["request"] = "history"
    alternatives = tuple((n, s) for n, s in decided[1:4] if n != OUT_OF_SCOPE)
    return ParseResult(text, prepared.lang, intent, confidence, slots, alternatives, candidates)


def _amount_change(
    lexicon: Lexicon, amount: Decimal, found: list[Entity], tokens: list[str]
) -> Decimal | None:
    """The change an amount names when a deal changes by a sum ("increase the Acme deal by
    20k", "ดีล Acme เพิ่มอีก 20k", "20k more"), negative after a lowering word ("ลดลง
    10k"); None when the amount is the deal's value ("up to 120k", "เป็น", "เหลือ")."""
    held = next((e for e in found if e.kind == "amount" and e.value == amount), None)
    at = _marker_at(tokens, found, held) if held is not None else None
    if at is None:
        return None
    # the word (or the phrase of several) ends right before the amount, as a word of its
    # own ("ลด 10k"; "ลดเหลือ 70k" is what it comes to)
    before = any(
        tokens[at - len(w.split()) : at] == w.split()
        for w in lexicon.amount_by
        if len(w.split()) <= at
    )
    after = at + 1 < len(tokens) and any(
        _word_at(lexicon, tokens, at + 1, w) for w in lexicon.amount_more
    )
    if not (before or after):
        return None
    down = any(_word_at(lexicon, tokens, i, w) for i in range(at) for w in lexicon.amount_down)
    return -amount if down else amount


def _asks_for_tasks(analysis: Analysis) -> bool:
    """True when a message about tasks asks for them ("my tasks for today", "งานพรุ่งนี้มี
    อะไรบ้าง") and names nothing to do ("remind me to send the tasks list" adds one)."""
    tags = analysis.tags
    # "วันนี้ต้องทำอะไรบ้าง": what one has to do on a day; without one it may ask how to do
    # something ("สมัครสมาชิกต้องทำอะไรบ้าง")
    asks = bool(tags & {"task_list", "list_verb"}) or {"todo_q", "@date"} <= tags
    return asks and not tags & {"remind", "plan_verb"}


def _agrees(lexicon: Lexicon, analysis: Analysis) -> bool:
    """A message opening with words that agree though they hold a "no" ("no problem")."""
    return any(start == 0 for start, _, _ in lexicon.agree_words.scan(analysis.tokens))


def _asks_for_orders(lexicon: Lexicon, analysis: Analysis) -> bool:
    """True when a message about orders asks for them ("ออเดอร์ของหนูมีอะไรบ้าง", "all my
    orders"), not where one is ("where are my orders" asks for the latest's status)."""
    if analysis.tags & {"status_q", "ship_word"}:
        return False
    # a count says "orders" as well ("my last 3 orders", "ขอดูออเดอร์ 3 อันล่าสุด")
    if lexicon.order_list.scan([t for t in analysis.tokens if not t.isdigit()]):
        return True
    # "คำสั่งซื้อของฉัน", "ออเดอร์ของผม" and nothing more: one's orders (Thai has no plural)
    rest = [t for t in analysis.tokens if t not in lexicon.order_names]
    whole = (0, len(rest))
    thai = not any(t.isascii() for t in rest)  # "my order" is the latest one
    return (
        thai
        and len(rest) < len(analysis.tokens)
        and any((start, end) == whole for start, end, _ in lexicon.own_words.scan(rest))
    )


# words saying an order's change already happened ("ถูกยกเลิกไปแล้ว", "โดนยกเลิก")
_ALREADY_BEFORE = frozenset({"ถูก", "โดน", "was", "been", "got"})
_ALREADY_AFTER = frozenset({"แล้ว", "ไป"})
# an English change word is a request as a verb: asked for ("can I cancel", "want to
# change") or with what it changes ("cancel my order", "change the address"); "without any
# change" asks for nothing
_VERB_BEFORE = frozenset({"to", "can", "could", "please", "pls", "i", "we", "kindly"})
_VERB_AFTER = frozenset(
    {"my", "the", "it", "this", "that", "our", "an", "a", "order", "@order_id", "delivery"}
)


# intents a named customer's phone or email given anew is read as instead (the model
# takes "update" for a deal's): none of them takes a phone or email
_CONTACT_CHANGE_FROM = frozenset({"deal_update", OUT_OF_SCOPE})
# words asking to see something ("todo list", "ดูงานที่ต้องทำ"): no new task is asked for
_SHOWING_TAGS = frozenset({"task_list", "list_verb", "show_verb", "lookup_verb"})
# customers gone quiet: the longest time that may be asked for (days); requests that are
# never that question ("remind me to call the customers we haven't contacted")
QUIET_DAYS_MOST = 365
DAYS_PER_MONTH = 30
_NOT_QUIET = frozenset({"task_create", "campaign_send", "greeting", "thanks"})
# intents a question about a customer's deal is read as instead: "status" reads as a
# ticket's or an order's to the model
_DEAL_STATE_FROM = frozenset({"ticket_status", "order_status", OUT_OF_SCOPE})
# intents that keep what is said as written, server work named in it or not ("remind me to
# add the new staff to the group")
_RECORDS_WORDS = frozenset({"task_create", "log_interaction", "ticket_create", "ticket_update"})
# intents of a customer's own things: "export orders history please", "add another user to my
# account" stay them, server words or not
_OWN_THINGS = frozenset(
    {"order_status", "link_account", "loyalty_balance", "loyalty_history", "loyalty_redeem"}
)
# intents a deal handed to a colleague by a handing word is read as instead
_DEAL_HANDED_FROM = frozenset({"deal_list", "handoff", OUT_OF_SCOPE})
# a tier's way named beside points or a tier ("อีกกี่แต้มจะขึ้น platinum")
_TIER_TAGS = frozenset({"points_noun", "slot:segment"})
# intents the sender asking their own tier is read as instead: the model knows "tier" from
# campaigns to tiers and questions about how tiers work
_OWN_TIER_FROM = frozenset({OUT_OF_SCOPE, "help", "link_account", "customer_lookup"})
# intents a question about what a named customer ordered is read as instead (as a lookup
# it shows the card, which holds their last order)
_ORDERED_FROM = frozenset({OUT_OF_SCOPE, "help"})
# intents a question about the ticket queue is read as instead ("urgent tickets" has no
# problem to open a ticket for; the model may not know "เคสด่วนมีอะไรบ้าง" at all, or take
# "เคสที่เกินกำหนด" for deals)
_QUEUE_FROM = frozenset({"ticket_create", "deal_list", OUT_OF_SCOPE})
# intents a search of the tickets is read as instead ("search tickets tumbler" as a report)
# (out of scope, or a ticket to open, only with a word of searching: "หาเคสที่เกี่ยวกับ
# สินค้าเสียหาย" tells no problem, it looks for one)
_SEARCH_FROM = frozenset({"report", "faq", "order_status", "help", "ticket_status"})
# a search is a few words; more tell of a problem or ask how it stands
_SEARCH_WORDS_MOST = 4
# words pointing at a ticket talked about ("เคสนี้ด่วน"): a change to it, not the queue
_REFERS = frozenset({"นี้", "นั้น", "this", "that", "it"})
# intents a request for one's orders is read as instead: "history" is points history to the
# model, "ทั้งหมดของฉัน" one's deals
_ORDERS_FROM = frozenset({OUT_OF_SCOPE, "loyalty_history", "deal_list", "customer_lookup"})
# intents a phone or email changed with no one named turns into that change
_OWN_CONTACT_FROM = frozenset({OUT_OF_SCOPE, "link_account", "customer_lookup"})


def _gives_contact_anew(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A phone or email beside a named customer and a word giving it anew ("update Acme
    phone 08…"); a contact alone is a lookup ("0891112222 เป็นลูกค้าใคร")."""
    kinds = {e.kind for e in prepared.entities}
    if not kinds & {"phone", "email"} or not lexicon.contact_change.scan(prepared.analysis.tokens):
        return False
    # a customer named in Latin letters, or a Thai one as the slots would read it
    if "customer" in kinds:
        return True
    return _thai_customer(lexicon, prepared.analysis, fold_text(prepared.clean)) is not None


def _changes_a_contact(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A phone or email named with a word changing it right beside it ("อยากเปลี่ยนเบอร์",
    "update my phone number", "เบอร์ใหม่ของหนู", "my number changed"), no customer named."""
    if any(e.kind == "customer" for e in prepared.entities):
        return False
    tokens = prepared.analysis.tokens
    changes = lexicon.contact_change.scan(tokens)
    if not changes:
        return False
    # "change my phone to 08…"; with no number or email after it, "my new phone" is the device
    values = [i for i, t in enumerate(tokens) if t in ("@phone", "@email")]
    nouns = lexicon.contact_nouns.scan(tokens)
    nouns += [h for h in lexicon.phone_words.scan(tokens) if any(i >= h[1] for i in values)]

    def close(end: int, start: int) -> bool:
        # the first phrase ends where the second starts, or one word between: the sender's
        # ("my") or an English function word ("the"); a Thai one joins other phrases ("ลอง
        # ใหม่ด้วยเบอร์" is trying again with a number)
        if start == end:
            return True
        gap = tokens[end:start]
        return len(gap) == 1 and (
            bool(lexicon.own_words.scan(gap))
            or (gap[0].isascii() and lexicon.function_word(gap[0]))
        )

    return any(
        close(c_end, n_start) or close(n_end, c_start)
        for c_start, c_end, _ in changes
        for n_start, n_end, _ in nouns
    )


def _reports_task_done(lexicon: Lexicon, prepared: Prepared, intent: str) -> bool:
    """A task reported done: a word saying so, and a task named or read as the intent (named,
    when the model finds no intent); not a new task to get something done ("remind me to
    get the quote done", "... done by Friday").
    An interaction is a task only when the message opens with a task or its being done
    ("งานโทรหา Acme เสร็จแล้ว", "เสร็จงาน Acme แล้ว"; "โทรหา Acme เสร็จแล้ว" is the call)."""
    if intent not in ("task_create", "log_interaction", OUT_OF_SCOPE):
        return False
    tokens = prepared.analysis.tokens
    done = lexicon.task_done.scan(tokens)
    if not done or lexicon.note_lead.scan(tokens):
        return False
    if intent == OUT_OF_SCOPE and not lexicon.task_nouns.scan(tokens):
        return False  # the model knows no intent: a task must be named ("ทาสก์ … เสร็จแล้ว")
    if done[0][0] == 0 and lexicon.future_words.search(prepared.clean):
        return False  # "เสร็จงานแล้วจะโทรหา Acme": after work, a call still to make
    today = prepared.today
    if any(
        e.kind == "date" and isinstance(e.value, date) and e.value > today
        for e in prepared.entities
    ):
        return False
    if intent in ("task_create", OUT_OF_SCOPE):
        return True
    nouns = lexicon.task_nouns.scan(tokens)
    # "งานโทรหา Acme เสร็จแล้ว", "เสร็จงาน Acme แล้ว": the message opens with the task or
    # with its being done
    return intent == "log_interaction" and bool(nouns) and (nouns[0][0] == 0 or done[0][0] == 0)


def _cancels_an_order(lexicon: Lexicon, analysis: Analysis) -> bool:
    """A cancel word right before an order's name ("ยกเลิกออเดอร์", "cancel my order"; not
    "ยกเลิกที่สั่งไปเมื่อกี้", which takes back what was asked of the bot)."""
    tokens = analysis.tokens
    for _, end, tags in analysis.hits:
        if "cancel_word" not in tags:
            continue
        rest = [t for t in tokens[end : end + 2] if not lexicon.function_word(t)]
        if rest and rest[0] in lexicon.order_names:
            return True
    return False


def _handed_to(lexicon: Lexicon, prepared: Prepared) -> str | None:
    """Who a ticket is handed to: up to three words after the last handing word ("ส่งต่อให้
    Somchai", "assign TCK-2002 to Nida please"), without ids, honorifics or function words."""
    # the ids found already stand as markers, left out of the name below ("@ticket_id")
    ids = [e for e in prepared.entities if e.kind in _ID_KINDS]
    text = _mask(prepared.clean, ids)
    found = list(lexicon.assign_words.finditer(text))
    if not found:
        return None
    return _colleague_named(lexicon, text[found[-1].end() :])


def _colleague_named(lexicon: Lexicon, rest: str) -> str | None:
    """The colleague named at the start of `rest`, the words after a handing word: a Thai
    name one word, a Latin one up to three, without honorifics, id markers or function
    words; None for no one or the sender ("to myself")."""
    rest = re.split(r"[,.;:!?\n]", rest)[0]
    markers = {f"@{kind}" for kind in _ID_KINDS}
    words = [w for w in rest.split() if w.lower() not in HONORIFICS and w not in markers]
    while words and (lexicon.function_word(w := words[-1].lower()) or w in lexicon.particles):
        words.pop()
    while words and lexicon.function_word(words[0].lower()):
        words.pop(0)
    # a Thai name is one word (the sentence goes on after a space); a Latin one up to three,
    # ending before a function word ("to Nattaya to close", "to Nattaya since I am on leave")
    if words and words[0].isascii():
        ends = next(
            (
                i
                for i, w in enumerate(words[1:3], 1)
                if lexicon.function_word(w.lower()) and w.lower() not in NAME_JOINERS
            ),
            3,
        )
        words = words[:ends]
    name = " ".join(words[:1] if words and not words[0].isascii() else words).lstrip("@")
    for lead in (*_HAND_LEADS, *sorted(HONORIFICS, key=len, reverse=True)):
        if name.startswith(lead) and len(name) > len(lead) and not name.isascii():
            name = name[len(lead) :]
    for ending in sorted({*lexicon.yes_particles, "คะ", "นะคะ", "นะครับ"}, key=len, reverse=True):
        if name.endswith(ending) and len(name) > len(ending) and not name.isascii():
            name = name[: -len(ending)]  # "ให้พิมพ์ค่ะ": Pim, politely
            break
    if name.lower() in lexicon.self_words:
        return None  # "assign TCK-2002 to myself": the sender, as with no one named
    return name or None


def _back_reference(
    lexicon: Lexicon, prepared: Prepared, intent: str, slots: dict[str, object]
) -> str | None:
    """The words pointing back at someone talked about before ("them", "ดีลนี้"), when the
    message names no customer and reaches none by phone, email or member id; None otherwise.
    A mention that is only part of those words ("ราย" in "ลูกค้ารายนี้") names no one."""
    if intent not in _REFERRING or any(
        s in slots for s in ("customer_id", "phone", "email", "member_id")
    ):
        return None
    tokens = prepared.analysis.tokens
    hits = lexicon.back_refs.scan(tokens)
    if intent in _DEAL_INTENTS:
        hits += lexicon.deal_refs.scan(tokens)
    if not hits:
        return None
    words = ["".join(tokens[start:end]) for start, end, _ in hits]
    mention = fold_text(str(slots.get("customer") or "")).replace(" ", "")
    if mention and not any(mention in w for w in words):
        return None
    return words[0]


def _remark(lexicon: Lexicon, prepared: Prepared) -> str:
    """A remark on a ticket as written: the message without its ticket id and the words that
    open a note ("note on TCK-2002: ...", "เพิ่มโน้ต ..."); another ticket named stays in it
    ("TCK-2015 ซ้ำกับ TCK-2014")."""
    ids = sorted((e for e in prepared.entities if e.kind == "ticket_id"), key=lambda e: e.start)[:1]
    text = _mask(prepared.clean, ids).replace("@ticket_id", " ")
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(text.split()))
    while True:
        text = text.lstrip(" ,.;:-–!?")
        lead = lexicon.remark_leads.match(text)
        if lead is None or lead.end() == len(text):
            return text.rstrip(" ,;:-–")
        text = text[lead.end() :]


def _says_more(lexicon: Lexicon, prepared: Prepared, leftover: str) -> bool:
    """The words left beside a ticket's change say something of their own: two or more
    words that are not function words ("VIP customer", "ลูกค้ารายใหญ่"), not a stray one
    ("status", "back")."""
    words = [
        w
        for w in prepared.tokeniser.tokens(fold_text(leftover))
        if any(ch.isalpha() for ch in w)
        and not lexicon.function_word(w)
        and w not in lexicon.particles
    ]
    return len(words) >= REMARK_WORDS


# what a ticket's change is said with: none of it is a remark beside the change
_CHANGE_TAGS = frozenset({"slot:status", "slot:priority", "take_word"})


def _says_beside_change(lexicon: Lexicon, prepared: Prepared) -> bool:
    """Beside a new status or priority, the message says something of its own: two or more
    words that neither name the change nor frame it, one of them more than a function word
    ("TCK-2010 fixed the address, close it", "TCK-2010 เปลี่ยนที่อยู่ให้แล้ว ปิดได้"); not
    "set TCK-5121 priority to normal" nor "TCK-2002 เปลี่ยนสถานะเป็นปิด"."""
    analysis = prepared.analysis
    changing = {
        i for start, end, tags in analysis.hits if tags & _CHANGE_TAGS for i in range(start, end)
    }
    words = [
        w
        for i, w in enumerate(analysis.tokens)
        if i not in changing
        and any(ch.isalpha() for ch in w)
        and (not w.startswith("@") or w == "@customer")  # a name says something
        and w not in lexicon.particles
        and w not in lexicon.change_frame
    ]
    return len(words) >= REMARK_WORDS and not all(lexicon.function_word(w) for w in words)


def _takes_it(prepared: Prepared) -> bool:
    """The sender says they take the ticket, in the message's first words ("รับเรื่องแล้ว …",
    "I'll take TCK-2002, …"); a taking word later on is part of the remark."""
    return any("take_word" in tags and start < 3 for start, _, tags in prepared.analysis.hits)


def _someone_named(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A customer named or reached in the message: a name, a Thai name after its cue, or a
    phone, email or member id."""
    if any(e.kind in ("customer", "phone", "email", "member_id") for e in prepared.entities):
        return True
    return _thai_customer(lexicon, prepared.analysis, fold_text(prepared.clean)) is not None


def _counts_new_customers(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A period and no one named or reached: new customers to count, none to add."""
    period = any(e.kind == "date" and period_of(e) for e in prepared.entities)
    return period and not _someone_named(lexicon, prepared)


def _only_contact(lexicon: Lexicon, tokens: list[str]) -> bool:
    """Nothing but a customer, a contact and the words that give it ("update Siam Paper email
    to …", "เปลี่ยนอีเมล Siam Paper เป็น …"): no interaction to log, though "email" names one."""
    covered: set[int] = set()
    for trie in (lexicon.contact_change, lexicon.id_leads):
        for start, end, _ in trie.scan(tokens):
            covered.update(range(start, end))
    return all(
        i in covered or token.startswith("@") or lexicon.function_word(token)
        for i, token in enumerate(tokens)
    )


# words of a question about the ticket queue: tickets, a priority, asking words
_QUEUE_TAGS = frozenset({"ticket_noun", "list_verb", "show_verb", "balance_q", "slot:priority"})
_ASKING_TAGS = frozenset({"list_verb", "show_verb", "balance_q"})


def _asks_for_tickets(lexicon: Lexicon, analysis: Analysis, *, bare: bool = False) -> bool:
    """A ticket "to open" that tells no problem, only tickets and a priority or asking words
    ("urgent tickets", "เคสด่วนมีอะไรบ้าง", "ticket ด่วนมีกี่ใบ"), maybe of a customer named
    ("tickets of Siam Paper"): a question about the queue. `bare`: no asking word is needed
    ("เคสด่วน")."""
    if "ticket_noun" not in analysis.tags or analysis.tags & {"complaint", "create_verb"}:
        return False
    tokens = analysis.tokens
    # a customer's tickets, or those of a day ("เคสด่วนวันนี้": today's queue is the queue)
    told: set[int] = {i for i, t in enumerate(tokens) if t in ("@customer", "@date")}
    asking = bare or any(t in ("tickets", "cases") for t in tokens)
    for trie in (lexicon.overdue_words, lexicon.unassigned_words, lexicon.waiting_words):
        for start, end, _ in trie.scan(tokens):
            told.update(range(start, end))  # "overdue tickets": which of the queue
    for start, end, tags in analysis.hits:
        if tags & _QUEUE_TAGS:
            told.update(range(start, end))
        # "open" asks for the open tickets only with more of them ("open a ticket" opens one)
        if tags & _ASKING_TAGS and tokens[start:end] != ["open"]:
            asking = True
    if not asking:
        return False
    # a classifier or a letter may stay ("ใบ", "?")
    return all(len(t) <= 2 for t in _untold(lexicon, tokens, told))


def _ticket_search(lexicon: Lexicon, prepared: Prepared, *, searching: bool = False) -> str:
    """What tickets are searched for: the few words after a word of searching or of what
    they are about ("tickets about late delivery": "late delivery"), with a ticket named, no
    ticket number and nothing to open; "" for anything else. `searching`: only after a word
    of searching ("search tickets tumbler")."""
    analysis = prepared.analysis
    if (
        "ticket_noun" not in analysis.tags
        or "create_verb" in analysis.tags
        or any(e.kind == "ticket_id" for e in prepared.entities)
    ):
        return ""
    cues = lexicon.ticket_search.scan(analysis.tokens)
    if not searching:
        cues += lexicon.ticket_about.scan(analysis.tokens)
    if not cues:
        return ""
    nouns = {
        i for start, end, tags in analysis.hits if "ticket_noun" in tags for i in range(start, end)
    }
    told = nouns | set(range(max(end for _, end, _ in cues)))
    before = set(range(max(end for _, end, _ in cues), len(analysis.tokens))) | nouns
    if len(_untold(lexicon, analysis.tokens, before)) > _SEARCH_WORDS_MOST:
        return ""  # a long story before it ("… because it is about money") is no search
    # the words as written: "truck" is searched for, not the "track" it is near
    written = prepared.tokeniser.tokens(fold_text(_mask(prepared.clean, prepared.entities)))
    if len(written) != len(analysis.tokens):
        written = analysis.tokens
    kept = {i for i, t in enumerate(analysis.tokens) if t in _untold(lexicon, [t], set())}
    words = [
        w
        for i, t in enumerate(written)
        if i not in told and i in kept and (w := t.strip("?!.,")) and w[0] != "@"
    ]
    if len(words) > _SEARCH_WORDS_MOST:
        return ""
    # Thai words run on as written ("สินค้าเสียหาย"), others stand apart
    query = ""
    for word in words:
        apart = query and not (THAI_CHAR.match(query[-1]) and THAI_CHAR.match(word))
        query += (" " if apart else "") + word
    return query


def _asks_for_part_of_queue(lexicon: Lexicon, analysis: Analysis) -> bool:
    """Tickets nobody has taken or waiting on the customer asked for, and nothing else."""
    tokens = analysis.tokens
    part = lexicon.unassigned_words.scan(tokens) or lexicon.waiting_words.scan(tokens)
    return bool(part) and _asks_for_tickets(lexicon, analysis, bare=True)


def _asks_what_was_ordered(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A named customer and words asking what they ordered, a period maybe, and nothing else
    ("Acme orders", "Acme สั่งอะไรไปบ้าง")."""
    tokens = prepared.analysis.tokens
    if "@customer" not in tokens or any(e.kind in _ID_KINDS for e in prepared.entities):
        return False
    verbs = lexicon.ordered_verbs.scan(tokens)
    told = {i for i, t in enumerate(tokens) if t == "@customer"}
    for start, end, tags in (*verbs, *lexicon.ordered_words.scan(tokens), *prepared.analysis.hits):
        if tags == {"phrase"} or "slot:period" in tags:
            told.update(range(start, end))
    ordering = verbs or "order_noun" in prepared.analysis.tags
    # a letter may stay ("Acme's": "s")
    return bool(ordering) and all(len(t) < 2 for t in _untold(lexicon, tokens, told))


def _untold(lexicon: Lexicon, tokens: list[str], told: set[int] | range) -> list[str]:
    """The words of a message besides those at the positions `told`, stopwords and
    particles: what it says that a rule has not accounted for."""
    return [
        t
        for i, t in enumerate(tokens)
        if i not in told and t not in lexicon.stopwords and t not in lexicon.particles
    ]


def _keeps_faq(lexicon: Lexicon, prepared: Prepared) -> tuple[str, str] | None:
    """A request about the knowledge base itself: ("new", the question told after a colon,
    if any) for "add faq: มีที่จอดรถไหม", ("edit", the entry's key or question) for "edit
    faq opening_hours", ("list", "") for "faq list" or "FAQ" alone. None for anything else,
    a question that only mentions the FAQ ("FAQ ร้านปิดกี่โมง") included. (Read as asking
    what the bot can do, a list stays that.)"""
    tokens = prepared.analysis.tokens
    hits = lexicon.faq_nouns.scan(tokens)
    if not hits:
        return None
    start, end, _ = hits[0]
    # a request opens with it: the verb, maybe "an"/"the", then the noun ("add an FAQ",
    # "แก้ faq"), or the noun then the verb ("faq ใหม่")
    before = [t for t in tokens[:start] if t not in lexicon.stopwords]
    near = [*before, *tokens[end : end + 1]] if len(before) <= 1 else []
    rest = _untold(lexicon, tokens, range(start, end))
    after = prepared.clean.split(":", 1)[1].strip() if ":" in prepared.clean else ""
    for request, words in (("new", lexicon.faq_new), ("edit", lexicon.faq_edit)):
        if any(t in words for t in near):
            # the question or entry as written after the noun ("เพิ่ม FAQ ร้านมีที่จอดรถไหม",
            # "edit faq opening_hours"), not a word of the request ("faq ใหม่")
            noun = lexicon.faq_words.search(prepared.clean)
            named = after or (prepared.clean[noun.end() :].strip(" :") if noun else "")
            said = prepared.tokeniser.tokens(fold_text(named))  # "ใหม่ค่ะ": ใหม่, ค่ะ
            filler = lexicon.particles | lexicon.stopwords | set(words)
            return request, "" if all(w in filler for w in said) else named
    if all(t in lexicon.faq_list for t in rest):
        return "list", ""
    return None


def _asks_contact_history(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A customer named and their contact history asked for ("Acme history", "ประวัติการ
    ติดต่อ Acme"); not their points' or purchases' history ("ขอประวัติการซื้อของ Acme"), nor
    a note to add ("add a note to Acme")."""
    tokens = prepared.analysis.tokens
    return (
        "@customer" in tokens
        and bool(lexicon.contact_history.scan(tokens))
        and not prepared.analysis.tags & {"points_noun", "create_verb"}
        and not lexicon.order_names & set(tokens)
        and not any(t.startswith(("ซื้อ", "purchase", "bought")) for t in tokens)
    )


def _asks_own_tier(lexicon: Lexicon, prepared: Prepared) -> bool:
    """The sender asking their own tier: a tier's name, theirs ("my tier", "ระดับสมาชิกของ
    ฉัน") or they are in it ("what tier am I", "ฉันเป็นสมาชิกระดับไหน"), no customer named;
    not "member tiers", "what tier is Acme", nor "how much do I need to spend for gold"."""
    tokens = prepared.analysis.tokens
    if not lexicon.tier_nouns.scan(tokens) or _names_a_customer(lexicon, prepared):
        return False
    pairs = set(pairwise(tokens))
    return bool(
        lexicon.own_words.scan(tokens)
        or ("am", "i") in pairs
        or any(a in lexicon.first_person and b.startswith("เป็น") for a, b in pairs)
    )


def _names_a_customer(lexicon: Lexicon, prepared: Prepared) -> bool:
    """True when the message names a customer, other than as whose they are ("top customers
    of Nattaya", "ลูกค้าท็อปของณัฐยา": a colleague's, or nobody the store knows)."""
    tokens = prepared.analysis.tokens  # every customer entity is a "@customer" token here
    return any(
        t == "@customer" and not (i and tokens[i - 1] in lexicon.colleague_leads)
        for i, t in enumerate(tokens)
    )


def _ranking(lexicon: Lexicon, prepared: Prepared) -> int | None:
    """How many customers a report asks to rank ("top 5 customers": 5; "ลูกค้ารายใหญ่": ten),
    or None when it asks for no ranking of customers."""
    tokens = prepared.analysis.tokens
    if not lexicon.top_buyers.scan(tokens) and not (
        lexicon.top_words.scan(tokens) and lexicon.customer_nouns.scan(tokens)
    ):
        return None
    if slot_value(prepared.analysis, "interaction_type") is not None:
        return None  # "ใครโทรหาลูกค้าเยอะสุด": who called the most, the interactions
    m = lexicon.rank_count.search(prepared.clean)
    count = int(m.group(1) or m.group(2)) if m else TOP_CUSTOMERS
    return min(max(count, 1), TOP_CUSTOMERS_MOST)


def _asks_own_tickets(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A ticket update that names no ticket and no change, only the sender's own."""
    if any(e.kind == "ticket_id" for e in prepared.entities):
        return False
    spec = lexicon.intents["ticket_update"]
    changes = ("status", "priority")
    if any(slot_value(prepared.analysis, s, spec, set()) is not None for s in changes):
        return False
    return bool(lexicon.own_words.scan(prepared.analysis.tokens))


def _asks_order_change(lexicon: Lexicon, tokens: list[str]) -> bool:
    """True when a message about an order asks to cancel or change it ("ยกเลิกออเดอร์
    ORD-3003 ได้ไหม", "can I change the address"), not when it says it was ("ถูกยกเลิกไป
    แล้ว", "why was my order cancelled")."""
    for i, token in enumerate(tokens):
        if token in lexicon.order_change:
            before = tokens[i - 1] if i else ""
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if before in _ALREADY_BEFORE or after in _ALREADY_AFTER:
                continue
            if not token.isascii() or before in _VERB_BEFORE or after in _VERB_AFTER:
                return True
    return False


def _period_edges(
    lexicon: Lexicon, entities: list[Entity], clean: str, today: date
) -> list[Entity]:
    """The first quarter or year edge no other value holds, as the date of an intent that
    takes one ("close end of Q1", "ปิดสิ้นปี")."""
    for start, end, value in lexicon.dates.period_edge_dates(clean, today):
        if not any(e.overlaps(start, end) for e in entities):
            return [*entities, Entity("date", start, end, value)]
    return entities


def _times(lexicon: Lexicon, entities: list[Entity], clean: str) -> list[Entity]:
    """The first time of day no id, date or contact holds, as the intent's time ("บ่ายสอง"
    -> 14:00); a bare number inside it ("10 โมง") is the time's, no amount."""
    for start, end, value in lexicon.times.find(clean):
        held = [e for e in entities if e.overlaps(start, end)]
        if all(e.kind in ("amount", "points") and e.extra in ("bare", "") for e in held):
            kept = [e for e in entities if e not in held]
            return [*kept, Entity("time", start, end, value)]
    return entities


def _named_before_colon(
    lexicon: Lexicon,
    prepared: Prepared,
    spec: IntentSpec,
    entities: list[Entity],
    slots: dict[str, object],
) -> dict[str, object]:
    """A record's slot values named before its colon, over those inside the record ("log call
    with Siam Paper: they will email the PO" is a call). Nothing named before the colon
    ("Acme: called, they want a quote") leaves the message's own values."""
    colon = record_colon(prepared.clean)
    if colon is None:
        return {}
    residue = _mask(prepared.clean[:colon], [e for e in entities if e.end <= colon])
    tokens = _corrector().correct(prepared.tokeniser.tokens(fold_text(residue)))
    analysis = analyse(tokens, lexicon)
    out: dict[str, object] = {}
    for slot in VOCABULARY_SLOTS:
        if slot in spec.slots and slot in slots:
            found = slot_value(analysis, slot, spec, ())
            if found is not None:
                out[slot] = found[0]
    return out


# a year named ("ปี 2568", "year 2025", "2025 sales"), in either era, and a quarter ("Q3",
# "ไตรมาส 3", "3rd quarter"), maybe of a year ("Q2 2025", "ไตรมาสที่ 2 ปี 2568")
# "เดือน 9": a month by its number, right after the word (not "3 เดือน", a length)
_MONTH_NUMBERED = re.compile(r"เดือน(?:ที่)?\s?(\d{1,2})(?![\d.,:/%-])(?!\s?(?:ปี|เดือน|วัน|บาท|คน))")
# "ปี 68", "พ.ศ. 69": two digits of the Buddhist era, only right after its word
_SHORT_BE_YEAR = re.compile(r"(?:ปี|พ\.ศ\.)\s?([4-7]\d)(?![\d.,:%])(?!\s?(?:ปี|เดือน|วัน|บาท|คน))")
_YEAR_NAMED = re.compile(
    r"(?:(?:ปี|year|พ\.ศ\.|ค\.ศ\.)\s?)?(?<![\d.,฿])(20\d\d|25[4-6]\d)(?![\d.,])"
    r"(?!\s?(?:บาท|baht|฿|thb|k(?![a-z])|แต้ม|points?|pts))",
    re.IGNORECASE,
)
# words before a number that make it an amount, not a year ("over 2000", "เกิน 2000")
_AMOUNT_BEFORE = re.compile(
    r"(?:over|above|under|below|more than|less than|at least|เกิน|มากกว่า|น้อยกว่า|ต่ำกว่า|ไม่ถึง)\s?$",
    re.IGNORECASE,
)
_QUARTER_NAMED = re.compile(
    r"(?:(?<![a-z])q|ไตรมาส(?:ที่)?\s?|quarter\s?)([1-4])(?!\d)|(?<!\d)([1-4])(?:st|nd|rd|th)?\s?"
    r"quarter",
    re.IGNORECASE,
)
# a message of agreeing particles alone is no longer than this ("ครับผม ครับผม")
_PARTICLES_LONGEST = 24


def _named_year(clean: str) -> int | None:
    """A year named, in the common era ("ปี 2568" is 2025, "ปี 68" too: after "ปี" two digits are
    the Buddhist era's, as Thai say it); not a sum ("over 2000 baht")."""
    for named in _YEAR_NAMED.finditer(clean):
        if not _AMOUNT_BEFORE.search(clean[: named.start(1)]):
            return common_era(int(named.group(1)))
    short = _SHORT_BE_YEAR.search(clean)
    return 2500 + int(short.group(1)) - BE_OFFSET if short else None


def _year_or_quarter(clean: str, today: date) -> dict[str, object]:
    """A year or a quarter named as the period: this or last one as the period itself, else
    the helper slot `year` ("2024") or `quarter` ("2026-Q2", the latest such quarter up to
    today when no year is told) for the bot to say it has no such period."""
    year = _named_year(clean)
    quarter = _QUARTER_NAMED.search(clean)
    now_quarter = (today.month - 1) // 3 + 1
    if quarter is not None:
        number = int(quarter.group(1) or quarter.group(2))
        if year is None:
            year = today.year if number <= now_quarter else today.year - 1
        last = (today.year, now_quarter - 1) if now_quarter > 1 else (today.year - 1, 4)
        if (year, number) == (today.year, now_quarter):
            return {"period": "this_quarter"}
        if (year, number) == last:
            return {"period": "last_quarter"}
        return {"quarter": f"{year}-Q{number}"}
    if year is None:
        return {}
    if year == today.year:
        return {"period": "this_year"}
    if year == today.year - 1:
        return {"period": "last_year"}
    return {"year": str(year)}


def _month_period(
    lexicon: Lexicon, clean: str, entities: list[Entity], today: date
) -> dict[str, object]:
    """A month named alone as the period ("ยอดขายเดือนตุลา"): this or last month, else the
    helper slot `month` ("2026-08", the latest such month up to today) for the bot to say
    that it has no such period, instead of a report on this month."""
    month = lexicon.dates.named_month(clean, [(e.start, e.end) for e in entities])
    if month is None and (numbered := _MONTH_NUMBERED.search(clean)):
        month = int(numbered.group(1))  # "ยอดขายเดือน 9": September
    if month is None or not 1 <= month <= 12:
        return {}
    # the year told, else the latest such month up to today
    year = _named_year(clean) or (today.year if month <= today.month else today.year - 1)
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    if (year, month) == (today.year, today.month):
        return {"period": "this_month"}
    if (year, month) == last:
        return {"period": "last_month"}
    return {"month": f"{year}-{month:02d}"}


def _after_salutation(lexicon: Lexicon, clean: str) -> str:
    """The text after a salutation that opens the message ("hi, the app keeps logging me
    out" -> "the app keeps logging me out"); empty when there is none or nothing follows."""
    if lexicon.salutation is None:
        return ""
    m = lexicon.salutation.match(clean)
    rest = clean[m.end() :] if m else ""
    # only a name or a filler word after it ("hey khui", "hi all") is still a greeting
    if all(w in lexicon.stopwords for w in re.findall(r"\w+", fold_text(rest))):
        return ""
    return rest


def _points_from_number(spec: IntentSpec, entities: list[Entity], clean: str) -> list[Entity]:
    """When the intent's plain number is its points (an adjustment) and no points were found,
    the first whole number no other entity holds is the points ("ปรับเพิ่มแต้ม Acme +800").
    A sign written on the number is kept (extra "signed"); words decide the others later."""
    if spec.number_slot != "points" or any(e.kind == "points" for e in entities):
        return entities
    for m in _SIGNED_NUMBER.finditer(clean):
        held = [e for e in entities if e.overlaps(m.start(), m.end())]
        if any(e.kind != "amount" or e.extra != "bare" for e in held):
            continue
        value = int(m.group(2).replace(",", ""))
        sign = (m.group(1) or "").strip()
        # the minus sign counts only on the number itself ("M-10088 +250" adds)
        if sign in ("-", "−"):
            value = -value
        return [e for e in entities if e not in held] + [
            Entity("points", m.start(), m.end(), value, "signed" if sign else "")
        ]
    return entities


def _signed_points(
    lexicon: Lexicon, entities: list[Entity], found: list[Entity], tokens: list[str]
) -> list[Entity]:
    """Points of an adjustment take the sign of the nearest sign word before them, or else
    of the first after them ("หักแต้มผิด เติมคืน 300" adds, "500 too many, take them off"
    deducts); a sign written on the number wins. `found` are the entities the tokens were
    masked with: the points' marker among the tokens tells where the number stood."""
    words = _sign_words(lexicon, tokens)
    out: list[Entity] = []
    for e in entities:
        if e.kind != "points" or e.extra == "signed" or not isinstance(e.value, int):
            out.append(e)
            continue
        at = _marker_at(tokens, found, e)
        if at is None:
            negative = any(sign < 0 for _, sign in words)
        else:
            before = [sign for i, sign in words if i < at]
            after = [sign for i, sign in words if i > at]
            negative = (before[-1] if before else after[0] if after else 1) < 0
        out.append(Entity(e.kind, e.start, e.end, -abs(e.value) if negative else abs(e.value)))
    return out


def _marker_at(tokens: list[str], found: list[Entity], entity: Entity) -> int | None:
    """Where a value stands among the tokens: its entity's marker ("@points"), or the
    number itself when no entity held it."""
    source = next((f for f in found if f.overlaps(entity.start, entity.end)), None)
    if source is None:
        digits = str(abs(entity.value)) if isinstance(entity.value, int) else ""
        return next((i for i, t in enumerate(tokens) if t.lstrip("+-−") == digits), None)
    rank = sorted(f.start for f in found if f.kind == source.kind).index(source.start)
    markers = [i for i, t in enumerate(tokens) if t == f"@{source.kind}"]
    return markers[rank] if rank < len(markers) else None


def _sign_words(lexicon: Lexicon, tokens: list[str]) -> list[tuple[int, int]]:
    """(token index, -1 or +1) of every word that deducts or adds: a sign word as a token of
    its own, with an English ending ("deducted") or run together with another Thai word
    ("หักออก", "ลดแต้ม"; not "ส่วนลด" nor "ตัดสินใจ"), or a phrase of several words. A
    deduction made by mistake ("ระบบหักผิด", "wrongly deducted") is given back: it adds."""
    out: list[tuple[int, int]] = []
    for i in range(len(tokens)):
        if any(_word_at(lexicon, tokens, i, word) for word in lexicon.deduct_words):
            out.append((i, 1 if _by_mistake(lexicon, tokens, i) else -1))
        elif any(_word_at(lexicon, tokens, i, word) for word in lexicon.add_words):
            out.append((i, 1))
    return out


def _by_mistake(lexicon: Lexicon, tokens: list[str], i: int) -> bool:
    """True when a mistake word ends the token at i ("หักผิด") or follows it ("deducted by
    mistake"), or an English one precedes it ("wrongly deducted"; "ใส่ผิด หัก 200" deducts)."""
    token, following = tokens[i], " ".join(tokens[i + 1 : i + 3])
    preceding = tokens[i - 1] if i else ""
    return any(
        token.endswith(word) or following.startswith(word) or (word.isascii() and preceding == word)
        for word in lexicon.mistake_words
    )


def _word_at(lexicon: Lexicon, tokens: list[str], i: int, word: str) -> bool:
    """True when a lexicon word (or phrase) begins at token i: the token itself, with an
    English ending, or run together with another Thai word (see _sign_words)."""
    if " " in word:
        parts = word.split()
        return tokens[i : i + len(parts)] == parts
    token = tokens[i]
    if not word.strip("-−") or not token.startswith(word):
        return False
    rest = token[len(word) :]
    return (
        not rest
        or (word.isascii() and rest in _ENGLISH_ENDINGS)
        or (not word.isascii() and (is_thai_word(rest) or rest in lexicon.dictionary_words))
    )


def _slot_entities(spec: IntentSpec, entities: list[Entity]) -> list[Entity]:
    """The entities of kinds the intent takes as slots; the others stay words of its free
    text ("ยอด 1,450 บาท" in a ticket's description, "ซื้อครบ 5000" in a points note)."""
    wanted = set(spec.slots) | ({"time"} if spec.timed else set())
    dated = not wanted.isdisjoint(_DATE_SLOTS) or "period" in wanted
    return [e for e in entities if e.kind in wanted or (e.kind == "date" and dated)]


def _asks_for_quiet_customers(lexicon: Lexicon, prepared: Prepared, intent: str) -> bool:
    """Words of no one being in touch, and who or customers asked for, none named ("ลูกค้าที่
    ไม่ได้ติดต่อนานเกิน 30 วัน", "which clients haven't we talked to this month")."""
    if intent in _NOT_QUIET or any(e.kind in ("customer", *_ID_KINDS) for e in prepared.entities):
        return False
    tokens = prepared.analysis.tokens
    unsaid = any(
        t in lexicon.quiet_verbs
        for _, end, _ in lexicon.quiet_not.scan(tokens)
        for t in tokens[end : end + 2]
    )
    if not unsaid and not lexicon.quiet_words.scan(tokens):
        return False
    return bool(lexicon.customer_nouns.scan(tokens) or lexicon.quiet_askers.scan(tokens))


def _days_told(lexicon: Lexicon, clean: str) -> int | None:
    """How long is told, in days ("30 วัน", "2 months": a month is 30 days): how long customers
    have gone without contact, or a deal has stayed in one stage; at most a year."""
    span = lexicon.dates.span(clean)
    if span is None:
        return None
    count, unit = span
    days = count if unit == "days" else count * DAYS_PER_MONTH
    return min(max(days, 1), QUIET_DAYS_MOST)


def _names_the_programme(lexicon: Lexicon, analysis: Analysis) -> bool:
    """The message only names the loyalty programme ("loyalty", "แต้มสะสม"): no balance or
    anyone's points asked for."""
    named = {
        i
        for start, end, _ in lexicon.programme_words.scan(analysis.tokens)
        for i in range(start, end)
    }
    return len(named) == len(analysis.tokens)


def _name_goes_on(lexicon: Lexicon, prepared: Prepared) -> str:
    """Latin words right after the known customer named, before anything else found, that
    are no words of a request: more of a new customer's name ("Bangna" in "new customer
    Lotus Garden Bangna 08…"); "" when there are none."""
    mention = next((e for e in prepared.entities if e.kind == "customer"), None)
    if mention is None:
        return ""
    stop = min((e.start for e in prepared.entities if e.start >= mention.end), default=None)
    more: list[str] = []
    for word in prepared.clean[mention.end : stop].split():
        bare = word.rstrip(",.;:")
        if (
            not word[:1].isupper()
            or not word.isascii()
            or _known_word(lexicon, word)
            or lexicon.contact_nouns.scan([bare.lower()])
            or lexicon.phone_words.scan([bare.lower()])
        ):
            break  # "Tel", "Mobile": the contact given, no part of the name
        more.append(bare)
    return " ".join(more)


def _named_as(written: str, customer: CustomerName) -> bool:
    """`written` is the customer's name or one of their aliases, as folded."""
    return fold_name(written) in {fold_name(n) for n in (customer.name, *customer.aliases)}


def _customer_before(
    lexicon: Lexicon, prepared: Prepared, ctx: ParseContext, end: int
) -> dict[str, object]:
    """The customer named in the text before `end`: a known one (with its id), else one
    guessed from the words; nothing when there is none."""
    head = prepared.clean[:end]
    if ctx.customers is not None and len(ctx.customers):
        for mention in ctx.customers.find_mentions(head):
            best = mention.resolution.best
            if best is not None and not mention.resolution.ambiguous:
                return {"customer": best.name, "customer_id": best.id}
            return {"customer": mention.text}
    # "give Nattaya's Korat deal to Somchai": whose deal it was is no part of the name, nor
    # the customer read before
    head = _POSSESSIVE_WORD.sub(lambda m: " " * len(m.group()), head)
    spans = SpanSet()
    for entity in prepared.spans.entities:
        if entity.kind != "customer":
            spans.add(entity)
    guess = _guess_customer(lexicon, head, spans)
    if guess is None:
        return {}
    if ctx.customers is not None and len(ctx.customers):
        res = ctx.customers.resolve(str(guess.value))
        if res.best is not None and not res.ambiguous:
            return {"customer": res.best.name, "customer_id": res.best.id}
    return {"customer": guess.value}


def _hands_a_deal(lexicon: Lexicon, clean: str) -> tuple[int, str | None] | None:
    """Where the colleague a deal is handed to is named, as the offset of the word before
    them, and their name as written: after a word handing it ("give the Acme deal to
    Nattaya", "โอนดีล Acme ให้ณัฐยา"), or before one ("ดีล Acme ให้ณัฐยาดูแล"); None when no
    one is handed it ("Nattaya will give them the quote")."""
    hand = lexicon.deal_hand.search(clean)
    if hand is not None:
        for to in lexicon.deal_hand_to.finditer(clean, hand.end()):
            if clean[to.end() :].strip(" ,.!?"):
                after = lexicon.deal_hand_after.search(clean, to.end())
                stop = after.start() if after is not None else len(clean)
                return to.start(), _colleague_named(lexicon, clean[to.end() : stop])
    for after in lexicon.deal_hand_after.finditer(clean):
        for to in lexicon.deal_hand_to.finditer(clean, 0, after.start()):
            if clean[to.end() : after.start()].strip():
                return to.start(), _colleague_named(lexicon, clean[to.end() : after.start()])
    return None


def _deals_asked(lexicon: Lexicon, prepared: Prepared) -> tuple[dict[str, object], set[str]]:
    """What a list of deals asks for besides whose, their stage and a period: those stuck in
    one stage (``stale``, with ``stale_days`` when how long is told: "stuck for 3 weeks";
    "ค้าง" counts only then), and the largest (``top``: "top 5 deals", "ดีลใหญ่สุด": five);
    with the words that asked, which name no customer."""
    tokens = prepared.analysis.tokens
    asked: dict[str, object] = {}
    days = _days_told(lexicon, prepared.clean)
    stale = lexicon.deal_stale.scan(tokens) or (days and lexicon.deal_pending.scan(tokens))
    if stale:
        asked["stale"] = True
        if days:
            asked["stale_days"] = days
    top = lexicon.top_words.scan(tokens)
    if top:
        m = lexicon.rank_count.search(prepared.clean)
        asked["top"] = (
            min(max(int(m.group(1) or m.group(2)), 1), TOP_DEALS_MOST) if m else TOP_DEALS
        )
    return asked, {"".join(tokens[start:end]) for start, end, _ in (*(stale or ()), *top)}


# "ปิดได้" right after the ticket's id or ending the message: the ticket may be closed, said
# outright ("TCK-2010 ปิดได้ ลูกค้าพอใจแล้ว", "… ปิดได้เลยครับ")
_CLOSES_OUTRIGHT = re.compile(
    r"(?:(?<=\d)\s*ปิดได้(?:เลย)?(?!ไหม|มั้ย|ยัง|หรือ|รึ))"
    r"|ปิดได้(?:เลย|แล้ว)?(?:\s*(?:ครับผม|ครับ|ค่ะ|คะ|นะ|จ้า|จ้ะ))*[\s.!]*$"
)


def _date_in_note(prepared: Prepared, slots: dict[str, object]) -> None:
    """A day told after what was said is part of it, not when the call was ("โทรหา Acme
    ลูกค้าแจ้งว่าโอนเงินไปแล้วเมื่อวาน", "called Acme, they said the goods arrived last
    Friday"): no `date`, and the note runs on through the day's words when they end the
    message."""
    note = str(slots["note"])
    starts = prepared.clean.find(note)
    told = next((e for e in prepared.entities if e.kind == "date"), None)
    if told is None or starts < 0 or starts > told.start:
        return
    del slots["date"]
    if not prepared.clean[told.end :].strip(" .,!?"):
        slots["note"] = prepared.clean[starts : told.end]  # as written, through the day


def _closes_outright(lexicon: Lexicon, prepared: Prepared) -> bool:
    """The message ends saying the ticket may be closed ("TCK-2010 ปิดได้", "… ปิดได้เลย"),
    asks nothing ("ปิดได้ไหม") and sets no condition or time ("ถ้าลูกค้าได้ของแล้วปิดได้",
    "จะปิดได้เมื่อลูกค้ายืนยัน", "รอ … ก่อนถึงจะปิดได้")."""
    if _CLOSES_OUTRIGHT.search(prepared.clean) is None:
        return False
    tokens = prepared.analysis.tokens
    if "?" in prepared.text or any(t in lexicon.question_words for t in tokens):
        return False
    return not any("plan" in kinds for _, _, kinds in lexicon.cues.scan(tokens))


def _only_ids(lexicon: Lexicon, prepared: Prepared, kinds: tuple[str, ...] = _ID_KINDS) -> bool:
    """The message is an id of `kinds` and nothing more, particles aside ("TCK-2010",
    "TCK-2010 ค่ะ"); not a mention, a name or a day beside it ("TCK-2002 <@U123>", "TCK-2010
    พรุ่งนี้")."""
    ids = {f"@{kind}" for kind in kinds}
    tokens = prepared.analysis.tokens
    return (
        "<@" not in prepared.text
        and any(t in ids for t in tokens)
        and all(
            t in ids or t in lexicon.particles or not any(ch.isalnum() for ch in t) for t in tokens
        )
    )


def asks_something(text: str) -> bool:
    """The text asks a question: a question mark or a word of asking ("ส่งฟรีไหมคะ", "is
    shipping free?", "do you have coffee")."""
    if "?" in text:
        return True
    lexicon = load_lexicon()
    words = default_tokeniser().tokens(fold_text(clean_text(text)))
    return bool(set(words) & lexicon.question_words) or bool(words and words[0] in _ASKING_OPENERS)


# English words that open a question ("do you have coffee", "is shipping free")
_ASKING_OPENERS = frozenset(
    {"do", "does", "is", "are", "can", "could", "how", "what", "when", "where", "which", "why"}
)


# signs said alone: an okay (a yes to what waits, else an acknowledgement) or thanks
_AGREE_SIGNS = frozenset("👍👌🆗✅🙆")
_THANK_SIGNS = frozenset("🙏❤♥😊☺🥰😍💕💖🤗")
# what may ride along with them: skin tones, the emoji variation selector, joiners
_SIGN_MARKS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f\u200d\\s]")
_WORD_CHAR = re.compile(r"[A-Za-z0-9\u0E00-\u0E7F]")


def signs_only(text: str, signs: frozenset[str]) -> bool:
    """The text is some of `signs` and nothing else ("👍", "🙏🙏")."""
    if _WORD_CHAR.search(text):
        return False  # a letter or digit: words, not signs (the usual case, found at once)
    bare = _SIGN_MARKS.sub("", text)
    return bool(bare) and all(ch in signs for ch in bare)


@lru_cache(maxsize=1)
def _particles_longest_first() -> tuple[str, ...]:
    """The politeness particles, longest first ("นะคะ" before "คะ")."""
    return tuple(sorted(load_lexicon().particles, key=len, reverse=True))


def without_end_particles(words: str) -> str:
    """`words` (cleaned and folded) without the politeness particles ending them ("โอเคค่ะ"
    -> "โอเค")."""
    for particle in _particles_longest_first():
        words = words.removesuffix(particle).strip()
    return words


def points_back(text: str) -> bool:
    """The text points back at what was just done ("เมื่อกี้", "กดผิด", "undo", "last one"): a
    cancel saying so asks to undo it."""
    return load_lexicon().undo_cues.search(clean_text(text)) is not None


def acknowledges(text: str) -> bool:
    """The text only says okay: polite particles, "โอเคค่ะ", "ok", or "👍"."""
    if polite_yes(text) or signs_only(text, _AGREE_SIGNS):
        return True
    words = without_end_particles(fold_text(clean_text(text)).strip(" .!~"))
    return words in load_lexicon().ack_words


def polite_yes(text: str) -> bool:
    """The text is polite particles agreeing and nothing else ("ค่ะ", "ครับบบ", "ค่ะๆ")."""
    if len(text) > _PARTICLES_LONGEST:
        return False
    lexicon = load_lexicon()
    words = re.sub(r"([\u0E00-\u0E7F])\1+", r"\1", text.replace("ๆ", " ")).split()
    words = [w.strip(" .!~") for w in words]
    return bool(words) and all(w in lexicon.yes_particles for w in words if w)


def _server_work(lexicon: Lexicon, prepared: Prepared) -> str | None:
    """What a message asks of work done on the server rather than in chat: ``staff`` (adding
    or removing staff: "add a new rep", "เพิ่มพนักงานใหม่") or ``data`` (moving data in or out:
    "export customers", "นำเข้าข้อมูลลูกค้าจาก excel"); None when it names a customer or an id
    ("Acme's new staff asked for a quote")."""
    if prepared.mention_customer is not None or any(e.kind in _ID_KINDS for e in prepared.entities):
        return None
    lowered = prepared.clean.lower()
    if not any(verb in lowered for verb in lexicon.admin_verbs):
        return None  # no verb of server work: the patterns need not run
    if lexicon.cannot_words.search(prepared.clean):
        return None  # "อัพโหลดไฟล์ไม่ได้ค่ะ": a problem told, not work asked for
    if lexicon.admin_staff.search(prepared.clean):
        return "staff"
    if lexicon.admin_data.search(prepared.clean):
        return "data"
    return None


def _hands_one_deal(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A deal named with a word handing it to someone named after it ("reassign my Acme
    deal to Nattaya", "โอนดีลนี้ให้ณัฐยา"), with no ticket, order or id; not the deals someone
    looks after ("ดีลที่ให้ณัฐยาดูแล")."""
    tags = prepared.analysis.tags
    return (
        "deal_noun" in tags
        and not tags & {"ticket_noun", "order_noun"}
        and not any(e.kind in (*_ID_KINDS, "points") for e in prepared.entities)
        and lexicon.deal_hand.search(prepared.clean) is not None
        and (handed := _hands_a_deal(lexicon, prepared.clean)) is not None
        and bool(handed[1])
    )


def _asks_about_a_deal(prepared: Prepared) -> bool:
    """A customer's deal named with no ticket, order or id ("the status of the Acme deal")."""
    tags = prepared.analysis.tags
    return (
        "deal_noun" in tags
        and not tags & {"ticket_noun", "order_noun"}
        and any(e.kind == "customer" for e in prepared.entities)
        and not any(e.kind in _ID_KINDS for e in prepared.entities)
    )


def _only_creating(lexicon: Lexicon, prepared: Prepared, note: str) -> bool:
    """A task's note holds only words asking to add one ("สร้าง", "new"), or nothing."""
    tokens = prepared.tokeniser.tokens(fold_text(note))
    asking: set[int] = set()
    for start, end, tags in lexicon.trie.scan(tokens):
        if tags & {"create_verb", "remind", "task_list"}:
            asking.update(range(start, end))
    return all(
        i in asking or lexicon.function_word(t) or t in lexicon.particles or not t.strip()
        for i, t in enumerate(tokens)
    )


# the periods a list of tasks may be asked for: those due by the period's end
_TASK_PERIODS = frozenset({"this_week", "this_month", "next_week", "next_month"})


def _tasks_period(lexicon: Lexicon, prepared: Prepared) -> str | None:
    """The week or month a list of tasks is asked for ("งานสัปดาห์นี้", "tasks next week")."""
    ahead = lexicon.dates.period_ahead(prepared.clean)
    if ahead in _TASK_PERIODS:
        return ahead
    named = {t.split("=", 1)[1] for t in prepared.analysis.tags if t.startswith("period=")}
    return next(iter(sorted(named & _TASK_PERIODS)), None)


def _names_only_tasks(lexicon: Lexicon, analysis: Analysis) -> bool:
    """Tasks named with a day, a week or month, as overdue or as the team's, and nothing more
    ("งานวันนี้", "งานสัปดาห์นี้", "งานที่เลยกำหนด", "overdue tasks", "งานของทีม", "team tasks"):
    the list of them, not a task called so."""
    tokens = analysis.tokens
    told: set[int] = {i for i, t in enumerate(tokens) if t == "@date"}
    nouns = lexicon.task_nouns.scan(tokens)
    team = lexicon.team_words.scan(tokens)
    for start, end, _ in (*nouns, *lexicon.overdue_words.scan(tokens), *team):
        told.update(range(start, end))
    for start, end, tags in analysis.hits:
        if "slot:period" in tags:
            told.update(range(start, end))
    return (
        bool(nouns) and len(told) > nouns[0][1] - nouns[0][0] and not _untold(lexicon, tokens, told)
    )


def _moves_a_task(lexicon: Lexicon, prepared: Prepared, slots: dict[str, object]) -> bool:
    """A task moved to another day: a word moving it opens the message, and a day is told
    ("เลื่อนงานโทรหา Acme เป็นวันศุกร์", "postpone my call with Acme to next week")."""
    return "due_date" in slots and (
        _opens_moving(lexicon, prepared) or _opens_moving_a_task(lexicon, prepared)
    )


def _drops_a_task(lexicon: Lexicon, prepared: Prepared, intent: str) -> bool:
    """A task dropped: a word deleting or cancelling opens the message, and a task is named
    ("delete task visit Lotus Garden", "ยกเลิกงานโทรหา Acme"), read as a new task, a call or
    nothing. Read as "cancel", only with a customer named ("cancel the Lotus Garden task"):
    else it may drop the bot's question ("cancel the reminder I just asked for")."""
    tokens = _request_words(prepared)
    if intent == "cancel" and "@customer" not in tokens:
        return False
    if intent not in ("task_create", "log_interaction", "cancel", OUT_OF_SCOPE):
        return False
    return _opens_on_a_task(lexicon, lexicon.task_drops, tokens)


def _moves_a_named_task(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A word moving something opens the message and a task is named, no deal ("เลื่อนงาน
    Lotus Garden ไปวันจันทร์", "push the Siam Paper task to next week")."""
    return "deal_noun" not in prepared.analysis.tags and _opens_moving_a_task(lexicon, prepared)


def _opens_moving_a_task(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A word moving something, "push" too, opens the message, and a task is named."""
    return _opens_on_a_task(lexicon, lexicon.task_moves_named, _request_words(prepared))


def _opens_on_a_task(lexicon: Lexicon, words: PhraseTrie, tokens: list[str]) -> bool:
    """One of `words` opens the message and a task is named in it; the task's name may run
    into the opening word ("ยกเลิกงาน" split as "ยก|เลิกงาน", "เลื่อนงาน")."""
    hits = _opening(words, tokens)
    if not hits:
        return False
    opening = "".join(tokens[: max(hits)])
    return bool(lexicon.task_nouns.scan(tokens)) or any(
        noun in opening for noun in lexicon.task_noun_words
    )


def _opens_moving(lexicon: Lexicon, prepared: Prepared) -> bool:
    """A word moving something to another day opens the message ("postpone ...", "เลื่อน...")."""
    return bool(_opening(lexicon.task_moves, _request_words(prepared)))


def _request_words(prepared: Prepared) -> list[str]:
    """The message's words without the asking kindly ("please delete ...", "ช่วยเลื่อน...")."""
    return [t for t in prepared.analysis.tokens if t not in ("please", "pls", "ช่วย")]


def _opening(phrases: PhraseTrie, tokens: list[str]) -> list[int]:
    """Where each of the phrases the words open with ends."""
    return [end for start, end, _ in phrases.scan(tokens) if start == 0]


def _opens_with_tasks(analysis: Analysis) -> bool:
    """A question opening with one's tasks, perhaps after a day ("วันนี้มีงานอะไรบ้าง", "งาน
    ของฉันมีอะไรบ้าง"); tasks later on belong to something else ("ใบสมัครงานของฉัน")."""
    opening = 1 if analysis.tokens[:1] == ["@date"] else 0
    return _asks_for_tasks(analysis) and any(
        tags & {"task_list", "todo_q"} and start == opening for start, _, tags in analysis.hits
    )


def _plans_with_someone(prepared: Prepared) -> bool:
    """A customer named, a date ahead and a word planning a call or meeting ("นัด", "remind")."""
    return (
        "remind" in prepared.analysis.tags
        and any(e.kind == "customer" for e in prepared.entities)
        and _is_plan(prepared)
    )


def _tells_a_past_contact(prepared: Prepared) -> bool:
    """A call, visit or meeting on a day already past, with nothing to be reminded of
    ("เมื่อวันจันทร์ไปเยี่ยม Lotus Garden ดูครัว"): one to log, not tasks of that day."""
    tags = prepared.analysis.tags
    if "remind" in tags or not any(t.startswith("interaction_type=") for t in tags):
        return False
    entities = _looking_back(prepared.entities)
    days = [e.value for e in entities if e.kind == "date" and isinstance(e.value, date)]
    return bool(days) and all(day < prepared.today for day in days)


def _is_plan(prepared: Prepared) -> bool:
    """An interaction dated after today that nothing marks as done is a plan ("โทรหา Acme พรุ่งนี้"),
    and so is one the sender says they will make ("จะโทรหา Acme ตอนบ่าย", "I'll call Acme"); a
    day just past said without a year is no plan ("met Siam Paper on 20 Nov")."""
    if "report_marker" in prepared.analysis.tags:
        return False
    return _says_will(prepared) or bool(
        _dates_ahead(_looking_back(prepared.entities), prepared.today)
    )


def _says_will(prepared: Prepared) -> bool:
    """True when the message opens with the sender saying they will do it: a future word
    first, or after their own pronoun ("จะโทรหา", "ผมจะไปเยี่ยม", "I'll call"; not "ลูกค้าจะ
    โทรกลับ", the customer's)."""
    lexicon = load_lexicon()
    tokens = prepared.analysis.tokens
    first = 1 if len(tokens) > 1 and tokens[0] in lexicon.self_words else 0
    return bool(tokens) and lexicon.future_words.fullmatch(tokens[first]) is not None


def _looking_back(entities: list[Entity]) -> list[Entity]:
    """The entities with a day and month said without a year that passed lately taken as
    that day ("called Acme on 20 Nov" three days later), not the same day next year."""
    out = []
    for e in entities:
        last = last_year(e.value) if e.extra == JUST_PAST and isinstance(e.value, date) else None
        out.append(replace(e, value=last, extra="") if last is not None else e)
    return out


def reward_asked(text: str, context: ParseContext | None = None) -> str:
    """The words of a message that would name a reward, were it a request to redeem one ("I
    want the bag": "the bag"); empty when none are left. The bot, which knows the rewards,
    reads a message the model took for something else as a redemption when they name one."""
    prepared = prepare(text, context or ParseContext())
    lexicon = load_lexicon()
    spec = lexicon.intents["loyalty_redeem"]
    found = free_text(
        lexicon,
        spec.name,
        prepared.clean,
        _slot_entities(spec, prepared.entities),
        prepared.tokeniser,
    )
    return str(found.get("reward") or "")


def _oos_confidence(ranking: list[tuple[str, float]]) -> float:
    """Confidence that a message is out of scope, from the best in-scope score."""
    return round(1.0 - (ranking[0][1] if ranking else 0.0), 4)


__all__ = [
    "OUT_OF_SCOPE",
    "Prepared",
    "gated_intents",
    "parse",
    "pattern_entities",
    "prepare",
    "reward_asked",
    "warm",
]
