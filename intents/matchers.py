"""Matching stages over tokens: typo correction, phrase tags, templates, scored intents."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from intents.lexicon import SLOT_NAME, IntentSpec, Lexicon


@dataclass(frozen=True)
class Analysis:
    """Tokens of a message with the phrase hits and tags found in them."""

    tokens: list[str]
    hits: list[tuple[int, int, frozenset[str]]]
    tags: frozenset[str]
    content: frozenset[int]
    # per slot, the (hit, value) of the phrase hits giving it a value ("stage=won"), in order
    slot_values: dict[str, list[tuple[int, str]]]
    # spans of the phrase hits that name a slot without its value ("วันปิดดีล")
    slot_names: list[tuple[int, int]]


class TypoCorrector:
    """Maps unknown Latin tokens to a lexicon word one or two edits away, and Thai words as
    said in chat to the words as written ("ไร" -> "อะไร")."""

    def __init__(self, lexicon: Lexicon) -> None:
        """Index the Latin vocabulary of the lexicon."""
        self.spoken = lexicon.spoken_forms
        self.vocab = lexicon.latin_vocab
        self.known = frozenset(lexicon.latin_vocab) | lexicon.stopwords
        self._fix = lru_cache(maxsize=16384)(self._closest)

    def _closest(self, token: str) -> str:
        """The closest vocabulary word sharing the first letter, or the token itself."""
        limit = 1 if len(token) <= 8 else 2
        found = process.extractOne(
            token, self.vocab, scorer=Levenshtein.distance, score_cutoff=limit
        )
        if found is None or found[0][0] != token[0]:
            return token
        return str(found[0])

    def correct(self, tokens: list[str]) -> list[str]:
        """Tokens with typos in Latin words replaced, spoken Thai forms written out."""
        return [
            self._fix(t)
            if len(t) >= 4 and t.isascii() and t.isalpha() and t not in self.known
            else self.spoken.get(t, t)
            for t in tokens
        ]


# words a Thai person's name follows ("คุณสมศรี", "ลูกค้าชื่อมาลี")
HONORIFICS = frozenset({"คุณ", "ชื่อ", "ลูกค้าชื่อ"})
_NAME_INTRODUCERS = HONORIFICS | {"บริษัท", "ร้าน", "@customer"}


def analyse(tokens: list[str], lexicon: Lexicon) -> Analysis:
    """Find every lexicon phrase in the tokens."""
    hits = lexicon.trie.scan(tokens)
    tags: set[str] = set()
    for _, _, found in hits:
        tags.update(found)
    covered = {i for start, end, _ in hits for i in range(start, end)}
    content = frozenset(
        i
        for i, t in enumerate(tokens)
        if t not in lexicon.stopwords
        and not t.isdigit()
        # an unknown word after "คุณ"/"ชื่อ" is a person's name, not content
        and not (i and tokens[i - 1] in _NAME_INTRODUCERS and i not in covered)
    )
    return Analysis(tokens, hits, frozenset(tags), content, *_slot_hits(hits))


def _slot_hits(
    hits: list[tuple[int, int, frozenset[str]]],
) -> tuple[dict[str, list[tuple[int, str]]], list[tuple[int, int]]]:
    """Per slot, the (hit, value) of the hits giving it a value (a hit's first such tag for
    a slot), and the spans of the hits naming a slot without one."""
    values: dict[str, list[tuple[int, str]]] = {}
    names: list[tuple[int, int]] = []
    for at, (start, end, tags) in enumerate(hits):
        seen: set[str] = set()
        for tag in tags:
            slot, is_value, value = tag.partition("=")
            if is_value and slot not in seen:
                seen.add(slot)
                values.setdefault(slot, []).append((at, value))
        if any(t.startswith(SLOT_NAME) for t in tags):
            names.append((start, end))
    return values, names


def _covered(spec: IntentSpec, analysis: Analysis) -> set[int]:
    """Positions of the tokens this intent's phrases and slots explain."""
    wanted = spec.explain
    covered: set[int] = set()
    for start, end, tags in analysis.hits:
        if not tags.isdisjoint(wanted):
            covered.update(range(start, end))
    return covered


def coverage(spec: IntentSpec, analysis: Analysis) -> float:
    """Share of content tokens explained by this intent's phrases and slots."""
    if not analysis.content:
        return 1.0
    return len(analysis.content & _covered(spec, analysis)) / len(analysis.content)


def unexplained(spec: IntentSpec, analysis: Analysis) -> list[str]:
    """Content tokens this intent's phrases and slots leave unexplained."""
    return [analysis.tokens[i] for i in sorted(analysis.content - _covered(spec, analysis))]


def meets_requirement(spec: IntentSpec, analysis: Analysis) -> bool:
    """False when the intent requires a phrase group the message does not hold."""
    return not spec.requires or bool(spec.requires & analysis.tags)


def score_intent(spec: IntentSpec, analysis: Analysis, joined: str | None = None) -> float:
    """Confidence 0..1 that the analysed message carries this intent."""
    if not meets_requirement(spec, analysis):
        return 0.0
    template = False
    if spec.templates:
        if joined is None:
            joined = "".join(analysis.tokens)
        template = any(t.match(joined) for t in spec.templates)
    tags = analysis.tags
    strength = 0
    if not tags.isdisjoint(spec.pattern_tags):
        for pattern in spec.patterns:
            if len(pattern.tags) > strength and pattern.tags <= tags:
                strength = len(pattern.tags)
    if not strength and not template:
        return 0.0
    cov = coverage(spec, analysis)
    if template:
        return max(0.97, min(0.99, 0.9 + 0.1 * cov))
    if cov < spec.min_coverage:
        return 0.0
    boosts = len(spec.boost & analysis.tags)
    score = 0.42 + 0.1 * min(strength, 3) + 0.3 * cov + 0.05 * min(boosts, 2)
    if spec.avoid & analysis.tags:
        score -= 0.35
    return max(0.0, min(0.99, score + 0.005 * spec.priority))


def rank(lexicon: Lexicon, analysis: Analysis) -> list[tuple[str, float]]:
    """All intents with a positive score, best first."""
    joined = "".join(analysis.tokens)
    tags = analysis.tags
    scored = [
        (name, score_intent(spec, analysis, joined))
        for name, spec in lexicon.intents.items()
        # without a template, an intent none of whose pattern tags occur scores 0
        if spec.templates or not tags.isdisjoint(spec.pattern_tags)
    ]
    return sorted((s for s in scored if s[1] > 0), key=lambda s: s[1], reverse=True)
