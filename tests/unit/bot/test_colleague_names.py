"""Which colleague a staff message names: by Slack mention or first name, never an ordinary
word or a customer's name."""

from __future__ import annotations

import pytest

from bot.colleagues import as_own, first_names, handed_to, more_of, named_colleagues, without
from crm_core.models import Role, Staff

TEAM = [
    Staff(slack_user_id="U1", name="Somchai Sales (สมชาย ขายดี)", role=Role.SALES, active=True),
    Staff(slack_user_id="U2", name="Nattaya Srisuk (ณัฐยา ศรีสุข)", role=Role.SALES, active=True),
    Staff(slack_user_id="U3", name="Pim Support (พิมพ์ ใจเย็น)", role=Role.SUPPORT, active=True),
    Staff(slack_user_id="U4", name="Narin", role=Role.SALES, active=False),
]


def _named(text: str) -> list[str]:
    return [s.slack_user_id for s in named_colleagues(TEAM, text)]


def test_first_names_are_the_first_word_of_each_script() -> None:
    assert first_names(TEAM[0]) == ("Somchai", "สมชาย")
    assert first_names(TEAM[3]) == ("Narin",)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Somchai's pipeline", ["U1"]),
        ("somchai's deals", ["U1"]),
        ("deals owned by somchai", ["U1"]),
        ("how many deals did Somchai win", ["U1"]),
        ("ยอดขายของสมชายเดือนนี้", ["U1"]),
        ("ยอดขายณัฐยาเดือนนี้", ["U2"]),
        ("งานของ Nattaya มีอะไรบ้าง", ["U2"]),
        ("เคสของพิมพ์", ["U3"]),
        ("ตั๋วที่พิมพ์ดูแลอยู่", ["U3"]),
        ("pipeline <@U2>", ["U2"]),
        # the bot's own mention is no one's: the name still counts
        ("<@UBOT> Somchai's pipeline", ["U1"]),
        ("compare Somchai and Nattaya", ["U1", "U2"]),
    ],
)
def test_a_colleague_named_is_found(text: str, named: list[str]) -> None:
    assert _named(text) == named


@pytest.mark.parametrize(
    "text",
    [
        # "พิมพ์" is also "print": only after "ของ", "คุณ" and the like is it Pim
        "พิมพ์รายงานยอดขาย",
        # lower case with nothing around it: a word, not surely a name
        "how many deals did somchai win",
        # a customer's name, said to be one
        "ดีลของลูกค้าสมชาย",
        "deals of customer Somchai",
        # a name inside another word, and a colleague no longer active
        "Somchaiyo's order",
        "Narin's deals",
        # a Slack mention of someone not on the team (the bot) names no one
        "<@UBOT> pipeline this month",
    ],
)
def test_no_colleague_is_read_into_other_words(text: str) -> None:
    assert _named(text) == []


@pytest.mark.parametrize(
    ("customer", "text", "theirs"),
    [
        # the customer's other words said: the customer's
        ("Somchai Prasert", "deals of Somchai Prasert", True),
        ("คุณสมชาย ใจดี", "ดีลของสมชาย ใจดี", True),
        # only the first name they share: the colleague's
        ("Somchai Prasert", "Somchai's deals", False),
        ("คุณสมชาย ใจดี", "ดีลของสมชาย", False),
        # a short word of the customer's name inside another word is not it
        ("Somchai Co", "how many deals did Somchai close", False),
        # another customer named beside the colleague
        ("Lotus Garden", "ask Somchai to visit Lotus Garden", False),
    ],
)
def test_a_customer_named_by_more_than_the_first_name_is_the_customer(
    customer: str, text: str, theirs: bool
) -> None:
    assert more_of(customer, TEAM[0], text) is theirs


@pytest.mark.parametrize(
    ("text", "member", "left"),
    [
        ("Somchai to call", 0, "call"),
        ("ask Nattaya to send the quote", 1, "send the quote"),
        ("remind somchai to call tomorrow", 0, "call tomorrow"),
        ("assign Somchai: visit", 0, "visit"),
        ("ฝากสมชายโทรหา", 0, "โทรหา"),
        ("มอบหมายงานให้ณัฐยา ส่งใบเสนอราคา", 1, "ส่งใบเสนอราคา"),
        ("ให้คุณสมชายช่วยโทรหา", 0, "โทรหา"),
        # the name already gone (read as a customer's): the handing words still go
        ("tell to follow up", 1, "follow up"),
        # words that only look like them stay ("to" of "tomorrow", "ask" inside a word)
        ("call Somchai tomorrow", 0, "call tomorrow"),
        ("task Nattaya asked for", 1, "task asked for"),
    ],
)
def test_a_task_handed_over_loses_the_name_and_the_handing_words(
    text: str, member: int, left: str
) -> None:
    assert without(text, TEAM[member]) == left


@pytest.mark.parametrize(
    ("text", "handed"),
    [
        ("remind Somchai to call Acme", True),
        ("ฝากสมชายโทรหา Acme", True),
        ("assign a task to <@U1>: visit Acme", True),
        ("task for somchai: visit Acme", True),
        # naming a colleague is not handing them the task
        ("remind me to call Somchai", False),
        ("เตือนให้โทรหา Somchai พรุ่งนี้", False),
    ],
)
def test_a_task_is_handed_over_only_with_a_handing_word_before_the_name(
    text: str, handed: bool
) -> None:
    assert handed_to(text, TEAM[0]) is handed


@pytest.mark.parametrize(
    ("text", "member", "own"),
    [
        ("Pim's tickets", 2, "my tickets"),
        ("<@U2>'s deals", 1, "my deals"),
        ("งานพรุ่งนี้ของสมชาย", 0, "งานพรุ่งนี้ของฉัน"),
        ("เคสของคุณพิมพ์", 2, "เคสของฉัน"),
        # no possessive, or another word: as it was
        ("how is Somchai doing", 0, "how is Somchai doing"),
        ("Somchaiya's order", 0, "Somchaiya's order"),
    ],
)
def test_a_colleagues_things_read_as_ones_own(text: str, member: int, own: str) -> None:
    assert as_own(text, TEAM[member]) == own
