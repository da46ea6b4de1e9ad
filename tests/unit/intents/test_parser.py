"""The parser on the labelled corpus: accuracy floors per language and exact slots."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from intents import CustomerIndex, CustomerName, ParseContext, parse
from intents.evaluation import evaluate
from intents.freetext import FREE_TEXT_SLOTS
from intents.lexicon import load_lexicon
from intents.matchers import score_intent
from intents.parser import prepare

DATA = Path(__file__).resolve().parents[2] / "data"
LANG_DATA = Path(__file__).resolve().parents[3] / "intents" / "data"
NOW = datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Bangkok"))
# Regression floors just under the measured accuracy per language group (Thai = th + mix,
# English); the issue target is 0.97.
ACCURACY_FLOOR = {"thai": 0.95, "en": 0.965}
SLOT_FLOOR = 0.95
# The second-author hold-out (tests/data/README.md): unseen phrasings, so a lower floor.
HOLDOUT_FLOOR = {"thai": 0.90, "en": 0.85}


def test_accuracy_floor_per_language_on_the_test_split() -> None:
    report = evaluate(DATA / "intents_test.jsonl", ParseContext(now=NOW))
    for group, floor in ACCURACY_FLOOR.items():
        assert report.by_group[group] >= floor, report.render()


def test_language_groups_count_code_switched_rows_with_thai(tmp_path: Path) -> None:
    rows = [
        {"text": "ขอบคุณมากค่ะ", "intent": "thanks", "lang": "th"},
        {"text": "ORD-1234 ส่งถึงไหนแล้วคะ", "intent": "order_status", "lang": "th"},
        {"text": "thank you so much", "intent": "thanks", "lang": "en"},
        # labelled wrongly on purpose: the one miss, in the code-switched row
        {"text": "ขอบคุณ for the help", "intent": "greeting", "lang": "mix"},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = evaluate(path, ParseContext(now=NOW))
    assert report.by_lang == {"th": 1.0, "en": 1.0, "mix": 0.0}
    assert report.by_group == pytest.approx({"thai": 2 / 3, "en": 1.0})
    assert "Thai (th+mix) 0.667  English 1.000" in report.render()


def test_accuracy_floor_per_language_on_the_second_author_holdout() -> None:
    report = evaluate(DATA / "intents_holdout.jsonl", ParseContext(now=NOW))
    for group, floor in HOLDOUT_FLOOR.items():
        assert report.by_group[group] >= floor, report.render()
    assert report.oos_recall is not None and report.oos_recall >= 0.95, report.render()


def test_slot_exact_match_on_slot_cases() -> None:
    """Every listed slot has its value and no other slot is filled (free text, a deal's
    reason too, is compared only where a case lists it: the remaining words are not part of
    the contract)."""
    rows = [json.loads(line) for line in (DATA / "slot_cases.jsonl").read_text().splitlines()]
    misses: list[str] = []
    for row in rows:
        result = parse(row["text"], ParseContext(now=datetime.fromisoformat(row["now"])))
        slots = {
            k: v
            for k, v in result.to_json()["slots"].items()
            if k in row["slots"] or k not in (*FREE_TEXT_SLOTS, "reason")
        }
        if slots != row["slots"]:
            misses.append(f"{row['text']}: {slots}")
    assert 1 - len(misses) / len(rows) >= SLOT_FLOOR, "\n".join(misses)


def test_issue_example_with_a_customer_store() -> None:
    index = CustomerIndex.build([CustomerName(7, "Acme Trading"), CustomerName(8, "Acme Foods")])
    out = parse("ดีล Acme Trading ปิดได้แล้ว 80k", ParseContext(now=NOW, customers=index))
    assert out.to_json()["intent"] == "deal_update"
    assert out.to_json()["slots"] == {
        "amount": 80000,
        "stage": "won",
        "customer": "Acme Trading",
        "customer_id": 7,
    }


def test_unrelated_text_is_out_of_scope_with_alternatives_shape() -> None:
    out = parse("what's the weather in Paris", ParseContext(now=NOW)).to_json()
    assert out["intent"] == "out_of_scope"
    assert set(out) == {"text", "lang", "intent", "confidence", "slots", "alternatives"}


@pytest.mark.parametrize("text", ["cancel my flight reservation", "yes I want to book a trip"])
def test_dialogue_acts_need_the_whole_message(text: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent not in {"cancel", "confirm"}


@pytest.mark.parametrize(
    ("text", "intent", "note"),
    [
        # a call or meeting dated after today is a plan: a task, not a logged interaction
        ("โทรหา Acme พรุ่งนี้", "task_create", "โทรหา"),
        ("call Somchai tomorrow", "task_create", "call"),
        ("send the quote to Acme on Friday", "task_create", "send the quote"),
        # ... unless the message says it happened; then a date ahead is the customer's
        # promise, which stays in the note, and the interaction is dated when it is logged
        ("เพิ่งวางสายกับ Sunrise Bakery เขาจะโอนมัดจำพรุ่งนี้", "log_interaction", "เขาจะโอนมัดจำพรุ่งนี้"),
        (
            "spoke with Northstar Logistics, decision next week",
            "log_interaction",
            "decision next week",
        ),
        ("called Acme yesterday about pricing", "log_interaction", "pricing"),
    ],
)
def test_a_future_interaction_is_a_task(text: str, intent: str, note: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == intent
    if note is not None:
        assert out.slots["note"] == note
    if intent == "task_create":
        assert out.slots.get("due_date") is not None
    else:
        assert out.slots.get("date") is None or out.slots["date"] <= NOW.date()


@pytest.mark.parametrize(
    ("text", "note"),
    [
        # after "remind me to" the words are the task, even words that name a command
        ("remind me to send the tasks list", "send the tasks list"),
        ("remind me to create a deal for Acme next week", "create a deal"),
        ("อย่าลืมส่งรายการงานให้ Siam Paper พรุ่งนี้", "ส่งรายการงาน"),
        # the lead itself is never part of the note
        ("dont forget to call Siam Paper friday", "call"),
        # without such a lead, command words still go
        ("add a task: call Acme tomorrow", "call"),
        # a word that gives the topic stays after the customer's name is taken out
        ("remind me to call Acme next tuesday about the renewal", "call about the renewal"),
        ("add task: call Siriporn about her new address", "call about her new address"),
        # a priority given as a clause of its own after the task is no part of it
        (
            "remind me to send the contract to Orchid Spa next Monday, high priority",
            "send the contract",
        ),
        ("อย่าลืมส่งสัญญาให้ Orchid Spa วันจันทร์หน้า, ด่วน", "ส่งสัญญา"),
    ],
)
def test_the_words_after_remind_me_to_are_the_note(text: str, note: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("note")) == ("task_create", note)


@pytest.mark.parametrize(
    "text",
    [
        "my tasks",
        "show my tasks",
        "งานของฉัน",
        # a day or a question word makes no task of it ("due", "งาน" were task titles)
        "งานพรุ่งนี้มีอะไรบ้าง",
        "งานค้างของฉันมีกี่งาน",
        "tasks due tomorrow",
        "any tasks due today?",
        "what do I have due this week",
    ],
)
def test_asking_for_my_tasks_names_no_new_task(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "task_create" and "note" not in out.slots and out.slots.get("list")


def test_a_task_that_names_tasks_is_still_added() -> None:
    out = parse("remind me to send the tasks list", ParseContext(now=NOW))
    assert out.slots.get("note") == "send the tasks list" and "list" not in out.slots


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("เพิ่ม 500 แต้มให้คุณสมศรี ชดเชย", "ชดเชย"),
        ("add 500 points to Somsri as compensation", "compensation"),
    ],
)
def test_the_reason_for_a_points_adjustment_is_its_note(text: str, reason: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "loyalty_adjust" and reason in str(out.slots["note"])


@pytest.mark.parametrize(
    ("text", "segment"),
    [
        ("ลูกค้ากลุ่ม at risk มีใครบ้าง", "at_risk"),
        ("who is in the can't lose them segment", "cant_lose_them"),
        ("how many loyal customers do we have", "loyal"),
        ("how many customers are hibernating", "hibernating"),
    ],
)
def test_a_question_about_a_segment_is_never_a_campaign(text: str, segment: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent != "campaign_send"
    if out.intent == "report":
        assert out.slots["segment"] == segment


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # one phrase fills one slot: "new customers" is the customers report, not a segment
        ("ลูกค้าใหม่เดือนนี้กี่ราย", {"report_kind": "customers", "period": "this_month"}),
        ("how many new customers are there", {"report_kind": "customers"}),
        # a phrase that fills this slot alone wins over one another slot could take
        (
            "ยอดขายลูกค้าใหม่เดือนนี้",
            {"report_kind": "sales", "segment": "new_customers", "period": "this_month"},
        ),
        # a close date named is not a won stage
        (
            "เลื่อนปิดดีล Mango Tree Spa เป็นมะรืนนี้",
            {"customer": "Mango Tree Spa", "close_date": "2026-11-24"},
        ),
        # a target close date is not a won deal either
        ("ดีล Acme น่าจะปิดได้ภายใน 15 ธ.ค.", {"customer": "Acme", "close_date": "2026-12-15"}),
        # a new customer takes a tier, never an RFM segment
        ("ลูกค้าใหม่ Orchid Spa ระดับโกลด์", {"customer": "Orchid Spa", "segment": "gold"}),
        ("add new customer Orchid Spa", {"customer": "Orchid Spa"}),
    ],
)
def test_vocabulary_slots_take_the_phrase_meant(text: str, slots: dict[str, str]) -> None:
    assert parse(text, ParseContext(now=NOW)).to_json()["slots"] == slots


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        # a won or lost cue with a plan or a deadline still ahead sets a target, not the stage
        ("ปิดดีล Acme ภายในสิ้นเดือนนี้", None),
        ("ต้องปิดดีล Acme ก่อนสิ้นเดือน", None),
        ("ปิดดีล Acme ให้ได้ภายใน 15 ธ.ค.", None),
        ("ปิดดีล Acme ภายใน 3 วัน", None),
        ("ยังไม่ได้ปิดดีล Acme", None),
        ("we should win the Acme deal by Friday", None),
        ("Acme deal will be won next week", None),
        ("the Acme deal is not yet won", None),
        ("รอ Acme ออก PO", None),
        # a won word that says nothing of when, with a date ahead, is a plan
        ("ปิดดีล Acme สัปดาห์หน้า", None),
        ("เซ็นสัญญา Acme วันศุกร์นี้", None),
        # news stays news, whatever else the message plans
        ("ปิดดีล Acme ได้แล้ว 50k", "won"),
        ("ปิดดีล Acme ได้แล้ว ต้องส่งของภายในวันศุกร์", "won"),
        ("we won Acme, go-live next Monday", "won"),
        ("ลูกค้ายกเลิกดีล Acme", "lost"),
        ("ปิดดีล Acme ได้แล้ว รอโอนเงิน", "won"),
        # a purchase order is the win
        ("ลูกค้า Acme confirm PO แล้ว 150k", "won"),
        ("got the PO from Acme, 150k", "won"),
    ],
)
def test_a_plan_to_win_a_deal_is_no_won_stage(text: str, stage: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "deal_update"
    assert out.slots.get("stage") == stage


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # a plan keeps its date as the close date
        ("ปิดดีล Acme สัปดาห์หน้า", {"stage": None, "close_date": "2026-11-23"}),
        # news: a date ahead is another thing's, never a won deal's close date
        ("Acme deal won, delivery next week", {"stage": "won", "close_date": None}),
        ("ดีล Acme ปิดได้แล้ว ส่งของสัปดาห์หน้า", {"stage": "won", "close_date": None}),
        # a date already past is when it was won
        ("ปิดดีล Acme เมื่อวาน 80k", {"stage": "won", "close_date": "2026-11-21"}),
    ],
)
def test_a_won_deal_never_closes_ahead(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW)).to_json()["slots"]
    assert {k: out.get(k) for k in slots} == slots


@pytest.mark.parametrize(
    ("text", "consent"),
    [
        # a negation right before an opt-in phrase opts out
        ("ไม่ต้องส่งโปรมาแล้วนะคะ", "opt_out"),
        ("อย่าส่งโปรมาอีกนะ", "opt_out"),
        ("ไม่ต้องแจ้งข่าวสารแล้วค่ะ", "opt_out"),
        ("don't send me promotions anymore", "opt_out"),
        ("I don't want to receive newsletters", "opt_out"),
        # without one it stays an opt-in
        ("ช่วยส่งโปรมาด้วยค่ะ", "opt_in"),
        ("send me promotions please", "opt_in"),
        ("I want to receive news again", "opt_in"),
    ],
)
def test_a_negated_opt_in_is_an_opt_out(text: str, consent: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("consent")) == ("consent_update", consent)


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("ไม่ต้องรีบ ส่งใบเสนอราคาให้ Acme สัปดาห์หน้า", "low"),
        ("ticket TCK-1200 no longer urgent", "low"),
        # a value named outright wins over the opposite of the negated one
        ("TCK-3414 ความสำคัญปกติพอ ไม่ต้องด่วน", "normal"),
        ("ด่วน เปิดเคสให้ Acme เครื่องเสีย", "urgent"),
    ],
)
def test_a_negated_priority_is_not_that_priority(text: str, priority: str) -> None:
    assert parse(text, ParseContext(now=NOW)).slots.get("priority") == priority


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("เพิ่ม 1.5k แต้มให้ M-10023", 1500),
        ("add 2k points to Acme", 2000),
        ("เพิ่ม 2 หมื่นแต้มให้ Acme", 20000),
        # points are whole: a fraction is never cut down to one silently
        ("เพิ่ม 1.5 แต้ม Acme", None),
    ],
)
def test_points_take_a_magnitude(text: str, points: int | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("points")) == ("loyalty_adjust", points)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a single word hints at the report when no phrase named it
        ("how are tickets looking this week", "tickets"),
        ("ticket ค้างเกิน SLA มีกี่ใบ", "tickets"),
        ("แต้มคงค้างทั้งระบบตอนนี้เท่าไหร่", "loyalty"),
        ("how many calls did we make this week", "interactions"),
        # a phrase still wins over a hint
        ("สรุปยอดขายเคสนี้วันนี้", "sales"),
        ("report for this month", None),
    ],
)
def test_a_word_hints_at_the_report_kind(text: str, kind: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("report_kind")) == ("report", kind)


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("ลูกค้า gold มีใครบ้าง", "gold"),
        ("show me everyone on the gold tier", "gold"),
        ("list the platinum members", "platinum"),
        ("สมาชิกระดับซิลเวอร์มีใครบ้าง", "silver"),
    ],
)
def test_who_is_in_a_tier_is_a_report_on_that_tier(text: str, tier: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("segment")) == ("report", tier)


def test_a_campaign_needs_a_word_that_sends() -> None:
    lexicon = load_lexicon()
    spec = lexicon.intents["campaign_send"]
    asked = prepare("ลูกค้ากลุ่ม at risk มีใครบ้าง", ParseContext(now=NOW)).analysis
    told = prepare("แจ้งลูกค้ากลุ่ม at risk ว่ามีส่วนลด", ParseContext(now=NOW)).analysis
    assert score_intent(spec, asked) == 0.0
    assert score_intent(spec, told) > 0.0


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("แต้มคุณสมศรี", {"customer": "สมศรี"}),
        ("เพิ่ม 200 แต้มให้คุณสมศรี ชดเชย", {"customer": "สมศรี", "note": "ชดเชย", "points": 200}),
        ("เปิดเคสให้คุณสมศรี ของแตก", {"customer": "สมศรี", "description": "ของแตก"}),
        # stopwords run together end the name; a name that looks like two is still one
        ("ต้องปิดดีลกับคุณสมศรีให้ได้ 2 ล้าน", {"customer": "สมศรี"}),
        ("หาเบอร์คุณมานะหน่อย", {"customer": "มานะ"}),
        # a known given name ends where a common word runs on; a space ends a name unless a
        # known family name follows
        ("เพิ่มแต้ม 500 ให้คุณสมศรีซื้อครบ 5000", {"customer": "สมศรี", "note": "ซื้อครบ 5000"}),
        ("เพิ่มแต้ม 500 ให้คุณสมศรี ซื้อครบ 5000", {"customer": "สมศรี", "note": "ซื้อครบ 5000"}),
        ("เตือนโทรหาคุณวีระอีกรอบพรุ่งนี้", {"customer": "วีระ"}),
        # the family name keeps the space it was written with: the new customer is named so
        ("ลูกค้าใหม่ชื่อ บุษบา ทองดี เบอร์ 0633339999", {"customer": "บุษบา ทองดี"}),
        ("เปิดลูกค้าใหม่ คุณวิภา ศรีสุข 0812223333", {"customer": "วิภา ศรีสุข"}),
        ("แต้มคุณสมศรีใจดีเหลือเท่าไหร่", {"customer": "สมศรีใจดี"}),
        # a company name that begins with a given name stays whole
        ("ลูกค้าใหม่ชื่อ นครทูลส์ เบอร์ 0899990000", {"customer": "นครทูลส์"}),
        # question and function words after "ดีล" are no name; a month is no company
        ("ดีลไหนจะปิดเดือนนี้บ้าง", {"customer": None}),
        ("ดีลที่จะปิดสัปดาห์หน้า", {"customer": None}),
        ("Acme signed! 80k, starting January", {"customer": "Acme"}),
    ],
)
def test_a_thai_name_after_an_honorific_is_the_customer(
    text: str, slots: dict[str, object]
) -> None:
    out = parse(text, ParseContext(now=NOW)).to_json()["slots"]
    assert {k: out.get(k) for k in slots} == slots


@pytest.mark.parametrize(
    ("text", "intent", "customer"),
    [
        # a Thai name after a customer, deal or call phrase is all the words written together
        ("ลูกค้าใหม่ ร้านกาแฟบ้านสวน เบอร์ 0812345678", "customer_create", "ร้านกาแฟบ้านสวน"),
        ("สร้างลูกค้า คลินิกหมอฟันยิ้มสวย เบอร์ 021234567", "customer_create", "คลินิกหมอฟันยิ้มสวย"),
        ("โทรหาร้านกาแฟบ้านสวนเมื่อวาน ลูกค้าขอใบเสนอราคา", "log_interaction", "ร้านกาแฟบ้านสวน"),
        ("ดีลใหม่ สมใจการค้า 80k ปิดสิ้นเดือน", "deal_create", "สมใจการค้า"),
        # "ชื่อ" is no name; a bare business word takes the words after one space, and a
        # business's name runs on to its legal ending
        (
            "เพิ่มลูกค้าใหม่ชื่อ บริษัท สยามเทคโนโลยี จำกัด อีเมล info@siamtech.co.th",
            "customer_create",
            "บริษัท สยามเทคโนโลยี จำกัด",
        ),
        ("new customer: บริษัท ทองดี ค้าไม้ จำกัด", "customer_create", "บริษัท ทองดี ค้าไม้ จำกัด"),
        ("ลูกค้า บริษัท สหมิตรการเกษตร เป็นใคร", "customer_lookup", "บริษัท สหมิตรการเกษตร"),
        # a named shop takes no more words after a space
        ("new deal ร้านป้าแดง 12k", "deal_create", "ร้านป้าแดง"),
        # a business written apart is the customer, not the ordinary words after the cue,
        # and a business word that is itself the cue stays in the name
        ("มีลูกค้าใหม่ติดต่อมา ร้านข้าวมันไก่ป้าแดง", "customer_create", "ร้านข้าวมันไก่ป้าแดง"),
        ("ขอเพิ่มลูกค้าเข้าระบบ คลินิกยิ้มใส อีเมล hi@yimsai.co.th", "customer_create", "คลินิกยิ้มใส"),
        ("ลูกค้าใหม่ที่เพิ่งเจอ ร้านหนังสือดอกหญ้า", "customer_create", "ร้านหนังสือดอกหญ้า"),
        (
            "เพิ่มลูกค้าใหม่ให้หน่อย บริษัท ไทยรุ่งเรือง จำกัด เบอร์ 0891234567",
            "customer_create",
            "บริษัท ไทยรุ่งเรือง จำกัด",
        ),
        (
            "ประชุมกับฝ่ายจัดซื้อ บริษัท รุ่งโรจน์พาณิชย์ ขอส่วนลดเพิ่ม",
            "log_interaction",
            "บริษัท รุ่งโรจน์พาณิชย์",
        ),
        # a business word inside other words names nobody
        ("โทรหาลูกค้าแล้ว เรื่องร้านสาขาใหม่", "log_interaction", None),
        # "การ" inside a name written as one is part of it ("Khon Kaen Rubber")
        ("ลูกค้าใหม่ เชียงใหม่การพิมพ์ เบอร์ 0851112222", "customer_create", "เชียงใหม่การพิมพ์"),
        # a customer phrase ending in a business word: the word begins the name
        ("เช็คประวัติบริษัท สยามวัสดุ ให้หน่อย", "customer_lookup", "บริษัท สยามวัสดุ"),
        ("โทรหาบริษัท ศรีสมบูรณ์ แล้ว ลูกค้ายังไม่ตัดสินใจ", "log_interaction", "บริษัท ศรีสมบูรณ์"),
    ],
)
def test_a_thai_business_name_is_taken_whole(text: str, intent: str, customer: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("customer")) == (intent, customer)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # a word naming a slot the intent takes is no note: "stage", "ขั้น", "บันทึกการ…"
        ("new deal Lanna Crafts 45k stage qualified", {"stage": "qualified", "note": None}),
        (
            "open a deal for Lanna Crafts, 60k, at proposal stage",
            {"stage": "proposal", "note": None},
        ),
        ("เพิ่มดีลใหม่ Lanna Crafts 300k ขั้น qualified", {"stage": "qualified", "note": None}),
        (
            "บันทึกการประชุม Lanna Crafts ขอเลื่อนส่งของ",
            {"interaction_type": "meeting", "customer": "Lanna Crafts", "note": "เลื่อนส่งของ"},
        ),
    ],
)
def test_words_naming_a_slot_stay_out_of_the_note(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW)).to_json()["slots"]
    assert {k: out.get(k) for k in slots} == slots


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # a task's time of day is the helper slot time, and no part of its note
        ("เตือนโทรหา Acme พรุ่งนี้บ่ายสอง", {"time": "14:00", "note": "โทรหา", "due_date": "2026-11-23"}),
        ("remind me to call Acme back at 2pm tomorrow", {"time": "14:00", "note": "call back"}),
        ("ตั้งเตือนพรุ่งนี้ 9 โมง โทรหา Golden Dragon", {"time": "09:00", "note": "โทรหา"}),
        ("เตือนฉันโทรหาคุณเพ็ญศรีตอนสิบโมงวันเสาร์", {"time": "10:00", "note": "โทรหา"}),
        # a number that is no time stays in the note
        ("remind me to order 10 boxes tomorrow", {"time": None, "note": "order 10 boxes"}),
        # one ordinary word after a cue is nobody's name
        ("เตือน 7 โมงเช้า ประชุมทีม", {"time": "07:00", "customer": None, "note": "ประชุมทีม"}),
    ],
)
def test_a_task_keeps_its_time_of_day(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "task_create"
    assert {k: out.to_json()["slots"].get(k) for k in slots} == slots


def test_a_time_of_day_is_read_only_for_a_task() -> None:
    # the same words in an interaction's note stay there
    out = parse("โทรหา Acme แล้ว นัดคุยต่อบ่ายสอง", ParseContext(now=NOW))
    assert out.intent == "log_interaction" and "time" not in out.slots
    assert "บ่ายสอง" in str(out.slots.get("note"))


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # after a colon comes the record itself: its words stay, and name no type
        (
            "log call with Siam Paper: they will email the PO",
            {"interaction_type": "call", "note": "they will email the PO"},
        ),
        (
            "add note to Acme: prefers LINE over email",
            {"interaction_type": "note", "note": "prefers LINE over email"},
        ),
        # nothing named before the colon: the record's own word is the type
        ("Acme: called, they want a quote", {"interaction_type": "call"}),
        # a clock's colon is no record's
        ("meeting at 14:00 with Acme, they liked it", {"interaction_type": "meeting"}),
    ],
)
def test_a_record_after_a_colon_is_kept_whole(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "log_interaction"
    assert {k: out.to_json()["slots"].get(k) for k in slots} == slots


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("เพิ่งโทรคุยกับลูกค้า เค้าสนใจชาไทย 100 กล่อง", "call"),
        ("คุยกับ Lotus Garden ทางไลน์ ลูกค้าขอเลื่อนติดตั้ง", "chat"),
        ("คุยกับ Lotus Garden ทางโทรศัพท์ เขาจะตัดสินใจสัปดาห์หน้า", "call"),
        ("แจ้ง Lotus Garden ทางอีเมลแล้ว", "email"),
    ],
)
def test_how_a_customer_was_reached_is_the_interaction_type(text: str, kind: str) -> None:
    customers = CustomerIndex([CustomerName(4, "Lotus Garden", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert out.intent == "log_interaction" and out.slots.get("interaction_type") == kind
    # the way it was reached is no part of the note
    assert "ทาง" not in str(out.slots.get("note", ""))


@pytest.mark.parametrize(
    ("text", "slot", "day", "note"),
    [
        ("ดีลใหม่ Niran 45000 บาท ปิดวันที่ 20 ธันวา", "close_date", "2026-12-20", None),
        ("เตือนฉันส่งใบเสนอราคาให้ Tom Baker วันที่ 3 ธ.ค. ค่ะ", "due_date", "2026-12-03", "ส่งใบเสนอราคา"),
        ("to-do ส่ง invoice Udon Agro วันที่ 1/12", "due_date", "2026-12-01", "ส่ง invoice"),
    ],
)
def test_the_word_for_date_is_part_of_the_date(
    text: str, slot: str, day: str, note: str | None
) -> None:
    out = parse(text, ParseContext(now=NOW)).to_json()
    assert out["slots"][slot] == day and out["slots"].get("note") == note


def test_an_email_written_to_a_customer_is_still_logged() -> None:
    out = parse("emailed Siam Paper at buy@siampaper.co.th about the new quote", ParseContext())
    assert out.intent == "log_interaction"
    assert "request" not in out.slots


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # a named customer's phone or email given anew is a change
        ("เปลี่ยนเบอร์ Acme เป็น 0812345678", "change"),
        ("Acme's new email is buy@acme.co.th", "change"),
        ("อัปเดตอีเมล Siam Paper เป็น po@siampaper.co.th", "change"),
        # whatever else "update" suggests, a phone beside a customer is the customer's
        ("update Acme Trading phone to 0819990000", "change"),
        ("change Acme Trading's phone to 0819990000", "change"),
        # "email" names an interaction too, but nothing is told beside the new address
        ("update Siam Paper email to buy@siampaper.co.th", "change"),
        # a contact alone, or a customer alone, is a lookup
        ("0891112222 เป็นลูกค้าใคร", None),
        ("ลูกค้าเบอร์ 0891112222 ชื่ออะไร", None),
        ("Acme phone?", None),
    ],
)
def test_a_contact_given_anew_is_a_change(text: str, asked: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "customer_lookup"
    assert out.slots.get("request") == asked


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("my tickets", "ticket_status", {"mine": True}),
        # tickets and a priority, and no problem told: the queue, not a new ticket
        ("urgent tickets", "ticket_status", {"priority": "urgent"}),
        # the same, in words the model alone leaves out of scope
        ("เคสด่วนมีอะไรบ้าง", "ticket_status", {"priority": "urgent"}),
        # those past their due time
        ("what tickets are overdue", "ticket_status", {"overdue": True}),
        ("เคสที่เกินกำหนดมีอะไรบ้าง", "ticket_status", {"overdue": True}),
        ("my overdue tickets", "ticket_status", {"mine": True, "overdue": True}),
        ("open a ticket", "ticket_create", {"priority": None}),
        ("printer broken urgent", "ticket_create", {"priority": "urgent"}),
        ("เคสที่ฉันรับผิดชอบ", "ticket_status", {"mine": True}),
        # no ticket and no change named: a question about one's own, not an update
        ("tickets assigned to me", "ticket_status", {"mine": True}),
        ("TCK-2002 assign to me", "ticket_update", {"mine": None, "ticket_id": "TCK-2002"}),
        # "show me" is no one's own
        ("show me the open tickets", "report", {"mine": None}),
    ],
)
def test_asking_for_ones_own_tickets(text: str, intent: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == intent
    assert {k: out.to_json()["slots"].get(k) for k in slots} == slots


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # deals expected to close in a period ahead: deal_list takes it as its period
        ("ดีลที่จะปิดเดือนหน้า", "deal_list", {"period": "next_month"}),
        ("which deals close next week", "deal_list", {"period": "next_week"}),
        ("deals closing next quarter", "deal_list", {"period": "next_quarter"}),
        ("ดีลที่คาดว่าจะปิดเดือนนี้", "deal_list", {"period": "this_month"}),
        # elsewhere "next month" is a date: its first day, as "next week" is its Monday
        ("remind me to call Acme next month", "task_create", {"due_date": "2026-12-01"}),
        (
            "Northstar undecided, push close to next quarter",
            "deal_update",
            {"close_date": "2027-01-01"},
        ),
        # an interaction happened: a month ahead in it is part of the note, no date
        (
            "note: Baan Talay Hotel renovating lobby, revisit next month",
            "log_interaction",
            {"date": None, "note": "renovating lobby, revisit next month"},
        ),
        # "next year" names a contract or a plan as often as a date: no date
        ("new deal Acme Trading next year's contract 2.4M", "deal_create", {"close_date": None}),
    ],
)
def test_periods_ahead(text: str, intent: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == intent
    assert {k: out.to_json()["slots"].get(k) for k in slots} == slots


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a task reported done: request done, the words left to find it by
        ("finished the Acme task", "task_create", {"request": "done", "note": None}),
        ("task call Acme done", "task_create", {"request": "done", "note": "call"}),
        ("งานโทรหา Acme เสร็จแล้ว", "task_create", {"request": "done", "note": "โทรหา"}),
        ("completed the task to send Acme the quote", "task_create", {"request": "done"}),
        # the model alone knows no intent here; the task word and the done word tell it
        ("ทาสก์ Siam Paper เสร็จแล้ว", "task_create", {"request": "done"}),
        # housework done is no task of the CRM
        ("งานบ้านเสร็จแล้ว", "out_of_scope", {"request": None}),
        # the call itself, logged
        ("โทรหา Acme เสร็จแล้ว", "log_interaction", {"request": None}),
        # something to get done is a new task
        ("remind me to get the Acme quote done by Friday", "task_create", {"request": None}),
        ("follow up Acme, make sure the PO is done next week", "task_create", {"request": None}),
    ],
)
def test_a_task_reported_done(text: str, intent: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == intent
    assert {k: out.to_json()["slots"].get(k) for k in slots} == slots


@pytest.mark.parametrize(
    ("text", "kind", "note"),
    [
        # the interaction named first is the one logged; one named later is what was said
        ("โทรหา Acme แล้ว ลูกค้าจะส่งอีเมลมา", "call", "ลูกค้าจะส่งอีเมลมา"),
        (
            "called Acme, they will send an email with the PO",
            "call",
            "they will send an email with the PO",
        ),
        ("emailed Acme the quote, will call tomorrow", "email", "the quote, will call tomorrow"),
        ("Hua Hin Resort called to reschedule the meeting", "call", "reschedule the meeting"),
        ("visited Kasem Auto, met the owner", "visit", "met the owner"),
        # words said together name one interaction
        ("โทรคุยกับ Siam Paper เรื่องส่งของล่าช้า", "call", "ส่งของล่าช้า"),
        # a note is the type only when nothing else is named; its words only ask to log
        # (after "จดไว้ว่า" the words are the note itself)
        ("จดไว้ว่าโทรหา Acme สามรอบแล้วไม่มีคนรับ", "call", "โทรหา สามรอบแล้วไม่มีคนรับ"),
        ("ลูกค้า Acme โทรมาบ่นเรื่องราคา จดไว้ด้วย", "call", "มาบ่นเรื่องราคา"),
        ("จดโน้ต Acme ชอบสินค้าตัวใหม่", "note", "ชอบสินค้าตัวใหม่"),
    ],
)
def test_the_interaction_named_first_is_logged(text: str, kind: str, note: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "log_interaction"
    assert (out.slots["interaction_type"], out.slots["note"]) == (kind, note)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # cancelling an order asks about the order, id or not
        ("ขอยกเลิกออเดอร์ล่าสุดค่ะ", "order_status"),
        ("cancel my order please", "order_status"),
        ("please cancel ORD-3003", "order_status"),
        # cancelling alone, or what was asked of the bot, drops the question
        ("cancel", "cancel"),
        ("ยกเลิกที่สั่งไปเมื่อกี้", "cancel"),
    ],
)
def test_cancelling_an_order_is_about_the_order(text: str, intent: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == intent
    assert out.slots.get("request") == ("change" if intent == "order_status" else None)


@pytest.mark.parametrize(
    "text",
    [
        "ยอดขายไตรมาสนี้เทียบไตรมาสที่แล้ว",
        "ยอดขายไตรมาสที่แล้วเทียบกับไตรมาสนี้",
        "sales this quarter vs last quarter",
    ],
)
def test_a_report_compared_with_the_period_before_is_the_running_one(text: str) -> None:
    # the report of the running period compares it with the one before
    assert parse(text, ParseContext(now=NOW)).slots["period"] == "this_quarter"


@pytest.mark.parametrize(
    ("text", "assignee"),
    [
        ("TCK-2002 ส่งต่อให้ Somchai", "Somchai"),
        ("forward TCK-2003 to Nattaya please", "Nattaya"),
        ("TCK-2003 ฝากให้คุณแนน ดูหน่อย", "แนน"),
        ("reassign TCK-3429 ไปทีม onsite", "ทีม"),
        # to oneself, or to no one named: the sender takes it
        ("assign TCK-2002 to myself", None),
        ("take TCK-2002", None),
    ],
)
def test_a_ticket_handed_to_a_colleague_names_them(text: str, assignee: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "ticket_update"
    assert out.slots.get("assignee") == assignee


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # how far a member is from a tier: their balance and tier
        ("อีกกี่แต้มจะได้ platinum", "loyalty_balance"),
        ("how many more points to reach platinum", "loyalty_balance"),
        ("คุณสมศรีอีกกี่แต้มจะขึ้น platinum", "loyalty_balance"),
        # the tier's members are a report
        ("loyalty report for platinum", "report"),
    ],
)
def test_the_way_to_a_tier_is_a_balance(text: str, intent: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent == intent


@pytest.mark.parametrize(
    ("text", "description"),
    [
        # saying there is a problem tells none yet
        ("อยากแจ้งปัญหาค่ะ", None),
        ("I have a problem", None),
        ("i want to file a complaint", None),
        ("ของที่ได้รับแตกค่ะ", "ของที่ได้รับแตก"),
        ("ร้องเรียนพนักงานส่งของ", "ร้องเรียนพนักงานส่งของ"),
    ],
)
def test_a_ticket_without_a_problem_told_has_no_description(
    text: str, description: str | None
) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "ticket_create"
    assert out.slots.get("description") == description


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a problem said is no yes; "no problem" agrees
        ("มีปัญหาค่ะ", "ticket_create"),
        ("ไม่มีปัญหาค่ะ", "confirm"),
        ("ใช่ค่ะ", "confirm"),
        ("no problem", "confirm"),
        ("no worries, go ahead", "confirm"),
        ("no, there is a problem", "deny"),
    ],
)
def test_a_problem_said_is_no_yes(text: str, intent: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent == intent


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a look-back up to today is a rolling period of days or months
        ("ยอดขายย้อนหลัง 3 เดือน", "report", {"period": "past_3_months"}),
        ("ยอดขาย 7 วันที่ผ่านมา", "report", {"period": "past_7_days"}),
        ("sales over the last 30 days", "report", {"period": "past_30_days"}),
        ("pipeline for the past two weeks", "report", {"period": "past_14_days"}),
        ("ขอดูประวัติแต้มย้อนหลังหกเดือนค่ะ", "loyalty_history", {"period": "past_6_months"}),
        ("ประวัติแต้มคุณศิริพร 3 เดือนล่าสุด", "loyalty_history", {"period": "past_3_months"}),
        ("ยอดขายย้อนหลัง 1 ปี", "report", {"period": "past_12_months"}),
        ("deals won in the last 90 days", "deal_list", {"period": "past_90_days", "stage": "won"}),
        # the calendar's own periods stay as they are
        ("ยอดขายสัปดาห์ที่ผ่านมา", "report", {"period": "last_week"}),
        ("sales last month", "report", {"period": "last_month"}),
        # further back than two years is no period the reports keep
        ("sales in the last 900 days", "report", {"period": None}),
        # for an intent that takes a date, the day the count goes back to
        ("ไปเยี่ยม Acme Trading เมื่อ 3 วันที่ผ่านมา", "log_interaction", {"date": "2026-11-19"}),
        # ahead, not back
        ("remind me in 3 days to call Acme", "task_create", {"due_date": "2026-11-25"}),
    ],
)
def test_look_backs(text: str, intent: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == intent
    assert {k: out.to_json()["slots"].get(k) for k in slots} == slots


@pytest.mark.parametrize(
    ("text", "top", "period"),
    [
        ("top customers this quarter", 10, "this_quarter"),
        ("top 5 customers by revenue", 5, None),
        ("who are our biggest customers this year", 10, "this_year"),
        ("which customers spent the most in the last 3 months", 10, "past_3_months"),
        ("ลูกค้ารายใหญ่เดือนนี้", 10, "this_month"),
        ("ลูกค้า 5 อันดับแรกที่ซื้อเยอะสุดปีนี้", 5, "this_year"),
        ("ใครซื้อเยอะสุดเดือนนี้", 10, "this_month"),
        # a customer question that names nobody and asks for the biggest buyers
        ("ลูกค้าคนไหนซื้อเยอะสุด", 10, None),
        # the model alone leaves these out of scope
        ("top 3 clients", 3, None),
        ("biggest clients", 10, None),
        # whose customers they are: a colleague's, the bot tells ("top customers of Nattaya")
        ("top 3 customers of Nattaya", 3, None),
        ("ลูกค้าท็อป 5 ของณัฐยา", 5, None),
    ],
)
def test_a_ranking_of_customers_is_the_top_customers_report(
    text: str, top: int, period: str | None
) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "report"
    assert out.slots["report_kind"] == "customers"
    assert (out.slots["top"], out.slots.get("period")) == (top, period)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("what's on my plate", None),
        # taken for asking what the bot can do, but about one's own work
        ("what am I working on", None),
        ("what should I be working on today", "2026-11-23"),
        ("what is on my plate today", "2026-11-23"),
        ("วันนี้ต้องทำอะไรบ้าง", "2026-11-23"),
        ("พรุ่งนี้มีอะไรต้องทำบ้าง", "2026-11-24"),
    ],
)
def test_what_one_has_to_do_is_ones_tasks(text: str, due: str | None) -> None:
    out = parse(text, ParseContext(now=NOW + timedelta(days=1)))
    assert (out.intent, out.slots.get("list")) == ("task_create", True)
    assert out.to_json()["slots"].get("due_date") == due


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # how to do something, and never mind: no day asked about
        ("สมัครสมาชิกต้องทำอะไรบ้าง", "faq"),
        ("ไม่ต้องทำอะไรแล้ว", "cancel"),
        # one's performance ("ผลงาน"), not one's tasks ("งานของฉัน") read inside it
        ("ผลงานของฉันเดือนนี้", "report"),
    ],
)
def test_what_to_do_without_a_day_is_not_ones_tasks(text: str, intent: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent == intent


@pytest.mark.parametrize(
    ("text", "intent", "period"),
    [
        ("how am I doing this month", "report", "this_month"),
        ("how did I do last week", "report", "last_week"),
        # someone else, by name: the bot shows a colleague's figures or a customer's card
        ("how is Nattaya doing this month", "report", "this_month"),
        # without a period it is small talk, not one's figures
        ("how am I doing", "out_of_scope", None),
    ],
)
def test_how_one_is_doing_in_a_period_is_a_report(
    text: str, intent: str, period: str | None
) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("period")) == (intent, period)


def test_a_customer_named_is_no_ranking() -> None:
    # "ร้านป้าแดง top customers" names a customer; only one after "of"/"ของ" is whose they are
    out = parse("Acme top customers", ParseContext(now=NOW))
    assert out.intent != "report"


@pytest.mark.parametrize(
    ("text", "period"),
    [("ลูกค้าใหม่ 30 วันที่ผ่านมา", "past_30_days"), ("ลูกค้าใหม่เมื่อวาน", "yesterday")],
)
def test_new_customers_of_a_period_are_counted_not_added(text: str, period: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("report_kind"), out.slots.get("period")) == (
        "report",
        "customers",
        period,
    )


def test_a_new_customer_named_with_a_day_is_added() -> None:
    out = parse("เพิ่มลูกค้าใหม่วันนี้ ร้านป้าแดง", ParseContext(now=NOW))
    assert (out.intent, out.slots.get("customer")) == ("customer_create", "ร้านป้าแดง")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # the best reps are the sales report's; who called most, the interactions'
        ("top sales reps this month", "sales"),
        ("ใครยอดขายสูงสุดเดือนนี้", "sales"),
        ("ใครในทีมโทรหาลูกค้าเยอะสุดเดือนนี้", "interactions"),
        # new customers are counted, not ranked
        ("ลูกค้าใหม่เดือนนี้", "customers"),
    ],
)
def test_other_reports_rank_no_customers(text: str, kind: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "report"
    assert out.slots.get("report_kind") == kind
    assert "top" not in out.slots


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("TCK-2001 fixed, close it", "closed"),
        # the request wins over the word describing the fix, wherever each stands
        ("close TCK-2002, customer confirmed the fix", "closed"),
        ("ปิด TCK-2002 ได้เลย ลูกค้ายืนยันว่าแก้แล้ว", "closed"),
        ("keep TCK-5130 open, not done yet", "open"),
        ("TCK-2002 fixed", "resolved"),
    ],
)
def test_an_asked_for_ticket_status_wins_over_a_described_one(text: str, status: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("status")) == ("ticket_update", status)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a request after a salutation is read without it
        ("สวัสดีค่ะ แอปเข้าไม่ได้ค่ะ", "ticket_create", {"description": "แอปเข้าไม่ได้"}),
        (
            "Hi there! The app keeps logging me out",
            "ticket_create",
            {"description": "The app keeps logging me out"},
        ),
        # the salutation is no part of the text a request keeps
        (
            "hello, the blender I bought is broken",
            "ticket_create",
            {"description": "the blender I bought is broken"},
        ),
        ("สวัสดีค่ะ ร้านเปิดกี่โมงคะ", "faq", {"question": "ร้านเปิดกี่โมง"}),
        # a name, an address or small talk after it is still a greeting
        ("hey khui", "greeting", {}),
        ("hi, how are you", "greeting", {}),
        ("hi admin", "greeting", {}),
    ],
)
def test_a_salutation_opening_a_message_is_set_aside(
    text: str, intent: str, slots: dict[str, object]
) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.text, {k: out.slots.get(k) for k in slots}) == (intent, text, slots)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # NOW is in November 2026
        ("sales report for October", "report", {"period": "last_month", "month": None}),
        ("ยอดขายเดือนตุลา", "report", {"period": "last_month", "month": None}),
        ("ยอดขายพฤศจิกายน", "report", {"period": "this_month", "month": None}),
        ("ดีลที่ปิดได้เดือนตุลา", "deal_list", {"period": "last_month"}),
        # a month no period covers is kept for the bot to say so
        ("sales report for August", "report", {"period": None, "month": "2026-08"}),
        ("ยอดขายเดือนธันวา", "report", {"period": None, "month": "2025-12"}),
        # a day and month is a date, and "may" is a month only after "in", "for", "of"
        ("ยอดขาย 15 ต.ค.", "report", {"period": None, "month": None}),
        ("may I see the sales report", "report", {"period": None, "month": None}),
    ],
)
def test_a_month_named_alone_is_the_period(
    text: str, intent: str, slots: dict[str, object]
) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, {k: out.slots.get(k) for k in slots}) == (intent, slots)


@pytest.mark.parametrize(
    ("text", "amount", "change"),
    [
        # a deal's amount changed by a sum is a change, not the deal's value
        ("increase the Acme deal by 20k", None, 20000),
        ("add 20k to the Acme deal", None, 20000),
        ("Acme deal 20k more", None, 20000),
        ("ดีล Acme เพิ่มอีก 20k", None, 20000),
        ("ดีล Acme ลดลง 10k", None, -10000),
        ("cut the Acme deal by 10k", None, -10000),
        # a lowering or raising word right before the sum, or a discount, says so too
        ("ดีล Acme ลด 10k", None, -10000),
        ("ดีล Acme ลดให้ 5k", None, -5000),
        ("ดีล Acme ลด 5 พัน", None, -5000),
        ("ดีล Acme ให้ส่วนลด 5k", None, -5000),
        ("ดีล Acme เพิ่ม 10k", None, 10000),
        ("Acme deal discount 5k", None, -5000),
        ("Acme deal increase 10k", None, 10000),
        ("Acme deal minus 5k", None, -5000),
        # changed to a sum: the value
        ("Acme deal up to 120k", 120000, None),
        ("ดีล Acme ลดลงเหลือ 90k", 90000, None),
        ("ดีล Acme ลดเหลือ 70k", 70000, None),
        ("ดีล Acme เพิ่มเป็น 100k", 100000, None),
        ("increase the Acme deal to 90k", 90000, None),
        ("ดีล Acme เพิ่มยอดเป็น 2.6 ล้าน", 2600000, None),
    ],
)
def test_a_deal_amount_changed_by_a_sum_is_a_change(
    text: str, amount: int | None, change: int | None
) -> None:
    out = parse(text, ParseContext(now=NOW)).to_json()
    assert out["intent"] == "deal_update"
    assert (out["slots"].get("amount"), out["slots"].get("amount_change")) == (amount, change)


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        # "not urgent" said many ways is no urgency
        ("TCK-2010 ไม่ใช่เคสด่วน", "low"),
        ("TCK-2010 ไม่ใช่เรื่องด่วน", "low"),
        ("TCK-2010 ไม่ต้องรีบ", "low"),
        ("เปิดเคส Acme ของไม่ครบ ไม่ค่อยด่วน", "normal"),
        ("TCK-2010 not that urgent", "normal"),
        ("TCK-2010 no rush", "low"),
        ("TCK-2010 ด่วนมาก", "urgent"),
    ],
)
def test_urgency_denied_is_no_urgency(text: str, priority: str) -> None:
    assert parse(text, ParseContext(now=NOW)).slots.get("priority") == priority


@pytest.mark.parametrize(
    "text", ["โอเค รอแป๊บนะคะ", "ok wait", "ok hold on", "ok let me think", "ได้ไหมคะ"]
)
def test_asking_for_time_is_no_yes(text: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "sure"),
    [
        # no news or promotions named: only a weak reading, which the bot asks back
        ("ช้ามาก ไม่อยากได้แล้วค่ะ", False),
        ("ไม่รับค่ะ", False),
        ("ไม่ต้องส่งโปรมาแล้ว", True),
        ("ไม่รับข่าวสารแล้ว", True),
        ("stop sending me promotions", True),
        ("unsubscribe", True),
    ],
)
def test_an_opt_out_naming_no_marketing_is_weak(text: str, sure: bool) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "consent_update" and out.slots.get("consent") == "opt_out"
    assert (out.confidence >= 0.6) is sure


def test_every_strong_consent_phrase_says_which_way() -> None:
    """A phrase that makes a message a consent update on its own also names opt-in or
    opt-out, so the customer is not asked again ("ยกเลิกรับข่าวสาร", "turn off promotions")."""
    phrases = [
        str(p)
        for lang in ("th", "en")
        for p in yaml.safe_load((LANG_DATA / f"{lang}.yaml").read_text(encoding="utf-8"))["groups"][
            "consent_strong"
        ]
    ]
    vague = {"ข้อมูลการตลาด"}  # "marketing data" names no way
    missing = [
        p
        for p in phrases
        if p not in vague and parse(p, ParseContext(now=NOW)).slots.get("consent") is None
    ]
    assert phrases and missing == []


@pytest.mark.parametrize(
    ("text", "message", "send_date"),
    [
        # the text after ":" or "that" is the message, even after the word "message"
        ("send a message to gold members tomorrow: double points", "double points", "2026-11-23"),
        ("message silver that the promo starts tomorrow", "the promo starts tomorrow", None),
        ("ส่ง message หาลูกค้า platinum: ขอบคุณที่อยู่กับเรามาตลอดปี", "ขอบคุณที่อยู่กับเรามาตลอดปี", None),
        # a date outside the message is when to send it; one inside stays in it
        ("ส่งไลน์หาลูกค้า platinum พรุ่งนี้ ว่ามีโปรลด 30%", "มีโปรลด 30%", "2026-11-23"),
        ("แจ้งลูกค้า at risk ว่ารับส่วนลด 15% ถึง 30 พ.ย.", "รับส่วนลด 15% ถึง 30 พ.ย.", None),
    ],
)
def test_a_campaign_message_and_when_to_send_it(
    text: str, message: str, send_date: str | None
) -> None:
    out = parse(text, ParseContext(now=NOW)).to_json()
    assert out["intent"] == "campaign_send"
    assert (out["slots"].get("message"), out["slots"].get("send_date")) == (message, send_date)


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # asking to cancel or change an order is kept for the bot to say who can
        ("ยกเลิกออเดอร์ ORD-3003 ได้ไหมคะ", "change"),
        ("can I cancel my order ORD-3003", "change"),
        ("ขอเปลี่ยนที่อยู่จัดส่ง ORD-3003", "change"),
        # "cancel" with an order number is about the order, not the bot's question
        ("please cancel ORD-3003", "change"),
        ("ขอยกเลิก ORD-3003", "change"),
        # saying it happened, or "change" as a noun, asks for nothing
        ("ORD-3003 ถูกยกเลิกไปแล้วเหรอคะ", None),
        ("tracking for ORD-90312 shows no change for 4 days", None),
        ("where is my order ORD-3003", None),
    ],
)
def test_asking_to_cancel_or_change_an_order_is_marked(text: str, asked: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("request")) == ("order_status", asked)


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        # NOW is Sunday 22 Nov 2026: a quarter's or year's edge is a date where one is taken
        ("new deal Acme 200k close end of Q1", "close_date", "2027-03-31"),
        ("new deal Acme 200k close end of Q4", "close_date", "2026-12-31"),
        ("ดีลใหม่ Acme 200k ปิดสิ้นไตรมาสหน้า", "close_date", "2027-03-31"),
        ("ดีลใหม่ Acme 200k ปิดสิ้นปี", "close_date", "2026-12-31"),
        ("deal Acme push close date to end of the quarter", "close_date", "2026-12-31"),
        ("remind me to renew the Acme contract by end of the year", "due_date", "2026-12-31"),
        ("ดีลใหม่ Acme 200k ปิดต้นปีหน้า", "close_date", "2027-01-01"),
    ],
)
def test_a_quarter_or_year_edge_is_a_date(text: str, slot: str, value: str) -> None:
    out = parse(text, ParseContext(now=NOW)).to_json()["slots"]
    # the words of the date are no part of a note
    assert out.get(slot) == value
    assert not any(w in str(out.get("note", "")) for w in ("end", "สิ้น", "ต้นปี"))


def test_every_catalogue_intent_is_reachable_in_the_test_split() -> None:
    rows = [json.loads(line) for line in (DATA / "intents_test.jsonl").read_text().splitlines()]
    predicted = Counter(parse(r["text"], ParseContext(now=NOW)).intent for r in rows)
    assert len(predicted) >= 28


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # the words leading a deal's close date or amount are no note (nor deal title)
        ("สร้างดีลใหม่ Siam Paper 120k ปิดสิ้นเดือน", {"close_date": "2026-11-30", "note": None}),
        ("new deal: Acme, website redesign, 200k, close by 20 Dec", {"note": "website redesign"}),
        ("ดีลใหม่ Acme ระบบ POS 300k คาดว่าจะปิด 15 ธ.ค.", {"note": "ระบบ POS"}),
        ("ดีลใหม่ Lotus Garden มูลค่า ฿75,000", {"amount": 75000, "note": None}),
        # a lead with no value after it stays
        ("new deal Harbor View Condo 2.5M, close soon", {"note": "close soon"}),
        # "next month" and "next quarter" alone are their first day, like "next week"
        ("new deal Harbor View Condo 2.5M close next quarter", {"close_date": "2027-01-01"}),
        ("ดีลใหม่ Silom Yoga 150k ปิดเดือนหน้า", {"close_date": "2026-12-01", "note": None}),
        # a comma after a number ends it
        ("new deal with Preecha 33,000, closing tomorrow", {"amount": 33000}),
    ],
)
def test_a_deal_note_holds_no_words_of_its_values(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "deal_create"
    assert {k: out.to_json()["slots"].get(k) for k in slots} == slots


@pytest.mark.parametrize(
    ("text", "points", "note"),
    [
        ("ปรับเพิ่มแต้ม Green Leaf Cafe +800", 800, None),
        ("ปรับแต้ม Acme -120 ใส่ผิด", -120, "ใส่ผิด"),
        ("แต้มคุณนพดลเกินมา 150 หักออกด้วย", -150, None),
        ("reduce Delta Print's points by 300", -300, None),
        # a minus inside a member id is no deduction
        ("ปรับแต้ม M-10088 +250 ชดเชย", 250, "ชดเชย"),
        # a deduction word inside another word is none ("ส่วนลด" holds "ลด")
        ("เพิ่มแต้ม Acme 200 ชดเชยส่วนลดที่ไม่ได้", 200, "ชดเชยส่วนลดที่ไม่ได้"),
        ("เพิ่มแต้ม Acme 200 ลูกค้าตัดสินใจซื้อแล้ว", 200, "ลูกค้าตัดสินใจซื้อ"),
        ("หักคะแนน Lanna Textiles 500 เพราะคืนของ", -500, "หักคะแนน เพราะคืนของ"),
        # points already named: other numbers stay in the note
        ("เพิ่มแต้ม 500 ให้คุณสมศรี ซื้อครบ 5000", 500, "ซื้อครบ 5000"),
    ],
)
def test_a_plain_number_in_a_points_adjustment_is_the_points(
    text: str, points: int, note: str | None
) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "loyalty_adjust"
    assert (out.slots.get("points"), out.slots.get("note")) == (points, note)


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("หัก 200 แต้ม Acme ใส่เกิน", -200),
        ("deduct 90 points from Acme", -90),
        ("give Acme 1,000 bonus points", 1000),
        # the hyphen of a member id is no minus sign
        ("ให้ M-10001 200 แต้ม", 200),
        ("เพิ่มคะแนนให้ M-10457 ๓๐๐ แต้ม ตามแคมเปญ", 300),
        ("top up M-20999 with 700 points", 700),
        # "ส่วนลด" (a discount) holds "ลด" but deducts nothing
        ("ชดเชยส่วนลด 200 แต้มให้ Acme", 200),
        # a deduction word after the number counts when none comes before it
        ("ตัดแต้มลูกค้าเบอร์ 0898887777 ออก 120 แต้ม", -120),
        ("Ekachai has 500 too many, take them off", -500),
        ("knock 150 points off Somchai", -150),
        ("dock 100 points from Acme", -100),
        # the nearest sign word before the number wins
        ("หักแต้มผิด เติมคืน 300 แต้มให้ Acme", 300),
        # a deduction made by mistake is given back
        ("คืนแต้มให้ Acme Trading 400 แต้ม ระบบหักผิด", 400),
        ("ให้แต้มคืนคุณนก 200 แต้ม ระบบตัดผิด", 200),
        ("Acme was wrongly deducted 200 points, give them back", 200),
        ("refund 300 points deducted by mistake", 300),
        # a mistake named before a Thai deduction is why it deducts
        ("ใส่ผิด หัก 200 แต้ม Acme", -200),
        # a sign written on the number wins over words
        ("ปรับแต้ม Acme -120 ใส่ผิด", -120),
    ],
)
def test_an_adjustment_takes_its_sign_from_the_nearest_sign_word(text: str, points: int) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("points")) == ("loyalty_adjust", points)


def test_only_an_adjustment_takes_a_sign_from_words() -> None:
    out = parse("ใช้ 200 แต้มลดราคา", ParseContext(now=NOW))
    assert (out.intent, out.slots.get("points")) == ("loyalty_redeem", 200)


def test_a_redemption_takes_no_plain_number_as_points() -> None:
    out = parse("ขอใช้แต้มแลกสินค้าฟรี 1 ชิ้น", ParseContext(now=NOW))
    assert out.intent == "loyalty_redeem" and "points" not in out.slots


@pytest.mark.parametrize(
    ("text", "intent", "slot", "kept"),
    [
        # numbers and dates the intent takes no slot for stay in its free text
        ("the bill is 1,450 baht instead of 700, please check", "ticket_create", "description",
         "1,450 baht instead of 700"),
        ("the sofa delivered today has a big tear on the armrest", "ticket_create",
         "description", "delivered today has"),
        ("let platinum customers know there's a private sale tomorrow", "campaign_send",
         "message", "private sale tomorrow"),
    ],
)  # fmt: skip
def test_values_an_intent_does_not_take_stay_in_its_free_text(
    text: str, intent: str, slot: str, kept: str
) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == intent and kept in str(out.slots.get(slot))


@pytest.mark.parametrize(
    ("text", "reward"),
    [
        # the words that only ask are no part of the reward's name
        ("I want to redeem a free coffee", "a free coffee"),
        ("can I get the plush toy with points", "the plush toy"),
        ("อยากได้หมอนรองคอ แลกแต้มค่ะ", "หมอนรองคอ"),
        ("แลกตุ๊กตาด้วยแต้มได้ไหม", "ตุ๊กตา"),
        ("can I use 300 points for a discount on my next order?", "a discount on my next order"),
        ("ใช้ 500 แต้มแลกแก้วน้ำค่ะ", "แก้วน้ำ"),
        # a reward's own name is never a word that only asks to redeem
        ("redeem tote bag", "tote bag"),
        ("ขอใช้แต้มแลกร่มค่ะ", "ร่ม"),
    ],
)
def test_a_reward_is_named_without_the_asking_words(text: str, reward: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "loyalty_redeem" and out.slots.get("reward") == reward


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        # the word naming an id or contact goes with it when the id fills a slot
        ("ออเดอร์ ORD-4110 ได้ของผิดรุ่นค่ะ", "description", "ได้ของผิดรุ่น"),
        ("got the wrong size, order ORD-6612", "description", "got the wrong size"),
        ("ลบ 50 แต้ม ลูกค้าเบอร์ 0812345678", "note", None),
        ("หัก 60 แต้มจากสมาชิก M-51230 คีย์ยอดผิด", "note", "คีย์ยอดผิด"),
    ],
)
def test_a_word_naming_a_value_taken_out_goes_with_it(
    text: str, slot: str, value: str | None
) -> None:
    assert parse(text, ParseContext(now=NOW)).slots.get(slot) == value


@pytest.mark.parametrize("text", ["show all my orders", "list my orders"])
def test_asking_for_ones_orders_is_a_list_of_them(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("list")) == ("order_status", True)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        # "history" is points history to the model, "ทั้งหมดของฉัน" one's deals, "what did I
        # order last week" a sales report, "คำสั่งซื้อของฉัน" nothing at all
        ("order history", None),
        ("ประวัติการสั่งซื้อ", None),
        ("คำสั่งซื้อของฉัน", None),
        ("ออเดอร์ทั้งหมดของฉัน", None),
        ("show my last 3 orders", None),
        ("ขอดูออเดอร์ 3 อันล่าสุด", None),
        ("ออเดอร์ล่าสุด 3 รายการ", None),
        ("what did I order last month", "last_month"),
        ("what did I order last week", "last_week"),
        ("what have I ordered this month", "this_month"),
        ("ประวัติการสั่งซื้อเดือนที่แล้ว", "last_month"),
        ("เดือนที่แล้วหนูสั่งอะไรไปบ้าง", "last_month"),
    ],
)
def test_a_customers_order_history_is_a_list_of_orders(text: str, period: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("list"), out.slots.get("period")) == (
        "order_status",
        True,
        period,
    )


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("points history", "loyalty_history", {}),
        ("ประวัติแต้ม", "loyalty_history", {}),
        # one order, the latest's status: no list, and a date is when it went, no period
        ("my order", "order_status", {}),
        ("ออเดอร์ของผมอยู่ไหน", "order_status", {}),
        ("ORD-3003 ส่งเมื่อวานยังไม่ถึง", "order_status", {"order_id": "ORD-3003"}),
        # the whole shop's orders are a manager's report
        ("ออเดอร์ทั้งหมดปีนี้", "report", {"period": "this_year"}),
    ],
)
def test_what_is_not_a_list_of_ones_orders(text: str, intent: str, slots: dict[str, str]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots) == (intent, slots)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("เคสด่วน", "ticket_status", {"priority": "urgent"}),
        # pointing at a ticket talked about, or telling more: a change to one
        ("เคสนี้ด่วน", "ticket_update", {"priority": "urgent"}),
        ("tickets of Siam Paper", "ticket_status", {"customer": "Siam Paper", "customer_id": 1}),
        ("Siam Paper tickets", "ticket_status", {"customer": "Siam Paper", "customer_id": 1}),
        (
            "open tickets for Siam Paper",
            "ticket_status",
            {"customer": "Siam Paper", "customer_id": 1},
        ),
        # a report of a colleague, or of the team, stays one
        ("tickets report for Pim", "report", {"report_kind": "tickets"}),
    ],
)
def test_asking_for_the_queue_or_a_customers_part_of_it(
    text: str, intent: str, slots: dict[str, object]
) -> None:
    customers = CustomerIndex([CustomerName(1, "Siam Paper", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert (out.intent, out.slots) == (intent, slots)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # the sender's own tier: the balance card shows it
        ("what tier am I", "loyalty_balance"),
        ("what is my tier", "loyalty_balance"),
        ("my membership level", "loyalty_balance"),
        ("ระดับสมาชิกของฉัน", "loyalty_balance"),
        ("ฉันเป็นสมาชิกระดับไหน", "loyalty_balance"),
        # how tiers work, or someone else's
        ("สมาชิกระดับไหนได้แต้มเพิ่ม", "faq"),
        ("what tier is Siam Paper", "customer_lookup"),
    ],
)
def test_asking_ones_own_tier_is_the_balance(text: str, intent: str) -> None:
    customers = CustomerIndex([CustomerName(1, "Siam Paper", ())])
    assert parse(text, ParseContext(now=NOW, customers=customers)).intent == intent


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("add faq", {"request": "new"}),
        ("add an FAQ", {"request": "new"}),
        ("new faq: do you have parking?", {"request": "new", "question": "do you have parking?"}),
        ("เพิ่มคำถามที่พบบ่อย: มีที่จอดรถไหม", {"request": "new", "question": "มีที่จอดรถไหม"}),
        # the question after the noun, without a colon; a word of the request or a please is none
        ("เพิ่ม FAQ ร้านมีที่จอดรถไหม", {"request": "new", "question": "ร้านมีที่จอดรถไหม"}),
        ("new faq please", {"request": "new"}),
        ("เพิ่ม faq ใหม่ค่ะ", {"request": "new"}),
        ("เพิ่ม faq ให้หน่อย", {"request": "new"}),
        ("edit faq opening_hours", {"request": "edit", "question": "opening_hours"}),
        ("แก้ faq เวลาเปิดร้าน", {"request": "edit", "question": "เวลาเปิดร้าน"}),
        ("faq list", {"request": "list"}),
        ("FAQ", {"request": "list"}),
        ("คำถามที่พบบ่อยทั้งหมด", {"request": "list"}),
        # a question that mentions the FAQ is one to answer from it
        ("FAQ ร้านปิดกี่โมง", {"question": "FAQ ร้านปิดกี่โมง"}),
    ],
)
def test_requests_about_the_knowledge_base_itself(text: str, slots: dict[str, str]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots) == ("faq", slots)


@pytest.mark.parametrize(
    ("text", "intent", "wanted"),
    [
        ("Siam Paper history", "customer_lookup", "history"),
        ("ประวัติการติดต่อ Siam Paper", "customer_lookup", "history"),
        ("what did we talk about with Siam Paper last time", "customer_lookup", "history"),
        ("Siam Paper interactions", "customer_lookup", "history"),
        # nothing to log: the notes kept, to read
        ("notes on Siam Paper", "customer_lookup", "history"),
        ("โน้ตของ Siam Paper", "customer_lookup", "history"),
        ("add a note to Siam Paper", "log_interaction", None),
        # the card, their purchases or their points
        ("Siam Paper", "customer_lookup", None),
        ("ขอประวัติการซื้อของ Siam Paper", "customer_lookup", None),
        ("ประวัติแต้ม Siam Paper", "loyalty_history", None),
        # a name only guessed is no customer whose history to show
        ("เล่าประวัติ Roman Empire สั้นๆ", "out_of_scope", None),
    ],
)
def test_a_customers_contact_history(text: str, intent: str, wanted: str | None) -> None:
    customers = CustomerIndex([CustomerName(1, "Siam Paper", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert (out.intent, out.slots.get("request")) == (intent, wanted)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("งานวันนี้", {"due_date": "2026-11-22", "list": True}),
        ("งานที่เลยกำหนด", {"list": True, "overdue": True}),
        ("overdue tasks", {"list": True, "overdue": True}),
        (
            "move the Siam Paper task to Monday",
            {"due_date": "2026-11-23", "customer": "Siam Paper", "request": "move"},
        ),
        (
            "postpone the Siam Paper quote to tomorrow",
            {
                "due_date": "2026-11-23",
                "customer": "Siam Paper",
                "request": "move",
                "note": "quote",
            },
        ),
        (
            "เลื่อนงานโทรหา Siam Paper เป็นวันศุกร์หน้า",
            {
                "due_date": "2026-11-27",
                "customer": "Siam Paper",
                "request": "move",
                "note": "โทรหา",
            },
        ),
        (
            "delete task visit Siam Paper",
            {"customer": "Siam Paper", "request": "drop", "note": "visit"},
        ),
        (
            "ยกเลิกงานโทรหา Siam Paper",
            {"customer": "Siam Paper", "request": "drop", "note": "โทรหา"},
        ),
        # moving something else is a task of its own
        (
            "remind me to move the furniture on Monday",
            {"due_date": "2026-11-23", "note": "move the furniture"},
        ),
    ],
)
def test_listing_moving_and_dropping_ones_tasks(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("task_create", slots)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("which deals are stuck", {"stale": True}),
        ("stale deals", {"stale": True}),  # no typo of "sale"
        ("ดีลที่ค้างนาน", {"stale": True}),
        ("deals with no activity for 2 weeks", {"stale": True, "stale_days": 14}),
        # how long is no period
        ("ดีลที่ไม่คืบหน้าเกิน 1 เดือน", {"stale": True, "stale_days": 30}),
        ("ดีลที่ค้างเกิน 30 วัน", {"stale": True, "stale_days": 30}),
        # "ค้าง" alone is only open: the list as it is
        ("ดีลที่ค้างอยู่มีอะไรบ้าง", {}),
        ("biggest deals", {"top": 5}),
        ("top 3 deals closing this month", {"top": 3, "period": "this_month"}),
        # the words asking for the largest are no customer
        ("ดีลใหญ่สุด", {"top": 5}),
        ("ดีลมูลค่าสูงสุด 5 อันดับ", {"top": 5}),
        ("how many deals is Tuk sitting on", {"customer": "Tuk"}),
    ],
)
def test_stuck_and_largest_deals(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("deal_list", slots)


def test_cancelling_a_task_may_drop_the_bots_question_so_it_stays_a_cancel() -> None:
    assert parse("cancel the reminder I just asked for", ParseContext(now=NOW)).intent == "cancel"
    # with a customer named it is one of the sender's tasks to drop
    customers = CustomerIndex([CustomerName(1, "Lotus Garden", ())])
    named = parse("cancel the Lotus Garden task", ParseContext(now=NOW, customers=customers))
    assert (named.intent, named.slots.get("request")) == ("task_create", "drop")


@pytest.mark.parametrize("text", ["ชื่อแมวเพราะๆมีอะไรบ้าง", "what are the best songs this year"])
def test_asking_what_there_is_of_something_else_is_no_order_list(text: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent == "out_of_scope"


def test_the_words_of_a_way_to_a_tier_without_points_or_a_tier_are_no_balance() -> None:
    assert parse("ต้องทำยังไงถึงจะได้วีซ่า", ParseContext(now=NOW)).intent != "loyalty_balance"


def test_tasks_named_inside_something_else_are_no_task_list() -> None:
    # "ใบสมัครงานของฉัน" is a job application, not the sender's tasks
    out = parse("สถานะใบสมัครงานของฉันเป็นยังไง", ParseContext(now=NOW))
    assert out.intent != "task_create"


SUNDAY = datetime.fromisoformat("2026-11-22T10:00:00+07:00")


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a meeting planned with a customer, in words the model alone leaves out of scope
        (
            "นัด Lotus Garden พรุ่งนี้บ่ายสอง คุยเรื่องชั้นวาง",
            "task_create",
            {"due_date": "2026-11-23", "time": "14:00", "customer": "Lotus Garden"},
        ),
        # one's tasks of a day
        ("วันนี้มีงานอะไรบ้าง", "task_create", {"due_date": "2026-11-22", "list": True}),
        # the word leading a due date goes with it, not into the task's title
        (
            "ส่งใบเสนอราคาให้ Siam Paper ภายในศุกร์นี้",
            "task_create",
            {"due_date": "2026-11-27", "note": "ส่งใบเสนอราคา"},
        ),
    ],
)
def test_tasks_in_thai_the_model_alone_misses(
    text: str, intent: str, slots: dict[str, object]
) -> None:
    out = parse(text, ParseContext(now=SUNDAY))
    assert out.intent == intent
    assert {k: out.to_json()["slots"].get(k) for k in slots} == slots


@pytest.mark.parametrize(
    "text",
    [
        "conversion rate เดือนนี้เท่าไหร่",
        "what is our win rate this quarter",
        "อัตราปิดการขายเดือนนี้",
        "average deal size this year",
        "มูลค่าดีลเฉลี่ยเดือนนี้เท่าไหร่",
    ],
)
def test_the_win_rate_is_the_sales_reports(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("report_kind")) == ("report", "sales")


@pytest.mark.parametrize(
    "text",
    ["whats the status of the Acme deal", "สถานะดีล Acme เป็นยังไง", "what stage is the Acme deal at"],
)
def test_where_a_customers_deal_stands_is_asked_of_the_deal(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("customer"), out.slots.get("stage")) == (
        "deal_update",
        "Acme",
        None,
    )


def test_ones_own_pipeline_in_other_words_is_the_report() -> None:
    out = parse("how is my pipeline looking", ParseContext(now=NOW))
    assert (out.intent, out.slots.get("report_kind")) == ("report", "pipeline")


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("ลูกค้าที่ไม่ได้ติดต่อนานเกิน 30 วัน", {"quiet_days": 30, "period": None}),
        ("who haven't I called in 2 weeks", {"quiet_days": 14, "period": None}),
        ("ลูกค้าที่ไม่ได้คุยเกิน 2 เดือน", {"quiet_days": 60, "period": None}),
        # a period named: the time since its start
        (
            "which clients haven't we talked to this month",
            {"quiet_days": None, "period": "this_month"},
        ),
        ("ลูกค้าที่เงียบไปนานๆ", {"quiet_days": None, "period": None}),
    ],
)
def test_customers_gone_quiet_are_asked_for(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("report_kind"), out.slots.get("quiet")) == (
        "report",
        "customers",
        True,
    )
    assert {k: out.slots.get(k) for k in slots} == slots


@pytest.mark.parametrize(
    "text",
    ["why haven't you called me back", "remind me to call the customers we haven't contacted"],
)
def test_not_being_called_is_no_question_about_quiet_customers(text: str) -> None:
    assert not parse(text, ParseContext(now=NOW)).slots.get("quiet")


@pytest.mark.parametrize("text", ["add a task", "สร้างงานใหม่", "new reminder", "เพิ่มทาสก์หน่อย"])
def test_asking_to_add_a_task_tells_none_yet(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("request"), out.slots.get("note")) == (
        "task_create",
        "new",
        None,
    )


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("0812345678", "phone"),
        ("081-234-5678 ค่ะ", "phone"),
        ("M-10013", "member_id"),
        ("somsri@example.com", "email"),
    ],
)
def test_a_contact_alone_asks_whose_it_is(text: str, slot: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    # a member number is the member's points; a phone or an e-mail, whose it is
    wanted = "loyalty_balance" if slot == "member_id" else "customer_lookup"
    assert out.intent == wanted and slot in out.slots


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("โทรหาคุณมาลีเมื่อ 20 พ.ย.", "call"),
        ("เมื่อวันจันทร์ไปเยี่ยม Lotus Garden ดูครัว", "visit"),
        ("ไปเยี่ยม Lotus Garden เมื่อวันจันทร์ ดูครัว", "visit"),
        ("called Lotus Garden 3 days ago about the shelves", "call"),
    ],
)
def test_a_contact_on_a_day_past_is_logged_that_day(text: str, kind: str) -> None:
    customers = CustomerIndex([CustomerName(4, "Lotus Garden", ()), CustomerName(8, "มาลี วงศ์", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert out.intent == "log_interaction" and out.slots.get("interaction_type") == kind
    day = out.slots.get("date")
    assert isinstance(day, date) and day < NOW.date() and "list" not in out.slots


@pytest.mark.parametrize(
    ("text", "kind", "day"),
    [
        # a day and month without a year, passed a few days ago: that day, not next year's
        ("met Lotus Garden on 20 Nov to discuss the shelves", "meeting", date(2026, 11, 20)),
        ("meeting with Lotus Garden on Nov 18, they want samples", "meeting", date(2026, 11, 18)),
        ("visited Lotus Garden 15/11", "visit", date(2026, 11, 15)),
        ("ไปเยี่ยม Lotus Garden 20 พ.ย. ดูครัว", "visit", date(2026, 11, 20)),
        # "ที่ผ่านมา" after a weekday: the latest one before today
        ("โทรหา Lotus Garden วันจันทร์ที่ผ่านมา", "call", date(2026, 11, 16)),
        ("ไปเยี่ยม Lotus Garden วันศุกร์ที่ผ่านมา", "visit", date(2026, 11, 20)),
    ],
)
def test_a_contact_on_a_day_just_past_is_logged_that_day(text: str, kind: str, day: date) -> None:
    customers = CustomerIndex([CustomerName(4, "Lotus Garden", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert (out.intent, out.slots.get("interaction_type"), out.slots.get("date")) == (
        "log_interaction",
        kind,
        day,
    )
    note = str(out.slots.get("note", ""))
    assert "20" not in note and "Nov" not in note and "ผ่าน" not in note


def test_another_customer_named_stays_whole_in_the_note() -> None:
    # "all" alone is a command word ("list all"); inside a second customer's name it stays
    customers = CustomerIndex(
        [CustomerName(14, "Somchai Prasert", ("Somchai",)), CustomerName(3, "CP All", ())]
    )
    out = parse("ask Somchai to visit CP All on Friday", ParseContext(now=NOW, customers=customers))
    assert out.intent == "task_create" and out.slots.get("customer") == "Somchai Prasert"
    assert "CP All" in str(out.slots.get("note"))


@pytest.mark.parametrize(
    ("text", "customer", "known"),
    [
        # a customer's given name with another family name after it is someone else
        ("called John Smith, he wants a quote for 20 mugs", "John Smith", False),
        ("ดีลใหม่ คุณวิชัย ใจดี 30k", "คุณวิชัย ใจดี", False),
        # the customer's own names, or the given name alone, are theirs
        ("called John Carter, he wants a quote", "John Carter", True),
        ("called John, he wants a quote", "John Carter", True),
        ("call John Tomorrow", "John Carter", True),
        ("ดีลใหม่ คุณวิชัย 30k", "วิชัย รุ่งเรือง", True),
    ],
)
def test_a_given_name_with_another_family_name_is_someone_else(
    text: str, customer: str, known: bool
) -> None:
    customers = CustomerIndex(
        [CustomerName(16, "John Carter", ("John",)), CustomerName(17, "วิชัย รุ่งเรือง", ())]
    )
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert out.slots.get("customer") == customer
    assert ("customer_id" in out.slots) is known


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        # a slip corrected in the same message: the value after the correction is meant
        ("ดีล Acme ปิดได้ 80k เอ้ย ไม่ใช่ 85k", "amount", 85000),
        ("ดีล Acme ปิดได้ 80k sorry I mean 85k", "amount", 85000),
        ("ดีล Acme 80k make that 85k", "amount", 85000),
        ("เตือนโทรหา Acme วันศุกร์ เอ้ย วันพฤหัส", "due_date", "2026-11-26"),
        # nothing corrected: the first value stands
        ("ดีล Acme ปิดได้ 80k", "amount", 80000),
    ],
)
def test_a_value_corrected_in_the_message_is_the_later_one(
    text: str, slot: str, value: object
) -> None:
    out = parse(text, ParseContext(now=NOW)).to_json()
    assert out["slots"].get(slot) == value
    assert "เอ้ย" not in str(out["slots"].get("note", ""))
    assert "ศุกร์" not in str(out["slots"].get("note", ""))


@pytest.mark.parametrize(
    ("text", "kept"),
    [("โทรหา Acme ไม่รับสาย", "ไม่รับสาย"), ("called Acme, no answer", "no answer")],
)
def test_what_came_of_a_call_is_its_note(text: str, kept: str) -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ("Acme",))])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert out.intent == "log_interaction" and out.slots.get("note") == kept


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # the sender says they will call: a task, not a call made
        ("จะโทรหา Acme ตอนบ่าย", "task_create"),
        ("ผมจะโทรหา Acme ตอนบ่าย", "task_create"),
        ("เดี๋ยวโทรหา Acme", "task_create"),
        # the customer will call back: what the sender was told on a call
        ("โทรหา Acme แล้ว เขาจะส่ง PO", "log_interaction"),
    ],
)
def test_a_call_the_sender_will_make_is_a_task(text: str, intent: str) -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ("Acme",))])
    assert parse(text, ParseContext(now=NOW, customers=customers)).intent == intent


@pytest.mark.parametrize("text", ["ดีลใหม่ Acme 80k ปิด 15-12-2026", "ดีลใหม่ Acme 80k ปิด 15-12-2569"])
def test_a_date_with_dashes_and_its_year_is_read(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.slots.get("close_date") == date(2026, 12, 15)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("deals closed this month", "won"),
        ("how many deals did we close this month", "won"),
        ("ดีลที่ปิดไปแล้วเดือนนี้", "won"),
        ("ผมปิดไปกี่ดีลแล้วเดือนนี้", "won"),
        # still to close: the open ones expected to
        ("deals closing this month", None),
        ("ดีลที่จะปิดเดือนนี้", None),
    ],
)
def test_deals_closed_in_a_period_are_the_won_ones(text: str, stage: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("period"), out.slots.get("stage")) == (
        "deal_list",
        "this_month",
        stage,
    )


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("ยอดขายตั้งแต่ต้นปี", {"period": "this_year"}),
        # two digits after "ปี" are the Buddhist era's year, as said
        ("ยอดขายปี 68", {"period": "last_year"}),
        ("ยอดขายปี 69", {"period": "this_year"}),
        ("ยอดขาย พ.ศ. 67", {"year": "2024"}),
        # a month by its number
        ("ยอดขายเดือน 9", {"month": "2026-09"}),
        ("ยอดขายเดือน 11", {"period": "this_month"}),
        # a length of time names no month
        ("ยอดขาย 3 เดือน", {"period": None, "month": None}),
    ],
)
def test_a_report_period_said_the_thai_way_is_read(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "report" and {k: out.slots.get(k) for k in slots} == slots


@pytest.mark.parametrize(
    "text",
    [
        "เปลี่ยนเบอร์จาก 0812223344 เป็น 0899999999 ค่ะ",
        "change my phone from 0812223344 to 0899999999",
    ],
)
def test_a_contact_changed_from_one_to_another_is_the_new_one(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.slots.get("request") == "change" and out.slots.get("phone") == "0899999999"


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("ส่งโปรให้ลูกค้า gold และ platinum ว่าลด 20% ถึงสิ้นเดือน", ["gold", "platinum"]),
        ("tell gold and platinum customers: double points this weekend", ["gold", "platinum"]),
        ("แจ้งลูกค้า silver และ gold ว่าโปรแลกแต้มหมดสิ้นเดือนนี้", ["silver", "gold"]),
        # a tier in the text to send, or said of something else, is no audience
        ("ส่งโปรให้ลูกค้า gold ว่าสมาชิก platinum ได้ส่วนลด", None),
        ("message bronze customers inviting them to upgrade to silver", None),
    ],
)
def test_a_campaign_to_several_tiers_names_them_all(text: str, segments: list[str] | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "campaign_send" and out.slots.get("segments") == segments
    assert out.slots.get("segment") == (segments[0] if segments else out.slots.get("segment"))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ลูกค้าใหม่ชื่อ คุณวิไล สวยงาม 0851234567", "วิไล สวยงาม"),
        ("ลูกค้าใหม่ครับ คุณปรีชา มีสุข 0895556677", "ปรีชา มีสุข"),
        # a word of a request after the name is no family name; a business keeps its name
        ("ลูกค้าใหม่ คุณวิไล โทร 0851234567", "วิไล"),
        ("เพิ่มลูกค้าใหม่ ร้านป้าแดง 0851234567", "ร้านป้าแดง"),
    ],
)
def test_a_new_customers_family_name_is_kept(text: str, name: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "customer_create" and out.slots.get("customer") == name


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        # when it will close is asked: no stage to move the deal to
        ("ปิดดีล Acme ได้เมื่อไหร่", None),
        ("when can we close the Acme deal", None),
        # "when" joining what happened asks nothing
        ("Acme deal won, they signed when we met yesterday", "won"),
        ("ดีล Acme ปิดได้แล้ว", "won"),
    ],
)
def test_asking_when_a_deal_closes_moves_it_nowhere(text: str, stage: str | None) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "deal_update" and out.slots.get("stage") == stage


def test_a_reminder_on_a_day_just_past_is_still_a_task() -> None:
    # only a contact told looks back: a reminder is for the next such day
    customers = CustomerIndex([CustomerName(4, "Lotus Garden", ())])
    out = parse(
        "remind me to call Lotus Garden on 20 Nov", ParseContext(now=NOW, customers=customers)
    )
    assert (out.intent, out.slots.get("due_date")) == ("task_create", date(2027, 11, 20))


def test_a_day_just_past_names_no_period() -> None:
    january = datetime(2027, 1, 10, 10, tzinfo=ZoneInfo("Asia/Bangkok"))
    out = parse("deals closing 31 Dec", ParseContext(now=january))
    assert "period" not in out.slots


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("👍", "confirm"),
        ("👍🏻", "confirm"),
        ("👌", "confirm"),
        ("🙏", "thanks"),
        ("🙏🙏", "thanks"),
    ],
)
def test_a_sign_alone_is_an_okay_or_thanks(text: str, intent: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent == intent


@pytest.mark.parametrize("text", ["tickets breaching SLA", "ทิกเก็ตไหนเกิน SLA บ้าง"])
def test_tickets_past_their_sla_are_the_overdue_ones(text: str) -> None:
    out = parse(text, ParseContext(now=NOW, customers=CustomerIndex([])))
    assert (out.intent, out.slots) == ("ticket_status", {"overdue": True})


@pytest.mark.parametrize("text", ["bye", "ok bye", "see ya", "บาย", "ลาก่อน", "บ๊ายบาย"])
def test_a_goodbye_is_thanks_never_a_yes(text: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent == "thanks"


@pytest.mark.parametrize(
    "text",
    ["ทีมขายโทรหาลูกค้ากี่ครั้งสัปดาห์นี้", "จำนวนครั้งที่ติดต่อลูกค้า สัปดาห์นี้", "calls this week"],
)
def test_how_often_customers_were_contacted_is_the_interactions_report(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "report" and out.slots.get("report_kind") == "interactions"


@pytest.mark.parametrize("text", ["งานพรุ่งนี้มีไรบ้าง", "พรุ่งนี้มีงานไรบ้าง", "งานพรุ่งนี้มีอะไรมั่ง"])
def test_tasks_asked_for_as_said_in_chat_are_a_list(text: str) -> None:
    # "ไร" and "มั่ง" are "อะไร" and "บ้าง" as said
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == "task_create" and out.slots.get("list") is True
    assert "note" not in out.slots


@pytest.mark.parametrize("text", ["todo list", "ดูงานที่ต้องทำหน่อย", "add a task: call Acme"])
def test_a_task_list_or_a_task_told_is_no_new_empty_task(text: str) -> None:
    assert parse(text, ParseContext(now=NOW)).slots.get("request") is None


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # the programme named alone: the bot answers a manager with its report
        ("loyalty", "loyalty_balance", {"report_kind": "loyalty"}),
        ("แต้มสะสม", "loyalty_balance", {"report_kind": "loyalty"}),
        ("แต้มเท่าไหร่", "loyalty_balance", {}),
        # "ตั๋ว" is a ticket too
        ("ตั๋วสัปดาห์ที่แล้ว", "report", {"report_kind": "tickets", "period": "last_week"}),
        ("แต้มสะสมเดือนนี้", "report", {"report_kind": "loyalty", "period": "this_month"}),
    ],
)
def test_the_loyalty_programme_and_tickets_named_in_thai(
    text: str, intent: str, slots: dict[str, object]
) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == (intent, slots)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("unassigned tickets", {"unassigned": True}),
        ("which tickets have no owner", {"unassigned": True}),
        ("เคสด่วนที่ยังไม่มีคนรับ", {"unassigned": True, "priority": "urgent"}),
        ("pending tickets", {"status": "pending"}),
        ("tickets waiting for customer", {"status": "pending"}),
        ("เคสที่รอลูกค้าตอบกลับมีอะไรบ้าง", {"status": "pending"}),
        ("my pending tickets", {"mine": True, "status": "pending"}),
    ],
)
def test_parts_of_the_ticket_queue(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("ticket_status", slots)


def test_a_customer_saying_their_ticket_is_pending_asks_for_no_part_of_the_queue() -> None:
    out = parse("my ticket about points still says pending, how long?", ParseContext(now=NOW))
    assert "status" not in out.slots and "unassigned" not in out.slots


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a known customer with a contact added: theirs
        (
            "add Lotus Garden email buy@lotus.example",
            "customer_lookup",
            {
                "customer": "Lotus Garden",
                "customer_id": 4,
                "email": "buy@lotus.example",
                "request": "change",
            },
        ),
        # a new customer asked for by name stays one (the bot says one is similar)
        (
            "new customer Lotus Garden phone 0899990001",
            "customer_create",
            {"customer": "Lotus Garden", "customer_id": 4, "phone": "0899990001"},
        ),
        # "Tel" is the contact given, no part of the name
        (
            "new customer Lotus Garden Tel. 0899990001",
            "customer_create",
            {"customer": "Lotus Garden", "customer_id": 4, "phone": "0899990001"},
        ),
        # a name that begins with a known one, or is near it, is a new customer as written
        (
            "new customer Lotus Garden Bangna, phone 0899990001",
            "customer_create",
            {"customer": "Lotus Garden Bangna", "phone": "0899990001"},
        ),
        (
            "new customer Lotus Gardens phone 0899990001",
            "customer_create",
            {"customer": "Lotus Gardens", "phone": "0899990001"},
        ),
    ],
)
def test_a_new_customers_name_is_kept_as_written(
    text: str, intent: str, slots: dict[str, object]
) -> None:
    customers = CustomerIndex([CustomerName(4, "Lotus Garden", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert (out.intent, out.to_json()["slots"]) == (intent, slots)


@pytest.mark.parametrize(
    "text",
    [
        "change owner of the Acme deal to Nattaya",
        "reassign Acme deal to Nattaya",
        "โอนดีล Acme ให้ณัฐยา",
        "hand the Siam Paper deal over to Nattaya",
    ],
)
def test_a_deal_handed_to_a_colleague_asks_to_assign_it(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("assign")) == ("deal_update", True)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # one's own deal, handed on: no list of the colleague's deals
        (
            "reassign my Acme deal to Nattaya",
            {"assign": True, "assignee": "Nattaya", "customer": "Acme Trading", "customer_id": 3},
        ),
        # whose deal it was is neither the customer nor the new owner
        (
            "give Nattaya's Korat deal to Somchai",
            {
                "assign": True,
                "assignee": "Somchai",
                "customer": "Korat Furniture",
                "customer_id": 5,
            },
        ),
        (
            "โอนดีล Acme ให้คุณณัฐยาดูแลต่อนะ",
            {"assign": True, "assignee": "ณัฐยา", "customer": "Acme Trading", "customer_id": 3},
        ),
        # the deal in focus
        ("โอนดีลนี้ให้ณัฐยา", {"assign": True, "assignee": "ณัฐยา", "refers_back": True}),
        (
            "hand this deal over to Nattaya",
            {"assign": True, "assignee": "Nattaya", "refers_back": True},
        ),
    ],
)
def test_a_deal_handed_names_the_new_owner(text: str, slots: dict[str, object]) -> None:
    customers = CustomerIndex(
        [CustomerName(3, "Acme Trading", ()), CustomerName(5, "Korat Furniture", ())]
    )
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert (out.intent, out.to_json()["slots"]) == ("deal_update", slots)


@pytest.mark.parametrize("text", ["ดีลที่ให้ณัฐยาดูแล", "deals assigned to Nattaya"])
def test_the_deals_a_colleague_looks_after_are_a_list(text: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent == "deal_list"


def test_a_deal_moved_is_no_deal_handed() -> None:
    out = parse("move the Acme deal to negotiation", ParseContext(now=NOW))
    assert out.intent == "deal_update" and "assign" not in out.slots


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("งานสัปดาห์นี้", "this_week"),
        ("tasks this week", "this_week"),
        # "next week" is the week, not its Monday
        ("my tasks next week", "next_week"),
        ("งานอาทิตย์หน้ามีอะไรบ้าง", "next_week"),
    ],
)
def test_ones_tasks_of_a_week(text: str, period: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("task_create", {"list": True, "period": period})


def test_a_task_set_for_next_week_keeps_its_day() -> None:
    out = parse("remind me to call Acme next week", ParseContext(now=NOW))
    assert "period" not in out.slots and "due_date" in out.slots


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("search tickets tumbler", "tumbler"),
        # the word as written, not the one it is near ("track")
        ("search tickets truck", "truck"),
        ("find the ticket about the invoice", "invoice"),
        ("ค้นหาเคส ใบกำกับภาษี", "ใบกำกับภาษี"),
        ("หาเคสที่เกี่ยวกับสินค้าเสียหาย", "สินค้าเสียหาย"),
    ],
)
def test_tickets_searched_by_what_they_hold(text: str, query: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.slots.get("query")) == ("ticket_status", query)


@pytest.mark.parametrize(
    "text",
    [
        "open a ticket about late delivery for Acme",
        "เปิดเคสเรื่องแก้วแตก",
        # asking how a reported problem stands is no search
        "เรื่องที่แจ้งไว้เมื่อวานเรื่องเน็ตล่ม ตอนนี้ถึงไหนแล้ว",
    ],
)
def test_no_search_of_the_tickets(text: str) -> None:
    assert "query" not in parse(text, ParseContext(now=NOW)).slots


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("add a staff member", "staff"),
        ("add a new rep Jane", "staff"),
        ("เพิ่มพนักงานใหม่", "staff"),
        ("เพิ่มเซลส์ใหม่ชื่อ Jane", "staff"),
        ("export customers", "data"),
        ("import deals from csv", "data"),
        ("ส่งออกข้อมูลลูกค้า", "data"),
        ("นำเข้าข้อมูลลูกค้าจากไฟล์ excel", "data"),
    ],
)
def test_work_done_on_the_server_is_help_on_it(text: str, topic: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("help", {"topic": topic})


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a task or a customer's words keep them as written
        ("remind me to add the new staff to the group", "task_create"),
        ("add Acme Trading as a customer", "customer_create"),
        ("new deal Acme Trading 50k", "deal_create"),
    ],
)
def test_server_words_beside_other_work_are_that_work(text: str, intent: str) -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert out.intent == intent and "topic" not in out.slots


@pytest.mark.parametrize(
    "text",
    [
        "Acme อาจจะไม่ปิดดีล",
        "Acme ไม่ปิดดีลแล้ว",
        "Acme ขอ discount 5% ถ้าเซ็นสัญญา 2 ปี",
        "Acme hasn't won the budget yet",
        "if Acme signs we win 80k",
        # "ไม่ได้" (did not) before the word denies it as "ไม่" does
        "ไม่ได้หลุดนะ Acme ยังคุยอยู่",
        "Acme ยังไม่ได้ปิดดีล",
        "Acme ไม่ได้ปิดดีล ลูกค้าไม่เอาแล้ว",
    ],
)
def test_a_deal_not_or_maybe_won_or_lost_is_neither(text: str) -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert out.slots.get("customer_id") == 3 and "stage" not in out.slots


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        # after a verb, "ไม่ได้" is "could not": the word after it stands
        ("ดีล Acme ติดต่อไม่ได้ หลุดแล้ว", "stage", "lost"),
        ("ดีล Acme ต่อรองไม่ได้ หลุด", "stage", "lost"),
        ("TCK-2004 ติดต่อลูกค้าไม่ได้ ด่วน", "priority", "urgent"),
        ("เข้าระบบไม่ได้ ด่วนค่ะ", "priority", "urgent"),
    ],
)
def test_could_not_denies_nothing_after_it(text: str, slot: str, value: str) -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    assert parse(text, ParseContext(now=NOW, customers=customers)).slots.get(slot) == value


def test_not_receiving_news_is_no_opt_out() -> None:
    assert parse("ไม่ได้รับข่าวสารเลยค่ะ", ParseContext(now=NOW)).slots.get("consent") != "opt_out"


@pytest.mark.parametrize(
    ("text", "lang"),
    [("สมศรี ใจดี", "th"), ("มาลี วงศ์ ค่ะ", "th"), ("Acme Trading", "en"), ("Acme Trading ค่ะ", "th")],
)
def test_a_name_alone_is_in_its_own_script(text: str, lang: str) -> None:
    customers = CustomerIndex(
        [
            CustomerName(2, "สมศรี ใจดี", ()),
            CustomerName(3, "Acme Trading", ()),
            CustomerName(8, "มาลี วงศ์", ()),
        ]
    )
    assert parse(text, ParseContext(now=NOW, customers=customers)).lang == lang


@pytest.mark.parametrize(
    ("text", "stage", "reason"),
    [
        ("lost Acme because of price", "lost", "price"),
        ("Acme deal lost, reason: budget cut", "lost", "budget cut"),
        ("Lost the Acme deal, they went with a competitor!!", "lost", "went with a competitor"),
        ("ดีล Acme หลุดแล้ว เพราะราคาสูงกว่าคู่แข่ง 20%", "lost", "ราคาสูงกว่าคู่แข่ง 20%"),
        ("ดีล Acme หลุด ลูกค้าไปใช้เจ้าอื่นที่ถูกกว่า", "lost", "ไปใช้เจ้าอื่นที่ถูกกว่า"),
        ("ปิดดีล Acme ได้แล้ว 80k เพราะส่งของได้เร็ว", "won", "ส่งของได้เร็ว"),
        # the stage word after the reason ends it
        ("Acme picked another vendor, deal lost", "lost", "picked another vendor"),
        ("ดีล Acme ลูกค้าเลือกเจ้าอื่น mark lost", "lost", "เลือกเจ้าอื่น"),
        # a reason before the customer is named, or none at all, gives none
        ("ลูกค้าเลือกเจ้าอื่น ดีล Acme หลุด", "lost", None),
        ("Acme lost", "lost", None),
        # pleasantries end it; a figure in it is no deal's amount; a won deal's errand is none
        ("ดีล Acme หลุดค่ะ เนื่องจากลูกค้าไม่มีงบ นะคะ", "lost", "ลูกค้าไม่มีงบ"),
        ("lost Acme because of price thanks", "lost", "price"),
        ("ดีล Acme หลุด เพราะลูกค้ามีงบแค่ 5 หมื่น", "lost", "ลูกค้ามีงบแค่ 5 หมื่น"),
        ("ดีล Acme ปิดได้ 90k เดี๋ยวไปซื้อกาแฟเลี้ยงทีม", "won", None),
    ],
)
def test_why_a_deal_was_won_or_lost_is_kept_as_written(
    text: str, stage: str, reason: str | None
) -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert out.intent == "deal_update" and out.slots.get("stage") == stage
    assert out.slots.get("reason") == reason
    if reason and "หมื่น" in reason:
        assert "amount" not in out.slots


def test_a_reason_comes_only_with_a_deal_won_or_lost() -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    out = parse(
        "ดีล Acme ไปที่ negotiation เพราะลูกค้าขอส่วนลด", ParseContext(now=NOW, customers=customers)
    )
    assert out.slots.get("stage") == "negotiation" and "reason" not in out.slots


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("TCK-2010 ปิดได้", {"ticket_id": "TCK-2010", "status": "closed"}),
        # what was done, beside the change, is kept as written
        (
            "TCK-2010 เปลี่ยนที่อยู่ให้แล้วค่ะ ปิดได้",
            {"ticket_id": "TCK-2010", "status": "closed", "note": "เปลี่ยนที่อยู่ให้แล้วค่ะ ปิดได้"},
        ),
        (
            "TCK-2009 waiting on parts, set pending",
            {"ticket_id": "TCK-2009", "status": "pending", "note": "waiting on parts, set pending"},
        ),
        # words that only frame the change are no remark
        ("TCK-2002 เปลี่ยนสถานะเป็นปิด", {"ticket_id": "TCK-2002", "status": "closed"}),
        ("TCK-2002 closed, thank you", {"ticket_id": "TCK-2002", "status": "closed"}),
    ],
)
def test_a_ticket_changed_keeps_what_is_said_beside_the_change(
    text: str, slots: dict[str, object]
) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("ticket_update", slots)


@pytest.mark.parametrize("text", ["TCK-2010", "TCK-2010 ค่ะ", "tck2010?", "TCK-2010 ล่ะคะ"])
def test_a_ticket_id_alone_is_the_ticket_to_see(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("ticket_status", {"ticket_id": "TCK-2010"})


@pytest.mark.parametrize("text", ["เคสด่วนวันนี้", "เคสด่วน"])
def test_the_urgent_queue_of_a_day_is_the_queue(text: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("ticket_status", {"priority": "urgent"})


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a task named moves the task, not the deal's closing date
        ("เลื่อนงาน Lotus Garden ไปวันจันทร์", "task_create"),
        ("push the Siam Paper task to next week", "task_create"),
        ("เลื่อนดีล Lotus Garden ไปปิดเดือนหน้า", "deal_update"),
        ("push the Acme deal to negotiation", "deal_update"),
    ],
)
def test_a_task_moved_is_no_deal_moved(text: str, intent: str) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert out.intent == intent
    assert (out.slots.get("request") == "move") is (intent == "task_create")


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("งานของทีม", {"list": True, "team": True}),
        ("งานที่เลยกำหนดของทีม", {"list": True, "team": True, "overdue": True}),
        ("team tasks", {"list": True, "team": True}),
        ("the team's tasks", {"list": True, "team": True}),
    ],
)
def test_the_teams_tasks_are_a_list(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("task_create", slots)


def test_a_task_for_the_team_is_no_list() -> None:
    out = parse("remind the team to update the CRM", ParseContext(now=NOW))
    assert out.intent == "task_create" and "list" not in out.slots
    assert parse("thanks team", ParseContext(now=NOW)).intent == "thanks"


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("sales last year", {"report_kind": "sales", "period": "last_year"}),
        ("ยอดขายปีที่แล้ว", {"report_kind": "sales", "period": "last_year"}),
        # a year in either era, this or last one the period itself (now: November 2026)
        ("ยอดขายปี 2568", {"report_kind": "sales", "period": "last_year"}),
        ("sales report for 2026", {"report_kind": "sales", "period": "this_year"}),
        ("sales 2024", {"report_kind": "sales", "year": "2024"}),
        ("ยอดขาย 2567", {"report_kind": "sales", "year": "2024"}),
        # a quarter: the latest of that number up to now
        ("Q3 sales", {"report_kind": "sales", "period": "last_quarter"}),
        ("ยอดขายไตรมาส 4", {"report_kind": "sales", "period": "this_quarter"}),
        ("sales Q1", {"report_kind": "sales", "quarter": "2026-Q1"}),
        ("ไตรมาสที่ 2 ปี 2568 ยอดขาย", {"report_kind": "sales", "quarter": "2025-Q2"}),
    ],
)
def test_a_report_of_a_year_or_quarter(text: str, slots: dict[str, object]) -> None:
    out = parse(text, ParseContext(now=NOW))
    assert (out.intent, out.to_json()["slots"]) == ("report", slots)


@pytest.mark.parametrize("text", ["ค่ะ", "ครับ", "ครับผม", "ค่ะๆ", "ครับบบ"])
def test_a_polite_particle_alone_agrees(text: str) -> None:
    assert parse(text, ParseContext(now=NOW)).intent == "confirm"


def test_a_questioning_particle_alone_does_not_agree() -> None:
    assert parse("คะ", ParseContext(now=NOW)).intent == "out_of_scope"


def test_a_known_customer_called_politely_is_their_card() -> None:
    customers = CustomerIndex([CustomerName(2, "สมศรี ใจดี", ())])
    out = parse("คุณสมศรีค่ะ", ParseContext(now=NOW, customers=customers))
    assert (out.intent, out.slots.get("customer_id")) == ("customer_lookup", 2)


def test_a_new_customer_named_as_anothers_alias_keeps_the_name_written() -> None:
    customers = CustomerIndex([CustomerName(4, "Lotus Garden", ("Lotus Garden Restaurant",))])
    ctx = ParseContext(now=NOW, customers=customers)
    out = parse("new customer Lotus Garden Restaurant, 0845678000", ctx)
    assert out.to_json()["slots"] == {
        "customer": "Lotus Garden Restaurant",
        "customer_id": 4,
        "phone": "0845678000",
    }
    # the known name in other letters is the known name
    assert parse("new customer lotus garden", ctx).slots["customer"] == "Lotus Garden"


@pytest.mark.parametrize(
    "text",
    ["เสร็จงาน Acme แล้ว", "ติ๊กงานเยี่ยม Acme ว่าเสร็จ", "เคลียร์งานส่งตัวอย่างให้ Acme แล้ว"],
)
def test_a_task_said_done_first_is_a_task_done(text: str) -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    out = parse(text, ParseContext(now=NOW, customers=customers))
    assert (out.intent, out.slots.get("request")) == ("task_create", "done")


def test_tasks_named_only_as_tasks_are_a_list() -> None:
    out = parse("งานที่ต้องตามวันนี้", ParseContext(now=NOW))
    assert (out.intent, out.slots.get("list"), out.slots.get("note")) == ("task_create", True, None)


@pytest.mark.parametrize(
    "text",
    [
        "TCK-2009 ปิดได้ไหม",
        "TCK-2009 ถ้าลูกค้าได้ของแล้วปิดได้",
        "TCK-2001 จะปิดได้เมื่อลูกค้ายืนยัน",
    ],
)
def test_a_ticket_asked_about_or_closed_on_a_condition_is_not_closed(text: str) -> None:
    assert parse(text, ParseContext(now=NOW)).slots.get("status") != "closed"


def test_an_id_beside_a_mention_is_no_ticket_to_see() -> None:
    assert parse("TCK-2002 <@U123ABC>", ParseContext(now=NOW)).intent == "ticket_update"


def test_work_done_then_more_to_come_is_no_task_done() -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    out = parse("เสร็จงานแล้วจะโทรหา Acme", ParseContext(now=NOW, customers=customers))
    assert out.slots.get("request") != "done"


def test_a_day_after_what_was_said_is_part_of_the_note() -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    ctx = ParseContext(now=NOW, customers=customers)
    out = parse("โทรหา Acme ลูกค้าแจ้งว่าโอนเงินไปแล้วเมื่อวาน", ctx)
    assert "date" not in out.slots and out.slots["note"] == "ลูกค้าแจ้งว่าโอนเงินไปแล้วเมื่อวาน"
    said = parse("called Acme, they said the goods arrived last Friday", ctx)
    assert "date" not in said.slots
    assert parse("called Acme yesterday, they want to renew", ctx).slots["date"] == date(
        2026, 11, 21
    )


def test_a_new_task_is_due_on_the_day_ahead_not_a_day_past() -> None:
    out = parse("เตือนให้ส่งสรุปที่ประชุมเมื่อวันจันทร์ให้ Acme พรุ่งนี้", ParseContext(now=NOW))
    assert out.slots["due_date"] == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        # a month with its year is that month
        ("sales October 2026", {"report_kind": "sales", "period": "last_month"}),
        ("sales for Oct 2025", {"report_kind": "sales", "month": "2025-10"}),
        # a sum is no year
        ("top customers who spent over 2000 baht", {"report_kind": "customers", "top": 10}),
    ],
)
def test_a_month_or_a_sum_beside_a_year_like_number(text: str, slots: dict[str, object]) -> None:
    assert parse(text, ParseContext(now=NOW)).to_json()["slots"] == slots


def test_a_list_takes_no_year_it_cannot_show() -> None:
    out = parse("deals won in 2024", ParseContext(now=NOW))
    assert out.intent == "deal_list" and "year" not in out.slots


def test_points_given_are_no_deal_handed() -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    out = parse("give 500 points to Acme for the deal", ParseContext(now=NOW, customers=customers))
    assert out.intent == "loyalty_adjust"
    hand = parse(
        "hand the Acme deal over to Nattaya to close", ParseContext(now=NOW, customers=customers)
    )
    assert hand.slots.get("assignee") == "Nattaya"


@pytest.mark.parametrize(
    "text",
    ["export orders history please", "อัพโหลดไฟล์ไม่ได้ค่ะ", "I want to add another user to my account"],
)
def test_a_customers_words_are_no_server_work(text: str) -> None:
    assert "topic" not in parse(text, ParseContext(now=NOW)).slots


def test_push_moves_only_a_task_named() -> None:
    customers = CustomerIndex([CustomerName(1, "Siam Paper", ())])
    ctx = ParseContext(now=NOW, customers=customers)
    assert parse("push the Siam Paper task to next week", ctx).slots.get("request") == "move"
    assert parse("push Siam Paper for a decision by Friday", ctx).slots.get("request") != "move"


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        # a Thai "cannot" after closing: lost, as "ปิดไม่ได้"
        ("Acme ปิดดีลไม่ได้", "lost"),
        ("Acme closed the deal, can't wait", "won"),
    ],
)
def test_a_deal_that_could_not_be_closed_is_lost(text: str, stage: str) -> None:
    customers = CustomerIndex([CustomerName(3, "Acme Trading", ())])
    assert parse(text, ParseContext(now=NOW, customers=customers)).slots.get("stage") == stage
