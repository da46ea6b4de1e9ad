"""A customer's request naming someone else, known or not, and one naming themself."""

from __future__ import annotations

from typing import Any

import pytest

from bot.own_account import names_someone_else
from crm_core.models import Customer
from intents import CustomerIndex, CustomerName

SOMSRI = Customer(id=1, name="คุณสมศรี ใจดี")
KNOWN = CustomerIndex.build(
    [CustomerName(1, "คุณสมศรี ใจดี"), CustomerName(2, "มาลี ศรีสวัสดิ์"), CustomerName(3, "Malee Wong")]
)


@pytest.mark.parametrize(
    "slots",
    [
        {"customer": "มาลี ศรีสวัสดิ์", "customer_id": 2, "_text": "คุณมาลีมีแต้มกี่แต้มคะ"},
        {"customer": "นิดา", "_text": "คุณนิดามีแต้มกี่แต้มคะ"},  # nobody the store knows
        {"reward": "ของมาลี 100 บาท", "_text": "แลกแต้มของมาลี บัตรกำนัล 100 บาท"},
        {"reward": "กาแฟฟรี", "_text": "แลกกาแฟฟรีให้น้องมาลี"},
        {"_text": "ประวัติแต้มของพี่มาลี"},
        {"_text": "points of มาลี"},
        {"reward": "the mug", "_text": "redeem the mug, Malee Wong wants it"},
    ],
)
def test_a_request_naming_another_person_is_someone_elses(slots: dict[str, Any]) -> None:
    assert names_someone_else(SOMSRI, slots, KNOWN)


@pytest.mark.parametrize(
    "slots",
    [
        {"customer": "คุณสมศรี ใจดี", "customer_id": 1, "_text": "คุณสมศรี มีกี่แต้ม"},
        {"customer": "สมศรี", "_text": "แต้มของสมศรี"},
        {"reward": "ของสมศรี แก้วน้ำ", "_text": "แลกแต้มของสมศรี แก้วน้ำ"},
        {"_text": "แต้มของฉันมีเท่าไหร่"},
        {"_text": "ขอดูแต้มของคุณหน่อย"},
        {"reward": "ของขวัญ", "_text": "แลกแต้มเป็นของขวัญ"},
        # a word that is a given name too, within a sentence: no one called by it
        {"reward": "บัตรกำนัล", "_text": "แลกบัตรกำนัลแล้วให้ส่งไปที่บ้าน"},
        {"_text": "ประวัติแต้มของเดือนนี้"},
        {"_text": "how many points do I have"},
    ],
)
def test_a_request_naming_no_one_or_the_sender_is_their_own(slots: dict[str, Any]) -> None:
    assert not names_someone_else(SOMSRI, slots, KNOWN)
