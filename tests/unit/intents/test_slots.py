"""Slot extractors, table-driven: ids, contacts, amounts, points and dates."""

from __future__ import annotations

import random
import re
from datetime import date
from decimal import Decimal

import pytest

from intents.lexicon import load_lexicon
from intents.slots.dates import alternation
from intents.slots.entities import SpanSet, extract_ids, extract_numbers

TODAY = date(2026, 11, 22)  # a Sunday


def _entities(text: str) -> dict[str, object]:
    spans = SpanSet()
    extract_ids(text, spans)
    load_lexicon().dates.extract(text, TODAY, spans)
    extract_numbers(text, spans)
    return {e.kind: e.value for e in spans.entities}


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("ord-0099 ถึงไหน", "order_id", "ORD-0099"),
        ("TCK-2001 fixed", "ticket_id", "TCK-2001"),
        ("Ticket 2002 อัปเดตยัง", "ticket_id", "TCK-2002"),
        ("tk2003 ปิดได้", "ticket_id", "TCK-2003"),
        ("ORD 1234 where", "order_id", "ORD-1234"),
        ("M-10024 แต้มเท่าไหร่", "member_id", "M-10024"),
        ("member m-10023", "member_id", "M-10023"),
        ("mail me at pim@example.co.th", "email", "pim@example.co.th"),
        ("เบอร์ 081-234-5678", "phone", "0812345678"),
        ("call +66 89 765 4321", "phone", "0897654321"),
        # landlines: Bangkok's 02 and the provinces' nine digits
        ("โทร 02-123-4567", "phone", "021234567"),
        ("tel 053-222-111", "phone", "053222111"),
        ("ร้านเบอร์ 076 312 456", "phone", "076312456"),
    ],
)
def test_ids_and_contacts(text: str, kind: str, value: str) -> None:
    assert _entities(text)[kind] == value


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("ปิดได้ 50k", Decimal(50000)),
        ("budget 1.2M", Decimal(1200000)),
        ("ยอด 1.2 ล้าน", Decimal(1200000)),
        ("ห้าหมื่นบาท", Decimal(50000)),
        ("฿75,000", Decimal(75000)),
        ("THB 1.5k", Decimal(1500)),
        ("Baht 2,500", Decimal(2500)),
        ("2 ล้าน", Decimal(2000000)),
        ("ราคา 500 บาท", Decimal(500)),
        # spoken shorthand: a digit after a magnitude counts the next one down
        ("ยอด 7หมื่น5", Decimal(75000)),
        # a magnitude said first, and its next figure: "แสนห้า", "ล้านครึ่ง"
        ("ดีลใหม่ แสนห้า", Decimal(150000)),
        ("ล้านครึ่ง", Decimal(1500000)),
        ("ปิดได้ หมื่นสองค่ะ", Decimal(12000)),
        # English magnitudes and the short Thai baht
        ("45 thousand baht", Decimal(45000)),
        ("2 million", Decimal(2000000)),
        ("45000บ.", Decimal(45000)),
        ("ได้ 2 แสน 5", Decimal(250000)),
        ("1 ล้าน 2 บาท", Decimal(1200000)),
        ("3 พัน 5", Decimal(3500)),
        ("เจ็ดหมื่นห้า", Decimal(75000)),
        ("สองแสนห้าบาท", Decimal(250000)),
        ("เจ็ดหมื่นห้าพันบาท", Decimal(75000)),
        # a digit word after a magnitude counts the next one down, "ครึ่ง" is half, and
        # number words with a place say the rest; run on after a word, too
        ("ดีล Acme 2 แสนห้า", Decimal(250000)),
        ("1 ล้านครึ่ง", Decimal(1500000)),
        ("ได้ 3 หมื่นห้าค่ะ", Decimal(35000)),
        ("เป็น 3 แสนห้าพัน", Decimal(305000)),
        ("1 ล้านสองแสนห้า", Decimal(1250000)),
        ("ราคาแสนห้าค่ะ", Decimal(150000)),
        ("2 แสนสิบ", Decimal(200000)),
        # a digit counting something else is no part of the amount
        ("2 แสน 5 ปี", Decimal(200000)),
        ("5 หมื่นห้าชิ้น", Decimal(50000)),
        ("2 แสน 50 ชิ้น", Decimal(200000)),
    ],
)
def test_amounts(text: str, amount: Decimal) -> None:
    assert _entities(text)["amount"] == amount


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("เพิ่ม 500 แต้ม", 500),
        # words give the sign only once the intent is known (an adjustment's points)
        ("หัก 200 แต้ม", 200),
        ("-250 points", -250),
        ("deduct 90 points", 90),
        ("give 1,000 bonus points", 1000),
        ("คะแนน 300", 300),
        ("PTS 40 please", 40),
        ("2 หมื่นพอยท์", 20000),
        # spoken: a digit after a place counts the next one down, places add up, words count
        ("เพิ่ม 1 พัน 5 แต้ม", 1500),
        ("1พัน5ร้อยแต้ม", 1500),
        ("2 หมื่น 5 พัน แต้ม", 25000),
        ("5 ร้อย 5 แต้ม", 550),
        ("สมศรี 1 พัน 5 ร้อย 20 แต้ม", 1520),
        ("1 พัน 250 แต้ม", 1250),
        ("-1 พัน 2 แต้ม", -1200),
        ("เพิ่มสองพันแต้มให้", 2000),
        # a digit word, "ครึ่ง" or number words after the last place
        ("เพิ่ม 1 พันห้าแต้มให้สมศรี", 1500),
        ("1 พันห้าร้อยแต้ม", 1500),
        ("5 ร้อยห้าสิบแต้ม", 550),
        ("2 พันครึ่งแต้ม", 2500),
        ("มีอยู่ประมาณห้าพันแต้ม", 5000),
    ],
)
def test_points(text: str, points: int) -> None:
    assert _entities(text)["points"] == points


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("พรุ่งนี้", date(2026, 11, 23)),
        ("มะรืน", date(2026, 11, 24)),
        ("วันจันทร์หน้า", date(2026, 11, 23)),
        ("next week", date(2026, 11, 23)),
        ("this friday", date(2026, 11, 27)),
        ("15 Dec", date(2026, 12, 15)),
        ("30 พ.ย.", date(2026, 11, 30)),
        ("25 ธ.ค. 2569", date(2026, 12, 25)),
        ("2027-01-05", date(2027, 1, 5)),
        ("ส่งภายใน 15/12", date(2026, 12, 15)),
        ("1/2/2570", date(2027, 2, 1)),
        ("in 3 days", date(2026, 11, 25)),
        # month edges: the last or first day of a month
        ("สิ้นเดือนนี้", date(2026, 11, 30)),
        ("ปลายเดือนหน้า", date(2026, 12, 31)),
        ("ต้นเดือนหน้า", date(2026, 12, 1)),
        ("ต้นเดือน", date(2026, 12, 1)),
        ("ปิดสิ้นเดือนกุมภา", date(2027, 2, 28)),
        ("by month end", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
        ("end of January", date(2027, 1, 31)),
        ("early march", date(2027, 3, 1)),
        # the middle of a month is its 15th; one already past means the next month's
        ("กลางเดือนหน้า", date(2026, 12, 15)),
        ("กลางเดือนนี้", date(2026, 12, 15)),
        ("ปิดกลางเดือนมีนา", date(2027, 3, 15)),
        ("mid-January", date(2027, 1, 15)),
        ("by mid month", date(2026, 12, 15)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert _entities(text)["date"] == expected


@pytest.mark.parametrize("text", ["the end of the meeting", "start of the call went well"])
def test_edge_words_alone_are_no_date(text: str) -> None:
    assert "date" not in _entities(text)


def test_factored_word_alternation_matches_as_a_longest_first_list() -> None:
    rng = random.Random(5)
    for _ in range(200):
        words = {"".join(rng.choice("abก") for _ in range(rng.randint(1, 4))) for _ in range(6)}
        longest_first = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        factored = alternation(list(words))
        for _ in range(10):
            text = "".join(rng.choice("abก x") for _ in range(rng.randint(0, 15)))
            # a word must end before a space or "x": later parts make the match back off
            for tail in ("", r"(?=[ x]|$)", "x"):
                expected = [m.span() for m in re.finditer(f"({longest_first}){tail}", text)]
                found = [m.span() for m in re.finditer(f"({factored}){tail}", text)]
                assert found == expected, (words, text, tail)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "เมื่อ" before a weekday: the latest one before today (a Sunday)
        ("โทรหาเขาเมื่อวันจันทร์", date(2026, 11, 16)),
        ("เมื่อวันเสาร์", date(2026, 11, 21)),
        ("เมื่อ วันอาทิตย์", date(2026, 11, 15)),
        # without it, the next one
        ("วันจันทร์", date(2026, 11, 23)),
    ],
)
def test_a_weekday_said_past_is_the_latest_before_today(text: str, expected: date) -> None:
    assert _entities(text)["date"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "เมื่อ" before a day: the latest such day, not the next (today is Sunday 22 Nov)
        ("โทรหาคุณมาลีเมื่อ 20 พ.ย.", date(2026, 11, 20)),
        ("เมื่อวันที่ 25 ธ.ค.", date(2025, 12, 25)),
        ("เมื่อ 23/11", date(2025, 11, 23)),
        ("เมื่อวันที่ 20", date(2026, 11, 20)),
        ("เมื่อวันที่ 28", date(2026, 10, 28)),
        # a year said is that year
        ("เมื่อ 25 ธ.ค. 2569", date(2026, 12, 25)),
        # days back
        ("เมื่อวานซืน", date(2026, 11, 20)),
        ("the day before yesterday", date(2026, 11, 20)),
        ("โทรหา Acme เมื่อ 3 วันก่อน", date(2026, 11, 19)),
        ("2 สัปดาห์ที่แล้ว", date(2026, 11, 8)),
        ("called Acme 2 days ago", date(2026, 11, 20)),
        # without "เมื่อ", the next such day
        ("20 พ.ย.", date(2027, 11, 20)),
    ],
)
def test_a_day_said_past_is_the_latest_such_day(text: str, expected: date) -> None:
    assert _entities(text)["date"] == expected


def test_days_before_something_else_are_no_day_back() -> None:
    assert "date" not in _entities("ส่งของ 3 วันก่อนส่งมอบ")


@pytest.mark.parametrize(
    "text", ["Acme ordered 2 thousand units", "we sold 2 million cups", "แก้ว พันสอง ใบ"]
)
def test_a_magnitude_counting_things_is_no_amount(text: str) -> None:
    assert "amount" not in _entities(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        # places one after another add up
        ("2 หมื่น 5 ร้อย", Decimal(20500)),
        ("1 ล้าน 2 แสน", Decimal(1200000)),
        # a digit counting branches, or before a day named, as said
        ("5 แสน 3 สาขา", Decimal(500000)),
        ("7หมื่น5 วันนี้", Decimal(75000)),
    ],
)
def test_spoken_amounts_beside_other_numbers(text: str, amount: Decimal) -> None:
    assert _entities(text)["amount"] == amount
