"""Customer mention resolution: exact lookup, n-gram prefilter, then rapidfuzz scoring."""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from intents.lexicon import is_given_name, is_thai_word
from intents.models import CustomerName, Resolution
from intents.normalize import THAI_CHAR, Tokeniser

_NON_WORD = re.compile(r"[^0-9a-z\u0E01-\u0E4E]+")
_NON_WORD_CHAR = re.compile(r"[^0-9a-z\u0E01-\u0E4E]")
_WORDS = re.compile(r"[A-Za-z0-9]+(?:[&'.-][A-Za-z0-9]+)*|[\u0E01-\u0E4E]+")
MATCH_CUTOFF = 72.0
AMBIGUITY_GAP = 5.0
_MAX_POSTINGS = 4000
_MAX_CANDIDATES = 400
_MAX_NGRAM = 5
_START = 4


# a name's last words written this close to it still belong to the mention ("Acme Tradng")
_REST_LIKE = 80


def _misspelt_rest(
    name: str,
    key: str,
    spans: list[tuple[int, int]],
    at: int,
    key_of: Callable[[int, int], str],
) -> int:
    """How many words from span `at`, right after a mention of a name's first words, spell
    the rest of the name with a slip ("Acme" + "Tradng" for Acme Trading); 0 when none do."""
    full = fold_name(name)
    if not full.startswith(key + " "):
        return 0
    rest = full[len(key) + 1 :]
    count = len(rest.split())
    if at + count > len(spans):
        return 0
    written = key_of(spans[at][0], spans[at + count - 1][1])
    return count if fuzz.ratio(written, rest) >= _REST_LIKE else 0


def fold_name(text: str) -> str:
    """Case-fold a name and turn punctuation into single spaces, keeping Thai marks.

    rapidfuzz's default_process would also fold case but drops Thai vowel and tone marks
    (they are not alphanumeric), which merges distinct Thai names, so names use this.
    """
    return _NON_WORD.sub(" ", text.casefold()).strip()


def _span_folder(text: str) -> Callable[[int, int], str]:
    """fold_name of text[start:end], for many spans of one text.

    When case folding keeps every character one character (nearly always), the text is
    folded once, every non-word character a space, and a span's key is that slice with
    its spaces collapsed: the same string fold_name gives, without a regex per span.
    """
    folded = text.casefold()
    if len(folded) != len(text):
        return lambda start, end: fold_name(text[start:end])
    flat = _NON_WORD_CHAR.sub(" ", folded)
    return lambda start, end: " ".join(flat[start:end].split())


def _grams(key: str) -> set[str]:
    """Character 3-grams of a folded name, padded so short names still have grams."""
    padded = f" {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass(frozen=True)
class Mention:
    """A customer name found inside a message (character span of the cleaned text)."""

    start: int
    end: int
    text: str
    resolution: Resolution


def _dictionary_word(surface: str) -> bool:
    """A Thai name of one word goes into the tokeniser's dictionary ("ซีพีออลล์" stays whole);
    not one with "คุณ" before it, which would split "ขอบคุณวิชัย" as "ขอบ|คุณวิชัย"."""
    word = surface.strip()
    return bool(THAI_CHAR.search(word)) and " " not in word and not word.startswith("คุณ")


def _given_name(name: str) -> tuple[str, ...]:
    """A Thai person's given name, by which staff name them ("โทรหาสมศรี" for "คุณสมศรี
    ใจดี"): the first of two or more words when it is a known given name, with "คุณ" before
    it ("คุณวิชัย"), and alone too when it is no ordinary word ("มานะ", "แก้ว", "วิชัย" are
    words: only after "คุณ" are they the name)."""
    words = name.split()
    if len(words) < 2 or not THAI_CHAR.match(words[0]):
        return ()
    first = words[0].removeprefix("คุณ")
    if len(first) < 2 or not is_given_name(first):
        return ()
    polite = f"คุณ{first}"
    if len(first) < 3 or is_thai_word(first):
        return (polite,)
    return (first, polite)


# words of a business's legal form, which many names share: they name no one
_LEGAL_WORDS = frozenset(
    {
        "บริษัท",
        "บจก",
        "จำกัด",
        "มหาชน",
        "หจก",
        "ห้างหุ้นส่วนจำกัด",
        "co",
        "ltd",
        "company",
        "limited",
        "inc",
        "corp",
        "corporation",
        "plc",
        "the",
    }
)
# a word written for a word of the name scores this much against it (a slip, not another word)
_WORD_LIKE = 85
# Thai written together or apart ("ซีพีออลล์", "ซีพี ออลล์"): the mention as part of the name
_JOINED_LIKE = 90


def _core(key: str) -> list[str]:
    """The words of a folded name that tell it from others: without its legal form."""
    words = [w for w in key.split() if w not in _LEGAL_WORDS]
    if words and words[0].startswith("บริษัท") and len(words[0]) > len("บริษัท"):
        words[0] = words[0][len("บริษัท") :]
    return words or key.split()


def _covers(mention: str, name: str) -> bool:
    """True when every telling word of the mention is a word of the name, or a slip of one
    ("Acme Tradng"), or, in Thai, the mention written together is part of the name written
    together ("ซีพีออลล์" of "ซีพี ออลล์"). A name may have more words than the mention."""
    said, known = _core(mention), _core(name)
    if all(max(fuzz.ratio(w, k) for k in known) >= _WORD_LIKE for w in said):
        return True
    if not THAI_CHAR.search(mention):
        return False  # Latin names are written with their spaces
    joined, whole = "".join(said), "".join(known)
    return len(joined) <= len(whole) and fuzz.partial_ratio(joined, whole) >= _JOINED_LIKE


class CustomerIndex:
    """Names and aliases of the customers, indexed for exact and fuzzy lookup."""

    def __init__(self, customers: list[CustomerName]) -> None:
        """Index ``customers`` (use :meth:`build`)."""
        self.customers: list[CustomerName] = []
        self._keys: list[str] = []
        self._owner: array[int] = array("i")
        self._exact: dict[str, list[int]] = {}
        self._grams: dict[str, list[int]] = {}
        # the first _START characters (and shorter prefixes) of every exact key: a word that
        # starts none of them cannot start a name, so find_mentions skips it
        self._starts: set[str] = set()
        self._max_words = 1
        self._tokeniser: Tokeniser | None = None
        for customer in customers:
            self.add(customer)

    def add(self, customer: CustomerName) -> None:
        """Index one more customer (a new one: no rebuild, so no pause at 100,000)."""
        pos = len(self.customers)
        self.customers.append(customer)
        for surface in (customer.name, *customer.aliases, *_given_name(customer.name)):
            key = fold_name(surface)
            if not key:
                continue
            entry = len(self._keys)
            self._keys.append(key)
            self._owner.append(pos)
            self._exact.setdefault(key, []).append(entry)
            compact = key.replace(" ", "")
            if compact != key:
                self._exact.setdefault(compact, []).append(entry)
            for form in (key, compact):
                self._starts.update(form[:n] for n in range(1, _START + 1))
            for gram in _grams(key):
                self._grams.setdefault(gram, []).append(entry)
            self._max_words = max(self._max_words, key.count(" ") + 1)
            if self._tokeniser is not None and _dictionary_word(surface):
                self._tokeniser.add_word(surface.strip())

    @classmethod
    def build(cls, customers: Iterable[CustomerName]) -> CustomerIndex:
        """Index customers by name and alias."""
        return cls(list(customers))

    def __len__(self) -> int:
        """Number of customers."""
        return len(self.customers)

    def words(self) -> Iterable[str]:
        """Every name, alias and Thai given name, for the tokeniser's dictionary."""
        for customer in self.customers:
            yield customer.name
            yield from customer.aliases
            yield from _given_name(customer.name)

    def tokeniser(self) -> Tokeniser:
        """The newmm tokeniser whose dictionary also holds these customers' Thai names."""
        if self._tokeniser is None:
            from intents.lexicon import base_dictionary, load_lexicon

            thai_names = [w.strip() for w in self.words() if _dictionary_word(w)]
            self._tokeniser = Tokeniser([*base_dictionary(), *thai_names], load_lexicon().particles)
        return self._tokeniser

    def _candidates(self, key: str) -> list[int]:
        """Entries sharing the rarest 3-grams with the key, most shared first."""
        postings = sorted((self._grams[g] for g in _grams(key) if g in self._grams), key=len)
        counts: Counter[int] = Counter()
        used = 0
        for plist in postings:
            if used and used + len(plist) > _MAX_POSTINGS:
                break
            counts.update(plist)
            used += len(plist)
        return [entry for entry, _ in counts.most_common(_MAX_CANDIDATES)]

    def resolve(self, mention: str, limit: int = 5) -> Resolution:
        """Best customer for a mention, its score 0..100 and close runners-up."""
        key = fold_name(mention)
        if not key:
            return Resolution(None, 0.0, (), False)
        entries = self._candidates(key)
        choices = {entry: self._keys[entry] for entry in entries}
        scored = process.extract(
            key,
            choices,
            scorer=fuzz.WRatio,
            processor=None,  # both sides are already folded by fold_name
            limit=limit * 4,
            score_cutoff=50,
        )
        best_by_customer: dict[int, float] = {}
        for _, score, entry in scored:
            owner = self._owner[entry]
            if self._keys[entry] == key:
                score = 100.0
            elif not _covers(key, self._keys[entry]):
                continue  # "Thai Rungrueang Co., Ltd." is not "Thai Fresh Co., Ltd."
            if score > best_by_customer.get(owner, -1.0):
                best_by_customer[owner] = float(score)
        ranked = sorted(best_by_customer.items(), key=lambda kv: kv[1], reverse=True)[:limit]
        candidates = tuple((self.customers[pos], score) for pos, score in ranked)
        if not candidates or candidates[0][1] < MATCH_CUTOFF:
            return Resolution(None, candidates[0][1] if candidates else 0.0, candidates, False)
        best, score = candidates[0]
        close = tuple(c for c in candidates if c[1] >= score - AMBIGUITY_GAP)
        if len(close) > 1:
            return Resolution(best, score, close, True)
        return Resolution(best, score, candidates, False)

    def find_mentions(self, text: str) -> list[Mention]:
        """Known names and aliases written in the text, longest first, not overlapping."""
        spans: list[tuple[int, int]] = []
        tokeniser = self.tokeniser() if THAI_CHAR.search(text) else None
        for m in _WORDS.finditer(text):
            if tokeniser is not None and THAI_CHAR.match(m.group()):
                pos = m.start()
                for piece in tokeniser.segment(m.group()):
                    spans.append((pos, pos + len(piece)))
                    pos += len(piece)
            else:
                spans.append((m.start(), m.end()))
        found: list[Mention] = []
        taken = [False] * len(spans)
        width = min(_MAX_NGRAM, max(self._max_words, 1) + 3)
        key_of = _span_folder(text)
        starts = self._starts
        # the spans some name or alias begins with, in order: only they can open a mention
        openers = []
        for i, (start, end) in enumerate(spans):
            head = key_of(start, end)
            if head[:_START] in starts or head.replace(" ", "")[:_START] in starts:
                openers.append(i)
        for size in range(width, 0, -1):
            for i in openers:
                if i + size > len(spans):
                    break
                if any(taken[i : i + size]):
                    continue
                start, end = spans[i][0], spans[i + size - 1][1]
                key = key_of(start, end)
                entries = self._exact.get(key) or self._exact.get(key.replace(" ", ""))
                if not entries:
                    continue
                owners = {self._owner[e] for e in entries}
                people = tuple((self.customers[o], 100.0) for o in sorted(owners))
                resolution = Resolution(people[0][0], 100.0, people, len(people) > 1)
                # "Acme Tradng": the rest of a name written with a slip is the mention's too,
                # and says which of the names beginning so is meant
                last = i + size
                for person, _ in people:
                    more = _misspelt_rest(person.name, key, spans, last, key_of)
                    if more and not any(taken[last : last + more]):
                        last += more
                        resolution = Resolution(person, 100.0, ((person, 100.0),), False)
                        break
                end = spans[last - 1][1]
                found.append(Mention(start, end, text[start:end], resolution))
                taken[i:last] = [True] * (last - i)
        return sorted(found, key=lambda m: m.start)

    def known_mention(self, text: str) -> tuple[Mention, CustomerName] | None:
        """The first known customer the text names, by name or alias, and who they are; None
        when it names none, or only one that fits several."""
        for mention in self.find_mentions(text):
            best = mention.resolution.best
            if best is not None and not mention.resolution.ambiguous:
                return mention, best
        return None
