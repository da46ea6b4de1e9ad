"""Normalisation: markup, digits, widths, repeats, particles and language."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from intents import ParseContext, parse
from intents.lexicon import PhraseTrie
from intents.normalize import clean_text, detect_lang, fold_text
from intents.parser import default_tokeniser

NOW = datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Bangkok"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<@U123> ORD-๓๐๐๓ ถึงไหน", "ORD-3003 ถึงไหน"),
        ("ＡＢＣ　１２３", "ABC 123"),
        ("ok\u200b thanks 🙏", "ok thanks"),
        ("ขำมาก 5555+ ", "ขำมาก"),
        ("<mailto:a@b.co|a@b.co> hi", "a@b.co hi"),
        ("฿5555", "฿5555"),
        # letters a caseless pattern reads as s, k or i are written plainly
        ("3 dayſ ago İstanbul", "3 days ago Istanbul"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("มากกกก", "มาก"), ("HELLOOOO", "helloo"), ("ค่่ะ", "ค่ะ"), ("1000", "1000")],
)
def test_fold_text(raw: str, expected: str) -> None:
    assert fold_text(raw) == expected


def test_particles_are_dropped_and_crm_words_stay_whole() -> None:
    tokens = default_tokeniser().tokens(fold_text("ขอสายเจ้าหน้าที่หน่อยครับ ซีพีออลล์"))
    assert "ครับ" not in tokens and "หน่อย" not in tokens
    assert "ซีพีออลล์" in tokens


@pytest.mark.parametrize(
    ("text", "lang"), [("สวัสดีครับ", "th"), ("hello there", "en"), ("hello ครับ", "mix")]
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


def test_phrases_are_found_on_token_edges_only() -> None:
    phrases = PhraseTrie()
    phrases.add("ปิด ดีล", "close")
    phrases.add("ปิดดีลได้", "won")
    phrases.add("deal", "deal")
    # a phrase may span tokens however the tokeniser split it, and shorter and longer
    # phrases from one start are both found, shortest first
    assert phrases.scan(["ปิด", "ดีล", "ได้", "แล้ว"]) == [
        (0, 2, frozenset({"close"})),
        (0, 3, frozenset({"won"})),
    ]
    assert phrases.scan(["ปิดดีล", "ได้"]) == [
        (0, 1, frozenset({"close"})),
        (0, 2, frozenset({"won"})),
    ]
    # never inside a token, at either end
    assert phrases.scan(["เปิดดีล", "deals", "adeal"]) == []
    assert phrases.scan(["the", "deal"]) == [(1, 2, frozenset({"deal"}))]
    phrases.add("deal", "noun")
    assert phrases.scan(["deal"]) == [(0, 1, frozenset({"deal", "noun"}))]


@pytest.mark.parametrize("text", ["called Acme 3 dayſ ago", "İstanbul trip 15 ſep", "dayſ"])
def test_lookalike_letters_are_read_as_plain_ones(text: str) -> None:
    # "dayſ" matched the caseless pattern for days ago, then its unit was not found
    plain = parse(text.replace("ſ", "s").replace("İ", "I"), ParseContext(now=NOW))
    assert parse(text, ParseContext(now=NOW)) == replace(plain, text=text)
