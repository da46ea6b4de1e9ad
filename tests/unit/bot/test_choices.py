"""Which offered choice a typed answer picks."""

from __future__ import annotations

import pytest

from bot.engine import _option

STAGES = [
    ["lead", "ลีด"],
    ["qualified", "คัดกรอง"],
    ["proposal", "เสนอราคา"],
    ["negotiation", "ต่อรอง"],
    ["won", "ปิดได้"],
    ["lost", "หลุด"],
]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ต่อรองค่ะ", "negotiation"),
        ("ไปเสนอราคา", "proposal"),
        ("ลีด", "lead"),
        ("2", "qualified"),
        # Thai words of the same letters with other vowels are other words: "ดีล" (deal)
        # picks no "ลีด" (lead), nor does a new question about the deal
        ("ดีล", None),
        ("ดีล Acme ใครดูแล", None),
    ],
)
def test_a_typed_answer_picks_the_choice_it_names(text: str, value: str | None) -> None:
    assert _option(STAGES, text) == value
