"""Build step: train the linear intent model on the training corpus and write model.json."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from intents.features import feature_norm, features, value
from intents.lexicon import load_lexicon
from intents.model import MODEL_PATH, OUT_OF_SCOPE, Blend, IntentModel
from intents.models import ParseContext
from intents.parser import gated_intents, prepare

ROOT = Path(__file__).resolve().parents[1]
TRAIN_FILES = (
    ROOT / "tests" / "data" / "intents_train.jsonl",
    ROOT / "tests" / "data" / "intents_train_more.jsonl",
    ROOT / "tests" / "data" / "intents_train_extra.jsonl",
)
SEED = 20261122
MIN_OOS_RECALL = 0.93
NOW = datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Bangkok"))


@dataclass(frozen=True)
class Settings:
    """Training hyper-parameters."""

    iterations: int = 100
    learning_rate: float = 0.1
    l2: float = 1e-6
    min_count: int = 2
    prune: float = 0.03
    folds: int = 5
    seed: int = SEED


@dataclass(frozen=True)
class Example:
    """One training message: its features, rule ranking and gold intent."""

    feats: list[str]
    rules: dict[str, float]
    intent: str


def existing_files(paths: Sequence[Path] = TRAIN_FILES) -> list[Path]:
    """The training files that exist, in a fixed order."""
    return [p for p in paths if p.exists()]


def data_hash(paths: Sequence[Path]) -> str:
    """SHA-256 over the names and bytes of the training files."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_rows(paths: Sequence[Path]) -> list[dict[str, str]]:
    """Labelled rows ({"text", "intent"}) of the training files, duplicates dropped."""
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row["text"] in seen:
                continue
            seen.add(row["text"])
            rows.append({"text": row["text"], "intent": row["intent"]})
    return rows


def examples(rows: Sequence[dict[str, str]]) -> list[Example]:
    """Run the rule stages on every row and keep what the model and the blend need."""
    ctx = ParseContext(now=NOW)
    lexicon = load_lexicon()
    out: list[Example] = []
    for row in rows:
        prepared = prepare(row["text"], ctx)
        gated = gated_intents(lexicon, prepared.analysis)
        feats = features(prepared.analysis, prepared.ranking, gated)
        out.append(Example(feats, dict(prepared.ranking), row["intent"]))
    return out


def _design(
    data: Sequence[Example], index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows as a compressed sparse matrix (row starts, columns, values), rows unit length."""
    starts = [0]
    columns: list[int] = []
    values: list[float] = []
    for ex in data:
        norm = feature_norm(ex.feats)
        for f in ex.feats:
            col = index.get(f)
            if col is not None:
                columns.append(col)
                values.append(value(f) * norm)
        starts.append(len(columns))
    return np.array(starts), np.array(columns, dtype=np.int64), np.array(values)


def fit(data: Sequence[Example], classes: list[str], settings: Settings) -> IntentModel:
    """Multinomial logistic regression with L2, fitted on the whole batch with Adam.

    Model weights are stored per feature as value * weight (the model multiplies by the
    feature norm only), and weights smaller than `settings.prune` are dropped.
    """
    counts: Counter[str] = Counter(f for ex in data for f in ex.feats)
    vocab = sorted(f for f, n in counts.items() if n >= settings.min_count)
    index = {f: i for i, f in enumerate(vocab)}
    k, v = len(classes), len(vocab)
    starts, columns, values = _design(data, index)
    row_of = np.repeat(np.arange(len(data)), np.diff(starts))
    by_column = np.argsort(columns, kind="stable")
    column_starts = np.searchsorted(columns[by_column], np.arange(v))
    present = np.diff(np.append(column_starts, len(columns))) > 0
    gold = np.zeros((len(data), k))
    gold[np.arange(len(data)), [classes.index(ex.intent) for ex in data]] = 1.0
    weights, bias = np.zeros((v, k)), np.zeros(k)
    moments = [np.zeros((v, k)), np.zeros((v, k)), np.zeros(k), np.zeros(k)]
    beta1, beta2 = 0.9, 0.999
    for step in range(1, settings.iterations + 1):
        products = weights[columns] * values[:, None]
        raw = np.zeros((len(data), k))
        nonempty = starts[:-1] < starts[1:]
        raw[nonempty] = np.add.reduceat(products, starts[:-1][nonempty], axis=0)
        raw += bias
        raw -= raw.max(axis=1, keepdims=True)
        probs = np.exp(raw)
        probs /= probs.sum(axis=1, keepdims=True)
        error = (probs - gold) / len(data)
        contrib = error[row_of[by_column]] * values[by_column, None]
        grad_w = np.zeros((v, k))
        grad_w[present] = np.add.reduceat(contrib, column_starts[present], axis=0)
        grad_w += settings.l2 * weights
        grad_b = error.sum(axis=0)
        for param, grad, first, second in (
            (weights, grad_w, moments[0], moments[1]),
            (bias, grad_b, moments[2], moments[3]),
        ):
            first *= beta1
            first += (1 - beta1) * grad
            second *= beta2
            second += (1 - beta2) * grad * grad
            param -= (
                settings.learning_rate
                * (first / (1 - beta1**step))
                / (np.sqrt(second / (1 - beta2**step)) + 1e-8)
            )
    stored = {
        f: [float(w) * value(f) if abs(w) >= settings.prune else 0.0 for w in weights[i]]
        for f, i in index.items()
    }
    return IntentModel(classes, [float(b) for b in bias], stored, Blend(0.5, 0.5))


def _folds(data: Sequence[Example], n: int, seed: int) -> list[list[int]]:
    """Stratified fold assignment: each intent's rows dealt round-robin after a shuffle."""
    by_intent: dict[str, list[int]] = {}
    for i, ex in enumerate(data):
        by_intent.setdefault(ex.intent, []).append(i)
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(n)]
    turn = 0
    for intent in sorted(by_intent):
        members = by_intent[intent]
        rng.shuffle(members)
        for i in members:
            folds[turn % n].append(i)
            turn += 1
    return folds


def cross_validate(
    data: Sequence[Example], classes: list[str], settings: Settings
) -> list[tuple[dict[str, float], dict[str, float], str]]:
    """Out-of-fold model probabilities with the rule scores and gold intent of every row."""
    out: list[tuple[dict[str, float], dict[str, float], str]] = []
    for held in _folds(data, settings.folds, settings.seed):
        held_set = set(held)
        model = fit([ex for i, ex in enumerate(data) if i not in held_set], classes, settings)
        for i in held:
            ex = data[i]
            probs = model.predict(ex.feats)
            out.append((probs, ex.rules, ex.intent))
    return out


def _score(
    model: IntentModel,
    predictions: Sequence[tuple[dict[str, float], dict[str, float], str]],
    blend: Blend,
) -> tuple[float, float, float]:
    """Objective, accuracy and out_of_scope recall of one blend on out-of-fold predictions."""
    hits = oos_total = oos_hits = 0
    for probs, rules, gold in predictions:
        predicted = model.blend(probs, rules, blend)[0][0]
        hits += predicted == gold
        if gold == OUT_OF_SCOPE:
            oos_total += 1
            oos_hits += predicted == OUT_OF_SCOPE
    accuracy = hits / len(predictions)
    recall = oos_hits / oos_total if oos_total else 1.0
    # Plain accuracy: out_of_scope is one class among the others, as in the evaluation.
    return accuracy, accuracy, recall


def tune_blend(
    model: IntentModel,
    predictions: Sequence[tuple[dict[str, float], dict[str, float], str]],
) -> tuple[Blend, float, float]:
    """The blend with the best cross-validated accuracy among those meeting MIN_OOS_RECALL."""
    best: tuple[tuple[bool, int], Blend] | None = None
    for a10 in range(0, 11):
        a = a10 / 10
        # per row: the best in-scope intent, its blended score, strongest rule, p(oos)
        rows: list[tuple[str, float, float, float, str]] = []
        for probs, rules, gold in predictions:
            name, top = max(
                (
                    (n, a * p + (1 - a) * rules.get(n, 0.0))
                    for n, p in probs.items()
                    if n != OUT_OF_SCOPE
                ),
                key=lambda kv: kv[1],
            )
            rows.append((name, top, max(rules.values(), default=0.0), probs[OUT_OF_SCOPE], gold))
        for t100 in range(20, 80, 3):
            for floor in (1.01, 0.9, 0.8, 0.7):
                for oos_weight in (0.0, 0.5, 0.75, 1.0, 1.25):
                    blend = Blend(a, t100 / 100, floor, oos_weight)
                    hits = oos_hits = oos_total = 0
                    for name, top, strongest, p_oos, gold in rows:
                        oos_score = oos_weight * (a * p_oos + (1 - a) * (1.0 - strongest))
                        is_oos = strongest < floor and (top < blend.threshold or oos_score > top)
                        hits += (OUT_OF_SCOPE if is_oos else name) == gold
                        if gold == OUT_OF_SCOPE:
                            oos_total += 1
                            oos_hits += is_oos
                    # Unrelated chat is most of what a public bot sees: prefer blends that
                    # reject at least MIN_OOS_RECALL of it, then the most accurate.
                    recall_ok = oos_hits >= MIN_OOS_RECALL * oos_total
                    key = (recall_ok, hits)
                    if best is None or key > best[0]:
                        best = (key, blend)
    assert best is not None
    _, accuracy, recall = _score(model, predictions, best[1])
    return best[1], accuracy, recall


def train(
    paths: Sequence[Path], settings: Settings | None = None, tune: bool = True
) -> IntentModel:
    """Train on the files, tune the blend by cross-validation, and record provenance."""
    cfg = settings or Settings()
    data = examples(load_rows(paths))
    classes = sorted({ex.intent for ex in data})
    model = fit(data, classes, cfg)
    meta: dict[str, object] = {
        "data_sha256": data_hash(paths),
        "files": [p.name for p in paths],
        "rows": len(data),
        "seed": cfg.seed,
        "iterations": cfg.iterations,
        "learning_rate": cfg.learning_rate,
        "l2": cfg.l2,
        "min_count": cfg.min_count,
        "prune": cfg.prune,
    }
    blend = model.blend_settings
    if tune:
        predictions = cross_validate(data, classes, cfg)
        blend, accuracy, recall = tune_blend(model, predictions)
        model_only = sum(max(p, key=p.__getitem__) == g for p, _, g in predictions)
        meta["cv"] = {
            "folds": cfg.folds,
            "model_only_accuracy": round(model_only / len(predictions), 4),
            "blend_accuracy": round(accuracy, 4),
            "blend_oos_recall": round(recall, 4),
        }
    return IntentModel(model.classes, list(model.bias), dict(model.weights), blend, meta)


def main(argv: list[str] | None = None) -> None:
    """Train on the committed training files and write intents/data/model.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--no-tune", action="store_true", help="skip cross-validation")
    args = parser.parse_args(argv)
    paths = existing_files()
    model = train(paths, tune=not args.no_tune)
    text = json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(json.dumps(model.meta, ensure_ascii=False))
    print(f"wrote {args.out} ({len(text) / 1e6:.2f} MB, {len(model.weights)} features)")


if __name__ == "__main__":
    main()
