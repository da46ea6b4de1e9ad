"""Which reward a customer's words name."""

from __future__ import annotations

import pytest

from bot.actions import _count_asked, reward_named
from crm_core.models import Reward

CATALOGUE = [
    Reward(
        code="VOUCHER100", name_th="บัตรกำนัล 100 บาท", name_en="THB 100 voucher", points_cost=1000
    ),
    Reward(
        code="VOUCHER500", name_th="บัตรกำนัล 500 บาท", name_en="THB 500 voucher", points_cost=4500
    ),
    Reward(code="COFFEE", name_th="กาแฟฟรี 1 แก้ว", name_en="Free coffee", points_cost=300),
    Reward(code="FREESHIP", name_th="ส่งฟรี 1 ครั้ง", name_en="Free delivery", points_cost=500),
    Reward(code="TOTE", name_th="กระเป๋าผ้า khui", name_en="Canvas tote bag", points_cost=800),
]


@pytest.mark.parametrize(
    ("wanted", "code"),
    [
        # words that name the same as the reward's own
        ("free shipping", "FREESHIP"),
        ("ส่งฟรี", "FREESHIP"),
        ("tote", "TOTE"),
        # the number said picks one of two rewards alike
        ("500 baht", "VOUCHER500"),
        ("the 100 baht voucher", "VOUCHER100"),
        ("฿100 coupon", "VOUCHER100"),
        ("คูปอง 100 บาท", "VOUCHER100"),
        # a number no reward has does not rule them all out
        ("กาแฟ 2 แก้ว", "COFFEE"),
    ],
)
def test_a_reward_is_found_by_words_that_name_it(wanted: str, code: str) -> None:
    found = reward_named(wanted, CATALOGUE)
    assert found is not None and found.code == code


@pytest.mark.parametrize("wanted", ["a coupon", "something nice", "a gift card"])
def test_words_naming_no_one_reward_find_none(wanted: str) -> None:
    assert reward_named(wanted, CATALOGUE) is None


@pytest.mark.parametrize(
    ("wanted", "code"),
    [
        ("the bag", "TOTE"),
        ("กระเป๋า", "TOTE"),
        ("free shipping", "FREESHIP"),
        ("the cold coffee I got", None),
        ("the bag I got was torn", None),
        ("voucher", None),
    ],
)
def test_a_reward_guessed_from_a_message_must_be_all_its_words(
    wanted: str, code: str | None
) -> None:
    found = reward_named(wanted, CATALOGUE, whole=True)
    assert (found.code if found else None) == code


@pytest.mark.parametrize(
    ("wanted", "count"),
    [
        ("บัตรกำนัล 500 บาท 2 ใบ", 2),
        ("กาแฟฟรี 2 แก้ว", 2),
        ("บัตรกำนัล 100 บาท x3", 3),
        ("3 tote bags", 3),
        # a number of the reward's own name counts nothing
        ("กาแฟฟรี 1 แก้ว", 1),
        ("บัตรกำนัล 500 บาท", 1),
        ("500 baht voucher", 1),
    ],
)
def test_how_many_of_a_reward_are_asked_for(wanted: str, count: int) -> None:
    assert _count_asked(wanted) == count
