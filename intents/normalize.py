"""Normalisation run once per message: markup, widths, digits, case, repeats, tokens, language."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pythainlp.tokenize import newmm
from pythainlp.util import Trie

THAI_CHAR = re.compile(r"[\u0E01-\u0E4F]")
LATIN_CHAR = re.compile(r"[A-Za-z]")

_SLACK_USER = re.compile(r"<[@!][^>]*>")
_SLACK_LABELLED = re.compile(r"<(?:mailto:|tel:|https?://|#)[^>|]*\|([^>]*)>")
_SLACK_BARE = re.compile(r"<(?:mailto:|tel:)?([^>|]+)>")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0e\ufe0f\u20e3\U000e0020-\U000e007f]"
)
_LAUGH = re.compile(r"(?<![\d.,฿$])\b5{3,}\+*(?![\d.,]|\s*(?:บาท|แต้ม|k\b|K\b|฿|baht))")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20}
_QUOTES = str.maketrans("‘’“”", "''\"\"")
# letters a caseless pattern takes for s, k and i ("dayſ" matches "days") that are no key of
# any word list: written plainly, or reading a date would look up a word it does not know
_LOOKALIKES = str.maketrans("ſKıİ", "sKiI")
# one pass: no table maps a character to one another table changes
_CHARACTERS = _WIDTH | _THAI_DIGITS | _QUOTES | _LOOKALIKES
# any character the three passes above would change: most messages have none, so one
# search spares them all
_UNUSUAL = re.compile(
    "[" + _ZERO_WIDTH.pattern[1:-1] + _EMOJI.pattern[1:-1] + "".join(map(chr, _CHARACTERS)) + "]"
)

# Thai combining vowels and tone marks typed twice are always a typo.
_THAI_MARK_REPEAT = re.compile(r"([\u0E31\u0E34-\u0E3A\u0E47-\u0E4E])\1+")
_THAI_REPEAT = re.compile(r"([\u0E01-\u0E2E\u0E30\u0E32\u0E33\u0E40-\u0E45])\1{2,}")
_LATIN_REPEAT = re.compile(r"([a-z])\1{2,}")
# what the squeezes need: a mark twice, or a letter three times running ("000" is no emphasis)
_MARK_TWICE = re.compile(r"([\u0E31\u0E34-\u0E3A\u0E47-\u0E4E])\1")
_LETTER_THRICE = re.compile(r"([a-z\u0E01-\u0E2E\u0E30\u0E32\u0E33\u0E40-\u0E45])\1\1")
_TOKEN = re.compile(r"@[a-z_]+|[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[\u0E01-\u0E4F]+")


def clean_text(text: str) -> str:
    """Strip chat markup and invisible characters; map full-width forms and Thai digits."""
    if "<" in text:
        text = _SLACK_USER.sub(" ", text)
        text = _SLACK_LABELLED.sub(r"\1", text)
        text = _SLACK_BARE.sub(r"\1", text)
    # every character the passes below change is outside ASCII
    if not text.isascii() and _UNUSUAL.search(text):
        text = _ZERO_WIDTH.sub("", text)
        text = _EMOJI.sub(" ", text)
        text = text.translate(_CHARACTERS)
    if "555" in text:
        text = _LAUGH.sub(" ", text)
    # split() and \s agree on what is whitespace: runs squeezed to one space, ends stripped
    return " ".join(text.split())


def fold_text(text: str) -> str:
    """Case-fold and squeeze characters repeated for emphasis ("มากกกก", "sooooo")."""
    text = text.lower()
    # nearly every text has nothing to squeeze: test for that before substituting
    if text.isascii():
        return _LATIN_REPEAT.sub(r"\1\1", text) if _LATIN_REPEAT.search(text) else text
    if not _MARK_TWICE.search(text) and not _LETTER_THRICE.search(text):
        return text
    text = _THAI_MARK_REPEAT.sub(r"\1", text)
    text = _THAI_REPEAT.sub(r"\1", text)
    return _LATIN_REPEAT.sub(r"\1\1", text)


def detect_lang(text: str) -> str:
    """Return "th", "en" or "mix" from the Thai and Latin letters in ``text``."""
    # only whether each kind occurs matters, not how often
    thai = THAI_CHAR.search(text) is not None
    latin = LATIN_CHAR.search(text) is not None
    if thai and latin:
        return "mix"
    return "th" if thai else "en"


class Tokeniser:
    """newmm word segmentation with a custom dictionary; Latin text is split on word shapes."""

    def __init__(self, words: Iterable[str], stop_tokens: Iterable[str] = ()) -> None:
        """Build the dictionary trie from ``words`` (the Thai word list plus extra words)."""
        self.trie = Trie(words)
        self.stop_tokens = frozenset(stop_tokens)
        self.segment = lru_cache(maxsize=8192)(self._segment_thai)
        self._thai_tokens = lru_cache(maxsize=8192)(self._kept_thai)

    def _segment_thai(self, chunk: str) -> tuple[str, ...]:
        """Segment one run of Thai letters with newmm."""
        return tuple(t for t in newmm.segment(chunk, custom_dict=self.trie) if t.strip())

    def _kept_thai(self, chunk: str) -> tuple[str, ...]:
        """The words of one run of Thai letters that are no particles."""
        return tuple(t for t in self.segment(chunk) if t not in self.stop_tokens)

    def tokens(self, folded: str) -> list[str]:
        """Return the tokens of folded text, without whitespace, punctuation or particles."""
        out: list[str] = []
        stop = self.stop_tokens
        for piece in _TOKEN.findall(folded):
            # a Thai run is the only token starting with a Thai character
            if "\u0e01" <= piece[0] <= "\u0e4f":
                out.extend(self._thai_tokens(piece))
            elif piece not in stop:
                out.append(piece)
        return out

    def add_word(self, word: str) -> None:
        """Put one more word in the dictionary (a new customer's Thai name)."""
        self.trie.add(word)
        self.segment.cache_clear()
        self._thai_tokens.cache_clear()

    def warm(self) -> None:
        """Run one segmentation so the first real message does not pay for start-up."""
        self.tokens("สวัสดีครับ ขอดูยอดขายหน่อย")
