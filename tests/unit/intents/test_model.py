"""The shipped intent model: provenance, reproducible training, blending and free text."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from intents import ParseContext, parse
from intents.features import features
from intents.lexicon import load_lexicon
from intents.model import MODEL_PATH, OUT_OF_SCOPE, Blend, IntentModel, load_model
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


def test_training_is_deterministic(tmp_path: Path) -> None:
    lines = existing_files()[0].read_text(encoding="utf-8").splitlines()
    subset = tmp_path / "subset.jsonl"
    subset.write_text("\n".join(lines[::12]) + "\n", encoding="utf-8")
    settings = Settings(iterations=5)
    first = train([subset], settings, tune=False).to_json()
    second = train([subset], settings, tune=False).to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["meta"]["rows"] == len(lines[::12])


def test_json_round_trip_keeps_predictions() -> None:
    model = IntentModel(
        ["greeting", OUT_OF_SCOPE], [0.1, -0.1], {"w:hi": [1.5, -1.5]}, Blend(0.5, 0.4)
    )
    again = IntentModel.from_json(model.to_json())
    assert again.predict(["w:hi"]) == pytest.approx(model.predict(["w:hi"]), abs=1e-3)
    assert again.blend_settings == model.blend_settings


def test_weak_evidence_is_out_of_scope_with_runners_up() -> None:
    model = IntentModel(["faq", "help", OUT_OF_SCOPE], [0.0, 0.0, 0.0], {}, Blend(0.5, 0.6))
    ranked = model.blend({"faq": 0.4, "help": 0.35, OUT_OF_SCOPE: 0.25}, {"faq": 0.5})
    assert ranked[0][0] == OUT_OF_SCOPE
    assert [name for name, _ in ranked[1:]] == ["faq", "help"]


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("called Siam Paper, they want a quote", "note", "they want a quote"),
        ("แจ้งลูกค้า platinum ว่าสัปดาห์นี้แต้มx2", "message", "สัปดาห์นี้แต้มx2"),
        ("ของที่ส่งมาใช้ไม่ได้ค่ะ", "description", "ของที่ส่งมาใช้ไม่ได้"),
        ("open a ticket: ORD-1234 arrived damaged, urgent", "description", "arrived damaged"),
        ("ร้านปิดวันไหนบ้างคะ", "question", "ร้านปิดวันไหนบ้าง"),
    ],
)
def test_free_text_slots(text: str, slot: str, value: str) -> None:
    assert parse(text, ParseContext(now=NOW)).slots.get(slot) == value


def test_a_confident_out_of_scope_model_outweighs_a_weak_intent() -> None:
    model = IntentModel(["faq", OUT_OF_SCOPE], [0.0, 0.0], {}, Blend(1.0, 0.2, 1.01, 1.0))
    assert model.blend({"faq": 0.3, OUT_OF_SCOPE: 0.7}, {})[0][0] == OUT_OF_SCOPE
    assert model.blend({"faq": 0.7, OUT_OF_SCOPE: 0.3}, {})[0][0] == "faq"
    # without the out_of_scope weight only the threshold decides
    lenient = Blend(1.0, 0.2, 1.01, 0.0)
    assert model.blend({"faq": 0.3, OUT_OF_SCOPE: 0.7}, {}, lenient)[0][0] == "faq"


def test_a_strong_rule_match_is_never_out_of_scope() -> None:
    model = IntentModel(["faq", OUT_OF_SCOPE], [0.0, 0.0], {}, Blend(1.0, 0.2, 0.9, 1.0))
    assert model.blend({"faq": 0.3, OUT_OF_SCOPE: 0.7}, {"faq": 0.95})[0][0] == "faq"


def test_a_blend_with_no_intent_left_is_out_of_scope() -> None:
    # the model alone decides (weight 1) and gives every intent next to nothing
    model = IntentModel(["faq", OUT_OF_SCOPE], [0.0, 0.0], {}, Blend(1.0, 0.2, 0.9, 1.0))
    assert model.blend({"faq": 0.001, OUT_OF_SCOPE: 0.999}, {"faq": 0.95})[0][0] == OUT_OF_SCOPE


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
