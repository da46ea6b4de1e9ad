"""Answers to "is this about TCK-2001, still open, or something new?" read by their words."""

from __future__ import annotations

import pytest

from bot.ticket_choice import NEW, SAME, meant, vocabulary

SUBJECT = "แก้วที่ส่งมาแตก / Mug arrived broken"


@pytest.mark.parametrize(
    "answer",
    [
        "เรื่องเดิมค่ะ",
        "อันเดิม",
        "เรื่องเก่าค่ะ",
        "เป็นเรื่องเดิมเลยค่ะ",
        "เรื่องเดียวกันค่ะ",
        "อันนั้นแหละ",
        "เรื่องที่แจ้งไปก่อนหน้านี้",
        "ใช่ เรื่องเดิม",
        "the same one",
        "it's the same one",
        "the old one",
        "that one",
        "the one I reported",
        "yes, the existing one",
    ],
)
def test_words_meaning_the_same_one_choose_the_open_ticket(answer: str) -> None:
    assert meant(answer, SUBJECT) == SAME


@pytest.mark.parametrize("answer", ["เรื่องแก้วแตกค่ะ", "แก้วแตก", "the broken mug one", "mug"])
def test_words_naming_the_open_tickets_subject_choose_it(answer: str) -> None:
    assert meant(answer, SUBJECT) == SAME


@pytest.mark.parametrize(
    "answer",
    [
        "เรื่องใหม่",
        "อีกเรื่อง",
        "อีกเรื่องค่ะ",
        "คนละเรื่องค่ะ",
        "เรื่องอื่นนะคะ",
        "ปัญหาใหม่ค่ะ",
        "new",
        "a new one",
        "another",
        "another one",
        "something else",
        "a different one",
    ],
)
def test_words_meaning_another_problem_choose_a_new_ticket(answer: str) -> None:
    assert meant(answer, SUBJECT) == NEW


@pytest.mark.parametrize(
    "answer",
    [
        "อะไรนะ",
        "ไม่แน่ใจ",
        "ไม่ใช่เรื่องเดิม",
        "แก้วใบใหม่ก็แตก",  # a new mug, broken too: both at once
        "ของที่ส่งมาใช้ไม่ได้",
        "this one",
        "hmm",
        "the",
        "",
    ],
)
def test_words_telling_neither_choose_nothing(answer: str) -> None:
    assert meant(answer, SUBJECT) is None


def test_no_word_means_both_the_same_ticket_and_a_new_one() -> None:
    assert not vocabulary("ticket_same") & vocabulary("ticket_new")
