"""The shipped intent model: provenance, reproducible training, combining evidence, free text."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from intents import ParseContext, parse
from intents.exemplars import ExemplarIndex
from intents.features import feature_parts, features
from intents.lexicon import load_lexicon
from intents.model import (
    INTENT_TERMS,
    MODEL_PATH,
    OOS_TERMS,
    OUT_OF_SCOPE,
    Combiner,
    IntentModel,
    evidence_terms,
    load_exemplars,
    load_model,
)
from intents.parser import gated_intents, prepare
from intents.train import Settings, data_hash, existing_files, train

NOW = datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Bangkok"))
ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
EVAL = ROOT.parent / "shared" / "eval"


def test_shipped_model_was_trained_on_the_committed_training_files() -> None:
    model = load_model()
    assert model is not None, "run: python -m intents.train"
    paths = existing_files()
    assert model.meta["files"] == [p.name for p in paths]
    assert model.meta["data_sha256"] == data_hash(paths), "training data changed: retrain"
    assert MODEL_PATH.stat().st_size < 5_000_000
    exemplars = load_exemplars()
    assert exemplars is not None
    assert exemplars.data_sha256 == model.meta["data_sha256"]
    assert exemplars.classes == model.classes
    assert len(exemplars.row_class) == model.meta["rows"]


def test_training_is_deterministic(tmp_path: Path) -> None:
    lines = existing_files()[0].read_text(encoding="utf-8").splitlines()
    subset = tmp_path / "subset.jsonl"
    subset.write_text("\n".join(lines[::12]) + "\n", encoding="utf-8")
    settings = Settings(iterations=5)
    first = train([subset], settings, tune=False)[0].to_json()
    second = train([subset], settings, tune=False)[0].to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["meta"]["rows"] == len(lines[::12])


def _combiner(intent: dict[str, float], oos: dict[str, float], shift: float = 0.0) -> Combiner:
    """A combiner that weighs only the named terms."""
    return Combiner(
        tuple(intent.get(t, 0.0) for t in INTENT_TERMS),
        tuple(oos.get(t, 0.0) for t in OOS_TERMS),
        (0.0, 0.0, 0.0),
        shift,
    )


def test_json_round_trip_keeps_predictions() -> None:
    combiner = _combiner({"p": 2.0, "sim": 1.0}, {"p_oos": 1.5}, 0.25)
    model = IntentModel(
        ["greeting", "help", OUT_OF_SCOPE], [0.1, 0.0, -0.1], {"w:hi": [1.5, 0.0, -1.5]}, combiner
    )
    again = IntentModel.from_json(model.to_json())
    assert again.predict(["w:hi"]) == pytest.approx(model.predict(["w:hi"]), abs=1e-3)
    assert again.combiner == model.combiner


def test_weak_evidence_is_out_of_scope_with_runners_up() -> None:
    model = IntentModel(
        ["faq", "help", OUT_OF_SCOPE], [0.0] * 3, {}, _combiner({"p": 4.0}, {"p_oos": 4.0}, 1.0)
    )
    ranked = model.decide({"faq": 0.4, "help": 0.35, OUT_OF_SCOPE: 0.25}, [0.0] * 3, {})
    assert ranked[0][0] == OUT_OF_SCOPE
    assert [name for name, _ in ranked[1:]] == ["faq", "help"]
    # without the out_of_scope offset the best intent wins
    model = IntentModel(
        ["faq", "help", OUT_OF_SCOPE], [0.0] * 3, {}, _combiner({"p": 4.0}, {"p_oos": 4.0})
    )
    assert model.decide({"faq": 0.4, "help": 0.35, OUT_OF_SCOPE: 0.25}, [0.0] * 3, {})[0][0] == (
        "faq"
    )


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("called Siam Paper, they want a quote", "note", "they want a quote"),
        ("แจ้งลูกค้า platinum ว่าสัปดาห์นี้แต้มx2", "message", "สัปดาห์นี้แต้มx2"),
        ("ของที่ส่งมาใช้ไม่ได้ค่ะ", "description", "ของที่ส่งมาใช้ไม่ได้"),
        ("open a ticket: ORD-1234 arrived damaged, urgent", "description", "arrived damaged"),
        ("ร้านปิดวันไหนบ้างคะ", "question", "ร้านปิดวันไหนบ้าง"),
        # what is left is only stopwords: no reward, no note
        ("ใช้แต้มแลกของได้ที่ไหน", "reward", None),
        # a reward's own name is never a word that asks to redeem
        ("I'd like the tote bag reward", "reward", "the tote bag"),
        ("มอบหมาย TCK-2010 ให้ผม", "note", None),
        # "ลูกค้า" / "customer" before the customer's name only introduces it
        ("เปิดเคสด่วน ลูกค้า Acme ระบบล่มทั้งออฟฟิศ", "description", "ระบบล่มทั้งออฟฟิศ"),
        (
            "customer Malee says the fridge is noisy, open a ticket",
            "description",
            "says the fridge is noisy",
        ),
    ],
)
def test_free_text_slots(text: str, slot: str, value: str | None) -> None:
    assert parse(text, ParseContext(now=NOW)).slots.get(slot) == value


def test_a_close_example_and_a_strong_rule_count_as_evidence() -> None:
    classes = ["faq", "help", OUT_OF_SCOPE]
    combiner = _combiner({"p": 1.0, "sim": 3.0, "strong_rule": 3.0}, {"p_oos": 1.0}, 1.0)
    model = IntentModel(classes, [0.0] * 3, {}, combiner)
    probs = {"faq": 0.3, "help": 0.2, OUT_OF_SCOPE: 0.5}
    assert model.decide(probs, [0.0, 0.0, 0.0], {})[0][0] == OUT_OF_SCOPE
    assert model.decide(probs, [0.9, 0.1, 0.0], {})[0][0] == "faq"
    assert model.decide(probs, [0.0, 0.0, 0.0], {"help": 0.95})[0][0] == "help"


def test_an_excluded_intent_is_never_proposed() -> None:
    model = IntentModel(["faq", "help", OUT_OF_SCOPE], [0.0] * 3, {}, _combiner({"p": 4.0}, {}))
    ranked = model.decide({"faq": 0.9, "help": 0.1, OUT_OF_SCOPE: 0.0}, [0.0] * 3, {}, {"faq"})
    assert "faq" not in [name for name, _ in ranked]


@pytest.mark.parametrize(
    "text",
    [
        "ดีล Acme Trading ปิดได้แล้ว 80k",
        "moved the Siam Paper deal to negotiation, 120k now",
        "how would you say fly in italian",
        "ของที่ส่งมาใช้ไม่ได้ค่ะ",
        "ค่ะ",
    ],
)
def test_the_parser_path_scores_as_training_does_to_the_last_bit(text: str) -> None:
    # the parser looks features up in parts and combines without building term rows; the
    # training reads whole feature lists and term rows: both must give the same numbers
    model, exemplars = load_model(), load_exemplars()
    assert model is not None and exemplars is not None
    lexicon = load_lexicon()
    prepared = prepare(text, ParseContext(now=NOW))
    gated = gated_intents(lexicon, prepared.analysis)
    feats = features(prepared.analysis, prepared.ranking, gated)
    parts = feature_parts(prepared.analysis, prepared.ranking, gated)
    assert sorted([*parts.words, *parts.grams]) == feats
    probs = model.probabilities(feats)
    assert model.part_probabilities(parts) == probs
    sims = exemplars.similarities(feats)
    assert exemplars.similarities(parts.words) == sims
    rules = [dict(prepared.ranking).get(c, 0.0) for c in model.classes]
    rows, oos_row = evidence_terms(probs, sims, rules, model.oos)
    combiner = model.combiner
    expected = combiner.scores(rows, oos_row, model.oos)
    assert combiner.class_scores(probs, sims, rules, model.oos) == expected


def test_exemplar_similarity_finds_the_closest_example_per_intent() -> None:
    index = ExemplarIndex.build(
        ["greeting", "help", OUT_OF_SCOPE],
        [
            ("help", ["w:what", "w:can", "w:you", "w:do"]),
            ("greeting", ["w:hi", "w:there"]),
            (OUT_OF_SCOPE, ["w:book", "w:a", "w:flight"]),
            ("greeting", ["w:good", "w:morning"]),
        ],
    )
    # features come sorted, as features() returns them
    sims = index.similarities(["r:greeting:0.8", "w:hi", "w:there"])
    assert sims[0] == pytest.approx(1.0)
    assert sims[1] == sims[2] == 0.0
    # "i" is in no example but still makes the message less like each of them
    sims = index.similarities(["w:book", "w:can", "w:i", "w:what"])
    assert sims[1] == pytest.approx(2 / (2 * 2))
    assert sims[2] == pytest.approx(1 / (2 * 3**0.5))
    assert index.similarities(["w:unknown"]) == [0.0, 0.0, 0.0]


def test_exemplar_index_round_trip(tmp_path: Path) -> None:
    index = ExemplarIndex.build(
        ["greeting", OUT_OF_SCOPE], [("greeting", ["w:hi"]), (OUT_OF_SCOPE, ["w:flight"])], "abc"
    )
    index.save(tmp_path / "ex.npz")
    again = ExemplarIndex.load(tmp_path / "ex.npz")
    assert again.classes == index.classes
    assert again.data_sha256 == "abc"
    assert again.similarities(["w:hi", "w:x"]) == index.similarities(["w:hi", "w:x"])


@pytest.mark.parametrize(
    ("text", "gated"),
    [
        ("cancel my flight reservation", True),
        ("yes I want to book a trip", True),
        ("cancel", False),
        ("hi folks", False),
    ],
)
def test_dialogue_acts_are_flagged_only_in_a_longer_request(text: str, gated: bool) -> None:
    prepared = prepare(text, ParseContext(now=NOW))
    found = gated_intents(load_lexicon(), prepared.analysis)
    assert bool(found & {"cancel", "confirm", "greeting"}) == gated
    feats = features(prepared.analysis, prepared.ranking, found)
    assert any(f in feats for f in ("g:cancel", "g:confirm", "g:greeting")) == gated


def test_rule_scores_are_model_features() -> None:
    prepared = prepare("where is my order", ParseContext(now=NOW))
    feats = features(prepared.analysis, prepared.ranking)
    assert "r:order_status:0.8" in feats
    assert not any(f.startswith("r:") for f in features(prepared.analysis))


def _bare(text: str) -> str:
    """A text stripped of case, punctuation, spaces and politeness particles."""
    return re.sub(r"[\W_]+|ครับ|ค่ะ|คะ|นะ|จ้า", "", text.lower())


def _texts(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as lines:
        return {_bare(json.loads(line)["text"]) for line in lines if line.strip()}


def test_no_training_text_is_a_test_or_external_evaluation_text() -> None:
    held_out = _texts(DATA / "intents_test.jsonl") | _texts(DATA / "intents_holdout.jsonl")
    for path in sorted(EVAL.glob("*.jsonl")) if EVAL.is_dir() else []:
        held_out |= _texts(path)
    leaked = {path.name: _texts(path) & held_out for path in existing_files()}
    assert {name: sorted(texts)[:5] for name, texts in leaked.items() if texts} == {}
