"""The shipped linear intent model: loading, prediction and blending with rule scores."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from intents.features import feature_norm

MODEL_PATH = Path(__file__).with_name("data") / "model.json"
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Blend:
    """How model probabilities and rule scores combine, and where out_of_scope begins."""

    model_weight: float
    threshold: float
    # a rule match at least this strong is never turned into out_of_scope (above 1: off)
    rule_floor: float = 1.01
    # out_of_scope also wins when its own blended score, times this, beats the best intent
    # (0: only the threshold decides)
    oos_weight: float = 0.0


class IntentModel:
    """Multinomial logistic regression over sparse binary features."""

    def __init__(
        self,
        classes: list[str],
        bias: Sequence[float],
        weights: Mapping[str, Sequence[float]],
        blend: Blend,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """A model from its classes, bias, per-feature dense weight rows and blend settings."""
        self.classes = classes
        self.bias = tuple(bias)
        self.weights = {f: tuple(row) for f, row in weights.items()}
        self.blend_settings = blend
        self.meta = meta or {}
        self._oos = classes.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in classes else -1

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
        cfg = data["blend"]
        blend = Blend(
            float(cfg["model_weight"]),
            float(cfg["threshold"]),
            float(cfg.get("rule_floor", 1.01)),
            float(cfg.get("oos_weight", 0.0)),
        )
        return cls(classes, [b / scale for b in data["bias"]], weights, blend, data.get("meta"))

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
        return {
            "classes": self.classes,
            "scale": scale,
            "bias": [round(b * scale) for b in self.bias],
            "blend": {
                "model_weight": self.blend_settings.model_weight,
                "threshold": self.blend_settings.threshold,
                "rule_floor": self.blend_settings.rule_floor,
                "oos_weight": self.blend_settings.oos_weight,
            },
            "meta": self.meta,
            "weights": encoded,
        }

    def scores(self, feats: list[str]) -> list[float]:
        """Raw class scores for the features (unknown features are ignored)."""
        rows = [row for row in map(self.weights.get, feats) if row is not None]
        if not rows:
            return list(self.bias)
        norm = feature_norm(feats)
        return [
            b + s * norm for b, s in zip(self.bias, map(sum, zip(*rows, strict=True)), strict=True)
        ]

    def predict(self, feats: list[str]) -> dict[str, float]:
        """Class probabilities for the features."""
        raw = self.scores(feats)
        top = max(raw)
        exps = [math.exp(s - top) for s in raw]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def blend(
        self,
        probs: dict[str, float],
        rules: dict[str, float],
        settings: Blend | None = None,
    ) -> list[tuple[str, float]]:
        """Intents best first by blended score; out_of_scope first when the best is too weak."""
        cfg = settings or self.blend_settings
        a = cfg.model_weight
        combined = [
            (name, a * p + (1 - a) * rules.get(name, 0.0))
            for name, p in probs.items()
            if name != OUT_OF_SCOPE
        ]
        combined.sort(key=lambda kv: kv[1], reverse=True)
        top = [(n, round(min(0.99, s), 4)) for n, s in combined[:4] if s > 0.01]
        best = combined[0][1] if combined else 0.0
        strongest_rule = max(rules.values(), default=0.0)
        p_oos = probs.get(OUT_OF_SCOPE, 0.0)
        oos_score = cfg.oos_weight * (a * p_oos + (1 - a) * (1.0 - strongest_rule))
        weak = strongest_rule < cfg.rule_floor and (best < cfg.threshold or oos_score > best)
        # no intent with a blended score worth naming: out_of_scope, never a guess
        if weak or not top:
            oos = round(max(p_oos, 1.0 - best), 4)
            return [(OUT_OF_SCOPE, oos), *top[:3]]
        return top


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> IntentModel | None:
    """The shipped model, or None when no model file exists."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        return IntentModel.from_json(json.load(fh))


_enabled = [True]


def set_model_enabled(enabled: bool) -> None:
    """Turn the model off (rules only) or on again, to measure what it adds."""
    _enabled[0] = enabled


def active_model() -> IntentModel | None:
    """The model the parser blends in, or None for rules only."""
    return load_model() if _enabled[0] else None
