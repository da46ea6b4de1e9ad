"""The shipped intent model: linear probabilities, nearest examples and rule scores combined."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from pathlib import Path
from typing import Any

import numpy as np

from intents.exemplars import EXEMPLARS_PATH, ExemplarIndex
from intents.features import FeatureParts, char_grams, feature_norm

MODEL_PATH = Path(__file__).with_name("data") / "model.json"
OUT_OF_SCOPE = "out_of_scope"
_EPS = 1e-4
# a rule match this strong is a term of its own: it rarely misleads
STRONG_RULE = 0.9
INTENT_TERMS = (
    "p",
    "log_p",
    "sim",
    "sim_margin",
    "rule",
    "strong_rule",
    "sim_squared",
)
OOS_TERMS = (
    "p_oos",
    "log_p_oos",
    "sim_oos",
    "best_sim",
    "best_rule",
    "best_p",
    "sim_oos_margin",
    "strong_rule",
)


def evidence_terms(
    probs: Sequence[float], sims: Sequence[float], rules: Sequence[float], oos: int
) -> tuple[list[tuple[float, ...]], tuple[float, ...]]:
    """Per class the terms the combiner weighs (classes x INTENT_TERMS; the out_of_scope row
    is zero), and the out_of_scope terms (OOS_TERMS).

    probs: the linear model's probabilities; sims: each class's closest-example similarity;
    rules: the keyword-rule scores (0 for out_of_scope); all in class order. Plain floats:
    with some twenty classes, Python arithmetic beats the call overhead of array operations.
    """
    best_sim, second_sim = _best_two(sims, oos)
    zero = (0.0,) * len(INTENT_TERMS)
    rows: list[tuple[float, ...]] = []
    for i, (p, s, r) in enumerate(zip(probs, sims, rules, strict=True)):
        if i == oos:
            rows.append(zero)
            continue
        other = second_sim if s >= best_sim else best_sim
        rows.append((p, math.log(p + _EPS), s, s - other, r, float(r >= STRONG_RULE), s * s))
    return rows, _oos_terms(probs, sims, rules, oos, best_sim)


def _best_two(sims: Sequence[float], oos: int) -> tuple[float, float]:
    """The best and second-best similarity of the classes other than out_of_scope."""
    inside = list(sims)
    if oos >= 0:
        inside[oos] = 0.0
    best = max(inside)
    inside.remove(best)
    return best, max(inside, default=0.0)


def _oos_terms(
    probs: Sequence[float], sims: Sequence[float], rules: Sequence[float], oos: int, best_sim: float
) -> tuple[float, ...]:
    """The out_of_scope terms (OOS_TERMS)."""
    p_oos = probs[oos] if oos >= 0 else 0.0
    sim_oos = sims[oos] if oos >= 0 else 0.0
    best_rule = max(rules, default=0.0)
    return (
        p_oos,
        math.log(p_oos + _EPS),
        sim_oos,
        best_sim,
        best_rule,
        max((p for i, p in enumerate(probs) if i != oos), default=0.0),
        sim_oos - best_sim,
        float(best_rule >= STRONG_RULE),
    )


@dataclass(frozen=True)
class Combiner:
    """A conditional logit over evidence terms, fitted on cross-validated predictions.

    An intent's score is intent_weights . terms + its bias; out_of_scope has its own terms
    and weights plus `oos_shift`, the offset that keeps the out_of_scope recall the training
    asks for.
    """

    intent_weights: tuple[float, ...]
    oos_weights: tuple[float, ...]
    bias: tuple[float, ...]
    oos_shift: float = 0.0

    @classmethod
    def model_only(cls, n_classes: int) -> Combiner:
        """Rank by the linear model's probabilities alone."""
        intent = tuple(1.0 if t == "log_p" else 0.0 for t in INTENT_TERMS)
        oos = tuple(1.0 if t == "log_p_oos" else 0.0 for t in OOS_TERMS)
        return cls(intent, oos, (0.0,) * n_classes)

    def scores(
        self, rows: Sequence[Sequence[float]], oos_row: Sequence[float], oos: int
    ) -> list[float]:
        """Every class's score."""
        weights = self.intent_weights
        out = [sum(map(mul, weights, row)) + b for row, b in zip(rows, self.bias, strict=True)]
        if oos >= 0:
            out[oos] = self.bias[oos] + self.oos_shift + sum(map(mul, self.oos_weights, oos_row))
        return out

    def class_scores(
        self, probs: Sequence[float], sims: Sequence[float], rules: Sequence[float], oos: int
    ) -> list[float]:
        """scores(*evidence_terms(probs, sims, rules, oos), oos), term by term in the same
        order (so equal to the last bit; adding a zero changes no sum), without building the
        rows: the parser's path."""
        w_p, w_log, w_sim, w_margin, w_rule, w_strong, w_square = self.intent_weights
        best_sim, second_sim = _best_two(sims, oos)
        log = math.log
        out: list[float] = []
        for p, s, r, b in zip(probs, sims, rules, self.bias, strict=True):
            score = (
                w_p * p
                + w_log * log(p + _EPS)
                + w_sim * s
                + w_margin * (s - (second_sim if s >= best_sim else best_sim))
            )
            if r:  # most classes have no rule score: their rule terms would add a zero
                score = score + w_rule * r + w_strong * (r >= STRONG_RULE)
            out.append(score + w_square * (s * s) + b)
        if oos >= 0:
            oos_row = _oos_terms(probs, sims, rules, oos, best_sim)
            out[oos] = self.bias[oos] + self.oos_shift + sum(map(mul, self.oos_weights, oos_row))
        return out


class IntentModel:
    """Multinomial logistic regression over sparse binary features, plus how to combine it."""

    def __init__(
        self,
        classes: list[str],
        bias: Sequence[float],
        weights: Mapping[str, Sequence[float]],
        combiner: Combiner | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """A model from its classes, bias, per-feature dense weight rows and combiner."""
        self.classes = classes
        self.bias = tuple(bias)
        # rows in feature order: raw_scores() finds them in ascending order
        self.weights = {f: tuple(weights[f]) for f in sorted(weights)}
        self._rows = {f: i for i, f in enumerate(self.weights)}
        self._matrix = np.array(list(self.weights.values()), dtype=float).reshape(-1, len(classes))
        self._bias = np.array(self.bias, dtype=float)
        self.combiner = combiner or Combiner.model_only(len(classes))
        self.meta = meta or {}
        self.oos = classes.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in classes else -1
        self.index = {c: i for i, c in enumerate(classes)}
        self._gram_rows = lru_cache(maxsize=65536)(self._token_rows)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IntentModel:
        """Decode the compact JSON form written by intents.train."""
        classes: list[str] = data["classes"]
        scale = float(data["scale"])
        k = len(classes)
        weights: dict[str, list[float]] = {}
        for feat, sparse in data["weights"].items():
            row = [0.0] * k
            for i in range(0, len(sparse), 2):
                row[sparse[i]] = sparse[i + 1] / scale
            weights[feat] = row
        cfg = data["combiner"]
        combiner = Combiner(
            tuple(cfg["intent_weights"]),
            tuple(cfg["oos_weights"]),
            tuple(cfg["bias"]),
            float(cfg["oos_shift"]),
        )
        return cls(classes, [b / scale for b in data["bias"]], weights, combiner, data.get("meta"))

    def to_json(self, digits: int = 3) -> dict[str, Any]:
        """The compact JSON form: weights as integers scaled by 10**digits, zeros dropped."""
        scale = 10**digits
        encoded: dict[str, list[int]] = {}
        for feat in sorted(self.weights):
            sparse: list[int] = []
            for i, w in enumerate(self.weights[feat]):
                q = round(w * scale)
                if q:
                    sparse.extend((i, q))
            if sparse:
                encoded[feat] = sparse
        cfg = self.combiner
        return {
            "classes": self.classes,
            "scale": scale,
            "bias": [round(b * scale) for b in self.bias],
            "combiner": {
                "intent_terms": list(INTENT_TERMS),
                "intent_weights": [round(w, 4) for w in cfg.intent_weights],
                "oos_terms": list(OOS_TERMS),
                "oos_weights": [round(w, 4) for w in cfg.oos_weights],
                "bias": [round(b, 4) for b in cfg.bias],
                "oos_shift": round(cfg.oos_shift, 4),
            },
            "meta": self.meta,
            "weights": encoded,
        }

    def raw_scores(self, feats: list[str]) -> np.ndarray:
        """Raw class scores for the features (unknown features are ignored)."""
        # `feats` come sorted, as the rows are: the rows found are in ascending order, so sums
        # never depend on hash order; the lookups run in C (a Python loop over the many
        # character n-grams cost a tenth of the parse).
        found = [row for row in map(self._rows.get, feats) if row is not None]
        return self._summed(found, feature_norm(feats))

    def _summed(self, found: list[int], norm: float) -> np.ndarray:
        """The bias plus the rows found (in ascending order), scaled by the norm."""
        if not found:
            return self._bias.copy()
        scores: np.ndarray = self._matrix.take(found, axis=0).sum(axis=0) * norm + self._bias
        return scores

    def probabilities(self, feats: list[str]) -> list[float]:
        """Class probabilities of the linear model for the features, in class order."""
        scores: list[float] = self.raw_scores(feats).tolist()
        return _softmax(scores)

    def _token_rows(self, token: str) -> frozenset[int]:
        """The rows of a token's character n-grams."""
        return frozenset(row for row in map(self._rows.get, char_grams(token)) if row is not None)

    def part_probabilities(self, parts: FeatureParts) -> list[float]:
        """probabilities() of the features in parts, equal to the last bit.

        A token's n-gram rows are looked up once per token and kept: the n-grams are most of
        the features and the same words come back message after message.
        """
        found = set().union(*map(self._gram_rows, parts.gram_tokens))
        found.update(row for row in map(self._rows.get, parts.words) if row is not None)
        scores: list[float] = self._summed(sorted(found), parts.norm()).tolist()
        return _softmax(scores)

    def predict(self, feats: list[str]) -> dict[str, float]:
        """Class probabilities of the linear model for the features, by class name."""
        return dict(zip(self.classes, self.probabilities(feats), strict=True))

    def decide(
        self,
        probs: Mapping[str, float],
        sims: Sequence[float],
        rules: Mapping[str, float],
        excluded: frozenset[str] = frozenset(),
    ) -> list[tuple[str, float]]:
        """Intents best first with confidences; out_of_scope first when it outscores them.

        `excluded` intents (a required word is missing) are never proposed.
        """
        return self.rank(
            [probs.get(c, 0.0) for c in self.classes],
            sims,
            [rules.get(c, 0.0) for c in self.classes],
            [i for i, c in enumerate(self.classes) if c in excluded],
        )

    def rank(
        self,
        probs: Sequence[float],
        sims: Sequence[float],
        rules: Sequence[float],
        excluded: Sequence[int],
    ) -> list[tuple[str, float]]:
        """decide() with every input in class order and the excluded classes by position."""
        scores = self.combiner.class_scores(probs, sims, rules, self.oos)
        for i in excluded:
            scores[i] = -math.inf
        confidences = _softmax(scores)
        # the best and a few runners-up (out_of_scope is never a runner-up); sorted() is
        # stable, also in reverse, so ties keep class order
        order = sorted(range(len(confidences)), key=confidences.__getitem__, reverse=True)[:5]
        ranked = [(self.classes[i], round(confidences[i], 4)) for i in order]
        runners_up = [(c, p) for c, p in ranked[1:] if c != OUT_OF_SCOPE and p > 0.01]
        return [ranked[0], *runners_up[:3]]


def _softmax(scores: list[float]) -> list[float]:
    """Probabilities from scores; plain floats, as the classes are few (see evidence_terms)."""
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> IntentModel | None:
    """The shipped model, or None when no model file exists."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        return IntentModel.from_json(json.load(fh))


@lru_cache(maxsize=1)
def load_exemplars(path: Path = EXEMPLARS_PATH) -> ExemplarIndex | None:
    """The shipped nearest-example index, or None when it was not built."""
    return ExemplarIndex.load(path) if path.exists() else None


_enabled = [True]


def set_model_enabled(enabled: bool) -> None:
    """Turn the model off (rules only) or on again, to measure what it adds."""
    _enabled[0] = enabled


def active_model() -> IntentModel | None:
    """The model the parser blends in, or None for rules only."""
    return load_model() if _enabled[0] else None
