"""Times of day, as the parser reads them for a task."""

from __future__ import annotations

import pytest

from intents.lexicon import load_lexicon


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("บ่ายสอง", "14:00"),
        ("บ่าย 2 โมงครึ่ง", "14:30"),
        ("บ่ายโมง", "13:00"),
        ("ตอนสิบโมง", "10:00"),
        ("10 โมง", "10:00"),
        ("สี่โมงเย็น", "16:00"),
        ("4 โมง", "16:00"),
        ("เจ็ดโมงเช้า", "07:00"),
        ("สองทุ่มครึ่ง", "20:30"),
        ("ตีห้า", "05:00"),
        ("ห้าทุ่มกว่า", "23:00"),
        ("เที่ยง", "12:00"),
        ("เวลา 10.30 น.", "10:30"),
        ("14:00", "14:00"),
        ("3pm", "15:00"),
        ("10:30 am", "10:30"),
        ("12 pm", "12:00"),
        ("12am", "00:00"),
        ("at noon", "12:00"),
        ("at 10", "10:00"),
        ("at 2", "14:00"),
        ("9 o'clock", "09:00"),
    ],
)
def test_a_time_of_day(text: str, value: str) -> None:
    assert [v for _, _, v in load_lexicon().times.find(text)] == [value]


@pytest.mark.parametrize(
    "text",
    [
        # no time: hours of work, midnight's word, an amount, a discount, a bare price
        "ใช้เวลา 2 ชั่วโมง",
        "เที่ยงคืน",
        "at 10%",
        "at 10k",
        "ราคา 10.50 บาท",
        "ตีราคาใหม่",
        "13pm",
    ],
)
def test_no_time_of_day(text: str) -> None:
    assert load_lexicon().times.find(text) == []
