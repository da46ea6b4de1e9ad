"""The intent data: loads intents/data/*.yaml and compiles the phrase trie and date grammar."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names, thai_words

from intents.normalize import LATIN_CHAR, fold_text
from intents.slots.dates import DateGrammar, alternation
from intents.slots.times import TimeGrammar

DATA_DIR = Path(__file__).with_name("data")
LANGUAGES = ("th", "en")
# tag of a phrase that names a slot ("วันปิดดีล", the close date) without giving its value
SLOT_NAME = "name:"


@dataclass(frozen=True)
class Pattern:
    """A conjunction of tags: the intent applies when every tag is present."""

    tags: frozenset[str]


@dataclass
class IntentSpec:
    """One intent: patterns, boosting and vetoing tags, slots it takes, coverage floor."""

    name: str
    patterns: list[Pattern] = field(default_factory=list)
    boost: set[str] = field(default_factory=set)
    avoid: set[str] = field(default_factory=set)
    templates: list[re.Pattern[str]] = field(default_factory=list)
    slots: tuple[str, ...] = ()
    min_coverage: float = 0.0
    priority: int = 0
    explain: frozenset[str] = frozenset()
    # phrase groups of which the message must hold at least one (none: no requirement)
    requires: frozenset[str] = frozenset()
    # every tag of every pattern: a message with none of them matches no pattern
    pattern_tags: frozenset[str] = frozenset()
    # per slot, the only values this intent takes (none listed: any value)
    values: dict[str, frozenset[str]] = field(default_factory=dict)
    # the slot a plain number fills when no pattern found that slot ("points")
    number_slot: str = ""
    # slots whose numbers take a sign from the words around them (points of an adjustment)
    signed: frozenset[str] = frozenset()
    # per slot, values that win over the others when the message names several, first best
    prefer: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # slots whose value may be a change by a sum ("by 20k"): the helper slot <slot>_change
    relative: frozenset[str] = frozenset()
    # the helper slot a date outside the intent's free text goes to ("send_date")
    when: str = ""
    # periods ahead ("next month") are read as its period: deals expected to close then
    ahead: bool = False
    # the helper slot mine: the message asks about the sender's own ("my tickets")
    mine: bool = False
    # the helper slot time: a time of day the intent keeps ("เตือนโทรหา Acme พรุ่งนี้บ่ายสอง")
    timed: bool = False
    # after a colon the note is the record itself, and its words name no slot ("log call
    # with Siam Paper: they will email the PO" is a call)
    record: bool = False

    def own_tags(self) -> set[str]:
        """Every tag that explains a token for this intent."""
        tags = set(self.boost)
        for pattern in self.patterns:
            tags.update(pattern.tags)
        return tags


class PhraseTrie:
    """Phrases (spaces removed) found in token lists; matches start and end on token edges.

    Every prefix of a phrase is a key: a phrase is read token by token, joining the next
    token while the text so far still begins some phrase, never character by character.
    """

    def __init__(self) -> None:
        """An empty set of phrases."""
        # prefix -> tags of the phrase it completes (empty: only a prefix)
        self._prefixes: dict[str, frozenset[str]] = {}

    def add(self, phrase: str, tag: str) -> None:
        """Attach ``tag`` to ``phrase``."""
        joined = phrase.replace(" ", "")
        for end in range(1, len(joined)):
            self._prefixes.setdefault(joined[:end], frozenset())
        # frozen, so every scan hands out the same set instead of copying it
        self._prefixes[joined] = self._prefixes.get(joined, frozenset()) | {tag}

    def scan(self, tokens: list[str]) -> list[tuple[int, int, frozenset[str]]]:
        """All (first token, end token, tags) of phrases aligned with token boundaries."""
        prefixes = self._prefixes
        hits: list[tuple[int, int, frozenset[str]]] = []
        size = len(tokens)
        for i, token in enumerate(tokens):
            tags = prefixes.get(token)
            end = i + 1
            while tags is not None:
                if tags:
                    hits.append((i, end, tags))
                if end == size:
                    break
                token += tokens[end]
                end += 1
                tags = prefixes.get(token)
        return hits


@dataclass
class Lexicon:
    """Everything the parser reads from the data files, compiled once."""

    intents: dict[str, IntentSpec]
    trie: PhraseTrie
    stopwords: frozenset[str]
    particles: frozenset[str]
    dictionary_words: set[str]
    latin_vocab: list[str]
    latin_words: frozenset[str]
    deduct_words: tuple[str, ...]
    add_words: tuple[str, ...]
    mistake_words: tuple[str, ...]
    business_words: tuple[str, ...]
    legal_endings: frozenset[str]
    # function words that may stand inside a name written as one ("ขอนแก่นการยาง")
    name_infixes: frozenset[str]
    # a salutation opening a message, with its particles and punctuation (None: no list)
    salutation: re.Pattern[str] | None
    # an amount changed by a sum: words right before it, right after it, and lowering words
    amount_by: tuple[str, ...]
    amount_more: tuple[str, ...]
    amount_down: tuple[str, ...]
    # words asking to cancel or change an order, and the words naming an order itself
    order_change: frozenset[str]
    order_names: frozenset[str]
    # words asking for one's orders as a list ("มีอะไรบ้าง", "all my orders")
    order_list: PhraseTrie
    # words asking what a named customer ordered ("what did Acme buy", "Acme สั่งอะไรไปบ้าง"):
    # the verbs of ordering, and the other words of asking
    ordered_verbs: PhraseTrie
    ordered_words: PhraseTrie
    # words saying the sender's own ("my tickets", "เคสที่ฉันรับผิดชอบ")
    own_words: PhraseTrie
    # a task reported done ("finished the Acme task", "งานโทรหา Acme เสร็จแล้ว"): the words
    # saying so, the words naming a task, and both as a pattern to take out of its title
    task_done: PhraseTrie
    task_nouns: PhraseTrie
    task_words: re.Pattern[str]
    # words asking how far a member is from a tier ("อีกกี่แต้มจะได้ platinum")
    tier_progress: PhraseTrie
    # customers no one has been in touch with for a while ("ลูกค้าที่ไม่ได้ติดต่อ"), and the
    # words asking who ("ใคร", "which")
    quiet_words: PhraseTrie
    quiet_not: PhraseTrie
    quiet_verbs: frozenset[str]
    quiet_askers: PhraseTrie
    # tickets past their due time ("overdue tickets", "เคสที่เกินกำหนด")
    overdue_words: PhraseTrie
    # open tickets nobody has taken ("unassigned tickets"), and those waiting on the customer
    # ("pending tickets", "เคสที่รอลูกค้าตอบ")
    unassigned_words: PhraseTrie
    waiting_words: PhraseTrie
    # words searching the tickets ("search tickets mugs", "ค้นหาเคส ใบกำกับภาษี") and saying what
    # they are about ("tickets about mugs"): what follows is what they hold
    ticket_search: PhraseTrie
    ticket_about: PhraseTrie
    correction_words: PhraseTrie
    note_keep: PhraseTrie
    closed_past: PhraseTrie
    undo_cues: re.Pattern[str]
    asks_when: PhraseTrie
    correction_pattern: re.Pattern[str]
    # deals stuck in one stage ("stuck deals", "ดีลที่ไม่คืบหน้า"), and words that say so only
    # with how long ("ดีลที่ค้างเกิน 30 วัน")
    deal_stale: PhraseTrie
    deal_pending: PhraseTrie
    # words handing a deal to a colleague ("give the Acme deal to Nattaya", "โอนดีล Acme
    # ให้ณัฐยา"), the words before the colleague ("to", "ให้"), and those handing it after the
    # colleague is named ("ให้ณัฐยาดูแล")
    deal_hand: re.Pattern[str]
    deal_hand_to: re.Pattern[str]
    deal_hand_after: re.Pattern[str]
    reason_words: re.Pattern[str]
    reason_kept: re.Pattern[str]
    reason_trail: re.Pattern[str]
    reason_end: re.Pattern[str]
    goodbye_words: re.Pattern[str]
    hold_words: re.Pattern[str]
    # work done on the server, not in chat: adding staff ("add staff member", "เพิ่มพนักงาน
    # ใหม่") and moving data in or out ("export customers", "นำเข้าข้อมูลลูกค้า")
    admin_staff: re.Pattern[str]
    admin_data: re.Pattern[str]
    # their verbs, lower-cased: a quick test before the patterns
    admin_verbs: tuple[str, ...]
    # words saying something does not work, and something is still to come
    cannot_words: re.Pattern[str]
    future_words: re.Pattern[str]
    # capitalised words that are never a customer's name ("PDPA")
    not_names: frozenset[str]
    # a polite particle that agrees when said alone ("ค่ะ", "ครับ")
    yes_particles: frozenset[str]
    ack_words: frozenset[str]
    # the whole team's ("team tasks", "งานของทีม")
    team_words: PhraseTrie
    # words that agree though they open with "no" ("no problem")
    agree_words: PhraseTrie
    # words that only say there is a problem ("อยากแจ้งปัญหา", "I have a problem"): no
    # ticket's description
    problem_words: re.Pattern[str]
    # a ranking of customers ("top customers", "ลูกค้าที่ซื้อเยอะที่สุด"): words that ask for it
    # alone, words that do beside a customer noun, and the count ("top 5", "10 อันดับ")
    top_buyers: PhraseTrie
    top_words: PhraseTrie
    customer_nouns: PhraseTrie
    rank_count: re.Pattern[str]
    # words handing a ticket to someone ("ส่งต่อให้", "assign to"): the rest names them
    assign_words: re.Pattern[str]
    self_words: frozenset[str]
    # words naming the same in a reward's name ("shipping": "delivery", "คูปอง": "บัตรกำนัล")
    reward_alike: dict[str, str]
    # a word as it is said for the word as it is written ("ไร" for "อะไร")
    spoken_forms: dict[str, str]
    first_person: frozenset[str]
    # words of asking alone ("สอบถาม", "wondering"): no part of what an FAQ question is about
    faq_ignore: frozenset[str]
    # words that make a message a question: English ones opening it, Thai ones anywhere
    question_words: frozenset[str]
    # words naming a member's tier ("what is my tier")
    tier_nouns: PhraseTrie
    # words naming the loyalty programme alone ("loyalty", "แต้มสะสม"), no one's balance
    programme_words: PhraseTrie
    # the knowledge base itself: its names, and the words adding to, changing or listing it
    # a customer's contact history asked for ("Acme history")
    contact_history: PhraseTrie
    contact_history_words: re.Pattern[str]
    # words moving a task to another day ("postpone", "เลื่อน"): as opening it, and in its note
    task_moves: PhraseTrie
    # the moving words only beside a task named too ("push")
    task_moves_named: PhraseTrie
    # words dropping a task ("delete", "ยกเลิกงาน"): as opening it, and in its note
    task_drops: PhraseTrie
    task_noun_words: frozenset[str]
    task_drop: re.Pattern[str]
    task_move: re.Pattern[str]
    faq_nouns: PhraseTrie
    faq_words: re.Pattern[str]
    faq_new: frozenset[str]
    faq_edit: frozenset[str]
    faq_list: frozenset[str]
    # words right before a colleague's first name ("ของ", "of"): the name is theirs even
    # when it is an ordinary word too ("เคสของพิมพ์"); and words that make it a customer's
    colleague_leads: tuple[str, ...]
    colleague_not: tuple[str, ...]
    # words handing a task to a colleague before their name ("remind", "ฝาก") and after it
    # ("to"): none of them is the task's title
    delegate_leads: tuple[str, ...]
    delegate_joins: tuple[str, ...]
    # the sender's own, one form per language ("my", "ของฉัน"): a colleague's things are read
    # as these first ("Pim's tickets" as "my tickets"), then shown for the colleague
    own_forms: tuple[str, ...]
    # words pointing back at the customer just talked about ("them", "เขา"), and at the deal
    # ("move it", "ดีลนี้")
    back_refs: PhraseTrie
    deal_refs: PhraseTrie
    # words that open a remark on a ticket ("note on TCK-2002:", "เพิ่มโน้ต"): not the note
    remark_leads: re.Pattern[str]
    # words that only frame a ticket's change ("set … priority to"), no remark of their own
    change_frame: frozenset[str]
    # words giving a customer's phone or email anew ("เปลี่ยนเบอร์ Acme เป็น 08…"), and the
    # words naming a phone or email ("เบอร์", "email")
    contact_change: PhraseTrie
    contact_nouns: PhraseTrie
    # words that may name a phone as a device ("my new phone"): a contact only beside a value
    phone_words: PhraseTrie
    dates: DateGrammar
    times: TimeGrammar
    # free-text phrase lists, compiled once into tries: command phrases never in a note
    note_strip: PhraseTrie
    # words that only ask for a reward ("I want", "อยากได้"): never part of the reward's name
    reward_strip: PhraseTrie
    # words naming an id or contact ("order ORD-3003", "เบอร์ 081..."): they go with it
    id_leads: PhraseTrie
    # phrases after which the rest of a message is the note itself ("remind me to ...")
    note_lead: PhraseTrie
    # words that lead a deal's close date or amount ("close by 20 Dec", "มูลค่า 230k"): part
    # of the value, no note, when the value follows them
    deal_leads: PhraseTrie
    threshold: float
    slot_tags: dict[str, str]
    # cue words tagged by kind: "plan", "deadline" and "done" around a won or lost cue,
    # "negation" before a slot value; the deadline words also as a tuple, for dates that took
    # one in ("ภายใน 3 วัน")
    cues: PhraseTrie
    deadline_words: tuple[str, ...]
    # the same words as a trie: before a task's due date they lead it ("ภายในศุกร์นี้")
    deadline_leads: PhraseTrie
    # per slot, the value a negated phrase of another value means ("don't send me" -> opt_out)
    opposites: dict[str, dict[str, str]]
    # per slot, single folded words that hint at a value (see _fill_slots)
    slot_hints: dict[str, dict[str, str]]

    def function_word(self, word: str) -> bool:
        """A stopword, or two run together as newmm sometimes leaves them ("ให้ได้")."""
        stop = self.stopwords
        return word in stop or any(
            word[:k] in stop and word[k:] in stop for k in range(1, len(word))
        )


def _load(lang: str) -> dict[str, Any]:
    """Read one language file."""
    with (DATA_DIR / f"{lang}.yaml").open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def _phrase(text: str) -> str:
    """Fold a phrase the way messages are folded."""
    return fold_text(str(text)).strip()


def _compile_template(template: str, groups: dict[str, list[str]]) -> re.Pattern[str]:
    """A template over the joined tokens: {group} slots, (a|b) and [optional] parts."""

    def group_alt(m: re.Match[str]) -> str:
        words = sorted(groups.get(m.group(1), []), key=len, reverse=True)
        return "(?:" + "|".join(re.escape(w.replace(" ", "")) for w in words) + ")"

    pattern = re.sub(r"\[([^\]]+)\]", r"(?:\1)?", template.replace(" ", ""))
    pattern = re.sub(r"\{(\w+)\}", group_alt, pattern)
    return re.compile(rf"^{pattern}$")


# keys of the language files that hold plain word lists, each merged over both files
_WORD_LISTS = (
    "deduct_words",
    "add_words",
    "mistake_words",
    "business_words",
    "legal_endings",
    "name_infixes",
    "salutations",
    "amount_by",
    "amount_more",
    "amount_down",
    "order_change",
    "own_words",
    "contact_change",
    "contact_nouns",
    "phone_words",
    "note_strip",
    "reward_strip",
    "id_leads",
    "note_lead",
    "deal_leads",
    "order_names",
    "problem_words",
    "agree_words",
    "overdue_words",
    "unassigned_words",
    "waiting_words",
    "ticket_search",
    "ticket_about",
    "correction_words",
    "note_keep",
    "closed_past",
    "undo_cues",
    "asks_when",
    "deal_stale",
    "deal_pending",
    "deal_hand",
    "deal_hand_to",
    "deal_hand_after",
    "reason_words",
    "reason_kept",
    "reason_trail",
    "reason_end",
    "goodbye_words",
    "hold_words",
    "admin_staff_verbs",
    "team_words",
    "yes_particles",
    "ack_words",
    "not_names",
    "cannot_words",
    "future_words",
    "admin_staff_nouns",
    "admin_data_verbs",
    "admin_data_nouns",
    "admin_fillers",
    "quiet_words",
    "quiet_verbs",
    "quiet_not",
    "quiet_askers",
    "tier_progress",
    "order_list",
    "ordered_verbs",
    "ordered_words",
    "assign_words",
    "self_words",
    "first_person",
    "faq_ignore",
    "question_words",
    "tier_nouns",
    "programme_words",
    "contact_history",
    "task_move",
    "task_move_named",
    "task_drop",
    "faq_nouns",
    "faq_new",
    "faq_edit",
    "faq_list",
    "colleague_leads",
    "colleague_not",
    "delegate_leads",
    "delegate_joins",
    "own_forms",
    "remark_leads",
    "change_frame",
    "back_refs",
    "deal_refs",
    "task_done",
    "task_nouns",
    "top_buyers",
    "top_words",
    "customer_nouns",
    "rank_before",
    "rank_after",
)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load and merge both language files and the catalogue (cached: built once)."""
    with (DATA_DIR / "catalogue.yaml").open(encoding="utf-8") as fh:
        catalogue: dict[str, Any] = yaml.safe_load(fh)
    groups: dict[str, list[str]] = defaultdict(list)
    slot_values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    stopwords: set[str] = set()
    particles: set[str] = set()
    # the plain word lists of both files, by their key (see _WORD_LISTS)
    word_lists: dict[str, list[str]] = defaultdict(list)
    date_tables: dict[str, dict[str, Any]] = defaultdict(dict)
    cues = PhraseTrie()
    slot_hints: dict[str, dict[str, str]] = defaultdict(dict)
    deadlines: list[str] = []
    raw_intents: dict[str, list[dict[str, Any]]] = defaultdict(list)
    extra_words: set[str] = set(catalogue.get("dictionary", []))
    reward_alike: dict[str, str] = {}
    spoken_forms: dict[str, str] = {}
    for lang in LANGUAGES:
        data = _load(lang)
        for name, phrases in (data.get("groups") or {}).items():
            groups[name].extend(_phrase(p) for p in phrases)
        for slot, values in (data.get("slot_values") or {}).items():
            for value, phrases in values.items():
                slot_values[slot][str(value)].extend(_phrase(p) for p in phrases)
        for slot, phrases in (data.get("slot_names") or {}).items():
            groups[f"{SLOT_NAME}{slot}"].extend(_phrase(p) for p in phrases)
        stopwords.update(_phrase(w) for w in data.get("stopwords", []))
        particles.update(_phrase(w) for w in data.get("particles", []))
        for key in _WORD_LISTS:
            word_lists[key].extend(_phrase(w) for w in data.get(key) or [])
        extra_words.update(data.get("dictionary", []))
        for kind, phrases in (data.get("stage_cues") or {}).items():
            for phrase in phrases:
                cues.add(_phrase(phrase), kind)
            if kind == "deadline":
                deadlines.extend(_phrase(p) for p in phrases)
        for phrase in data.get("negations", []):
            cues.add(_phrase(phrase), "negation")
        for slot, values in (data.get("slot_hints") or {}).items():
            for value, words in values.items():
                slot_hints[slot].update((_phrase(w), str(value)) for w in words)
        spoken_forms.update(
            (_phrase(said), _phrase(written))
            for said, written in (data.get("spoken_forms") or {}).items()
        )
        for canon, words in (data.get("reward_alike") or {}).items():
            reward_alike.update((_phrase(w), _phrase(canon)) for w in words)
        for table, entries in (data.get("dates") or {}).items():
            date_tables[table].update(entries)
        for name, spec in (data.get("intents") or {}).items():
            raw_intents[name].append(spec or {})

    trie = PhraseTrie()
    slot_tags: dict[str, str] = {}
    for name, phrases in groups.items():
        for p in phrases:
            trie.add(p, name)
    for slot, values in slot_values.items():
        for value, phrases in values.items():
            tag = f"{slot}={value}"
            slot_tags[tag] = slot
            for p in phrases:
                trie.add(p, tag)
                trie.add(p, f"slot:{slot}")
    for marker in catalogue.get("markers", []):
        trie.add(marker, marker)

    intents: dict[str, IntentSpec] = {}
    for name, conf in catalogue["intents"].items():
        spec = IntentSpec(
            name=name,
            slots=tuple((conf or {}).get("slots", [])),
            min_coverage=float((conf or {}).get("min_coverage", 0.0)),
            priority=int((conf or {}).get("priority", 0)),
            requires=frozenset((conf or {}).get("requires", [])),
            number_slot=str((conf or {}).get("number_slot", "")),
            signed=frozenset((conf or {}).get("signed", [])),
            relative=frozenset((conf or {}).get("relative", [])),
            when=str((conf or {}).get("when", "")),
            ahead=bool((conf or {}).get("ahead", False)),
            mine=bool((conf or {}).get("mine", False)),
            timed=bool((conf or {}).get("timed", False)),
            record=bool((conf or {}).get("record", False)),
            prefer={
                slot: tuple(str(v) for v in ranked)
                for slot, ranked in ((conf or {}).get("prefer") or {}).items()
            },
            values={
                slot: frozenset(str(v) for v in allowed)
                for slot, allowed in ((conf or {}).get("values") or {}).items()
            },
        )
        for part in raw_intents.get(name, []):
            for pattern in part.get("patterns", []):
                spec.patterns.append(Pattern(frozenset(pattern)))
            for key in ("boost", "avoid"):
                for phrase in part.get(key, []):
                    tag = f"{key}:{name}:{_phrase(phrase)}"
                    trie.add(_phrase(phrase), tag)
                    getattr(spec, key).add(tag)
            for template in part.get("templates", []):
                spec.templates.append(_compile_template(_phrase(template), groups))
        spec.pattern_tags = frozenset(t for p in spec.patterns for t in p.tags)
        explain = spec.own_tags()
        explain.update(f"@{slot}" for slot in spec.slots)
        explain.update(f"slot:{slot}" for slot in spec.slots)
        if {"date", "due_date", "close_date", "period"} & set(spec.slots):
            explain.add("@date")
        spec.explain = frozenset(explain)
        intents[name] = spec

    every_phrase = [p for ps in groups.values() for p in ps] + [
        p for vs in slot_values.values() for ps in vs.values() for p in ps
    ]
    for spec in intents.values():
        every_phrase.extend(t.split(":", 2)[2] for t in spec.boost | spec.avoid)
    dictionary = {w for w in extra_words | set(every_phrase) if not LATIN_CHAR.search(w)}
    dictionary = {w.replace(" ", "") for w in dictionary if w and not w.startswith("@")}
    # words the typo corrector keeps: the keywords' and those of lists read alone ("stale" is
    # no typo of "sale")
    latin_vocab = sorted(
        {
            w
            for p in every_phrase + word_lists["deal_stale"] + word_lists["unassigned_words"]
            for w in p.split()
            if w.isascii() and w.isalpha() and len(w) >= 4
        }
    )
    dates = DateGrammar(
        months=date_tables["months"],
        weekdays=date_tables["weekdays"],
        relative_days=date_tables["relative_days"],
        modifiers=date_tables["modifiers"],
        units=date_tables["units"],
        periods=date_tables["periods"],
        month_edges=date_tables["month_edges"],
        month_edge_words=date_tables["month_edge_words"],
        period_edges=date_tables["period_edges"],
        ahead_periods=date_tables["ahead_periods"],
        lookback=date_tables["lookback"],
        lookback_units=date_tables["lookback_units"],
        count_words=date_tables["count_words"],
    )
    return Lexicon(
        intents=intents,
        trie=trie,
        stopwords=frozenset(stopwords),
        particles=frozenset(particles),
        dictionary_words=dictionary,
        latin_vocab=latin_vocab,
        latin_words=frozenset(
            w
            for p in every_phrase + word_lists["faq_nouns"]  # "FAQ" is no customer's name
            for w in p.split()
            if w.isascii() and w.isalpha()
        ),
        deduct_words=tuple(word_lists["deduct_words"]),
        add_words=tuple(word_lists["add_words"]),
        mistake_words=tuple(word_lists["mistake_words"]),
        business_words=tuple(word_lists["business_words"]),
        legal_endings=frozenset(word_lists["legal_endings"]),
        name_infixes=frozenset(word_lists["name_infixes"]),
        salutation=_salutation(word_lists["salutations"], particles),
        amount_by=tuple(word_lists["amount_by"]),
        amount_more=tuple(word_lists["amount_more"]),
        amount_down=tuple(word_lists["amount_down"]),
        order_change=frozenset(word_lists["order_change"]),
        order_names=frozenset(word_lists["order_names"]),
        order_list=_phrase_trie(word_lists["order_list"]),
        ordered_verbs=_phrase_trie(word_lists["ordered_verbs"]),
        ordered_words=_phrase_trie(word_lists["ordered_words"]),
        own_words=_phrase_trie(word_lists["own_words"]),
        contact_change=_phrase_trie(word_lists["contact_change"]),
        contact_nouns=_phrase_trie(word_lists["contact_nouns"]),
        phone_words=_phrase_trie(word_lists["phone_words"]),
        assign_words=_words_pattern(word_lists["assign_words"]),
        self_words=frozenset(word_lists["self_words"]),
        reward_alike=reward_alike,
        spoken_forms=spoken_forms,
        first_person=frozenset(word_lists["first_person"]),
        faq_ignore=frozenset(word_lists["faq_ignore"]),
        question_words=frozenset(word_lists["question_words"]),
        tier_nouns=_phrase_trie(word_lists["tier_nouns"]),
        programme_words=_phrase_trie(word_lists["programme_words"]),
        contact_history=_phrase_trie(word_lists["contact_history"]),
        contact_history_words=_words_pattern(word_lists["contact_history"]),
        task_moves=_phrase_trie(word_lists["task_move"]),
        task_moves_named=_phrase_trie(word_lists["task_move"] + word_lists["task_move_named"]),
        task_drops=_phrase_trie(word_lists["task_drop"]),
        task_noun_words=frozenset(w for w in word_lists["task_nouns"] if not w.isascii()),
        task_drop=_words_pattern(word_lists["task_drop"]),
        task_move=_words_pattern(word_lists["task_move"]),
        faq_nouns=_phrase_trie(word_lists["faq_nouns"]),
        faq_words=_words_pattern(word_lists["faq_nouns"]),
        faq_new=frozenset(word_lists["faq_new"]),
        faq_edit=frozenset(word_lists["faq_edit"]),
        faq_list=frozenset(word_lists["faq_list"]),
        colleague_leads=tuple(word_lists["colleague_leads"]),
        colleague_not=tuple(word_lists["colleague_not"]),
        delegate_leads=tuple(word_lists["delegate_leads"]),
        delegate_joins=tuple(word_lists["delegate_joins"]),
        own_forms=tuple(word_lists["own_forms"]),
        remark_leads=_words_pattern(word_lists["remark_leads"]),
        change_frame=frozenset(word_lists["change_frame"]),
        back_refs=_phrase_trie(word_lists["back_refs"]),
        deal_refs=_phrase_trie(word_lists["deal_refs"]),
        task_done=_phrase_trie(word_lists["task_done"]),
        task_nouns=_phrase_trie(word_lists["task_nouns"]),
        task_words=_words_pattern(word_lists["task_done"] + word_lists["task_nouns"]),
        tier_progress=_phrase_trie(word_lists["tier_progress"]),
        problem_words=_words_pattern(word_lists["problem_words"]),
        agree_words=_phrase_trie(word_lists["agree_words"]),
        overdue_words=_phrase_trie(word_lists["overdue_words"]),
        unassigned_words=_phrase_trie(word_lists["unassigned_words"]),
        waiting_words=_phrase_trie(word_lists["waiting_words"]),
        ticket_search=_phrase_trie(word_lists["ticket_search"]),
        ticket_about=_phrase_trie(word_lists["ticket_about"]),
        correction_words=_phrase_trie(word_lists["correction_words"]),
        note_keep=_phrase_trie(word_lists["note_keep"]),
        closed_past=_phrase_trie(word_lists["closed_past"]),
        undo_cues=_words_pattern(word_lists["undo_cues"]),
        asks_when=_phrase_trie(word_lists["asks_when"]),
        correction_pattern=_words_pattern(word_lists["correction_words"]),
        deal_stale=_phrase_trie(word_lists["deal_stale"]),
        deal_pending=_phrase_trie(word_lists["deal_pending"]),
        deal_hand=_words_pattern(word_lists["deal_hand"]),
        deal_hand_to=_words_pattern(word_lists["deal_hand_to"]),
        deal_hand_after=_words_pattern(word_lists["deal_hand_after"]),
        reason_words=_words_pattern(word_lists["reason_words"]),
        reason_kept=_words_pattern(word_lists["reason_kept"]),
        hold_words=_words_pattern(word_lists["hold_words"]),
        goodbye_words=re.compile(
            rf"(?<![a-z0-9])(?:{alternation(word_lists['goodbye_words'])})[\s.!~]*$", re.IGNORECASE
        ),
        # pleasantries ending a reason ("… นะคะ", "… thanks"), glued to it in Thai
        reason_end=re.compile(
            rf"(?:[\s,.!]*(?:{alternation(word_lists['reason_end'])}))+[\s,.!]*$", re.IGNORECASE
        ),
        # any run of them (and commas) ending the text
        reason_trail=re.compile(
            rf"(?:[\s,]|(?<![a-z0-9])(?:{alternation(word_lists['reason_trail'])})(?![a-z0-9]))+$",
            re.IGNORECASE,
        ),
        admin_staff=_verb_and_noun(word_lists, "admin_staff"),
        admin_data=_verb_and_noun(word_lists, "admin_data"),
        admin_verbs=tuple(
            sorted(
                {
                    v.lower()
                    for v in word_lists["admin_staff_verbs"] + word_lists["admin_data_verbs"]
                }
            )
        ),
        team_words=_phrase_trie(word_lists["team_words"]),
        yes_particles=frozenset(word_lists["yes_particles"]),
        ack_words=frozenset(word_lists["ack_words"]),
        not_names=frozenset(word_lists["not_names"]),
        cannot_words=_words_pattern(word_lists["cannot_words"]),
        future_words=_words_pattern(word_lists["future_words"]),
        quiet_words=_phrase_trie(word_lists["quiet_words"]),
        quiet_verbs=frozenset(word_lists["quiet_verbs"]),
        quiet_not=_phrase_trie(word_lists["quiet_not"]),
        quiet_askers=_phrase_trie(word_lists["quiet_askers"]),
        top_buyers=_phrase_trie(word_lists["top_buyers"]),
        top_words=_phrase_trie(word_lists["top_words"]),
        customer_nouns=_phrase_trie(word_lists["customer_nouns"]),
        rank_count=_rank_count(
            word_lists["rank_before"], word_lists["rank_after"] + word_lists["customer_nouns"]
        ),
        dates=dates,
        times=TimeGrammar(date_tables["hour_words"]),
        note_strip=_phrase_trie(word_lists["note_strip"]),
        reward_strip=_phrase_trie(word_lists["reward_strip"]),
        id_leads=_phrase_trie(word_lists["id_leads"]),
        note_lead=_phrase_trie(word_lists["note_lead"]),
        deal_leads=_phrase_trie(word_lists["deal_leads"]),
        threshold=float(catalogue.get("threshold", 0.6)),
        slot_tags=slot_tags,
        cues=cues,
        deadline_words=tuple(deadlines),
        deadline_leads=_phrase_trie(deadlines),
        opposites={
            slot: {str(k): str(v) for k, v in pairs.items()}
            for slot, pairs in (catalogue.get("opposites") or {}).items()
        },
        slot_hints=dict(slot_hints),
    )


def _phrase_trie(phrases: list[str]) -> PhraseTrie:
    """A trie of phrases whose hits only matter by where they are."""
    trie = PhraseTrie()
    for phrase in phrases:
        trie.add(phrase, "phrase")
    return trie


def _words_pattern(words: list[str]) -> re.Pattern[str]:
    """Any of the words in cleaned text, a Latin one as a whole word (any case)."""
    return re.compile(
        rf"(?<![a-z0-9])(?:{alternation(words) or '(?!)'})(?![a-z0-9])", re.IGNORECASE
    )


def _verb_and_noun(word_lists: dict[str, list[str]], key: str) -> re.Pattern[str]:
    """The verb and noun of `key` (its ``_verbs`` and ``_nouns`` lists) in cleaned text,
    either way round, with up to two filler words between ("add a new staff member",
    "customer list export"); Latin words whole."""
    verb = alternation(word_lists[f"{key}_verbs"]) or "(?!)"
    noun = alternation(word_lists[f"{key}_nouns"]) or "(?!)"
    fillers = alternation(word_lists["admin_fillers"]) or "(?!)"
    between = rf"\s?(?:(?:{fillers})(?![a-z0-9])\s?){{0,2}}"
    return re.compile(
        rf"(?<![a-z0-9])(?:(?:{verb}){between}(?:{noun})|(?:{noun}){between}(?:{verb}))(?![a-z0-9])",
        re.IGNORECASE,
    )


def _rank_count(before: list[str], after: list[str]) -> re.Pattern[str]:
    """The count of a ranking in cleaned text: after a word ("top 5") or before one ("10
    อันดับ", "5 customers")."""
    return re.compile(
        rf"(?<![a-z])(?:{alternation(before) or '(?!)'})\s?(\d{{1,3}})(?!\d)"
        rf"|(?<![\d.,])(\d{{1,3}})\s?(?:{alternation(after) or '(?!)'})(?![a-z])",
        re.IGNORECASE,
    )


def _salutation(words: list[str], particles: set[str]) -> re.Pattern[str] | None:
    """One pattern for a salutation at the start of a cleaned message (any case): the word,
    its polite particles, and the spaces and punctuation after it, followed by more text."""
    if not words:
        return None
    alts = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    polite = "|".join(re.escape(p) for p in sorted(particles, key=len, reverse=True))
    return re.compile(
        rf"^\s*(?:{alts})(?:\s*(?:{polite}))*(?=[\s,.!~:;]|$)[\s,.!~:;]*(?=\S)", re.IGNORECASE
    )


def base_dictionary() -> list[str]:
    """The Thai word list plus the CRM words of the lexicon, for newmm."""
    return [*thai_words(), *load_lexicon().dictionary_words]


@lru_cache(maxsize=1)
def _person_names() -> tuple[frozenset[str], frozenset[str]]:
    """Thai given names and family names (pythainlp's bundled lists)."""
    given = frozenset(thai_female_names()) | frozenset(thai_male_names())
    return given, frozenset(thai_family_names())


def is_given_name(word: str) -> bool:
    """True for a known Thai given name ("สมศรี")."""
    return word in _person_names()[0]


def is_thai_word(word: str) -> bool:
    """True for a word of pythainlp's Thai word list."""
    return word in thai_words()


def is_common_word(word: str) -> bool:
    """True for a word of pythainlp's Thai word list that is no given name ("ซื้อ")."""
    return is_thai_word(word) and not is_given_name(word)


def is_family_name(word: str) -> bool:
    """True for a known Thai family name ("ใจดี")."""
    return word in _person_names()[1]
