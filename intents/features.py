"""Sparse features of an analysed message for the statistical intent model."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from intents.matchers import Analysis

_BOUNDARY = "^"
_END = "$"
# Character n-grams catch typos and segmentation variants but are many and weak evidence.
CHAR_GRAM_VALUE = 0.4
# Slot vocabulary tags ("stage=won") say little about the intent beyond their slot name.
_SKIP_TAG_PREFIXES = ("boost:", "avoid:")


@lru_cache(maxsize=65536)
def char_grams(token: str) -> frozenset[str]:
    """Character 2- to 4-grams of a token padded with boundary marks."""
    padded = f"<{token}>"
    size = len(padded)
    return frozenset("c:" + padded[i : i + n] for n in (2, 3, 4) for i in range(size - n + 1))


# Rule scores above these marks become features, so the model learns how far to trust the
# vocabulary rules of each intent (they reach phrasings the training rows never show).
RULE_MARKS = (0.5, 0.8)


@dataclass(frozen=True)
class FeatureParts:
    """The features of a message in the two parts the parser looks up apart.

    `words`: every feature but the character n-grams, sorted; `gram_tokens`: the tokens
    whose character n-grams are features; `grams`: those n-grams.
    """

    words: list[str]
    gram_tokens: tuple[str, ...]
    grams: frozenset[str]

    def norm(self) -> float:
        """feature_norm() of all the features."""
        return _norm(len(self.words), len(self.grams))


def feature_parts(
    analysis: Analysis,
    ranking: Sequence[tuple[str, float]] = (),
    gated: Iterable[str] = (),
) -> FeatureParts:
    """Word, word-bigram, character n-gram, phrase-group, rule-score and gate features.

    `gated` names the dialogue acts whose phrases explain too little of the message; the
    model learns how much that counts against them ("thanks for the quick help" is still
    thanks, "cancel my flight reservation" is not a cancel).
    """
    tokens = analysis.tokens
    out: set[str] = set()
    previous = _BOUNDARY
    for token in tokens:
        out.add("w:" + token)
        out.add(f"b:{previous}|{token}")
        previous = token
    out.add(f"b:{previous}|{_END}")
    for tag in analysis.tags:
        if tag.startswith(_SKIP_TAG_PREFIXES):
            out.add("t:" + tag.split(":", 2)[0] + ":" + tag.split(":", 2)[1])
        elif "=" in tag:
            out.add("t:" + tag.split("=", 1)[0])
        else:
            out.add("t:" + tag)
    for name, score in ranking:
        for mark in RULE_MARKS:
            if score >= mark:
                out.add(f"r:{name}:{mark}")
    for name in gated:
        out.add("g:" + name)
    if not tokens:
        out.add("empty")
    elif len(tokens) <= 2:
        out.add("short")
    gram_tokens = tuple(t for t in tokens if not t.startswith("@"))
    grams = frozenset().union(*map(char_grams, gram_tokens))
    return FeatureParts(sorted(out), gram_tokens, grams)


def features(
    analysis: Analysis,
    ranking: Sequence[tuple[str, float]] = (),
    gated: Iterable[str] = (),
) -> list[str]:
    """All the features of feature_parts() as one sorted list (what training reads)."""
    parts = feature_parts(analysis, ranking, gated)
    return sorted([*parts.words, *parts.grams])


def value(feature: str) -> float:
    """The input value of a feature: character n-grams count less than words and tags."""
    return CHAR_GRAM_VALUE if feature.startswith("c:") else 1.0


def prefix_range(feats: Sequence[str], prefix: str, lo: int = 0) -> tuple[int, int]:
    """Where the sorted features that start with the two-character prefix ("c:") lie."""
    start = bisect_left(feats, prefix, lo)
    return start, bisect_left(feats, prefix[0] + chr(ord(prefix[1]) + 1), start)


def feature_norm(feats: Sequence[str]) -> float:
    """1 / the Euclidean length of the feature vector, so long messages do not dominate.

    `feats` are sorted, as features() returns them.
    """
    start, end = prefix_range(feats, "c:")
    chars = end - start
    return _norm(len(feats) - chars, chars)


def _norm(others: int, chars: int) -> float:
    """1 / the length of a vector of `others` unit features and `chars` character n-grams."""
    total = others + chars * CHAR_GRAM_VALUE**2
    return 1.0 / math.sqrt(total) if total else 0.0
