"""Customer resolution: exact, case-folded, Thai, aliases, ambiguity and scale."""

from __future__ import annotations

from datetime import datetime

from intents import CustomerIndex, CustomerName, ParseContext, parse
from intents.bench import synthetic_customers

CUSTOMERS = [
    CustomerName(1, "Acme Trading"),
    CustomerName(2, "Acme Foods"),
    CustomerName(3, "Siam Paper", ("สยามเปเปอร์", "SPC")),
    CustomerName(4, "ซีพีออลล์"),
    CustomerName(5, "Lotus Garden"),
]
INDEX = CustomerIndex.build(CUSTOMERS)


def test_case_folding_and_typos() -> None:
    assert INDEX.resolve("acme trading").best == CUSTOMERS[0]
    res = INDEX.resolve("Siam Papr")
    assert res.best == CUSTOMERS[2] and not res.ambiguous


def test_alias_and_thai_names() -> None:
    assert INDEX.resolve("spc").best == CUSTOMERS[2]
    assert INDEX.resolve("สยามเปเปอร์").best == CUSTOMERS[2]
    assert INDEX.resolve("ซีพีออล").best == CUSTOMERS[3]


def test_ambiguous_mention_lists_candidates() -> None:
    res = INDEX.resolve("Acme")
    assert res.ambiguous
    assert {c.id for c, _ in res.candidates} == {1, 2}


def test_unknown_mention_has_no_best() -> None:
    assert INDEX.resolve("Zebra Motors").best is None


def test_find_mentions_in_a_message() -> None:
    found = INDEX.find_mentions("ดีลซีพีออลล์ปิดได้แล้ว กับ lotus garden")
    assert [m.resolution.best for m in found] == [CUSTOMERS[3], CUSTOMERS[4]]


def test_hundred_thousand_customers_build_and_resolve() -> None:
    customers = synthetic_customers(100_000)
    index = CustomerIndex.build(customers)
    target = customers[77_777]
    assert index.resolve(target.name).best == target


def test_a_customer_added_to_a_warm_index_is_found_whole() -> None:
    index = CustomerIndex.build(CUSTOMERS)
    ctx = ParseContext(now=datetime(2026, 11, 22, 10), customers=index)
    before = parse("ดีลใหม่ บ้านสวนกาแฟ 20k", ctx)  # the tokeniser is built now
    assert before.slots.get("customer_id") is None
    index.add(CustomerName(9, "บ้านสวนกาแฟ", ("Baan Suan",)))
    after = parse("ดีลใหม่ บ้านสวนกาแฟ 20k", ctx)
    assert after.slots["customer_id"] == 9 and after.slots["customer"] == "บ้านสวนกาแฟ"
    assert index.resolve("baan suan").best == CustomerName(9, "บ้านสวนกาแฟ", ("Baan Suan",))
    assert len(index) == len(CUSTOMERS) + 1


def test_find_mentions_ignores_case_and_punctuation_between_words() -> None:
    for text in ("met SIAM   paper today", "met siam-paper today", "Straße meeting: Siam Paper!"):
        found = INDEX.find_mentions(text)
        assert [m.resolution.best for m in found] == [CUSTOMERS[2]], text
        assert found[0].text.casefold().replace("-", " ").split() == ["siam", "paper"]


def test_the_rest_of_a_name_written_with_a_slip_belongs_to_the_mention() -> None:
    # both are called "Acme" for short
    trading, foods = (
        CustomerName(1, "Acme Trading", ("Acme",)),
        CustomerName(2, "Acme Foods", ("Acme",)),
    )
    index = CustomerIndex.build([trading, foods])
    found = index.find_mentions("new deal Acme Tradng 20k")
    assert [(m.text, m.resolution.best, m.resolution.ambiguous) for m in found] == [
        ("Acme Tradng", trading, False)
    ]
    # the slip says which of the names beginning alike is meant
    assert index.find_mentions("Acme Fods order")[0].resolution.best == foods
    # other words after the short name stay out of it, and it stays ambiguous
    (alone,) = index.find_mentions("Acme tomorrow")
    assert alone.text == "Acme" and alone.resolution.ambiguous


def test_a_word_that_only_begins_like_a_name_is_not_a_mention() -> None:
    assert INDEX.find_mentions("acmes trading desk") == []
    assert INDEX.find_mentions("the lotus gardens") == []
    assert [m.resolution.best for m in INDEX.find_mentions("the SPC order")] == [CUSTOMERS[2]]


def test_a_thai_person_is_found_by_given_name() -> None:
    index = CustomerIndex.build(
        [
            CustomerName(1, "คุณสมศรี ใจดี"),
            CustomerName(2, "วรรณา เจริญผล"),
            CustomerName(3, "สมศรี มีสุข"),
            # a given name that is also an ordinary word ("effort") names no one alone
            CustomerName(4, "มานะ อดทน"),
        ]
    )
    ctx = ParseContext(customers=index)
    called = parse("โทรหาวรรณา ลูกค้าขอแคตตาล็อก", ctx)
    assert (called.slots.get("customer_id"), called.slots.get("note")) == (2, "ลูกค้าขอแคตตาล็อก")
    # two customers share the given name: both are candidates
    both = parse("ข้อมูลลูกค้า สมศรี", ctx)
    assert {c.id for c, _ in both.customer_candidates} == {1, 3}
    assert "customer_id" not in both.slots
    assert [m.text for m in index.find_mentions("ต้องมานะพยายาม")] == []
    # after "คุณ" it is the name ("คุณวิชัย" for "วิชัย รุ่งเรือง": วิชัย is a word too)
    polite = parse("โทรหาคุณมานะแล้ว ลูกค้าขอใบเสนอราคา", ctx)
    assert polite.slots.get("customer_id") == 4 and polite.slots.get("note") == "ลูกค้าขอใบเสนอราคา"
    assert parse("คุณมานะ", ctx).intent == "customer_lookup"
    # "คุณ" closing "ขอบคุณ" before a name is thanks, not the customer
    thanked = parse("ขอบคุณวรรณา", ctx)
    assert thanked.intent == "thanks" and "customer_id" not in thanked.slots


def test_a_shared_word_or_legal_form_names_no_one() -> None:
    index = CustomerIndex.build(
        [
            CustomerName(1, "บริษัท ไทยเฟรช", ("ไทยเฟรช", "Thai Fresh Co., Ltd.")),
            CustomerName(2, "ขอนแก่นการค้า"),
            CustomerName(3, "Acme Trading Co., Ltd."),
            CustomerName(4, "ซีพี ออลล์"),
        ]
    )
    # another business of the same legal form, or sharing a first word, is nobody known
    assert index.resolve("บริษัท ไทยรุ่งเรือง จำกัด").best is None
    assert index.resolve("Thai Rungrueang Co., Ltd.").best is None
    assert index.resolve("ขอนแก่นการยาง").best is None
    # the telling words, a slip in one, or Thai written apart still find the customer
    assert index.resolve("Thai Fresh").best == index.customers[0]
    assert index.resolve("ไทยเฟรช จำกัด").best == index.customers[0]
    assert index.resolve("Acme Tradng").best == index.customers[2]
    assert index.resolve("acme").best == index.customers[2]
    assert index.resolve("ซีพีออลล์").best == index.customers[3]
