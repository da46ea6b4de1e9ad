"""Nearest training messages: how close a message comes to each intent's closest example.

The linear model weighs words one by one; a message that reads almost like one training
example as a whole is recognised by that likeness even when its single words are weak
evidence. The index holds every training message as a
unit-length feature vector and answers, per intent, the best cosine similarity.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from intents.features import feature_norm, prefix_range, value

EXEMPLARS_PATH = Path(__file__).with_name("data") / "exemplars.npz"
# Rule-score and gate features describe the rules, not the wording; character n-grams are
# many, cost most of the lookup and added nothing measurable in cross-validation. Similarity
# is over words, word bigrams and phrase tags.
_SKIP = ("c:", "g:", "r:")


def _wording(feats: Sequence[str]) -> list[str]:
    """The features similarity is measured over; `feats` are sorted."""
    out: list[str] = []
    pos = 0
    for prefix in _SKIP:
        start, end = prefix_range(feats, prefix, pos)
        out.extend(feats[pos:start])
        pos = end
    out.extend(feats[pos:])
    return out


class ExemplarIndex:
    """Training messages as an inverted index from feature to (row, weight)."""

    def __init__(
        self,
        classes: list[str],
        vocab: list[str],
        row_class: np.ndarray,
        offsets: np.ndarray,
        post_rows: np.ndarray,
        post_weights: np.ndarray,
        data_sha256: str = "",
    ) -> None:
        """An index over rows sorted by class; postings of feature i at offsets[i:i+2]."""
        self.classes = classes
        self.vocab = vocab
        self._ids = {f: i for i, f in enumerate(vocab)}
        self.row_class = row_class
        self.offsets = offsets
        self.post_rows = post_rows
        self.post_weights = post_weights
        self.data_sha256 = data_sha256
        # a posting's contribution when the query has its feature: row weight * feature value
        self._query_weights = post_weights * np.repeat(
            np.array([value(f) for f in vocab]), np.diff(offsets)
        )
        # every class has at least one row: the first row of each, for per-class maxima
        self._class_starts = np.searchsorted(row_class, np.arange(len(classes)))
        # a feature's postings, kept once looked up (most of the vocabulary never is)
        self._bounds: list[int] = offsets.tolist()
        self._posting = lru_cache(maxsize=None)(self._postings)

    @classmethod
    def build(
        cls,
        classes: list[str],
        rows: Sequence[tuple[str, Sequence[str]]],
        data_sha256: str = "",
        max_share: float = 1.0,
    ) -> ExemplarIndex:
        """Index (intent, features) rows; every class must have at least one row.

        Features found in more than `max_share` of the rows are not indexed (they still
        count in every vector's length): they say little about which example is closest,
        and their long posting lists would cost most of the lookup time.
        """
        ordered = sorted(
            ((classes.index(intent), _wording(feats)) for intent, feats in rows),
            key=lambda r: r[0],
        )
        missing = set(range(len(classes))) - {c for c, _ in ordered}
        if missing:
            raise ValueError(f"no examples for {sorted(classes[i] for i in missing)}")
        frequency = Counter(f for _, feats in ordered for f in set(feats))
        vocab = sorted(f for f, n in frequency.items() if n <= max_share * len(ordered))
        ids = {f: i for i, f in enumerate(vocab)}
        postings: list[list[tuple[int, float]]] = [[] for _ in vocab]
        for row, (_, feats) in enumerate(ordered):
            scale = feature_norm(feats)
            for f in feats:
                if f in ids:
                    postings[ids[f]].append((row, value(f) * scale))
        offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(p) for p in postings])
        flat = [pair for p in postings for pair in p]
        return cls(
            classes,
            vocab,
            np.array([c for c, _ in ordered], dtype=np.int32),
            offsets,
            np.array([r for r, _ in flat], dtype=np.int32),
            np.array([w for _, w in flat], dtype=np.float32),
            data_sha256,
        )

    def row_similarities(self, feats: Sequence[str]) -> np.ndarray:
        """Cosine similarity of the message to every indexed row.

        `feats` are sorted, as features() returns them. The vector length counts unknown
        features too: words no example has make a message less like all of them.
        """
        products, length = self._products(feats)
        return products / length

    def _products(self, feats: Sequence[str]) -> tuple[np.ndarray, float]:
        """Every row's dot product with the message's unit-weight vector, and that vector's
        length (at least 1)."""
        wording = _wording(feats)
        length = math.sqrt(len(wording)) or 1.0
        # the vocabulary is sorted as `wording` is: the ids found come in ascending order
        found = [self._posting(i) for i in map(self._ids.get, wording) if i is not None]
        if not found:
            return np.zeros(len(self.row_class)), length
        products: np.ndarray = np.bincount(
            np.concatenate([rows for rows, _ in found]),
            weights=np.concatenate([weights for _, weights in found]),
            minlength=len(self.row_class),
        )
        return products, length

    def _postings(self, feature: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows a feature occurs in and its contribution to each (views of the index)."""
        start, end = self._bounds[feature], self._bounds[feature + 1]
        return self.post_rows[start:end], self._query_weights[start:end]

    def per_class(self, sims: np.ndarray) -> np.ndarray:
        """The best similarity of each class, in class order."""
        best: np.ndarray = np.maximum.reduceat(sims, self._class_starts)
        return best

    def similarities(self, feats: Sequence[str]) -> list[float]:
        """Per class, the similarity of the message to that class's closest example."""
        # dividing by a positive length keeps the order: divide the few maxima, not every row
        products, length = self._products(feats)
        return [best / length for best in self.per_class(products).tolist()]

    def save(self, path: Path = EXEMPLARS_PATH) -> None:
        """Write the index as a compressed NumPy archive."""
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                classes=np.array("\n".join(self.classes)),
                vocab=np.array("\n".join(self.vocab)),
                row_class=self.row_class,
                offsets=self.offsets,
                post_rows=self.post_rows,
                post_weights=self.post_weights,
                data_sha256=np.array(self.data_sha256),
            )

    @classmethod
    def load(cls, path: Path = EXEMPLARS_PATH) -> ExemplarIndex:
        """Read an index written by save()."""
        with np.load(path) as data:
            return cls(
                str(data["classes"]).split("\n"),
                str(data["vocab"]).split("\n"),
                data["row_class"],
                data["offsets"],
                data["post_rows"],
                data["post_weights"],
                str(data["data_sha256"]),
            )
