"""End-to-end conversations through the console adapter and the real bot, on both stores."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.actions import faq_match
from bot.engine import Bot
from bot.replies import label, say
from crm_core import reports
from crm_core.models import (
    AuditEntry,
    Customer,
    Deal,
    DealStageChange,
    Handoff,
    Interaction,
    LedgerKind,
    Order,
    OutboxMessage,
    OutboxStatus,
    PointsEntry,
    Priority,
    Reward,
    Staff,
    Stage,
    Task,
    Ticket,
    TicketStatus,
    Tier,
)
from crm_core.services import (
    activities,
    campaigns,
    deals,
    knowledge,
    loyalty,
    orders,
    outbox,
    tickets,
)
from crm_core.services.customers import CustomerInput, create_customer, link_failures_since
from crm_core.services.staff import add_staff, staff_by_slack_id
from crm_core.types import utcnow
from crm_core.uow import Actor
from tests.e2e.world import NOW, World


def test_rep_closes_a_deal_with_missing_amount_then_undoes_it(world: World) -> None:
    rep = world.session("staff:U_SALES")
    asked = rep.send("ปิดดีล Acme ได้แล้ว")
    assert asked.intent == "deal_update"
    assert "มูลค่าเท่าไหร่" in asked.text
    confirm = rep.send("50k")
    assert confirm.confirm and "฿50,000" in confirm.text and "Acme Trading" in confirm.text
    done = rep.send("ใช่")
    assert "ปิดได้" in done.text
    with world.store.uow() as uow:
        deal = uow.session.get_one(Deal, world.acme_deal)
        assert deal.stage is Stage.WON and deal.amount == Decimal("50000.00")
        audit = uow.session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == "deals", AuditEntry.action == "deal.update"
            )
        ).all()
        assert len(audit) == 1 and audit[0].actor == "slack:U_SALES"
    undone = rep.send("undo")
    assert "ย้อน" in undone.text
    with world.store.uow() as uow:
        deal = uow.session.get_one(Deal, world.acme_deal)
        assert deal.stage is Stage.PROPOSAL and deal.amount == Decimal("0.00")


@pytest.mark.parametrize("undo", ["ขอยกเลิกที่ปิดดีลเมื่อกี้ครับ กดผิด", "ยกเลิกอันเมื่อกี้", "undo that please"])
def test_a_cancel_pointing_back_at_the_last_change_undoes_it(world: World, undo: str) -> None:
    rep = world.session("staff:U_SALES")
    rep.send("ดีล Acme Trading ปิดได้แล้ว 50k")
    rep.send("ใช่")
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.WON
    rep.send(undo)
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.PROPOSAL
    # a plain cancel with nothing asked still cancels nothing
    assert rep.send("ยกเลิก").text == say("nothing_to_cancel", "th")


def test_a_redemption_of_several_says_one_is_redeemed_before_the_yes(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    asked = somsri.send("แลกแก้วน้ำ 2 ใบค่ะ")
    assert asked.confirm and asked.text.startswith(say("redeem_one_at_a_time", "th"))
    somsri.send("ไม่ค่ะ")
    assert not somsri.send("แลกแก้วน้ำค่ะ").text.startswith(say("redeem_one_at_a_time", "th"))


def test_a_customer_cancelling_with_nothing_waiting_is_offered_staff(world: World) -> None:
    # "nothing to cancel" would read as if the redemption were gone: staff can cancel it
    somsri = world.session("customer:U_LINE_SOMSRI")
    reply = somsri.send("ยกเลิกการแลกแก้วน้ำค่ะ")
    assert reply.text == say("nothing_to_cancel_customer", "th")
    assert [c.label for c in reply.choices] == [say("talk_to_staff", "th")]


def test_an_okay_with_nothing_asked_is_acknowledged_and_a_thumbs_up_confirms(
    world: World,
) -> None:
    rep = world.session("staff:U_SALES")
    for text in ("โอเคค่ะ", "👍", "รับทราบค่ะ"):
        assert rep.send(text).text == say("thanks", "th"), text
    assert rep.send("ใช่").text == say("nothing_to_confirm", "th")
    # an okay or a thanks while something is asked leaves the question standing
    asked = rep.send("ดีลใหม่ Siam Paper")
    assert rep.send("👍").text == asked.text
    rep.send("ยกเลิก")
    assert rep.send("ดีล Acme Trading ขยับไป negotiation").confirm
    assert rep.send("🙏").text == say("please_confirm", "th")
    rep.send("👍")
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.NEGOTIATION


def test_undo_with_a_confirmation_waiting_backs_out_of_it_not_the_change_before(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    rep.send("โทรหา Acme Trading คุยเรื่องราคาแล้ว")
    calls = count_rows(Interaction)
    assert rep.send("ดีล Acme Trading ขยับไป negotiation").confirm
    backed = rep.send("undo")
    assert backed.text == say("undo_pending_more", "th")
    # the call stays, and a yes now confirms nothing
    assert count_rows(Interaction) == calls
    assert not rep.send("ใช่").confirm
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.PROPOSAL
    # undo again reverts the call, and says what it was
    again = rep.send("undo")
    assert "บันทึกการโทรกับ Acme Trading" in again.text
    assert count_rows(Interaction) == calls - 1


def test_a_thai_name_alone_is_answered_in_thai_and_colleagues_greeted_by_first_name(
    world: World,
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        add_staff(uow, "U_SALES3", "Narin Dee (นรินทร์ ดี)", "sales")
        uow.commit()
    narin = world.session("staff:U_SALES3")
    card = narin.send("สมศรี ใจดี")
    assert card.intent == "customer_lookup" and card.lang == "th" and card.cards
    assert narin.send("สวัสดีครับ").text.startswith("สวัสดี คุณนรินทร์ ")
    assert narin.send("hello").text.startswith("Hello Narin!")


def test_a_target_close_date_moves_the_date_and_leaves_the_stage(world: World) -> None:
    rep = world.session("staff:U_SALES")
    confirm = rep.send("ต้องปิดดีล Acme ก่อนสิ้นเดือน")
    month_end = (NOW.date().replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    shown = f"กำหนดปิด {month_end.day} "
    assert confirm.confirm and shown in confirm.text and str(month_end.year + 543) in confirm.text
    # no move is offered: the confirmation says the deal is edited at its own stage
    assert confirm.text.startswith("ยืนยันแก้ไข") and "ขั้น เสนอราคา" in confirm.text
    done = rep.send("ใช่")
    assert shown in done.text and "เสนอราคา" in done.text
    with world.store.uow() as uow:
        deal = uow.session.get_one(Deal, world.acme_deal)
        assert deal.stage is Stage.PROPOSAL and deal.close_date == month_end


def test_asking_where_a_deal_is_shows_its_stage_before_offering_a_move(world: World) -> None:
    rep = world.session("staff:U_SALES")
    reply = rep.send("ดีล Acme ตอนนี้อยู่ขั้นไหน")
    assert reply.intent == "deal_update"
    assert "อยู่ขั้น เสนอราคา" in reply.text and "Acme Trading" in reply.text
    assert len(reply.choices) == len(Stage)
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.PROPOSAL


def test_a_ticket_typed_by_staff_is_read_back_before_it_is_opened(
    world: World, count_rows: Callable[[type], int]
) -> None:
    support = world.session("staff:U_SUPPORT")
    before = count_rows(Ticket)
    asked = support.send("เปิดเคสให้ลูกค้า Acme Trading เครื่องเสีย ด่วน")
    assert asked.intent == "ticket_create" and asked.confirm
    assert "Acme Trading" in asked.text and "ด่วน" in asked.text
    assert count_rows(Ticket) == before
    assert "ยกเลิก" in support.send("ไม่").text
    assert count_rows(Ticket) == before
    support.send("เปิดเคสให้ลูกค้า Acme Trading เครื่องเสีย ด่วน")
    opened = support.send("ใช่")
    assert opened.text.startswith("เปิดเคส TCK-") and count_rows(Ticket) == before + 1


def test_a_won_deal_shows_no_close_date_still_expected(world: World) -> None:
    with world.store.uow() as uow:
        uow.session.get_one(Deal, world.acme_deal).close_date = NOW.date() + timedelta(days=14)
        uow.commit()
    rep = world.session("staff:U_SALES")
    assert rep.send("ดีล Acme Trading ปิดได้แล้ว 80k").confirm
    done = rep.send("ใช่")
    assert "ปิดได้" in done.text and "กำหนดปิด" not in done.text


def test_a_new_deal_reads_back_its_title_and_close_date(world: World) -> None:
    rep = world.session("staff:U_SALES")
    asked = rep.send("ดีลใหม่ Siam Paper ระบบ POS 120k ปิด 30 ธ.ค.")
    assert asked.confirm and '"ระบบ POS"' in asked.text and "กำหนดปิด 30 ธ.ค. 2569" in asked.text
    done = rep.send("ใช่")
    assert '"ระบบ POS"' in done.text and "กำหนดปิด 30 ธ.ค. 2569" in done.text
    with world.store.uow() as uow:
        deal = uow.session.scalars(select(Deal).where(Deal.customer_id == world.siam)).one()
        assert deal.title == "ระบบ POS" and deal.close_date == date(2026, 12, 30)
        assert deal.amount == Decimal("120000.00")


def test_staff_name_a_customer_by_member_id_or_phone(world: World) -> None:
    with world.store.uow() as uow:
        before = loyalty.balance(uow, world.somsri)
    manager = world.session("staff:U_MANAGER")
    asked = manager.send("เพิ่ม 200 แต้มให้ M-10002 ชดเชย")
    assert asked.confirm and "คุณสมศรี ใจดี" in asked.text and "+200" in asked.text
    manager.send("ใช่")
    with world.store.uow() as uow:
        assert loyalty.balance(uow, world.somsri) == before + 200
    card = manager.send("ข้อมูลลูกค้าเบอร์ 082-222-2222")
    assert card.intent == "customer_lookup" and "Siam Paper" in card.text
    unknown = manager.send("แต้ม M-99999 เหลือเท่าไหร่")
    assert "M-99999" in unknown.text and not unknown.confirm
    # the same numbers answer "which customer?"
    assert manager.send("เพิ่ม 100 แต้ม ชดเชย").text == "ลูกค้ารายไหน"
    answered = manager.send("M-10002")
    assert answered.confirm and "คุณสมศรี ใจดี" in answered.text and "+100" in answered.text
    assert manager.send("แต้มเหลือเท่าไหร่").text == "ลูกค้ารายไหน"
    assert "Siam Paper" in manager.send("0822222222").text


def test_an_adjustment_by_member_id_adds_and_a_deduction_named_after_it_deducts(
    world: World,
) -> None:
    with world.store.uow() as uow:
        before = loyalty.balance(uow, world.somsri)
    manager = world.session("staff:U_MANAGER")
    # the hyphen of the member id is no minus sign
    asked = manager.send("ให้ M-10002 200 แต้ม ชดเชยของเสีย")
    assert asked.confirm and "+200" in asked.text
    manager.send("ใช่")
    taken = manager.send("M-10002 has 50 too many from a wrong receipt, take them off")
    assert taken.confirm and "-50" in taken.text
    manager.send("yes")
    with world.store.uow() as uow:
        assert loyalty.balance(uow, world.somsri) == before + 150


def test_staff_name_a_thai_customer_by_given_name(world: World) -> None:
    rep = world.session("staff:U_SALES")
    world.bot.customers()
    logged = rep.send("โทรหาสมศรีแล้ว ลูกค้าขอแคตตาล็อกใหม่")
    assert logged.intent == "log_interaction" and "คุณสมศรี ใจดี" in logged.text
    with world.store.uow() as uow:
        notes = uow.session.scalars(
            select(Interaction.note).where(Interaction.customer_id == world.somsri)
        ).all()
    assert notes == ["ลูกค้าขอแคตตาล็อกใหม่"]


def _set_acme_deal_amount(world: World, amount: Decimal) -> None:
    with world.store.uow() as uow:
        uow.session.get_one(Deal, world.acme_deal).amount = amount
        uow.commit()


def test_a_deal_update_shows_the_amount_it_replaces(world: World) -> None:
    _set_acme_deal_amount(world, Decimal("80000"))
    rep = world.session("staff:U_SALES")
    asked = rep.send("ดีล Acme Trading ปิดได้แล้ว 50k")
    assert asked.confirm and "Paper supply 2027" in asked.text
    assert "฿50,000 (เดิม ฿80,000)" in asked.text
    rep.send("ไม่")
    same = rep.send("ดีล Acme Trading ปิดได้แล้ว 80k")
    assert same.confirm and "เดิม" not in same.text


def test_a_deal_changed_by_a_sum_adds_it_to_the_amount(world: World) -> None:
    _set_acme_deal_amount(world, Decimal("80000"))
    rep = world.session("staff:U_SALES")
    asked = rep.send("increase the Acme Trading deal by 20k")
    assert asked.confirm and "฿100,000 (was ฿80,000)" in asked.text
    rep.send("yes")
    lowered = rep.send("ดีล Acme Trading ลดลง 10k")
    assert lowered.confirm and "฿90,000 (เดิม ฿100,000)" in lowered.text
    rep.send("ใช่")
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).amount == Decimal("90000")
    refused = rep.send("cut the Acme Trading deal by 200k")
    assert not refused.confirm and "฿90,000" in refused.text


def test_a_problem_told_when_asked_may_name_another_customer(world: World) -> None:
    support = world.session("staff:U_SUPPORT")
    support.send("open a ticket for Acme Trading")
    told = support.send("the machine we installed at Siam Paper is leaking")
    assert told.confirm and told.text == say(
        "confirm_ticket_create",
        "en",
        subject="the machine we installed at Siam Paper is leaking",
        name="Acme Trading",
        priority="normal",
    )


def test_a_stage_question_is_answered_by_the_stage_said_and_left_for_another_customer(
    world: World,
) -> None:
    with world.store.uow() as uow:
        siam = uow.session.get_one(Customer, world.siam)
        rep = staff_by_slack_id(uow, "U_SALES")
        deals.create_deal(uow, siam, "Notebooks 2027", owner=rep, stage="qualified")
        uow.commit()
    somchai = world.session("staff:U_SALES")
    asked = somchai.send("ดีล Acme Trading ย้ายไป")
    assert asked.text.endswith(say("ask_stage", "th"))
    # the stage said, not the label "ลีด" that "ดีล" looks like
    lost = somchai.send("ดีล Acme Trading แพ้แล้ว")
    assert lost.confirm and label("stage", "lost", "th") in lost.text
    assert "Paper supply 2027" in lost.text
    somchai.send("ไม่")
    somchai.send("ดีล Acme Trading ย้ายไป")
    # another customer's deal named: a request of its own, Acme's question left behind
    other = somchai.send("ดีล Siam Paper แพ้แล้ว เลือกเจ้าอื่น")
    assert other.confirm and "Notebooks 2027" in other.text
    assert "Paper supply 2027" not in other.text


def test_a_date_told_with_an_answer_is_kept(world: World) -> None:
    rep = world.session("staff:U_SALES")
    assert rep.send("new deal").text == say("ask_customer", "en")
    rep.send("Siam Paper")
    confirm = rep.send("about 40k, closing 15 Dec")
    assert confirm.confirm and "฿40,000" in confirm.text and "15 Dec 2026" in confirm.text
    rep.send("yes")
    with world.store.uow() as uow:
        deal = uow.session.scalars(
            select(Deal).where(Deal.customer_id == world.siam).order_by(Deal.id.desc())
        ).first()
        assert deal is not None and deal.close_date == date(2026, 12, 15)


def test_a_new_stage_said_while_which_deal_is_asked_is_a_request_of_its_own(world: World) -> None:
    with world.store.uow() as uow:
        acme = uow.session.get_one(Customer, world.acme)
        rep = staff_by_slack_id(uow, "U_SALES")
        deals.create_deal(uow, acme, "Envelopes 2027", owner=rep, amount=200000)
        uow.commit()
    somchai = world.session("staff:U_SALES")
    asked = somchai.send("ดีล Acme Trading ปิดได้แล้ว")
    assert asked.text == say("which_deal", "th") and len(asked.choices) == 2
    # a correction with a stage of its own names the customer's deals, not one to close
    again = somchai.send("เอ้ย ไม่ใช่ ดีล Acme Trading ขยับไป negotiation")
    assert again.text == say("which_deal", "th")
    picked = somchai.send("1")
    assert picked.confirm and label("stage", "negotiation", "th") in picked.text
    assert label("stage", "won", "th") not in picked.text
    somchai.send("ไม่")
    # the deal named by its own title is that one, not asked about
    titled = somchai.send("ดีล Acme Trading Envelopes 2027 ขยับไป negotiation")
    assert titled.confirm and "Envelopes 2027" in titled.text


def test_why_a_deal_was_lost_is_kept_and_told_back(world: World) -> None:
    with world.store.uow() as uow:
        uow.session.get_one(Deal, world.acme_deal).close_date = date(2026, 12, 31)
        uow.commit()
    somchai = world.session("staff:U_SALES")
    asked = somchai.send("Acme Trading deal lost, they went with a cheaper supplier")
    assert asked.confirm and "(reason: went with a cheaper supplier)" in asked.text
    done = somchai.send("yes")
    assert "lost" in done.text and "went with a cheaper supplier" in done.text
    with world.store.uow() as uow:
        deal = uow.session.scalars(select(Deal).where(Deal.title == "Paper supply 2027")).one()
        assert deal.stage is Stage.LOST
        assert deal.history[-1].reason == "went with a cheaper supplier"
        # lost today: the date it was expected to close is now the day it closed
        assert deal.close_date == date(2026, 11, 20)
    # the deals lost this month say why
    listed = somchai.send("ดีลที่หลุดเดือนนี้")
    assert listed.intent == "deal_list"
    assert "Paper supply 2027 ฿0 (ไม่สำเร็จ, went with a cheaper supplier)" in listed.text
    # undone, the move and its reason go together
    somchai.send("undo")
    with world.store.uow() as uow:
        deal = uow.session.scalars(select(Deal).where(Deal.title == "Paper supply 2027")).one()
        assert deal.stage is Stage.PROPOSAL and deals.stage_reason(deal) is None
        assert deal.close_date == date(2026, 12, 31)


def test_deals_won_in_a_period_are_listed(world: World) -> None:
    rep = world.session("staff:U_SALES")
    assert rep.send("ดีลที่ปิดได้เดือนนี้").text == "ไม่มีดีลที่เข้าขั้น ปิดได้ เดือนนี้"
    rep.send("ดีล Acme Trading ปิดได้แล้ว 80k")
    rep.send("ใช่")
    won = rep.send("ดีลที่ปิดได้เดือนนี้")
    assert won.intent == "deal_list"
    assert won.text.startswith("ดีลที่เข้าขั้น ปิดได้ เดือนนี้ (1 รายการ รวม ฿80,000):")
    assert "Paper supply 2027" in won.text
    assert "Paper supply 2027" not in rep.send("ดีลที่ปิดได้เดือนที่แล้ว").text
    assert "Paper supply 2027" not in rep.send("ดีลที่เปิดอยู่มีอะไรบ้าง").text
    # the one deal settled this month was won
    rate = rep.send("win rate this month")
    assert rate.intent == "report" and "Deals lost: 0\nWin rate: 100.0%" in rate.text
    lost = rep.send("deals lost in the last 90 days")
    assert lost.text == "No deals reached stage lost, the past 90 days."


def test_deals_expected_to_close_in_a_period_are_listed_by_close_date(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    with world.store.uow() as uow:
        siam = uow.session.get_one(Customer, world.siam)
        for title, day in (
            ("Notebooks 2027", date(2026, 12, 20)),
            ("Envelopes", date(2026, 12, 3)),
        ):
            deals.create_deal(uow, siam, title, owner=None, stage="qualified", close_date=day)
        uow.session.get_one(Deal, world.acme_deal).close_date = date(2026, 11, 26)
        uow.commit()
    # NOW is Friday 20 Nov 2026: the Acme deal closes next week, the other two next month
    listed = manager.send("ดีลที่จะปิดเดือนหน้า")
    assert listed.intent == "deal_list"
    assert listed.text.startswith("ดีลที่คาดว่าจะปิดเดือนหน้า (2 รายการ")
    assert listed.text.index("Envelopes") < listed.text.index("Notebooks 2027")
    assert "3 ธ.ค. 2569" in listed.text and "Paper supply 2027" not in listed.text
    week = manager.send("which deals close next week?")
    assert week.text.startswith("Open deals expected to close next week (1,")
    assert "Paper supply 2027" in week.text
    assert manager.send("deals closing this week").text == (
        "No open deals are expected to close this week."
    )
    # sales ahead have no numbers yet: the deals expected to close then answer
    forecast = manager.send("ยอดขายเดือนหน้า")
    assert forecast.intent == "report" and forecast.text == listed.text
    assert manager.send("tickets next week").text.startswith("There are no numbers for next week")


def test_the_teams_sales_report_shows_the_orders_a_reps_does_not(world: World) -> None:
    # three orders of ฿1,250.50 were placed on Tuesday; the manager asks in Thai for orders
    team = world.session("staff:U_MANAGER").send("ยอดสั่งซื้อสัปดาห์นี้")
    assert team.text.startswith("รายงานยอดขาย สัปดาห์นี้:")
    assert "\nคำสั่งซื้อ (ไม่นับที่ยกเลิก/คืน): 3\nยอดคำสั่งซื้อ: ฿3,751.50\n" in team.text
    own = world.session("staff:U_SALES").send("sales this week")
    assert own.text.startswith("Sales report") and "Order" not in own.text


def test_stuck_and_largest_deals_are_listed_with_counts_of_all(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    with world.store.uow() as uow:
        siam = uow.session.get_one(Customer, world.siam)
        for n in range(1, 18):  # 17 more open deals, ฿1,000 to ฿17,000, moved yesterday
            deal = deals.create_deal(uow, siam, f"Batch {n}", owner=None, amount=1000 * n)
            deal.history[-1].changed_at = NOW - timedelta(days=1)
        # the Acme deal has sat in proposal for 50 days, "Batch 3" in lead for 19
        acme = uow.session.get_one(Deal, world.acme_deal)
        acme.amount = Decimal("90000")
        acme.history[-1].changed_at = NOW - timedelta(days=50)
        uow.session.scalars(select(Deal).where(Deal.title == "Batch 3")).one().history[
            -1
        ].changed_at = NOW - timedelta(days=19)
        uow.commit()
    stuck = manager.send("which deals are stuck?")
    assert stuck.intent == "deal_list"
    assert stuck.text == (
        "Open deals that have stayed in one stage for 14 days or more (2, total ฿93,000):\n"
        "• Acme Trading: Paper supply 2027 ฿90,000 (proposal, 50 days in stage)\n"
        "• Siam Paper: Batch 3 ฿3,000 (lead, 19 days in stage)"
    )
    month = manager.send("ดีลที่ไม่ขยับเกิน 30 วัน")
    assert month.text.startswith("ดีลที่เปิดอยู่และอยู่ขั้นเดิมมา 30 วันขึ้นไป (1 รายการ รวม ฿90,000)")
    assert "อยู่ขั้นนี้ 50 วัน" in month.text and "Batch 3" not in month.text
    assert manager.send("deals stuck for 60 days").text == (
        "No open deal has stayed in one stage for 60 days or more."
    )
    assert manager.send("stuck deals in negotiation").text == say(
        "no_deals_stale_at", "en", stage="negotiation", span="14 days"
    )
    # 18 open deals: the header counts them all, the list shows 15 and says how many more
    listed = manager.send("open deals")
    assert listed.text.startswith("Open deals (18, total ฿243,000):")
    assert listed.text.count("\n• ") == 15 and listed.text.endswith("and 3 more")
    largest = manager.send("top 3 deals")
    assert largest.text.splitlines() == [
        "Open deals (18, total ฿243,000):",
        "The 3 largest:",
        "• Acme Trading: Paper supply 2027 ฿90,000 (proposal)",
        "• Siam Paper: Batch 17 ฿17,000 (lead)",
        "• Siam Paper: Batch 16 ฿16,000 (lead)",
    ]
    # more than five asked for: as many, up to the fifteen a list shows
    assert manager.send("top 20 deals").text.count("\n• ") == 15
    thai = manager.send("ดีลใหญ่สุด")
    assert thai.text.splitlines()[1:3] == [
        "มูลค่าสูงสุด 5 รายการ:",
        "• Acme Trading: Paper supply 2027 ฿90,000 (เสนอราคา)",
    ]
    assert thai.text.count("\n• ") == 5


def test_staff_see_a_named_customers_latest_orders_and_a_customer_only_their_own(
    world: World,
) -> None:
    agent = world.session("staff:U_SUPPORT")
    listed = agent.send("ออเดอร์ของ Siam Paper ล่าสุด")
    assert listed.intent == "order_status"
    assert listed.text.startswith("คำสั่งซื้อล่าสุดของ Siam Paper (1 รายการ)")
    assert "ORD-3003 ฿1,250.50 · ชำระเงินแล้ว" in listed.text
    assert listed.cards and listed.cards[0].title == "ORD-3003"
    assert agent.send("Malee Wong's latest order status").text.startswith(
        "Latest orders of Malee Wong (1):\n• ORD-3002"
    )
    # asked in words that read as nothing, or as what the bot can do
    for text in ("Siam Paper orders", "Siam Paper สั่งอะไรไปบ้าง"):
        asked = agent.send(text)
        assert asked.intent == "order_status" and "ORD-3003" in asked.text, text
    # a customer naming someone else still sees only their own latest order
    own = world.session("customer:U_LINE_SOMSRI").send("ออเดอร์ของ Siam Paper ล่าสุด")
    assert "ORD-3001" in own.text and "ORD-3003" not in own.text


def test_an_agent_asking_for_their_tickets_gets_those_assigned_to_them(world: World) -> None:
    agent = world.session("staff:U_SUPPORT")
    with world.store.uow() as uow:
        number = uow.session.scalars(select(Ticket.number)).one()
    assert agent.send("my tickets").text == "No open tickets are assigned to you."
    world.session("staff:U_SUPPORT").send(f"{number} assign to me")
    with world.store.uow() as uow:
        tickets.create_ticket(uow, "Someone else's", customer=None, channel="slack")
        uow.commit()
    for text in ("my tickets", "tickets assigned to me"):
        mine = agent.send(text)
        assert mine.intent == "ticket_status"
        assert mine.text.startswith("Your open tickets: 1") and number in mine.text
    assert "Someone else's" in agent.send("ticket ที่ยังเปิดอยู่มีอะไรบ้าง").text
    # the queue of one priority
    assert agent.send("urgent tickets").text == "No urgent tickets are open."
    with world.store.uow() as uow:
        tickets.create_ticket(uow, "Line down", customer=None, channel="slack", priority="urgent")
        uow.commit()
    urgent = agent.send("urgent tickets")
    assert urgent.text.startswith("Open urgent tickets: 1") and "Line down" in urgent.text
    assert "Someone else's" not in urgent.text
    assert agent.send("ticket ของฉัน").text.startswith("เคสที่คุณรับผิดชอบและยังเปิดอยู่ 1 รายการ")


def test_staff_change_a_named_customers_phone_after_confirming(world: World) -> None:
    rep = world.session("staff:U_SALES")
    asked = rep.send("เปลี่ยนเบอร์ Siam Paper เป็น 081-999-0000")
    assert asked.confirm and "0819990000 (เดิม 0822222222)" in asked.text
    assert "Siam Paper" in asked.text
    rep.send("ใช่")
    with world.store.uow() as uow:
        assert uow.session.get_one(Customer, world.siam).phone == "0819990000"
    # someone else's number is refused, and the named customer keeps theirs
    taken = rep.send("update Acme Trading phone to 0819990000")
    assert taken.confirm
    refused = rep.send("yes")
    assert refused.text == "0819990000 belongs to Siam Paper already. Nothing changed."
    with world.store.uow() as uow:
        assert uow.session.get_one(Customer, world.acme).phone == "0811111111"
    # a phone alone still finds its customer
    found = rep.send("0819990000 เป็นลูกค้าใคร")
    assert found.intent == "customer_lookup" and found.cards[0].title == "Siam Paper"


def test_a_deal_for_a_prospect_adds_the_customer_with_it_and_undo_takes_both_back(
    world: World,
) -> None:
    rep = world.session("staff:U_SALES")
    asked = rep.send("new deal Bangkok Bikes 50k")
    assert asked.confirm and asked.text.startswith("Bangkok Bikes is not a customer yet.")
    done = rep.send("yes")
    assert done.text.startswith("Customer Bangkok Bikes created.\nDeal created with Bangkok Bikes")
    with world.store.uow() as uow:
        deal = uow.session.scalars(select(Deal).where(Deal.title == "Bangkok Bikes")).one()
        assert deal.customer.name == "Bangkok Bikes" and deal.amount == Decimal("50000.00")
        assert deal.owner is not None and deal.owner.slack_user_id == "U_SALES"
    # the new customer is known at once
    assert not rep.send("new deal for Bangkok Bikes 10k").text.startswith("Bangkok Bikes is not")
    rep.send("no")
    assert rep.send("undo").text.startswith("Undone")
    with world.store.uow() as uow:
        assert (
            uow.session.scalars(select(Customer).where(Customer.name == "Bangkok Bikes")).all()
            == []
        )
    # a typo of a known customer is that customer, no prospect
    typo = rep.send("new deal Siam Papr 20k")
    assert typo.text == "Confirm: new deal with Siam Paper, ฿20,000, stage lead?"


def test_a_message_naming_a_customer_is_no_correction_of_the_pending_one(world: World) -> None:
    rep = world.session("staff:U_SALES")
    assert rep.send("ดีล Acme Trading ปิดได้แล้ว 80k").confirm
    moved_on = rep.send("ดีลใหม่ ร้านจักรยานบางกอก 30k")
    assert moved_on.confirm and "ร้านจักรยานบางกอก" in moved_on.text and "Acme" not in moved_on.text
    rep.send("ไม่")
    with world.store.uow() as uow:
        acme = uow.session.get_one(Deal, world.acme_deal)
        assert acme.stage is Stage.PROPOSAL and acme.amount == Decimal("0.00")


def test_cancel_aborts_a_confirmation_and_writes_nothing(world: World) -> None:
    rep = world.session("staff:U_SALES")
    assert rep.send("deal Acme won 80k").confirm
    assert "Cancelled" in rep.send("cancel").text
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.PROPOSAL


def test_a_short_answer_to_a_confirmation_corrects_the_value(world: World) -> None:
    rep = world.session("staff:U_SALES")
    assert "฿80,000" in rep.send("ดีล Acme Trading ปิดได้แล้ว 80k").text
    corrected = rep.send("50k")
    assert corrected.confirm and "฿50,000" in corrected.text
    assert "ยืนยัน" in corrected.text  # still in the language of the conversation
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.PROPOSAL
    rep.send("ใช่")
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).amount == Decimal("50000.00")


def test_a_new_request_leaves_a_choice_question_behind(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    assert somsri.send("อยากแลกแต้มค่ะ").choices
    moved_on = somsri.send("ORD-3001 ส่งถึงไหนแล้วคะ")
    assert moved_on.intent == "order_status" and not moved_on.choices


def test_confirmation_by_button(world: World) -> None:
    rep = world.session("staff:U_SALES")
    reply = rep.send("ดีล Acme Trading ปิดได้แล้ว 80k")
    assert reply.confirm and [c.value for c in reply.choices] == ["yes", "no"]
    rep.send("1")  # the first choice: yes
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).amount == Decimal("80000.00")


def test_redeeming_more_than_the_balance_is_refused(
    world: World, count_rows: Callable[[type], int]
) -> None:
    malee = world.session("customer:U_LINE_MALEE")
    before = count_rows(PointsEntry)
    reply = malee.send("แลกแก้วน้ำ")
    assert "50 แต้ม" in reply.text and "500 แต้ม" in reply.text
    assert count_rows(PointsEntry) == before
    with world.store.uow() as uow:
        assert loyalty.balance(uow, world.malee) == 50


def test_the_reward_menu_offers_what_the_points_cover(world: World) -> None:
    # 1,200 points: the mug (500) is offered, the 2,000-point voucher is not
    menu = world.session("customer:U_LINE_SOMSRI").send("อยากแลกแต้มค่ะ")
    labels = [c.label for c in menu.choices]
    assert any("แก้วน้ำ" in lab for lab in labels) and not any("บัตรกำนัล" in lab for lab in labels)
    # with fewer points than any reward there is no menu to pick from, and nothing is written
    short = world.session("customer:U_LINE_MALEE").send("I'd like to redeem my points")
    assert not short.choices and "50 points" in short.text and "500 points" in short.text
    asked = world.session("customer:U_LINE_SOMSRI").send("what can I redeem with 400 points")
    assert asked.intent == "loyalty_redeem" and not asked.choices and "400 points" in asked.text


def test_a_customer_naming_a_reward_is_asked_to_redeem_it(
    world: World, count_rows: Callable[[type], int]
) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    tickets_before = count_rows(Ticket)
    # words the model alone took for a problem or for nothing: the store's rewards tell
    for text, name in (("I want the mug", "Mug"), ("อยากได้แก้วน้ำ", "แก้วน้ำ")):
        asked = somsri.send(text)
        assert (asked.intent, asked.confirm) == ("loyalty_redeem", True), text
        assert name in asked.text and ("500 points" in asked.text or "500 แต้ม" in asked.text)
        assert somsri.send("no").intent == "deny"
    assert count_rows(Ticket) == tickets_before
    # words naming the same as the reward's name, and its number: the 2,000-point voucher
    voucher = somsri.send("redeem 500 baht coupon")
    assert voucher.text == say(
        "insufficient_points",
        "en",
        balance="1,200 points",
        cost="2,000 points",
        reward="500 THB voucher",
    )
    # a problem with something that is also a reward stays a problem
    assert somsri.send("the mug I got was cracked").intent == "ticket_create"


def test_customer_redeems_a_reward_with_confirmation(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    menu = somsri.send("อยากแลกแต้มค่ะ")
    assert menu.intent == "loyalty_redeem" and menu.choices
    labels = [c.label for c in menu.choices]
    confirm = somsri.send(str(next(i for i, lab in enumerate(labels, 1) if "แก้ว" in lab)))
    assert confirm.confirm and "500 แต้ม" in confirm.text
    done = somsri.send("ยืนยัน")
    assert "700 แต้ม" in done.text
    with world.store.uow() as uow:
        assert loyalty.balance(uow, world.somsri) == 700


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # a name the store does not know, and one it does, get the same answer
        ("คุณมาลีมีแต้มกี่แต้มคะ", "th"),
        ("คุณนิดามีแต้มกี่แต้มคะ", "th"),
        ("ประวัติแต้มของคุณมาลี", "th"),
        ("how many points does Malee Wong have", "en"),
        ("Malee's points history", "en"),
        ("แลกแต้มของมาลี แก้วน้ำ", "th"),
        ("redeem Malee Wong's points for the mug", "en"),
    ],
)
def test_a_customer_naming_someone_else_gets_only_their_own_account(
    world: World, count_rows: Callable[[type], int], text: str, lang: str
) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    entries = count_rows(PointsEntry)
    reply = somsri.send(text)
    assert not reply.confirm and not reply.cards and not reply.choices
    assert "1,200" not in reply.text and "50" not in reply.text
    assert reply.text == say("own_account_only", lang)
    assert somsri.send("ใช่").text == say("nothing_to_confirm", "th")
    assert count_rows(PointsEntry) == entries
    with world.store.uow() as uow:
        assert loyalty.balance(uow, world.somsri) == 1200
        assert loyalty.balance(uow, world.malee) == 50


def test_a_customer_naming_themself_gets_their_own_points(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    own = say("own_balance", "th", points="1,200 แต้ม")
    assert somsri.send("คุณสมศรี มีกี่แต้ม").text == own
    assert "1,200 แต้ม" in somsri.send("แต้มของสมศรี").text
    assert "1,200 แต้ม" in somsri.send("ประวัติแต้มของคุณสมศรี").text
    assert somsri.send("แลกแต้มของสมศรี แก้วน้ำ").confirm


def test_a_reward_named_in_the_other_language_answers_which_one(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    assert somsri.send("แลกแต้ม").choices
    # the Thai menu says "แก้วน้ำ"; "the mug" is that one
    picked = somsri.send("I'd like the mug please")
    assert picked.confirm and "Mug" in picked.text  # asked back in her words' language
    somsri.send("ค่ะ")
    with world.store.uow() as uow:
        assert loyalty.balance(uow, world.somsri) == 700
    # her own balance is told to her, not of her
    assert somsri.send("แต้มของฉัน").text == say("own_balance", "th", points="700 แต้ม")


def test_a_question_while_a_reward_is_asked_redeems_nothing(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    assert somsri.send("แลกแต้ม").choices
    # a question naming a reward in other words picks nothing
    asked = somsri.send("is the mug free?")
    assert not asked.confirm
    somsri.send("ค่ะ")
    with world.store.uow() as uow:
        assert loyalty.balance(uow, world.somsri) == 1200
    # "ค่ะ" with nothing asked is an acknowledgement
    assert somsri.send("ค่ะ").text == say("thanks", "th")


def test_a_deal_handed_with_more_said_after_the_name(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    asked = manager.send("give the Acme Trading deal to Narin since Somchai is on leave")
    assert asked.text == say(
        "confirm_deal_hand", "en", title="Paper supply 2027", name="Acme Trading", owner="Narin"
    )


def test_a_new_question_picks_no_option_of_the_one_pending(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, world.acme)
        owner = staff_by_slack_id(uow, "U_SALES")
        deals.create_deal(
            uow,
            acme,
            "Acme Trading – office chairs for the meeting room",
            owner=owner,
            amount=Decimal("30000"),
        )
        uow.commit()
    rep = world.session("staff:U_SALES")
    which = rep.send("Acme Trading deal lost, they went with a competitor")
    labels = [c.label for c in which.choices]
    assert labels == [
        "Acme Trading – office chairs for the meeting room ฿30,000",
        "Paper supply 2027 ฿0",
    ]
    # a question of its own names the customer, not one of the deals offered
    again = rep.send("ดีล Acme Trading อยู่ขั้นไหนแล้ว")
    assert not again.confirm and len(again.choices) == 2
    # the words of one deal pick it
    picked = rep.send("office chairs")
    assert picked.confirm and "office chairs" in picked.text


def _acme_ticket(world: World, subject: str) -> str:
    """A ticket of Acme's opened in Slack; its number."""
    with world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, world.acme)
        number = tickets.create_ticket(uow, subject, customer=acme, channel="slack").number
        uow.commit()
    return number


def _assignee(world: World, number: str) -> str | None:
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        return ticket.assignee.name if ticket.assignee else None


def test_a_ticket_is_handed_to_the_colleague_named_or_mentioned(
    world: World, count_rows: Callable[[type], int]
) -> None:
    number = _acme_ticket(world, "printer jam")
    agent = world.session("staff:U_SUPPORT")
    named = agent.send(f"{number} ส่งต่อให้ Somchai")
    assert _assignee(world, number) == "Somchai" and "Somchai" in named.text
    # a Slack mention of a colleague hands it to them
    agent.send(f"assign {number} to <@U_MANAGER>")
    assert _assignee(world, number) == "Pim"
    agent.send(f"change owner of {number} to Narin")
    assert _assignee(world, number) == "Narin"
    agent.send(f"assign {number} to <@U_MANAGER>")
    # a name nobody has changes nothing and says so
    before = count_rows(AuditEntry)
    unknown = agent.send(f"{number} ฝากให้คุณนิดา ดูหน่อย")
    assert unknown.text == say("colleague_not_found", "th", name="นิดา")
    assert count_rows(AuditEntry) == before and _assignee(world, number) == "Pim"
    # to oneself, as taking it
    agent.send(f"assign {number} to myself")
    assert _assignee(world, number) == "Malai"


def test_a_rep_works_the_ticket_handed_to_them_and_no_other(
    world: World, count_rows: Callable[[type], int]
) -> None:
    number = _acme_ticket(world, "wrong delivery")
    world.session("staff:U_SUPPORT").send(f"{number} ส่งต่อให้ Somchai")
    assert _assignee(world, number) == "Somchai"
    # a colleague in sales who was not handed it changes nothing
    before = count_rows(AuditEntry)
    other = world.session("staff:U_SALES2").send(f"{number} ส่งของใหม่ให้แล้ว ปิดได้")
    assert other.text == say("ticket_not_yours", "th", number=number)
    assert count_rows(AuditEntry) == before
    # the rep it was handed to closes it, with what was done kept as a note
    somchai = world.session("staff:U_SALES")
    handed_on = somchai.send(f"{number} ส่งต่อให้ Narin")
    assert handed_on.text == say("ticket_hand_support", "th", number=number)
    assert _assignee(world, number) == "Somchai"
    closed = somchai.send(f"{number} ส่งของใหม่ให้แล้ว ปิดได้")
    assert closed.intent == "ticket_update"
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.status is TicketStatus.CLOSED and ticket.assignee is not None
        assert ticket.assignee.name == "Somchai"
        assert [n.body for n in ticket.notes] == ["ส่งของใหม่ให้แล้ว ปิดได้"]


def _notes(world: World, number: str) -> list[tuple[str, str | None]]:
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        return [(n.body, n.author.name if n.author else None) for n in ticket.notes]


def test_a_remark_on_a_ticket_is_kept_as_a_note_and_it_stays_with_its_assignee(
    world: World,
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, world.acme)
        somchai = staff_by_slack_id(uow, "U_SALES")
        number = tickets.create_ticket(
            uow, "printer jam", customer=acme, channel="slack", assignee=somchai
        ).number
        uow.commit()
    agent = world.session("staff:U_SUPPORT")
    told = agent.send(f"{number} ลูกค้าโทรมาตามอีกรอบ")
    assert told.text == say("ticket_note_added", "th", number=number)
    assert _notes(world, number) == [("ลูกค้าโทรมาตามอีกรอบ", "Malai")]
    assert _assignee(world, number) == "Somchai"
    # staff see the latest notes on the ticket's card
    (card,) = told.cards
    assert any("Malai: ลูกค้าโทรมาตามอีกรอบ" in value for _, value in card.fields)
    # undo takes the note back
    agent.send("undo")
    assert _notes(world, number) == []
    # the words that open a note are not part of it
    agent.send(f"note on {number}: customer prefers email")
    assert _notes(world, number) == [("customer prefers email", "Malai")]
    # a status with a remark changes the status and keeps the remark as written
    closed = agent.send(f"{number} closed, refund sent")
    assert closed.text.endswith(say("ticket_note_too", "en"))
    assert _notes(world, number)[-1] == ("closed, refund sent", "Malai")
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.status is TicketStatus.CLOSED
    assert _assignee(world, number) == "Somchai"
    # "ปิดได้" closes it; what was done, said before it, is kept
    agent.send(f"{number} reopen")
    agent.send(f"{number} เปลี่ยนที่อยู่ให้แล้ว ปิดได้")
    assert _notes(world, number)[-1] == ("เปลี่ยนที่อยู่ให้แล้ว ปิดได้", "Malai")
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.status is TicketStatus.CLOSED
    # the id alone shows the ticket, and takes or changes nothing
    shown = agent.send(number)
    assert shown.intent == "ticket_status" and not shown.confirm
    assert _assignee(world, number) == "Somchai"


def test_a_ticket_changed_while_another_is_asked_for_keeps_its_own_change(
    world: World,
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, world.acme)
        first = tickets.create_ticket(uow, "late", customer=acme, channel="slack").number
        other = tickets.create_ticket(uow, "dented", customer=acme, channel="slack").number
        uow.commit()
    agent = world.session("staff:U_SUPPORT")
    asked = agent.send("make it urgent")
    assert asked.text == say("ask_ticket_id", "en")
    # another ticket's change of its own, not the urgency asked about
    agent.send(f"{other} รอลูกค้าส่งข้อมูล")
    with world.store.uow() as uow:
        changed = uow.session.scalars(select(Ticket).where(Ticket.number == other)).one()
        assert changed.status is TicketStatus.PENDING
        assert changed.priority is Priority.NORMAL
    # the id alone answers the question
    agent.send("make it urgent")
    agent.send(first)
    with world.store.uow() as uow:
        answered = uow.session.scalars(select(Ticket).where(Ticket.number == first)).one()
        assert answered.priority is Priority.URGENT


def _status(world: World, number: str) -> TicketStatus:
    with world.store.uow() as uow:
        return uow.session.scalars(select(Ticket).where(Ticket.number == number)).one().status


def test_another_ticket_named_while_a_change_waits_for_a_yes_is_changed_instead(
    world: World,
) -> None:
    reopened = _acme_ticket(world, "grinder handle broken")
    with world.store.uow(Actor.cli()) as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == reopened)).one()
        tickets.update_ticket(uow, ticket, status="resolved")
        uow.commit()
    agent = world.session("staff:U_SUPPORT")
    for told, status in (
        ("ปิดเคส {}", TicketStatus.CLOSED),
        ("{} แก้ไขแล้ว ปิดได้", TicketStatus.RESOLVED),
        ("close {}", TicketStatus.CLOSED),
    ):
        other = _acme_ticket(world, "invoice amount does not match")
        waiting = agent.send(f"{reopened} เปิดใหม่อีกครั้ง ลูกค้าแจ้งว่ายังเสียอยู่")
        assert waiting.confirm and reopened in waiting.text, told
        # a request of its own for the ticket it names, not a correction of the one waiting
        moved_on = agent.send(told.format(other))
        assert reopened not in moved_on.text and other in moved_on.text, (told, moved_on.text)
        agent.send("ใช่")
        assert _status(world, other) is status, told
        assert _status(world, reopened) is TicketStatus.RESOLVED, told
        assert _notes(world, reopened) == [], told


def test_another_ticket_named_while_a_colleague_is_asked_for_is_a_request_of_its_own(
    world: World,
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        add_staff(uow, "U_SALES3", "Somchai Dee", "sales")
        uow.commit()
    handed = _acme_ticket(world, "printer jam")
    other = _acme_ticket(world, "wrong colour")
    agent = world.session("staff:U_SUPPORT")
    asked = agent.send(f"{handed} ส่งต่อให้ Somchai")
    assert asked.text == say("which_colleague", "th") and len(asked.choices) == 2
    agent.send(f"close {other}")
    agent.send("yes")
    assert _status(world, other) is TicketStatus.CLOSED
    assert _status(world, handed) is TicketStatus.OPEN and _assignee(world, handed) is None


def test_a_remark_takes_the_ticket_when_nobody_has_it_or_the_sender_says_so(
    world: World,
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, world.acme)
        somchai = staff_by_slack_id(uow, "U_SALES")
        free = tickets.create_ticket(uow, "late", customer=acme, channel="slack").number
        taken = tickets.create_ticket(
            uow, "wrong size", customer=acme, channel="slack", assignee=somchai
        ).number
        uow.commit()
    agent = world.session("staff:U_SUPPORT")
    agent.send(f"{free} customer says the replacement arrived broken too")
    assert _assignee(world, free) == "Malai"
    assert _notes(world, free) == [("customer says the replacement arrived broken too", "Malai")]
    agent.send(f"{taken} รับเรื่องแล้ว เดี๋ยวโทรหาลูกค้า")
    assert _assignee(world, taken) == "Malai"
    assert _notes(world, taken) == [("รับเรื่องแล้ว เดี๋ยวโทรหาลูกค้า", "Malai")]


def test_a_customer_never_sees_the_notes_on_their_ticket(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        somsri = uow.session.get_one(Customer, world.somsri)
        number = tickets.create_ticket(uow, "แก้วบิ่น", customer=somsri, channel="line").number
        uow.commit()
    world.session("staff:U_SUPPORT").send(f"{number} ลูกค้าเคยเคลมไปแล้วรอบหนึ่ง")
    assert _notes(world, number)
    reply = world.session("customer:U_LINE_SOMSRI").send(f"{number} ถึงไหนแล้วคะ")
    assert reply.intent == "ticket_status" and number in reply.text
    shown = reply.text + "".join(v for c in reply.cards for _, v in c.fields)
    assert "เคลม" not in shown


def test_it_and_them_point_at_the_customer_and_deal_talked_about_just_before(
    world: World,
) -> None:
    rep = world.session("staff:U_SALES")
    rep.send("ดีล Acme Trading อยู่ขั้นไหนแล้ว")
    rep.send("ไม่")
    moved = rep.send("move it to negotiation")
    assert moved.confirm and "Paper supply 2027" in moved.text and "Acme Trading" in moved.text
    rep.send("yes")
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.NEGOTIATION
    logged = rep.send("called them, they want a discount")
    assert "Acme Trading" in logged.text
    with world.store.uow() as uow:
        call = uow.session.scalars(select(Interaction).order_by(Interaction.id.desc())).first()
        assert call is not None and call.customer_id == world.acme
        assert call.note == "they want a discount"
    # the focus is the sender's own: a colleague saying "them" is asked whom
    other = world.session("staff:U_SALES2").send("log a call with them")
    assert other.text == say("ask_customer", "en")
    # a customer named moves the focus; Thai points back as well
    rep.send("Siam Paper")
    balance = rep.send("เขามีแต้มเท่าไหร่")
    assert balance.intent == "loyalty_balance" and "Siam Paper" in balance.text


def test_a_focus_from_long_ago_is_not_taken_for_them(world: World) -> None:
    now = [NOW]
    world.bot.clock = lambda: now[0]
    rep = world.session("staff:U_SALES")
    rep.send("Acme Trading")
    now[0] = NOW + timedelta(hours=1)
    assert rep.send("log a call with them").text == say("ask_customer", "en")


def _latest_call_with(world: World) -> int | None:
    with world.store.uow() as uow:
        call = uow.session.scalars(select(Interaction).order_by(Interaction.id.desc())).first()
        return call.customer_id if call is not None else None


def test_them_after_a_ticket_or_order_is_shown_is_its_customer(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        siam = uow.session.get_one(Customer, world.siam)
        number = tickets.create_ticket(uow, "wrong colour", customer=siam, channel="slack").number
        uow.commit()
    agent = world.session("staff:U_SUPPORT")
    agent.send("Acme Trading")
    assert agent.send(number).intent == "ticket_status"
    logged = agent.send("log a call with them, they want an exchange")
    assert "Siam Paper" in logged.text and "Acme" not in logged.text
    assert _latest_call_with(world) == world.siam
    # an order of another customer: its customer's points
    rep = world.session("staff:U_SALES")
    rep.send("Acme Trading")
    assert rep.send("ORD-3002").intent == "order_status"
    balance = rep.send("เขามีแต้มเท่าไหร่")
    assert balance.intent == "loyalty_balance" and "Malee Wong" in balance.text
    # a ticket changed is shown too: "เขา" is then its customer
    agent.send("Acme Trading")
    agent.send(f"{number} รับเรื่องแล้ว เดี๋ยวโทรหาลูกค้า")
    agent.send("โทรหาเขาแล้ว ลูกค้าขอเปลี่ยนสีใหม่")
    assert _latest_call_with(world) == world.siam


def test_staff_see_on_a_ticket_or_order_card_whose_it_is(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        siam = uow.session.get_one(Customer, world.siam)
        number = tickets.create_ticket(uow, "wrong colour", customer=siam, channel="slack").number
        uow.commit()
    agent = world.session("staff:U_SUPPORT")
    (ticket,) = agent.send(f"{number} status").cards
    assert dict(ticket.fields)[say("f.customer", "en")] == "Siam Paper"
    (order,) = agent.send("ORD-3002").cards
    assert dict(order.fields)[say("f.customer", "en")] == "Malee Wong"
    # a customer's own ticket and order are shown without their name
    malee = world.session("customer:U_LINE_MALEE")
    for asked in ("ORD-3002", "เคสของฉันถึงไหนแล้ว"):
        reply = malee.send(asked)
        assert reply.cards, asked
        assert all(say("f.customer", "th") not in dict(c.fields) for c in reply.cards), asked


def _contact(world: World, customer_id: int) -> tuple[str | None, str | None]:
    with world.store.uow() as uow:
        found = uow.session.get_one(Customer, customer_id)
        return found.phone, found.email


def test_a_customer_changes_their_own_phone_and_email(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    asked = somsri.send("เปลี่ยนเบอร์โทรเป็น 0899998888")
    assert asked.confirm and "0899998888" in asked.text
    somsri.send("ใช่")
    assert _contact(world, world.somsri)[0] == "0899998888"
    # no value told: the bot asks for it, and an email answers as well as a phone
    assert somsri.send("อยากเปลี่ยนอีเมลค่ะ").text == say("ask_new_contact", "th")
    assert somsri.send("somsri.new@example.com").confirm
    somsri.send("ใช่")
    assert _contact(world, world.somsri) == ("0899998888", "somsri.new@example.com")
    # their own details, and no one else's, whoever they name
    mine = somsri.send("show me customer Acme Trading")
    assert [c.title for c in mine.cards] == ["คุณสมศรี ใจดี"]
    assert "0811111111" not in str(mine.cards)


def test_a_customer_is_not_told_whose_phone_they_gave(
    world: World, count_rows: Callable[[type], int]
) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    before = count_rows(AuditEntry)
    somsri.send("change my phone to 0811111111")  # Acme Trading's
    refused = somsri.send("yes")
    assert refused.text == say("contact_in_use", "en", value="0811111111")
    assert "Acme" not in refused.text
    assert _contact(world, world.somsri)[0] == "0891112222"
    assert _contact(world, world.acme)[0] == "0811111111"
    assert count_rows(AuditEntry) == before
    # a visitor who has not linked an account changes nothing
    visitor = world.session("customer:U_NEW_VISITOR")
    assert visitor.send("เปลี่ยนเบอร์โทรเป็น 0899998887").text == say("not_allowed_lead", "th")
    # staff naming no one are asked whose
    rep = world.session("staff:U_SALES")
    assert rep.send("update the phone number to 0899998887").text == say("ask_customer", "en")


def test_a_new_request_while_a_name_is_asked_is_done_as_asked(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    asked = rep.send("move it to proposal")
    assert asked.text == say("ask_customer", "en")
    task = rep.send("remind me to send samples to Siam Paper on Monday")
    assert task.intent == "task_create" and count_rows(Task) == 1
    # a name alone still answers the question ("it" would now be Siam Paper's deal)
    rep.send("move to proposal")
    assert "Paper supply 2027" in rep.send("Acme Trading").text


def test_a_problem_reported_without_telling_it_is_asked_for(
    world: World, count_rows: Callable[[type], int]
) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    before = count_rows(Ticket)
    assert somsri.send("อยากแจ้งปัญหาค่ะ").text == say("ask_problem", "th")
    # an order question meanwhile is answered as one, and opens no ticket
    where = somsri.send("ORD-3001 ส่งถึงไหนแล้วคะ")
    assert where.intent == "order_status" and count_rows(Ticket) == before
    somsri.send("อยากแจ้งปัญหาค่ะ")
    opened = somsri.send("แก้วที่ได้มาบิ่นค่ะ")
    assert opened.intent == "ticket_create" and count_rows(Ticket) == before + 1
    with world.store.uow() as uow:
        newest = uow.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
        assert newest is not None and newest.subject.startswith("แก้วที่ได้มาบิ่น")


def test_a_problem_said_at_a_confirmation_redeems_nothing(
    world: World, count_rows: Callable[[type], int]
) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    assert somsri.send("อยากแลกแก้วน้ำค่ะ").confirm
    before = count_rows(PointsEntry)
    reply = somsri.send("มีปัญหาค่ะ")
    assert not reply.confirm and reply.text == say("ask_problem", "th")
    assert count_rows(PointsEntry) == before


def test_an_answer_that_names_no_reward_redeems_nothing(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        workshop = Reward(
            code="WORKSHOP",
            name_th="เวิร์กช็อปดริปกาแฟ 1 ที่นั่ง",
            name_en="Pour-over workshop seat",
            points_cost=600,
        )
        uow.session.add(workshop)
        uow.commit()
    somsri = world.session("customer:U_LINE_SOMSRI")
    assert somsri.send("อยากแลกแต้มค่ะ").choices
    # no reward's name: a request of its own (the phone change), no reward offered
    other = somsri.send("เปลี่ยนเบอร์โทรเป็น 0891112233")
    assert other.intent == "customer_lookup" and "เวิร์กช็อป" not in other.text
    somsri.send("ไม่")
    assert somsri.send("อยากแลกแต้มค่ะ").choices
    unsure = somsri.send("ยังไม่แน่ใจเลยค่ะ")
    assert not unsure.confirm and "เวิร์กช็อป" not in unsure.text
    # the reward said within a sentence is the one asked for
    mug = somsri.send("อยากแลกแก้วน้ำค่ะ")
    assert mug.confirm and "แก้วน้ำ" in mug.text and "500 แต้ม" in mug.text


def test_a_reward_asked_for_that_is_out_of_stock_is_said_to_be(
    world: World, count_rows: Callable[[type], int]
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        uow.session.add(
            Reward(
                code="GRINDER",
                name_th="เครื่องบดกาแฟ",
                name_en="Coffee grinder",
                points_cost=300,
                stock=0,
            )
        )
        uow.commit()
    before = count_rows(PointsEntry)
    reply = world.session("customer:U_LINE_SOMSRI").send("แลกเครื่องบดกาแฟค่ะ")
    assert reply.text == say("out_of_stock", "th", reward="เครื่องบดกาแฟ")
    assert count_rows(PointsEntry) == before


def test_a_redemption_gives_the_number_the_reward_is_handed_over_against(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    assert somsri.send("อยากแลกแก้วน้ำค่ะ").confirm
    done = somsri.send("ใช่")
    with world.store.uow() as uow:
        entry = uow.session.scalars(
            select(PointsEntry)
            .where(PointsEntry.kind == LedgerKind.REDEEM)
            .order_by(PointsEntry.id.desc())
        ).first()
        assert entry is not None and entry.reference == "MUG"
        number = loyalty.redemption_number(entry)
    assert number in done.text and "พนักงาน" in done.text
    # staff find the same number in the customer's points history
    malai = world.session("staff:U_SUPPORT")
    history = malai.send("ประวัติแต้มคุณสมศรี")
    assert history.intent == "loyalty_history" and f"แก้วน้ำ ({number})" in history.text
    # an admin redeeming for a customer is given the number to pass on
    admin = world.session("staff:U_ADMIN")
    assert admin.send("redeem the mug for คุณสมศรี").confirm
    handed = admin.send("yes")
    assert "สมศรี" in handed.text and "R-" in handed.text and number not in handed.text


def test_a_customer_asking_to_cancel_an_order_is_told_who_can(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    asked = somsri.send("ยกเลิกออเดอร์ ORD-3001 ได้ไหมคะ")
    assert asked.intent == "order_status" and "ORD-3001" in asked.text
    assert "คุยกับเจ้าหน้าที่" in asked.text
    plain = somsri.send("ORD-3001 ถึงไหนแล้วคะ")
    assert "คุยกับเจ้าหน้าที่" not in plain.text


def test_customer_cannot_see_another_customers_order(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    own = somsri.send("ORD-3001 ส่งถึงไหนแล้วคะ")
    assert own.card is not None and own.card.kind == "order"
    assert any("KE123456" in v for _, v in own.card.fields)
    other = somsri.send("ORD-3002 ส่งถึงไหนแล้วคะ")
    missing = somsri.send("ORD-9999 ส่งถึงไหนแล้วคะ")
    assert other.card is None and "ORD-3002" in other.text
    assert other.text.replace("ORD-3002", "ORD-9999") == missing.text


def test_customer_cannot_get_a_sales_report(
    world: World, count_rows: Callable[[type], int]
) -> None:
    before = count_rows(AuditEntry)
    somsri = world.session("customer:U_LINE_SOMSRI")
    reply = somsri.send("ขอดูยอดขายเดือนนี้หน่อย")
    # refused, with the way to a person the reply names
    assert reply.text == say("not_allowed_customer", "th") and "คุยกับเจ้าหน้าที่" in reply.text
    assert count_rows(AuditEntry) == before
    assert somsri.send("คุยกับเจ้าหน้าที่").intent == "handoff"


def test_asking_for_staff_with_no_support_channel_promises_no_one(
    world: World, count_rows: Callable[[type], int]
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        knowledge.upsert_entry(
            uow, "contact", ["ติดต่อร้านยังไง"], "โทร 02-123-4567", "Call 02-123-4567"
        )
        uow.commit()
    queued = count_rows(OutboxMessage)
    somsri = world.session("customer:U_LINE_SOMSRI")
    asked = somsri.send("ขอคุยกับเจ้าหน้าที่ค่ะ")
    assert asked.intent == "handoff"
    assert asked.text == say("handoff_no_desk", "th") + "\nโทร 02-123-4567"
    assert count_rows(Handoff) == 0 and count_rows(OutboxMessage) == queued
    # with a support channel the chat goes to staff, and what the customer writes next is
    # theirs: the console says so instead of failing
    desk = ConsoleSession(
        Bot(world.store, support_channel="C_SUPPORT", clock=lambda: NOW), "customer:U_LINE_SOMSRI"
    )
    assert desk.send("ขอคุยกับเจ้าหน้าที่ค่ะ").text == say("handoff", "th")
    assert count_rows(Handoff) == 1
    assert desk.send("ของที่ได้มาแตกค่ะ").text == say("relayed_to_staff", "th")


def test_unknown_slack_user_is_told_to_ask_an_admin(
    world: World, count_rows: Callable[[type], int]
) -> None:
    before = count_rows(AuditEntry)
    reply = world.session("staff:U_STRANGER").send("show the pipeline")
    assert "admin" in reply.text and reply.intent is None
    assert count_rows(AuditEntry) == before


def test_a_link_code_typed_alone_links_the_visitor(world: World) -> None:
    rep = world.session("staff:U_SALES")
    codes = []
    for name in ("Acme Trading", "Siam Paper"):
        issued = rep.send(f"link code for {name}")
        assert issued.intent == "link_account"
        codes.append(re.search(r"\b[A-HJ-NP-Z2-9]{8}\b", issued.text).group())  # type: ignore[union-attr]
    # as staff tell them: the code alone, or with a word or two
    first = world.session("customer:U_NEW_LINE").send(codes[0])
    assert first.intent == "link_account" and first.lang == "th" and "Acme Trading" in first.text
    second = world.session("customer:U_OTHER_LINE").send(f"รหัส {codes[1]} ครับ")
    assert second.intent == "link_account" and "Siam Paper" in second.text
    # a word of eight letters, even in capitals, is no code
    assert world.session("customer:U_THIRD_LINE").send("thankyou").intent == "thanks"
    assert world.session("customer:U_THIRD_LINE").send("PAYMENTS").intent != "link_account"


def test_lead_can_link_by_phone_and_order_number(world: World) -> None:
    visitor = world.session("customer:U_NEW_LINE")
    refused = visitor.send("มีแต้มกี่แต้ม")
    assert "เชื่อมบัญชี" in refused.text
    assert "เบอร์" in visitor.send("เชื่อมบัญชีหน่อย").text
    # a question while the phone or code is asked is answered, not taken for a code
    assert visitor.send("มีสินค้าอะไรบ้าง").text == say("faq_miss", "th")
    assert "เบอร์" in visitor.send("เชื่อมบัญชีหน่อย").text
    assert "ORD-" in visitor.send("082-222-2222").text
    assert "Siam Paper" in visitor.send("ORD-3003").text
    balance = visitor.send("มีแต้มกี่แต้ม")
    assert balance.text == say("own_balance", "th", points="0 แต้ม")
    assert balance.cards[0].title == "Siam Paper"  # now theirs
    assert "ORD-3003" in visitor.send("ORD-3003 ส่งถึงไหนแล้ว").text


@pytest.mark.parametrize(
    "text",
    ["my phone is 082-222-2222 and my order is ORD-3003", "ORD-3003 เบอร์ 0822222222 ส่งถึงไหนแล้ว"],
)
def test_a_visitor_giving_phone_and_order_at_once_is_linked(world: World, text: str) -> None:
    visitor = world.session("customer:U_NEW_LINE")
    linked = visitor.send(text)
    assert linked.intent == "link_account" and "Siam Paper" in linked.text
    assert visitor.send("ORD-3003 ส่งถึงไหนแล้ว").text.startswith("คำสั่งซื้อ ORD-3003")
    # details that do not match link nothing and count as a failed attempt
    stranger = world.session("customer:U_OTHER_LINE")
    assert "don't match" in stranger.send("my phone is 0899999999, order ORD-3003").text
    assert "link" in stranger.send("how many points do I have").text
    with world.store.uow() as uow:
        since = utcnow() - timedelta(hours=1)
        assert link_failures_since(uow, "U_OTHER_LINE", since) == 1


def test_a_phone_number_alone_is_whose_it_is_or_starts_linking(world: World) -> None:
    # staff see the card of the customer with that number
    card = world.session("staff:U_SALES").send("082-222-2222")
    assert card.intent == "customer_lookup" and card.cards[0].title == "Siam Paper"
    # a visitor is asked for an order to link with it, not handed to staff
    visitor = world.session("customer:U_NEW_LINE")
    asked = visitor.send("0822222222 ค่ะ")
    assert asked.intent == "link_account" and "ORD-" in asked.text
    assert "Siam Paper" in visitor.send("ORD-3003").text
    # a linked customer sees only their own details, whatever number they type
    own = world.session("customer:U_LINE_SOMSRI").send("0811111111")
    assert own.intent == "customer_lookup" and "Acme" not in own.text
    assert all(c.title != "Acme Trading" for c in own.cards)


def test_a_customer_linked_to_another_line_user_cannot_be_taken_over(world: World) -> None:
    visitor = world.session("customer:U_NEW_LINE")
    visitor.send("link my account")
    visitor.send("089-111-2222")
    assert "don't match" in visitor.send("ORD-3001").text
    assert "link" in visitor.send("how many points do I have").text


def test_wrong_link_details_are_refused_and_rate_limited(world: World) -> None:
    visitor = world.session("customer:U_GUESSER")
    for _ in range(5):
        visitor.send("link my account")
        visitor.send("0891112222")
        assert "don't match" in visitor.send("ORD-3002").text
    assert "Too many attempts" in visitor.send("link my account").text


def test_customer_reports_a_problem_and_checks_it(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    created = somsri.send("ของที่ส่งมาใช้ไม่ได้ค่ะ เปิดไม่ติดเลย")
    assert created.intent == "ticket_create"
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.customer_id == world.somsri)).one()
        number = ticket.number
    assert number in created.text
    status = somsri.send(f"{number} เป็นยังไงบ้าง")
    assert status.card is not None and status.card.title == number


def test_more_said_of_an_open_problem_goes_to_its_ticket_not_a_new_one(
    world: World, count_rows: Callable[[type], int]
) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    somsri.send("แก้วที่ได้มาแตกค่ะ")
    with world.store.uow() as uow:
        number = uow.session.scalars(
            select(Ticket.number).where(Ticket.customer_id == world.somsri)
        ).one()
    opened = count_rows(Ticket)
    asked = somsri.send("แก้วยังไม่ได้เปลี่ยนเลยนะคะ")
    assert asked.intent == "ticket_create" and number in asked.text
    assert [c.value for c in asked.choices][-1].endswith("new")
    added = somsri.send("1")
    assert added.text == say("ticket_followup_added", "th", number=number)
    assert count_rows(Ticket) == opened
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert [n.body for n in ticket.notes] == ["ลูกค้าแจ้งเพิ่ม: แก้วยังไม่ได้เปลี่ยนเลย"]
    # something else is a ticket of its own when they say so
    somsri.send("กล่องที่ส่งมาบุบค่ะ")
    somsri.send("2")
    assert count_rows(Ticket) == opened + 1


def _somsri_ticket(world: World, subject: str) -> str:
    """A ticket of Somsri's opened on LINE, still open; its number."""
    with world.store.uow(Actor.cli()) as uow:
        somsri = uow.session.get_one(Customer, world.somsri)
        number = tickets.create_ticket(uow, subject, customer=somsri, channel="line").number
        uow.commit()
    return number


MUG_BROKEN = "แก้วที่ส่งมาแตก / Mug arrived broken"


@pytest.mark.parametrize(
    "answer",
    [
        "เรื่องเดิมค่ะ",
        "อันเดิม",
        "เรื่องเก่าค่ะ",
        "เรื่องเดียวกันค่ะ",
        "อันนั้นแหละ",
        "the same one",
        "the old one",
        "that one",
        # words naming the open ticket's subject
        "เรื่องแก้วแตกค่ะ",
        "the broken mug one",
    ],
)
def test_an_answer_meaning_the_open_ticket_adds_to_it_not_a_new_one(
    world: World, count_rows: Callable[[type], int], answer: str
) -> None:
    number = _somsri_ticket(world, MUG_BROKEN)
    somsri = world.session("customer:U_LINE_SOMSRI")
    opened = count_rows(Ticket)
    asked = somsri.send("ของที่ส่งมาใช้ไม่ได้ค่ะ")
    assert asked.text == say("ask_same_ticket", "th", number=number, subject=MUG_BROKEN)
    added = somsri.send(answer)
    assert count_rows(Ticket) == opened
    assert added.text == say("ticket_followup_added", added.lang, number=number)
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        notes = [n.body for n in ticket.notes]
        assert len(notes) == 1 and notes[0].endswith(": ของที่ส่งมาใช้ไม่ได้")


def test_only_an_answer_meaning_something_new_opens_another_ticket(
    world: World, count_rows: Callable[[type], int]
) -> None:
    _somsri_ticket(world, MUG_BROKEN)
    somsri = world.session("customer:U_LINE_SOMSRI")
    opened = count_rows(Ticket)
    for more, answer in enumerate(("เรื่องใหม่", "อีกเรื่อง", "new", "another", "คนละเรื่องค่ะ"), 1):
        assert somsri.send("กล่องที่ส่งมาบุบค่ะ").choices, answer
        created = somsri.send(answer)
        assert count_rows(Ticket) == opened + more, answer
        assert created.intent == "ticket_create" and created.cards, answer


def test_an_unclear_answer_about_the_open_ticket_asks_again(
    world: World, count_rows: Callable[[type], int]
) -> None:
    _somsri_ticket(world, MUG_BROKEN)
    somsri = world.session("customer:U_LINE_SOMSRI")
    opened = count_rows(Ticket)
    asked = somsri.send("ของที่ส่งมาใช้ไม่ได้ค่ะ")
    for answer in ("อะไรนะ", "ไม่แน่ใจ", "hmm", "เรื่องนี้ค่ะ", "not sure"):
        again = somsri.send(answer)
        assert (again.text, again.choices) == (asked.text, asked.choices), answer
    assert count_rows(Ticket) == opened
    with world.store.uow() as uow:
        assert not uow.session.scalars(select(Ticket.id).join(Ticket.notes)).all()
    # stopping still stops, and a request of its own leaves the question behind
    assert somsri.send("ยกเลิก").text == say("cancelled", "th")
    somsri.send("ของที่ส่งมาใช้ไม่ได้ค่ะ")
    balance = somsri.send("มีแต้มกี่แต้มคะ")
    assert balance.text == say("own_balance", "th", points="1,200 แต้ม")
    assert somsri.send("เรื่องเดิมค่ะ").intent != "ticket_create"
    assert count_rows(Ticket) == opened


def test_a_complaint_naming_an_order_not_the_customers_opens_nothing(
    world: World, count_rows: Callable[[type], int]
) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    opened = count_rows(Ticket)
    # Malee's order and an order nobody has get the same answer: nothing tells them apart
    for number in ("ORD-3002", "ORD-9999"):
        reply = somsri.send(f"{number} ของแตกค่ะ")
        assert count_rows(Ticket) == opened, number
        assert reply.text == say("order_not_yours", "th", number=number)
    english = somsri.send("ORD-3002 arrived broken")
    assert english.text == say("order_not_yours", "en", number="ORD-3002")
    assert count_rows(Ticket) == opened
    # her own order's problem is a ticket, naming the order
    assert somsri.send("ORD-3001 ของแตกค่ะ").intent == "ticket_create"
    assert count_rows(Ticket) == opened + 1


def test_a_second_complaint_about_an_order_asks_about_its_open_ticket(
    world: World, count_rows: Callable[[type], int]
) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    somsri.send("ORD-3001 ของแตกค่ะ")
    opened = count_rows(Ticket)
    with world.store.uow() as uow:
        number = uow.session.scalars(
            select(Ticket.number).where(Ticket.customer_id == world.somsri)
        ).one()
    asked = somsri.send("ORD-3001 ของแตกค่ะ")
    assert count_rows(Ticket) == opened
    assert asked.text == say("ask_same_ticket", "th", number=number, subject="ของแตก (ORD-3001)")
    added = somsri.send("เรื่องเดิมค่ะ")
    assert added.text == say("ticket_followup_added", "th", number=number)
    assert count_rows(Ticket) == opened
    # another problem with the same order, said to be new, is a ticket of its own
    assert somsri.send("ORD-3001 ส่งมาไม่ครบค่ะ").choices
    somsri.send("เรื่องใหม่")
    assert count_rows(Ticket) == opened + 1


def test_a_message_read_only_weakly_as_a_problem_is_asked_about_first(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    text = "I want to change the delivery address for ORD-3001"
    assert world.bot.parse(text).confidence < 0.6  # the reading this test is about
    asked = somsri.send(text)
    assert asked.intent == "ticket_create" and asked.confirm and "Shall I report" in asked.text
    somsri.send("no")
    with world.store.uow() as uow:
        assert (
            uow.session.scalars(select(Ticket).where(Ticket.customer_id == world.somsri)).all()
            == []
        )
    asked = somsri.send(text)
    somsri.send("yes")
    with world.store.uow() as uow:
        opened = uow.session.scalars(
            select(Ticket.subject).where(Ticket.customer_id == world.somsri)
        ).all()
    assert opened == ["I want to change the delivery address (ORD-3001)"]


def test_a_problem_with_an_order_keeps_the_order_number(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    created = somsri.send("ของที่ได้รับแตก 2 ใบค่ะ ORD-3001")
    assert created.intent == "ticket_create"
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.customer_id == world.somsri)).one()
        assert ticket.description == "ของที่ได้รับแตก 2 ใบ (ORD-3001)"
        assert "ORD-3001" in ticket.subject


def test_staff_asking_about_tickets_without_a_number_get_the_queue(world: World) -> None:
    support = world.session("staff:U_SUPPORT")
    support.send("เปิดเคสให้ลูกค้า Acme Trading เครื่องเสีย ด่วน")
    support.send("ใช่")
    queue = support.send("ticket ที่ยังเปิดอยู่มีอะไรบ้าง")
    assert queue.intent == "ticket_status"
    lines = queue.text.splitlines()
    assert lines[0].startswith("เคสที่ยังเปิดอยู่ 2 รายการ") and len(lines) == 3
    # the urgent one is due first
    assert "เครื่องเสีย" in lines[1] and "ด่วน" in lines[1] and "สินค้าเสียหาย" in lines[2]
    malee = support.send("เคสของ Malee Wong")
    assert malee.text.splitlines()[0] == "เคสที่ยังเปิดอยู่ของ Malee Wong 1 รายการ:"
    # a customer with no open ticket is said to have none (the queue is not empty)
    assert support.send("tickets of Siam Paper").text == say(
        "queue_of_empty", "en", name="Siam Paper"
    )
    # a customer's tickets asked in other words: not nothing, nor the team's tickets report
    for text in ("tickets of Malee Wong", "open tickets for Malee Wong", "Malee Wong tickets"):
        asked = support.send(text)
        assert asked.intent == "ticket_status", text
        assert asked.text.splitlines()[0] == say("queue_of", "en", name="Malee Wong", count=1)
    # "เคสด่วน" alone names no ticket to change: the urgent ones
    urgent = support.send("เคสด่วน")
    assert urgent.intent == "ticket_status" and "เครื่องเสีย" in urgent.text
    assert "สินค้าเสียหาย" not in urgent.text


def test_staff_see_the_tickets_nobody_has_taken_and_those_waiting_on_the_customer(
    world: World,
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, world.acme)
        malai = staff_by_slack_id(uow, "U_SUPPORT")
        taken = tickets.create_ticket(uow, "printer jam", customer=acme, channel="slack")
        tickets.update_ticket(uow, taken, assignee=malai)
        waiting = tickets.create_ticket(uow, "need invoice copy", customer=acme, channel="slack")
        tickets.update_ticket(uow, waiting, status="pending", assignee=malai)
        urgent = tickets.create_ticket(
            uow, "line down", customer=acme, channel="slack", priority="urgent"
        )
        uow.commit()
        numbers = (taken.number, waiting.number, urgent.number)
    support = world.session("staff:U_SUPPORT")
    # Malee's damaged goods and the urgent one: nobody has them
    nobody = support.send("unassigned tickets")
    assert nobody.intent == "ticket_status"
    lines = nobody.text.splitlines()
    assert lines[0] == say("queue_unassigned", "en", count=2, priority="")
    assert numbers[2] in lines[1] and "สินค้าเสียหาย" in lines[2] and len(lines) == 3
    # past their due time too: both said
    assert support.send("overdue unassigned tickets").text == say(
        "queue_overdue_unassigned_empty", "en"
    )
    thai = support.send("เคสด่วนที่ยังไม่มีคนรับ")
    assert thai.text.splitlines()[0] == say("queue_unassigned", "th", count=1, priority="ด่วน")
    # a change that is no taking leaves it with nobody, and says so in words
    raised = support.send("TCK-2001 priority high")
    assert raised.text.startswith("TCK-2001: open, priority high, assigned to nobody yet.")
    pending = support.send("tickets waiting for customer")
    assert pending.intent == "ticket_status"
    assert pending.text.splitlines() == [
        say("queue_pending", "en", count=1, priority=""),
        pending.text.splitlines()[1],
    ]
    assert numbers[1] in pending.text and numbers[0] not in pending.text
    mine = support.send("เคสของฉันที่รอลูกค้าตอบ")
    assert mine.text.splitlines()[0] == say("queue_pending_mine", "th", count=1, priority="")
    # taking the last unassigned ones empties that list
    support.send(f"take {numbers[2]}")
    support.send("take TCK-2001")
    assert support.send("เคสที่ยังไม่มีคนดูแล").text == say("queue_unassigned_empty", "th", priority="")


def test_staff_find_tickets_by_the_words_they_hold(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, world.acme)
        late = tickets.create_ticket(
            uow, "Late delivery", customer=acme, channel="slack", description="truck broke down"
        )
        tickets.create_ticket(uow, "Invoice copy", customer=acme, channel="slack")
        tickets.update_ticket(uow, late, status="resolved")
        uow.commit()
        number = late.number
    support = world.session("staff:U_SUPPORT")
    found = support.send("search tickets truck")
    assert found.intent == "ticket_status"
    lines = found.text.splitlines()
    assert lines[0] == say("tickets_found", "en", query="truck", count=1)
    assert lines[1].startswith(f"• {number} Late delivery (resolved, Acme Trading,")
    # every word must be held; Thai searches too
    assert support.send("find tickets about late invoice").text == say(
        "tickets_found_none", "en", query="late invoice"
    )
    thai = support.send("หาเคสที่เกี่ยวกับสินค้าเสียหาย")
    assert thai.text.splitlines()[0] == say("tickets_found", "th", query="สินค้าเสียหาย", count=1)
    # a wildcard is a letter like any other
    with world.store.uow() as uow:
        assert tickets.search(uow, ["%"]) == (0, [])
        assert tickets.search(uow, ["_"]) == (0, [])
        assert tickets.search(uow, ["delivery"])[0] == 1


def test_staff_asking_for_overdue_tickets_get_those_past_their_due_time(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, world.acme)
        late = tickets.create_ticket(uow, "printer jam", customer=acme, channel="slack")
        tickets.create_ticket(uow, "toner low", customer=acme, channel="slack")
        late.sla_due_at = NOW - timedelta(hours=2)
        uow.commit()
        number = late.number
    support = world.session("staff:U_SUPPORT")
    overdue = support.send("what tickets are overdue")
    lines = overdue.text.splitlines()
    assert lines[0] == say("queue_overdue", "en", count=1)
    assert len(lines) == 2 and number in lines[1] and "toner" not in overdue.text
    thai = support.send("เคสที่เกินกำหนดมีอะไรบ้าง")
    assert thai.text.splitlines()[0] == say("queue_overdue", "th", count=1)


def test_customers_no_one_contacted_for_a_while_are_listed_longest_quiet_first(
    world: World,
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        # the world's orders and ticket, long ago: an order or a ticket is contact too
        for order in uow.session.scalars(select(Order)):
            order.placed_at = NOW - timedelta(days=60)
        for ticket in uow.session.scalars(select(Ticket)):
            ticket.created_at = NOW - timedelta(days=60)
        for customer_id, days in ((world.acme, 2), (world.siam, 40), (world.malee, 35)):
            customer = uow.session.get_one(Customer, customer_id)
            activities.log_interaction(
                uow,
                customer,
                "call",
                "",
                staff=None,
                channel="cli",
                occurred_at=NOW - timedelta(days=days),
            )
        uow.commit()
    manager = world.session("staff:U_MANAGER")
    quiet = manager.send("ลูกค้าที่ไม่ได้ติดต่อนานเกิน 30 วัน")
    assert quiet.intent == "report"
    lines = quiet.text.splitlines()
    assert lines[0] == say("quiet_customers", "th", span=say("quiet_days", "th", count=30), count=3)
    # never contacted first, then the longest quiet; Acme was called two days ago
    assert [line.split(" (")[0] for line in lines[1:]] == [
        "• คุณสมศรี ใจดี",
        "• Siam Paper",
        "• Malee Wong",
    ]
    assert "Acme" not in quiet.text
    # a customer who ordered yesterday is not quiet, whoever logged nothing
    with world.store.uow(Actor.cli()) as uow:
        order = uow.session.scalars(select(Order).where(Order.customer_id == world.malee)).one()
        order.placed_at = NOW - timedelta(days=1)
        uow.commit()
    assert "Malee" not in manager.send("ลูกค้าที่ไม่ได้ติดต่อนานเกิน 30 วัน").text
    # a rep sees the customers of their open deals: Acme, called recently
    rep = world.session("staff:U_SALES")
    mine = rep.send("who haven't I called in 2 weeks")
    assert mine.text == say("no_quiet_customers_mine", "en", span=say("quiet_days", "en", count=14))
    # support agents see the tickets report only
    refused = world.session("staff:U_SUPPORT").send("ลูกค้าที่ไม่ได้ติดต่อนานเกิน 30 วัน")
    assert refused.text == say("report_not_allowed.support", "th")


def test_asking_to_add_a_task_asks_what_it_is(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    for text, lang in (("add a task", "en"), ("สร้างงานใหม่", "th")):
        asked = rep.send(text)
        assert asked.text == say("ask_task_title", lang) and count_rows(Task) == 0
        rep.send("cancel")
    rep.send("new reminder")
    rep.send("call Acme Trading on Friday about the contract")
    with world.store.uow() as uow:
        task = uow.session.scalars(select(Task)).one()
        assert task.customer_id == world.acme and "contract" in task.title
        assert task.due_date == date(2026, 11, 20)


def test_rep_logs_a_call_and_a_task(world: World, count_rows: Callable[[type], int]) -> None:
    rep = world.session("staff:U_SALES")
    logged = rep.send("called Siam Paper, they want a quote")
    assert logged.intent == "log_interaction" and "Siam Paper" in logged.text
    task = rep.send("remind me to visit Lotus Garden on Friday")
    assert task.intent == "task_create"
    assert count_rows(Task) == 1
    with world.store.uow() as uow:
        created = uow.session.scalars(select(Task)).one()
        assert "Lotus Garden" in created.title and created.due_date is not None


def test_short_polite_answers_answer_the_question(world: World) -> None:
    agent = world.session("staff:U_SUPPORT")
    assert agent.send("ลูกค้าโทรมาบ่นว่าส่งของช้า").text == say("ask_customer", "th")
    # the customer with an honorific and a particle: the call is logged for them
    logged = agent.send("คุณสมศรีค่ะ")
    assert logged.intent == "log_interaction" and "สมศรี" in logged.text
    with world.store.uow() as uow:
        (call,) = uow.session.scalars(select(Interaction)).all()
        assert call.customer_id == world.somsri
    # a place in the choices said in words, and a polite particle as yes
    rep = world.session("staff:U_SALES")
    assert rep.send("ดีล Acme Trading").choices
    moved = rep.send("อันที่สองค่ะ")
    assert moved.confirm and label("stage", "qualified", "th") in moved.text
    rep.send("ครับ")
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.QUALIFIED
    # a colleague named with a particle run into the name
    with world.store.uow(Actor.cli()) as uow:
        add_staff(uow, "U_SUPPORT2", "Kanda (กานดา)", "support")
        acme = uow.session.get_one(Customer, world.acme)
        number = tickets.create_ticket(uow, "late", customer=acme, channel="slack").number
        uow.commit()
    agent.send(f"มอบหมาย {number} ให้กานดาค่ะ")
    assert _assignee(world, number) == "Kanda (กานดา)"


def test_a_call_told_of_an_earlier_day_is_dated_that_day(world: World) -> None:
    rep = world.session("staff:U_SALES")
    logged = rep.send("called Acme Trading yesterday, they want a 5% discount")
    assert logged.text.endswith(say("logged_on", "en", date="19 Nov 2026"))
    thai = rep.send("ประชุมกับ Acme Trading เมื่อวันจันทร์ ลูกค้าต้องการส่วนลด 10%")
    assert thai.text.endswith(say("logged_on", "th", date="16 พ.ย. 2569"))
    today = rep.send("called Acme Trading, they agreed")
    assert "Dated" not in today.text
    with world.store.uow() as uow:
        rows = uow.session.scalars(select(Interaction).order_by(Interaction.id)).all()
        told = [
            (
                r.note,
                (
                    r.occurred_at.replace(tzinfo=UTC)
                    if r.occurred_at.tzinfo is None
                    else r.occurred_at
                ),
            )
            for r in rows
        ]
    # noon, Bangkok time, of the day told; now when no day is told
    assert told == [
        ("they want a 5% discount", datetime(2026, 11, 19, 5, 0, tzinfo=UTC)),
        ("ลูกค้าต้องการส่วนลด 10%", datetime(2026, 11, 16, 5, 0, tzinfo=UTC)),
        ("they agreed", NOW),
    ]


def test_an_interaction_finds_its_customer_by_member_id_or_phone(world: World) -> None:
    agent = world.session("staff:U_SUPPORT")
    with world.store.uow() as uow:
        somsri = uow.session.get_one(Customer, world.somsri)
        member, phone, name = somsri.member_id, somsri.phone, somsri.name
    by_member = agent.send(f"ลูกค้า {member} โทรมาถามเรื่อง ORD-3001")
    by_phone = agent.send(f"ลูกค้าเบอร์ {phone} โทรมาถามเรื่องส่งของ")
    assert by_member.text == by_phone.text == f"บันทึกการโทรกับ {name} เรียบร้อย"
    with world.store.uow() as uow:
        rows = uow.session.scalars(select(Interaction).order_by(Interaction.id)).all()
        assert [(r.customer_id, r.note) for r in rows] == [
            (world.somsri, "ลูกค้า มาถามเรื่อง ORD-3001"),
            (world.somsri, "มาถามเรื่องส่งของ"),
        ]


def test_a_note_is_added_to_the_customer(world: World) -> None:
    rep = world.session("staff:U_SALES")
    assert rep.send("จดโน้ต Acme Trading ชอบสินค้าตัวใหม่").text == ("บันทึกโน้ตของ Acme Trading เรียบร้อย")
    assert rep.send("note on Siam Paper: prefers calls after 2pm").text == (
        "Added a note to Siam Paper."
    )
    with world.store.uow() as uow:
        rows = uow.session.execute(
            select(Interaction.type, Interaction.note).order_by(Interaction.id)
        ).all()
    assert [(k.value, n) for k, n in rows] == [
        ("note", "ชอบสินค้าตัวใหม่"),
        ("note", "prefers calls after 2pm"),
    ]


def test_a_task_with_a_time_of_day_shows_it_first_and_falls_on_the_next_such_time(
    world: World,
) -> None:
    rep = world.session("staff:U_SALES")
    # NOW is 10:00 in Bangkok: 14:00 is still today, 09:00 is tomorrow's
    today = rep.send("เตือนโทรหา Acme บ่ายสอง")
    assert today.text == "เพิ่มงานแล้ว: 14:00 โทรหา – Acme Trading (กำหนด 20 พ.ย. 2569)"
    later = rep.send("remind me to call Siam Paper at 9am")
    assert later.text == "Task added: 09:00 call – Siam Paper (due 21 Nov 2026)."
    with world.store.uow() as uow:
        rows = uow.session.execute(select(Task.title, Task.due_date).order_by(Task.id)).all()
    assert [tuple(r) for r in rows] == [
        ("14:00 โทรหา", date(2026, 11, 20)),
        ("09:00 call", date(2026, 11, 21)),
    ]


def test_asking_for_tasks_due_by_a_day_lists_them_and_adds_none(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    # NOW is Friday 20 Nov 2026 in Bangkok
    rep.send("call Acme Trading tomorrow")
    rep.send("remind me to visit Siam Paper next Friday")
    assert count_rows(Task) == 2
    tomorrow = rep.send("งานพรุ่งนี้มีอะไรบ้าง")
    assert tomorrow.text.splitlines()[0] == "งานที่ครบกำหนดภายใน 21 พ.ย. 2569 (1 รายการ):"
    assert "Acme Trading" in tomorrow.text and "Siam Paper" not in tomorrow.text
    later = rep.send("tasks due next friday")
    assert "(2)" in later.text.splitlines()[0]
    assert "no open tasks" in rep.send("any tasks due today?").text
    assert count_rows(Task) == 2  # asking added no task


def test_a_planned_call_is_a_task_listed_with_its_customer(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    planned = rep.send("โทรหา Acme พรุ่งนี้")
    assert planned.intent == "task_create" and "Acme Trading" in planned.text
    follow = rep.send("follow up with Acme Trading next monday")
    assert follow.intent == "task_create" and "Follow up" in follow.text
    assert count_rows(Interaction) == 0
    with world.store.uow() as uow:
        tasks = uow.session.scalars(select(Task).order_by(Task.id)).all()
        assert [t.customer_id for t in tasks] == [world.acme, world.acme]
        # NOW is Friday 20 Nov 2026 in Bangkok
        assert [t.due_date for t in tasks] == [date(2026, 11, 21), date(2026, 11, 23)]
        assert "โทร" in tasks[0].title and tasks[1].title == "Follow up"
    listed = rep.send("my tasks")
    assert listed.text.count("Acme Trading") == 2


def test_a_manager_sees_the_teams_tasks_with_whose_they_are(world: World) -> None:
    today = NOW.date()  # Friday 20 Nov in Bangkok too
    with world.store.uow(Actor.cli()) as uow:
        somchai = staff_by_slack_id(uow, "U_SALES")
        narin = staff_by_slack_id(uow, "U_SALES2")
        activities.create_task(uow, somchai, "call Acme", due_date=today - timedelta(days=2))
        activities.create_task(uow, narin, "visit Siam Paper", due_date=today + timedelta(days=1))
        for n in range(21):
            activities.create_task(uow, narin, f"later {n}", due_date=today + timedelta(days=30))
        uow.commit()
    manager = world.session("staff:U_MANAGER")
    overdue = manager.send("งานที่เลยกำหนดของทีม")
    assert overdue.text == (
        say("tasks_overdue_team", "th", count=1) + "\n• call Acme (18 พ.ย. 2569) · Somchai"
    )
    everyone = manager.send("team tasks").text.splitlines()
    # counted in the store, the first 20 shown, soonest due first, each with its owner
    assert everyone[0] == say("tasks_list_team", "en", count=23)
    assert everyone[1:3] == [
        "• call Acme (18 Nov 2026) · Somchai",
        "• visit Siam Paper (21 Nov 2026) · Narin",
    ]
    assert everyone[-1] == say("more_items", "en", count=3) and len(everyone) == 22
    # a rep sees their own only
    assert world.session("staff:U_SALES").send("team tasks").text == say(
        "colleague_not_allowed", "en"
    )


def _open_tasks(world: World) -> list[str]:
    with world.store.uow() as uow:
        return list(
            uow.session.scalars(select(Task.title).where(Task.done.is_(False)).order_by(Task.id))
        )


def test_a_task_reported_done_is_closed_not_added(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    rep.send("remind me to send Siam Paper the revised quote on Monday")
    rep.send("เตือนโทรหา Acme Trading พรุ่งนี้")
    rep.send("call Acme Trading about the contract on Tuesday")
    assert count_rows(Task) == 3
    # the only task of Siam Paper
    done = rep.send("finished the Siam Paper task")
    assert done.text == "Marked done: send the revised quote – Siam Paper."
    assert count_rows(Task) == 3 and _open_tasks(world) == ["โทรหา", "call about the contract"]
    # undo opens it again
    rep.send("undo")
    assert len(_open_tasks(world)) == 3
    # two tasks of Acme: the words told pick one
    thai = rep.send("งานโทรหา Acme Trading เสร็จแล้ว")
    assert thai.text == "เรียบร้อย ปิดงานแล้ว: โทรหา – Acme Trading"
    # nothing told: which one, with the open ones as choices
    asked = rep.send("mark task done")
    assert asked.text == "Which task is done?"
    assert [c.label for c in asked.choices] == [
        "send the revised quote – Siam Paper (23 Nov 2026)",
        "call about the contract – Acme Trading (24 Nov 2026)",
    ]
    rep.send("2")
    assert _open_tasks(world) == ["send the revised quote"]
    # another rep's tasks are not theirs to close
    other = world.session("staff:U_SALES2").send("finished the Siam Paper task")
    assert other.text == say("no_tasks", "en")
    assert _open_tasks(world) == ["send the revised quote"]
    # getting something done later is a new task
    rep.send("remind me to get the Acme quote done by Friday")
    assert count_rows(Task) == 4


def _due_dates(world: World) -> dict[str, date | None]:
    with world.store.uow() as uow:
        return dict(uow.session.execute(select(Task.title, Task.due_date).order_by(Task.id)).all())


def test_a_rep_lists_overdue_tasks_and_moves_one_to_another_day(world: World) -> None:
    today = NOW.date()  # Friday 20 Nov 2026 (03:00 UTC, 10:00 in Bangkok)
    with world.store.uow(Actor.cli()) as uow:
        rep_staff = staff_by_slack_id(uow, "U_SALES")
        acme = uow.session.get_one(Customer, world.acme)
        siam = uow.session.get_one(Customer, world.siam)
        activities.create_task(
            uow,
            rep_staff,
            "call about the contract",
            customer=acme,
            due_date=today - timedelta(days=2),
        )
        activities.create_task(
            uow, rep_staff, "send the quote", customer=siam, due_date=today + timedelta(days=5)
        )
        uow.commit()
    rep = world.session("staff:U_SALES")
    for text, lang in (("overdue tasks", "en"), ("งานที่เลยกำหนด", "th")):
        lines = rep.send(text).text.splitlines()
        assert lines[0] == say("tasks_overdue", lang, count=1), text
        assert lines[1].startswith("• call about the contract – Acme Trading")
    # "งานพรุ่งนี้": due by tomorrow (the overdue one too), not a task called so
    assert "call about the contract" in rep.send("งานพรุ่งนี้").text
    assert "งานพรุ่งนี้" not in _due_dates(world)
    # a week: due by its Sunday ("send the quote" is due next Wednesday, 25 Nov)
    week = rep.send("งานสัปดาห์นี้")
    assert week.text.splitlines()[0] == say("tasks_due_list", "th", count=1, day="22 พ.ย. 2569")
    ahead = rep.send("my tasks next week")
    assert ahead.text.splitlines()[0] == say("tasks_due_list", "en", count=2, day="29 Nov 2026")
    assert "งานสัปดาห์นี้" not in _due_dates(world)
    # moved to the day told, found by the customer and the words; undone, it goes back
    asked = rep.send("move the Acme Trading task to next Friday")
    assert asked.confirm and asked.text == say(
        "confirm_task_move", "en", title="call about the contract – Acme Trading", day="27 Nov 2026"
    )
    assert _due_dates(world)["call about the contract"] == today - timedelta(days=2)
    moved = rep.send("yes")
    assert moved.text == say(
        "task_moved", "en", title="call about the contract – Acme Trading", day="27 Nov 2026"
    )
    assert _due_dates(world)["call about the contract"] == date(2026, 11, 27)
    rep.send("undo")
    assert _due_dates(world)["call about the contract"] == today - timedelta(days=2)
    rep.send("เลื่อนงานส่ง quote ให้ Siam Paper เป็นวันจันทร์หน้า")
    rep.send("ใช่")
    assert _due_dates(world)["send the quote"] == date(2026, 11, 23)
    # no new task was added by any of these
    assert len(_due_dates(world)) == 2
    # a list asked for while "which task?" waits is that list, not the question again
    with world.store.uow(Actor.cli()) as uow:
        activities.create_task(
            uow,
            staff_by_slack_id(uow, "U_SALES"),
            "visit the plant",
            customer=uow.session.get_one(Customer, world.acme),
            due_date=today + timedelta(days=3),
        )
        uow.commit()
    assert rep.send("เลื่อนงาน Acme Trading ไปวันจันทร์").choices
    listed = rep.send("งานที่เลยกำหนด")
    assert listed.text.splitlines()[0] == say("tasks_overdue", "th", count=1)


def test_a_rep_drops_a_task_after_confirming(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    rep.send("remind me to visit Siam Paper on Monday")
    rep.send("เตือนโทรหา Acme Trading พรุ่งนี้")
    asked = rep.send("delete task visit Siam Paper")
    assert asked.confirm and asked.text == say(
        "confirm_task_drop", "en", title="visit – Siam Paper"
    )
    assert _open_tasks(world) == ["visit", "โทรหา"]  # nothing before the yes
    assert rep.send("yes").text == say("task_dropped", "en", title="visit – Siam Paper")
    assert _open_tasks(world) == ["โทรหา"] and count_rows(Task) == 2
    rep.send("undo")
    assert _open_tasks(world) == ["visit", "โทรหา"]
    thai = rep.send("ยกเลิกงานโทรหา Acme Trading")
    assert thai.text == say("confirm_task_drop", "th", title="โทรหา – Acme Trading")
    rep.send("ใช่")
    assert _open_tasks(world) == ["visit"] and count_rows(Task) == 2  # no task was added


def test_a_note_saying_a_task_is_done_closes_it_after_asking(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    rep.send("remind me to send Siam Paper the revised quote on Monday")
    rep.send("remind me to send Siam Paper the sample box on Tuesday")
    rep.send("remind me to send Acme Trading the quote on Monday")
    interactions = count_rows(Interaction)
    # read as a note about the customer; one of the sender's tasks for them is named
    asked = rep.send("done with the Siam Paper quote")
    assert asked.confirm and asked.text == say(
        "confirm_task_done", "en", title="send the revised quote – Siam Paper"
    )
    assert rep.send("yes").text == "Marked done: send the revised quote – Siam Paper."
    assert _open_tasks(world) == ["send the sample box", "send the quote"]
    # two tasks named alike: which one
    rep.send("remind me to send Acme Trading the revised quote on Friday")
    which = rep.send("done with the Acme Trading quote")
    assert which.text == say("which_task_done", "en") and len(which.choices) == 2
    labels = [c.label for c in which.choices]
    rep.send(str(next(i for i, lab in enumerate(labels, 1) if lab.startswith("send the quote"))))
    assert _open_tasks(world) == ["send the sample box", "send the revised quote"]
    # a note about something else done is logged as before
    logged = rep.send("called Siam Paper, their delivery is done")
    assert logged.intent == "log_interaction" and count_rows(Interaction) == interactions + 1
    assert _open_tasks(world) == ["send the sample box", "send the revised quote"]


def test_something_told_of_a_customer_in_unplaced_words_is_offered_as_a_note(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    before = count_rows(Interaction)
    assert world.bot.parse("Acme Trading ขอ discount 10%").intent == "out_of_scope"
    offered = rep.send("Acme Trading ขอ discount 10%")
    assert offered.confirm and offered.text == say(
        "confirm_log_guess.note", "th", name="Acme Trading", note="ขอ discount 10%"
    )
    assert count_rows(Interaction) == before  # nothing is written unasked
    rep.send("ใช่")
    with world.store.uow() as uow:
        notes = uow.session.scalars(select(Interaction.note).order_by(Interaction.id)).all()
    assert count_rows(Interaction) == before + 1 and notes[-1] == "ขอ discount 10%"
    # read as a question for the knowledge base, which holds no such question: a note too
    told = "Acme Trading ขอส่วนลด 5% ถ้าสั่ง 100 ชิ้น"
    assert world.bot.parse(told).intent == "faq"
    discount = rep.send(told)
    assert discount.confirm and discount.text == say(
        "confirm_log_guess.note", "th", name="Acme Trading", note="ขอส่วนลด 5% ถ้าสั่ง 100 ชิ้น"
    )
    rep.send("ไม่")
    # a stored question staff ask is still answered, with a customer named too
    assert rep.send("ร้านเปิดกี่โมง").text.startswith("ร้านเปิดทุกวัน")
    with world.store.uow(Actor.cli()) as uow:
        knowledge.upsert_entry(
            uow, "tax_invoice", ["ขอใบกำกับภาษีได้ไหม"], "ขอได้ภายใน 7 วัน", "Within 7 days."
        )
        uow.commit()
    assert rep.send("Acme Trading ขอใบกำกับภาษี").text == "ขอได้ภายใน 7 วัน"
    # asked with a particle the question words hold: no note either
    assert not rep.send("Acme Trading ขอฟรีค่าส่งได้เปล่า").confirm
    # a question about a customer is no note to keep
    for text in ("what's Acme Trading's credit limit", "Acme จ่ายเงินหรือยัง"):
        asked = rep.send(text)
        assert asked.intent == "out_of_scope" and not asked.confirm, text


def test_a_deal_is_handed_to_a_colleague_after_a_yes_and_they_are_told(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    # a colleague named beside another change is no hand-over
    amount = manager.send("Acme Trading deal 90k, Narin will give them the quote")
    assert amount.confirm and "฿90,000" in amount.text and "Hand" not in amount.text
    manager.send("no")
    moved = manager.send("move the Acme Trading deal to negotiation and give it to Narin")
    assert moved.confirm and "negotiation" in moved.text and "Hand" not in moved.text
    manager.send("no")
    # only those who may own deals are handed one
    assert manager.send("give the Acme Trading deal to Malai").text == say(
        "deal_owner_role", "en", owner="Malai"
    )
    # two named: which one, answered by name
    assert manager.send("give the Acme Trading deal to Somchai or Narin").choices
    assert manager.send("Narin").text == say(
        "confirm_deal_hand", "en", title="Paper supply 2027", name="Acme Trading", owner="Narin"
    )
    manager.send("no")
    asked = manager.send("change owner of the Acme Trading deal to Narin")
    assert asked.confirm and asked.text == say(
        "confirm_deal_hand", "en", title="Paper supply 2027", name="Acme Trading", owner="Narin"
    )
    manager.send("yes")
    with world.store.uow() as uow:
        deal = uow.session.get_one(Deal, world.acme_deal)
        assert deal.owner is not None and deal.owner.slack_user_id == "U_SALES2"
        assert deal.stage is Stage.PROPOSAL  # only the owner changed
        told = uow.session.scalars(
            select(OutboxMessage.target).where(OutboxMessage.kind == "deal_handed")
        ).all()
    assert sorted(told) == ["U_SALES", "U_SALES2"]  # the new owner and the one before
    again = manager.send("assign the Acme Trading deal to Narin")
    assert again.text == say("deal_owned_already", "en", title="Paper supply 2027", owner="Narin")
    # the rep who had it may no longer hand it on; the new owner may, in Thai
    assert (
        "another rep"
        in world.session("staff:U_SALES").send("give the Acme Trading deal to Pim").text
    )
    narin = world.session("staff:U_SALES2")
    # no colleague of the name: nothing handed
    assert narin.send("give my Acme Trading deal to Jane").text == say(
        "colleague_not_found", "en", name="Jane"
    )
    back = narin.send("โอนดีล Acme Trading ให้ Somchai")
    assert back.confirm and "Somchai" in back.text
    narin.send("ใช่")
    with world.store.uow() as uow:
        owner = uow.session.get_one(Deal, world.acme_deal).owner
        assert owner is not None and owner.slack_user_id == "U_SALES"


def test_a_deal_is_handed_by_whose_it_is_or_as_the_one_in_focus(world: World) -> None:
    rep = world.session("staff:U_SALES")
    # one's own deal handed on is no list of the colleague's deals
    mine = rep.send("reassign my Acme Trading deal to Narin")
    assert mine.confirm and mine.text == say(
        "confirm_deal_hand", "en", title="Paper supply 2027", name="Acme Trading", owner="Narin"
    )
    rep.send("no")
    manager = world.session("staff:U_MANAGER")
    # whose deal it is now is not who gets it
    named = manager.send("give Somchai's Acme Trading deal to Narin")
    assert named.text == mine.text
    manager.send("no")
    # "this deal": the one just talked about
    manager.send("Acme Trading deal")
    manager.send("cancel")
    focused = manager.send("โอนดีลนี้ให้ Narin")
    assert focused.confirm and "Paper supply 2027" in focused.text and "Narin" in focused.text
    manager.send("ใช่")
    with world.store.uow() as uow:
        owner = uow.session.get_one(Deal, world.acme_deal).owner
        assert owner is not None and owner.slack_user_id == "U_SALES2"


def test_a_deal_said_not_won_stays_where_it_is(world: World) -> None:
    rep = world.session("staff:U_SALES")
    for text in ("Acme Trading อาจจะไม่ปิดดีล", "Acme Trading hasn't won the budget yet"):
        # where the deal stands, and which stage it should move to: nothing won
        reply = rep.send(text)
        assert "Paper supply 2027" in reply.text and not reply.confirm, (text, reply.text)
        assert [c.value for c in reply.choices][:3] == ["lead", "qualified", "proposal"], text
        rep.send("cancel")
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.PROPOSAL


def test_sales_rep_cannot_move_another_reps_deal(world: World) -> None:
    other = world.session("staff:U_SALES2")
    reply = other.send("Acme deal won 80k")
    assert "another rep" in reply.text
    with world.store.uow() as uow:
        assert uow.session.get_one(Deal, world.acme_deal).stage is Stage.PROPOSAL


def test_a_report_for_a_named_month_is_that_month_or_said_to_be_unavailable(
    world: World,
) -> None:
    manager = world.session("staff:U_MANAGER")
    # NOW is in November 2026: October is last month
    october = manager.send("ยอดขายเดือนตุลา")
    assert october.intent == "report" and "เดือนที่แล้ว" in october.text
    # no period covers August alone: no numbers that would read as August's
    august = manager.send("sales report for August")
    assert august.intent == "report" and "August 2026" in august.text
    assert "Won" not in august.text and "฿" not in august.text
    assert "สิงหาคม 2569" in manager.send("ยอดขายเดือนสิงหา").text


def test_a_report_for_a_year_or_quarter_is_that_period_or_said_to_be_unavailable(
    world: World,
) -> None:
    manager = world.session("staff:U_MANAGER")
    last_year = manager.send("ยอดขายปีที่แล้ว")
    assert last_year.text.startswith("รายงานยอดขาย ปีที่แล้ว:")
    assert manager.send("ยอดขายปี 2568").text == last_year.text
    # NOW is in the fourth quarter: Q3 is the last one
    assert manager.send("Q3 sales").text.startswith("Sales report, last quarter:")
    # no period covers another year or quarter alone, said in the reader's era
    assert manager.send("sales 2024").text == say("no_named_report", "en", name="2024")
    assert manager.send("ยอดขายไตรมาส 1").text == say(
        "no_named_report", "th", name="ไตรมาส 1 ปี 2569"
    )


def test_manager_gets_reports(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    for text, kind in (
        ("ยอดขายเดือนนี้เป็นยังไง", "ยอดขาย"),
        ("show the pipeline", "Pipeline"),
        ("ticket report this week", "Tickets"),
    ):
        reply = manager.send(text)
        assert reply.intent == "report", text
        assert kind in reply.text


def test_a_sales_report_says_which_days_it_is_compared_with(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    # NOW is 20 Nov 2026: this month so far is set against 1-20 October, said so
    month = manager.send("ยอดขายเดือนนี้").text.splitlines()
    compared = say("report_compared", "th", start="1 ต.ค. 2569", end="20 ต.ค. 2569")
    assert compared in month
    assert month[month.index(compared) + 1].startswith(label("rs", "previous_count", "th"))
    # a whole month against the whole one before
    last = manager.send("sales last month").text.splitlines()
    assert say("report_compared", "en", start="1 Sep 2026", end="30 Sep 2026") in last


def test_a_rep_asks_for_a_customers_contact_history(world: World) -> None:
    rep = world.session("staff:U_SALES")
    assert rep.send("Siam Paper history").text == say("no_contacts_of", "en", name="Siam Paper")
    rep.send("called Siam Paper, they want a quote for 500 reams")
    rep.send("visited Siam Paper, met the new buyer")
    for text in ("Siam Paper history", "ประวัติการติดต่อ Siam Paper", "Siam Paper interactions"):
        reply = rep.send(text)
        assert reply.intent == "customer_lookup" and not reply.confirm, text
        lines = reply.text.splitlines()
        lang = "en" if text.isascii() else "th"
        assert lines[0] == say("contacts_of", lang, name="Siam Paper", count=2), text
        assert lines[1].endswith(": met the new buyer") and "Somchai" in lines[1]
        assert lines[2].endswith(": they want a quote for 500 reams")


def test_staff_asking_for_their_orders_of_a_period_get_their_sales(world: World) -> None:
    for text, lang, period in (
        ("all my orders this week", "en", "this_week"),
        ("ออเดอร์ทั้งหมดของฉันเดือนนี้", "th", "this_month"),
    ):
        reply = world.session("staff:U_SALES").send(text)
        assert reply.intent == "report", text
        # a rep's figures are of their own deals, and the title says so
        assert reply.text.splitlines()[0] == say(
            "report_title_of",
            lang,
            kind=label("report", "sales", lang),
            period=label("period", period, lang),
            name="Somchai",
        )


def test_the_pipeline_is_the_deals_open_now_whatever_period_is_asked(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    for text, lang in (("pipeline เดือนที่แล้ว", "th"), ("pipeline last month", "en")):
        assert manager.send(text).text.splitlines()[0] == say(
            "report_title",
            lang,
            kind=label("report", "pipeline", lang),
            period=say("period_now", lang),
        )


def test_the_teams_pipeline_is_shown_by_rep_as_well(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        narin = uow.session.scalars(select(Staff).where(Staff.slack_user_id == "U_SALES2")).one()
        siam = uow.session.get_one(Customer, world.siam)
        deals.create_deal(
            uow, siam, "Boxes 2027", owner=narin, amount=Decimal("40000"), stage=Stage.NEGOTIATION
        )
        uow.commit()
    lines = world.session("staff:U_MANAGER").send("pipeline by rep").text.splitlines()
    at = lines.index("rep · count · amount · weighted")
    assert lines[at + 1 :] == ["• Narin · 1 · ฿40,000 · ฿30,000", "• Somchai · 1 · ฿0 · ฿0"]
    # one rep's own pipeline has no such part
    own = world.session("staff:U_SALES").send("my pipeline").text.splitlines()
    assert "rep · count · amount · weighted" not in own


def test_the_customers_report_names_its_figures(world: World) -> None:
    lines = world.session("staff:U_MANAGER").send("มีลูกค้าใหม่กี่รายสัปดาห์นี้").text.splitlines()
    assert lines[0] == say(
        "report_title", "th", kind=label("report", "customers", "th"), period="สัปดาห์นี้"
    )
    assert "• " + label("rs", "new_leads", "th") + " · 0" in lines
    assert not any("new_" in line for line in lines)


def test_report_rows_of_several_figures_are_headed_and_named(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    lines = manager.send("กิจกรรมสัปดาห์นี้").text.splitlines()
    assert "แยกตาม · รายการ · จำนวน" in lines
    assert "• ประเภท · การโทร · 0" in lines and not any("type" in line for line in lines)
    tickets = manager.send("ticket report this week").text.splitlines()
    header = tickets.index(
        "priority · opened · resolved · backlog · SLA breaches · overdue · median hours"
    )
    assert tickets[header + 1].startswith("• urgent · ")


def test_each_role_sees_the_reports_of_its_work(world: World) -> None:
    support = world.session("staff:U_SUPPORT")
    tickets = support.send("สรุปเคสสัปดาห์นี้")
    assert tickets.text.splitlines()[0] == say(
        "report_title", "th", kind=label("report", "tickets", "th"), period="สัปดาห์นี้"
    )
    # a report asked for with no kind is the tickets one for support
    assert support.send("report for today").text.startswith("Tickets report, today:")
    assert support.send("sales report this month").text == say("report_not_allowed.support", "en")
    rep = world.session("staff:U_SALES")
    assert rep.send("ticket report this week").text == say("report_not_allowed.sales", "en")
    assert rep.send("sales report this month").text.startswith(
        "Sales report for Somchai, this month:"
    )


def test_an_id_alone_is_answered_in_the_conversations_language(world: World) -> None:
    support = world.session("staff:U_SUPPORT")
    support.send("TCK-2001 สถานะ")
    thai = support.send("ORD-3001")
    assert thai.intent == "order_status" and thai.lang == "th"
    support.send("what's the status of TCK-2001")
    english = support.send("ORD-3001")
    assert english.intent == "order_status" and english.lang == "en"


def test_a_customer_asking_how_far_a_tier_is_sees_their_membership(world: World) -> None:
    reply = world.session("customer:U_LINE_SOMSRI").send("อีกกี่แต้มจะได้ gold คะ")
    assert reply.intent == "loyalty_balance"
    (card,) = reply.cards
    fields = dict(card.fields)
    assert fields[say("f.next_tier", "th")] == say(
        "next_tier", "th", tier=label("tier", "gold", "th"), points="3,800 แต้ม"
    )


@pytest.mark.parametrize("text", ["what tier am I", "ระดับสมาชิกของฉัน"])
def test_a_customer_asking_their_tier_sees_their_membership(world: World, text: str) -> None:
    reply = world.session("customer:U_LINE_SOMSRI").send(text)
    assert reply.intent == "loyalty_balance"
    (card,) = reply.cards
    lang = "en" if text.isascii() else "th"
    assert dict(card.fields)[say("f.tier", lang)] == label("tier", "silver", lang)


def test_a_customer_asking_to_cancel_something_is_no_task_of_theirs(world: World) -> None:
    reply = world.session("customer:U_LINE_SOMSRI").send("ยกเลิกงานสัมมนาวันเสาร์ได้ไหม")
    assert reply.intent in ("out_of_scope", "faq")
    assert reply.text != say("not_allowed_customer", "th")


def test_a_customer_typing_a_ticket_or_member_number_sees_their_own(world: World) -> None:
    with world.store.uow() as uow:
        number = uow.session.scalars(select(Ticket.number)).one()  # Malee's ticket
    malee = world.session("customer:U_LINE_MALEE").send(number)
    assert malee.intent == "ticket_status" and malee.text.startswith(f"เรื่อง {number}")
    # another customer's ticket is not found, and nothing is changed
    other = world.session("customer:U_LINE_SOMSRI").send(number)
    assert other.text == say("ticket_not_found", "th", number=number)
    member = world.session("customer:U_LINE_SOMSRI").send("M-10002 ค่ะ")
    assert member.intent == "loyalty_balance" and "1,200" in member.text
    # asking to change it is still refused (staff change tickets and points)
    refused = world.session("customer:U_LINE_MALEE").send(f"{number} close it")
    assert refused.text == say("not_allowed_customer", "en")


def test_a_customer_asking_for_their_orders_gets_the_recent_ones(world: World) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    listed = somsri.send("ออเดอร์ของหนูมีอะไรบ้าง")
    assert listed.intent == "order_status"
    lines = listed.text.splitlines()
    assert lines[0] == say("orders_of_own", "th", count=len(lines) - 1)
    assert lines[1].startswith("• ORD-3001 ") and not any("ORD-3002" in line for line in lines)
    # where an order is: the latest's status, not a list
    where = somsri.send("ของที่สั่งไปถึงไหนแล้วคะ")
    assert where.text.startswith("คำสั่งซื้อ ORD-3001")


def test_a_customer_asks_for_their_order_history_of_a_period(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        somsri = uow.session.scalars(
            select(Customer).where(Customer.line_user_id == "U_LINE_SOMSRI")
        ).one()
        for number, status, total, day in (
            ("ORD-3010", "delivered", "480", 5),
            ("ORD-3011", "cancelled", "100", 7),
        ):
            orders.upsert_order(
                uow,
                number,
                somsri,
                status=status,
                total=total,
                placed_at=NOW.replace(month=10, day=day),
                carrier=None,
                tracking_number=None,
            )
        uow.commit()
    somsri_chat = world.session("customer:U_LINE_SOMSRI")
    # "history" is no points history when it is of orders; Thai has one word for all orders
    for text in ("order history", "ประวัติการสั่งซื้อ", "คำสั่งซื้อของฉัน", "show my last 3 orders"):
        listed = somsri_chat.send(text)
        assert listed.intent == "order_status", text
        numbers = [line.split()[1] for line in listed.text.splitlines()[1:]]
        assert numbers == ["ORD-3001", "ORD-3011", "ORD-3010"], text
    # of a period: its orders and what they add up to (a cancelled one counts for nothing)
    last_month = somsri_chat.send("what did I order last month")
    assert last_month.text.splitlines() == [
        say("orders_of_own_in", "en", period="last month", count=2, total="฿480"),
        "• ORD-3011 ฿100 · cancelled · 7 Oct 2026",
        "• ORD-3010 ฿480 · delivered · 5 Oct 2026",
    ]
    assert last_month.text.splitlines()[0] == "Your orders, last month (2, total ฿480):"
    this_month = somsri_chat.send("ออเดอร์เดือนนี้มีอะไรบ้าง")
    assert this_month.text.splitlines()[0] == say(
        "orders_of_own_in", "th", period="เดือนนี้", count=1, total="฿1,250.50"
    )
    assert "ORD-3001" in this_month.text and "ORD-3010" not in this_month.text
    none = somsri_chat.send("what did I order last week")
    assert none.text == say("no_orders_of_own_in", "en", period="last week")


def test_a_long_order_history_of_a_period_counts_all_and_lists_the_latest(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        malee = uow.session.get_one(Customer, world.malee)
        for n in range(22):
            orders.upsert_order(
                uow,
                f"ORD-{5000 + n}",
                malee,
                status="delivered",
                total="10",
                placed_at=NOW.replace(month=10, day=1 + n),
                carrier=None,
                tracking_number=None,
            )
        uow.commit()
    lines = world.session("customer:U_LINE_MALEE").send("what did I order last month").text
    assert lines.splitlines()[:2] == [
        "Your orders, last month (22, total ฿220):",
        say("orders_latest", "en", count=20),
    ]
    assert len(lines.splitlines()) == 22 and "ORD-5021" in lines and "ORD-5001" not in lines


def test_a_customer_cancelling_their_latest_order_hears_its_status_and_who_can(
    world: World,
) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    reply = somsri.send("ขอยกเลิกออเดอร์ล่าสุดค่ะ")
    assert reply.intent == "order_status"
    assert reply.text.endswith(say("order_change_by_staff", "th"))
    assert "ORD-3001" in reply.text


def test_faq_and_handoff(world: World) -> None:
    visitor = world.session("customer:U_NEW_LINE")
    assert "9:00" in visitor.send("ร้านเปิดกี่โมงคะ").text
    miss = visitor.send("มีที่จอดรถสำหรับรถบัสไหม")
    if miss.intent == "faq":
        assert miss.choices and miss.choices[0].value == "intent:handoff"
        assert "เจ้าหน้าที่" in visitor.send("1").text
    assert "เจ้าหน้าที่" in visitor.send("ขอสายเจ้าหน้าที่หน่อย").text


@pytest.mark.parametrize("typed", ["Acme Trading", "ok"])
def test_a_name_or_an_okay_typed_in_latin_keeps_the_conversations_language(
    world: World, typed: str
) -> None:
    rep = world.session("staff:U_SALES")
    rep.send("สวัสดีครับ")
    assert rep.send(typed).lang == "th"
    # a sentence in English is answered in English
    assert rep.send("show me Acme Trading please").lang == "en"


@pytest.mark.parametrize(
    "text",
    [
        "เลิกส่งข่าวสารให้หนูได้ไหมคะ",
        # a negated "send me news" is an opt-out, never an opt-in
        "ไม่ต้องส่งโปรมาแล้วนะคะ",
        "I don't want to receive newsletters",
        # every phrase that is clearly about marketing consent says which way
        "ขอยกเลิกรับข่าวสารค่ะ",
        "turn off promotions please",
    ],
)
def test_customer_opts_out_of_marketing(world: World, text: str) -> None:
    somsri = world.session("customer:U_LINE_SOMSRI")
    reply = somsri.send(text)
    assert reply.intent == "consent_update"
    from crm_core.models import Customer

    with world.store.uow() as uow:
        customer = uow.session.get_one(Customer, world.somsri)
        assert not customer.marketing_consent and customer.consent_source is not None


def test_a_typed_opt_in_is_asked_back_before_it_is_recorded(world: World) -> None:
    with world.store.uow() as uow:
        customer = uow.session.get_one(Customer, world.somsri)
        customer.marketing_consent = False
        uow.commit()
    somsri = world.session("customer:U_LINE_SOMSRI")
    asked = somsri.send("อยากรับโปรโมชั่นค่ะ")
    assert asked.intent == "consent_update" and asked.confirm
    with world.store.uow() as uow:
        assert not uow.session.get_one(Customer, world.somsri).marketing_consent
    assert "ขอบคุณ" in somsri.send("ใช่ค่ะ").text
    with world.store.uow() as uow:
        assert uow.session.get_one(Customer, world.somsri).marketing_consent


def test_staff_record_an_opt_out_they_were_told_of_but_no_opt_in(world: World) -> None:
    with world.store.uow() as uow:
        uow.session.get_one(Customer, world.somsri).marketing_consent = True
        uow.commit()
    agent = world.session("staff:U_SUPPORT")
    asked = agent.send("คุณสมศรีโทรมาขอไม่รับข่าวสารแล้ว")
    assert asked.confirm and asked.text == say("confirm_opt_out_for", "th", name="คุณสมศรี ใจดี")
    agent.send("ใช่")
    with world.store.uow() as uow:
        customer = uow.session.get_one(Customer, world.somsri)
        assert customer.marketing_consent is False
        assert customer.consent_source == "console:slack:U_SUPPORT"  # who was told, where
    # said once more: nothing to change
    again = agent.send("unsubscribe คุณสมศรี ใจดี from marketing")
    assert again.text == say("consent_out_already", "en", name="คุณสมศรี ใจดี")
    # an opt-in must come from the customer
    refused = agent.send("subscribe คุณสมศรี ใจดี to marketing")
    assert refused.text == say("consent_in_by_customer", "en")
    with world.store.uow() as uow:
        assert uow.session.get_one(Customer, world.somsri).marketing_consent is False


def _ticket_for_somsri(world: World) -> str:
    with world.store.uow() as uow:
        somsri = uow.session.get_one(Customer, world.somsri)
        ticket = tickets.create_ticket(uow, "Kettle broken", customer=somsri, channel="line")
        uow.commit()
        return ticket.number


def _customer_notices(world: World, after: int = 0) -> list[tuple[int, str, OutboxStatus]]:
    """(id, kind, status) of Somsri's LINE notifications queued after the row `after`."""
    with world.store.uow() as uow:
        query = select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.status).where(
            OutboxMessage.target == "U_LINE_SOMSRI", OutboxMessage.id > after
        )
        return [tuple(row) for row in uow.session.execute(query.order_by(OutboxMessage.id))]


def _last_notice_id(world: World) -> int:
    return max((n[0] for n in _customer_notices(world)), default=0)


def test_undo_withdraws_a_notification_not_sent_yet(world: World) -> None:
    number = _ticket_for_somsri(world)
    before = _last_notice_id(world)
    agent = world.session("staff:U_SUPPORT")
    agent.send(f"{number} resolved")
    ((notice_id, kind, status),) = _customer_notices(world, before)
    assert status is OutboxStatus.PENDING and kind == "ticket_status"
    undone = agent.send("undo")
    assert "withdrawn before sending: 1" in undone.text
    ((_, _, status),) = _customer_notices(world, before)
    assert status is OutboxStatus.CANCELLED
    with world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.status is TicketStatus.OPEN
        # nothing left for a worker to send
        due = outbox.claim(uow, now=utcnow(), limit=50, lease=timedelta(seconds=30))
        assert notice_id not in {item.id for item in due}


def test_undo_says_when_the_notification_had_already_gone(world: World) -> None:
    number = _ticket_for_somsri(world)
    before = _last_notice_id(world)
    agent = world.session("staff:U_SUPPORT")
    agent.send(f"{number} resolved")
    with world.store.uow() as uow:
        for claimed in outbox.claim(uow, now=utcnow(), limit=50, lease=timedelta(seconds=30)):
            assert outbox.mark_sent(uow, claimed, now=utcnow())
        uow.commit()
    undone = agent.send("undo")
    assert "already sent" in undone.text and "withdrawn" not in undone.text
    ((_, _, status),) = _customer_notices(world, before)
    assert status is OutboxStatus.SENT


def test_a_campaign_asked_for_later_says_it_goes_out_on_confirming(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    asked = manager.send("send a message to silver members tomorrow: double points this weekend")
    assert asked.confirm and '"double points this weekend"' in asked.text
    assert "as soon as you confirm" in asked.text
    manager.send("no")
    now = manager.send("ส่งไลน์หาลูกค้า silver ว่ามีโปรลด 30%")
    assert now.confirm and "ทันทีที่ยืนยัน" not in now.text


def test_a_campaign_to_everyone_goes_to_every_opted_in_customer(world: World) -> None:
    with world.store.uow() as uow:
        reachable = len(campaigns.audience(uow, "all", NOW))
    manager = world.session("staff:U_MANAGER")
    for text in (
        "ส่งโปรให้ลูกค้าทุกคน: ปีใหม่ลด 10%",
        "send to all customers: shop closed on 5 Dec",
        # a tier in the text to send is no audience
        "ส่งโปรให้ลูกค้าทุกคน: สมาชิก gold รับแต้ม x2",
    ):
        asked = manager.send(text)
        lang = "en" if text.isascii() else "th"
        assert asked.confirm and label("segment", "all", lang) in asked.text, text
        assert str(reachable) in asked.text
        manager.send("no")
    # everyone, as the answer to "which customers?"
    assert manager.send("แจ้งลูกค้าว่าร้านหยุด 5 ธ.ค.").text == say("ask_segment", "th")
    assert manager.send("ทุกคน").confirm
    # "everyone" not said of customers, or only in the text to send, is asked about
    for text in ("แจ้งทุกคนว่าพรุ่งนี้ประชุม 9 โมง", "send a promo: Hi everyone, 20% off this week"):
        assert manager.send(text).text == say("ask_segment", "en" if text.isascii() else "th")
        manager.send("cancel")
    # every one of a tier is that tier; outside a campaign, "everyone" names no segment
    assert world.bot.parse("แจ้งลูกค้า gold ทุกคนว่าพรุ่งนี้ลด 10%").slots["segment"] == "gold"
    assert "segment" not in world.bot.parse("ประชุมทีมทุกคนพรุ่งนี้").slots


def test_a_campaign_to_two_tiers_goes_to_both(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        # one reachable customer in each of two tiers
        for customer_id, tier in ((world.somsri, Tier.GOLD), (world.malee, Tier.PLATINUM)):
            customer = uow.session.get_one(Customer, customer_id)
            customer.tier, customer.marketing_consent, customer.line_followed = tier, True, True
        uow.commit()
        both = set(campaigns.audience(uow, "gold", NOW)) | set(
            campaigns.audience(uow, "platinum", NOW)
        )
        assert campaigns.audience(uow, "gold", NOW) and campaigns.audience(uow, "platinum", NOW)
    manager = world.session("staff:U_MANAGER")
    asked = manager.send("ส่งโปรให้ลูกค้า gold และ platinum ว่าลด 20% ถึงสิ้นเดือน")
    assert asked.text == say(
        "confirm_campaign",
        "th",
        count=len(both),
        segment="gold และ platinum",
        message="ลด 20% ถึงสิ้นเดือน",
    )
    assert say("campaign_queued", "th", count=len(both)) in manager.send("ใช่").text


def test_a_manager_asks_who_is_in_a_segment(world: World) -> None:
    with world.store.uow() as uow:
        scored = reports.rfm_scores(uow, NOW)
        somsri = next(s for s in scored if s.customer_id == world.somsri)
        members = [s for s in scored if s.segment == somsri.segment]
    wording = say(f"segment.{somsri.segment}", "en")
    reply = world.session("staff:U_MANAGER").send(f"who is in the {wording} segment")
    assert reply.intent == "report"
    assert reply.text.splitlines()[0] == f"{wording}: {len(members)} customers"
    assert "คุณสมศรี ใจดี" in reply.text
    # a sales rep sees only their own sales figures
    refused = world.session("staff:U_SALES").send(f"who is in the {wording} segment")
    assert "คุณสมศรี" not in refused.text


def test_yes_to_a_which_one_question_asks_it_again_and_no_drops_it(world: World) -> None:
    with world.store.uow() as uow:
        acme = uow.session.get_one(Customer, world.acme)
        owner = uow.session.get_one(Deal, world.acme_deal).owner
        deals.create_deal(uow, acme, "Coffee machines", owner=owner, amount=30000)
        uow.commit()
    rep = world.session("staff:U_SALES")
    asked = rep.send("ดีล Acme ปิดไม่ได้ ลูกค้าเลือกเจ้าอื่น")
    assert len(asked.choices) == 2
    again = rep.send("ใช่")
    assert again.text == asked.text and again.choices == asked.choices
    dropped = rep.send("ไม่")
    assert dropped.text == say("cancelled", "th")
    with world.store.uow() as uow:
        stages = uow.session.scalars(select(Deal.stage).where(Deal.customer_id == world.acme))
        assert Stage.LOST not in set(stages)


def test_another_member_named_while_points_wait_for_a_yes_gets_the_points_instead(
    world: World,
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        korat = create_customer(uow, CustomerInput(name="Korat Furniture", member_id="M-10009"))
        uow.commit()
        korat_id = korat.id
    with world.store.uow() as uow:
        before = loyalty.balance(uow, world.somsri)
    manager = world.session("staff:U_MANAGER")
    assert manager.send("เพิ่ม 200 แต้มให้คุณสมศรี ชดเชย").confirm
    # points for the member named, not a correction of Somsri's
    moved_on = manager.send("M-10009 1000 แต้ม")
    assert moved_on.text == say("ask_reason", "th"), moved_on.text
    asked = manager.send("ชดเชย")
    assert asked.confirm and "Korat Furniture" in asked.text and "+1,000" in asked.text
    manager.send("ใช่")
    with world.store.uow() as uow:
        assert loyalty.balance(uow, world.somsri) == before
        assert loyalty.balance(uow, korat_id) == 1000


def test_a_customer_reads_their_points_history_in_their_own_words(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        uow.session.add(Reward(code="TOTE", name_th="ถุงผ้า", name_en="Tote bag", points_cost=100))
        uow.session.flush()
        loyalty.redeem_reward(uow, world.somsri, "TOTE")
        uow.commit()
    manager = world.session("staff:U_MANAGER")
    asked = manager.send("เพิ่ม 200 แต้มให้คุณสมศรี ชดเชย")
    assert asked.confirm, asked.text
    manager.send("ใช่")
    manager.send("undo")
    history = world.session("customer:U_LINE_SOMSRI").send("ประวัติแต้มย้อนหลัง")
    assert history.intent == "loyalty_history"
    assert "ถุงผ้า" in history.text and "ชดเชย" in history.text
    assert "ยกเลิกรายการก่อนหน้า" in history.text
    assert "undo" not in history.text and "Tote" not in history.text


def test_a_question_only_the_knowledge_base_knows_is_answered_from_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    matched: list[str] = []

    def counting_match(uow: Any, question: str) -> Any:
        matched.append(question)
        return faq_match(uow, question)

    # the fallback's match is answered as found, not searched for a second time
    monkeypatch.setattr("bot.engine.faq_match", counting_match)
    monkeypatch.setattr("bot.actions.faq_match", counting_match)
    with world.store.uow(Actor.cli()) as uow:
        knowledge.upsert_entry(
            uow,
            "pets",
            ["can I bring my dog into the cafe", "dog friendly?", "พาสุนัขเข้าร้านได้ไหม"],
            "พาสุนัขเข้าร้านได้ที่โซนนอกอาคารค่ะ",
            "Dogs are welcome on the outdoor terrace.",
        )
        uow.commit()
    somsri = world.session("customer:U_LINE_SOMSRI")
    answer = somsri.send("can I bring my dog into the cafe")
    assert answer.intent == "faq" and answer.text == "Dogs are welcome on the outdoor terrace."
    # a wording the parser rejects is still answered when it is a stored question
    assert world.bot.parse("dog friendly?").intent == "out_of_scope"
    matched.clear()
    again = somsri.send("dog friendly?")
    assert again.intent == "faq" and again.text == "Dogs are welcome on the outdoor terrace."
    assert matched == ["dog friendly?"]
    # a question the knowledge base does not answer gets no made-up answer
    other = somsri.send("can I bring my own wine")
    assert other.intent in ("faq", "out_of_scope") and "terrace" not in other.text
    assert "Dogs" not in other.text


def test_a_question_in_other_words_is_answered_by_the_entry_holding_its_words(
    world: World,
) -> None:
    with world.store.uow(Actor.cli()) as uow:
        knowledge.upsert_entry(
            uow,
            "tax_invoice",
            ["ขอใบกำกับภาษีได้ไหม", "tax invoice", "company receipt"],
            "ขอใบกำกับภาษีเต็มรูปได้ภายใน 7 วัน",
            "Full tax invoices are issued within 7 days.",
        )
        knowledge.upsert_entry(
            uow,
            "payment",
            ["จ่ายเงินทางไหนได้บ้าง", "payment methods", "can I pay by PromptPay"],
            "ชำระได้ทางพร้อมเพย์และบัตรเครดิต",
            "We take PromptPay and credit cards.",
        )
        knowledge.upsert_entry(
            uow,
            "returns",
            ["คืนสินค้าได้ไหม", "return policy"],
            "คืนสินค้าได้ภายใน 14 วัน",
            "Returns within 14 days.",
        )
        uow.commit()
    somsri = world.session("customer:U_LINE_SOMSRI")
    # one general word in common ("สินค้า", products) is no answer: "what do you sell?"
    products = somsri.send("มีสินค้าอะไรบ้าง")
    assert "14 วัน" not in products.text and products.choices
    assert "14 วัน" in somsri.send("คืนสินค้าได้ไหม").text
    # no stored question is close as a whole; the words that tell are in one entry
    assert somsri.send("can I get a receipt for my company").text == (
        "Full tax invoices are issued within 7 days."
    )
    assert somsri.send("อยากได้ใบกำกับภาษี").text == "ขอใบกำกับภาษีเต็มรูปได้ภายใน 7 วัน"
    # a message the parser cannot place, all of whose telling words one entry holds
    assert world.bot.parse("how do I pay").intent == "out_of_scope"
    assert somsri.send("how do I pay").text == "We take PromptPay and credit cards."
    # words no entry holds get no made-up answer
    for text in ("do you sell gift cards", "มีที่จอดรถสำหรับรถบัสไหม", "is there wifi"):
        other = somsri.send(text)
        assert other.intent in ("faq", "out_of_scope") and not any(
            answer in other.text for answer in ("invoices", "PromptPay", "9:00", "Saturdays")
        ), text
    # staff ask the knowledge base in its own words; theirs is not guessed at
    staff = world.session("staff:U_SUPPORT").send("how do I pay")
    assert "PromptPay" not in staff.text


def test_support_keep_the_faq_in_chat_and_customers_get_the_answers(world: World) -> None:
    support = world.session("staff:U_SUPPORT")
    somsri = world.session("customer:U_LINE_SOMSRI")
    question = "can I cancel a workshop booking?"
    assert support.send(f"add faq: {question}").text == say("ask_faq_answer_th", "en")
    # an answer is taken as typed, though it reads as "cancel" or another request
    thai = "ยกเลิกได้ ไม่มีค่าใช้จ่าย"
    assert support.send(thai).text == say("ask_faq_answer_en", "en")
    confirm = support.send("-")  # the English answer is the Thai one
    assert confirm.confirm and confirm.text == say(
        "confirm_faq_new", "en", question=question, answer_th=thai, answer_en=thai
    )
    assert support.send("yes").text == say("faq_added", "en", entry="cancel_workshop_booking")
    listed = support.send("faq list").text.splitlines()
    assert listed[0] == say("faq_list", "en", count=3)
    assert f"• cancel_workshop_booking: {question}" in listed
    # a customer sees one question of each entry, in their language where there is one
    assert somsri.send("FAQ").text.splitlines()[1:] == [
        f"• {question}",
        "• what are your opening hours",
        "• do you deliver on weekends",
    ]
    assert somsri.send("คำถามที่พบบ่อยทั้งหมด").text.splitlines()[1:] == [
        f"• {question}",
        "• ร้านเปิดกี่โมง",
        "• ส่งของวันเสาร์อาทิตย์ไหม",
    ]
    # a new English answer and a new way of asking, kept after confirming
    assert thai in support.send("edit faq cancel_workshop_booking").text
    support.send("-")
    english = "Cancel any time before the day, free of charge."
    support.send(english)
    support.send("ยกเลิกเวิร์กช็อปได้ไหม")
    assert support.send("yes").text == say("faq_changed", "en", entry="cancel_workshop_booking")
    # a stored question the bot answers itself keeps its own answer
    with world.store.uow(Actor.cli()) as uow:
        knowledge.upsert_entry(
            uow, "tracking", ["where is my order"], "ส่งเลขออเดอร์มา", "Send your order number."
        )
        uow.commit()
    assert somsri.send("where is my order").text.startswith("Order ORD-3001")
    # asked word for word as stored, it is answered though it reads as "cancel"
    assert world.bot.parse("ยกเลิกเวิร์กช็อปได้ไหม").intent == "cancel"
    assert somsri.send("ยกเลิกเวิร์กช็อปได้ไหม").text == thai
    assert world.session("customer:U_LINE_MALEE").send(question).text == english
    # the change can be undone
    assert support.send("undo").text.startswith(say("undone", "en", count=1)[:6])
    with world.store.uow() as uow:
        (entry,) = [e for e in knowledge.list_entries(uow) if e.key == "cancel_workshop_booking"]
        assert entry.questions == [question] and entry.answer_en == thai
    # another request about the knowledge base while its question waits is that request
    assert support.send("add faq").text == say("ask_faq_question", "en")
    assert support.send("faq list").text.splitlines()[0] == say("faq_list", "en", count=4)
    # the same question twice is pointed at the entry that answers it
    again = support.send(f"add faq: {question}")
    assert again.text == say("faq_exists", "en", entry="cancel_workshop_booking")
    # short answers, one reading as "cancel" and one as "none", are answers too
    support.send("add faq: do you have parking?")
    support.send("ไม่มี")
    support.send("ยกเลิกได้")
    parking = support.send("yes")
    assert parking.text == say("faq_added", "en", entry="parking")
    with world.store.uow() as uow:
        (kept,) = [e for e in knowledge.list_entries(uow) if e.key == "parking"]
        assert (kept.answer_th, kept.answer_en) == ("ไม่มี", "ยกเลิกได้")
    # sales reps and customers ask the FAQ; they do not change it
    assert world.session("staff:U_SALES").send("add faq").text == say("faq_keep_not_allowed", "en")
    assert somsri.send("เพิ่ม faq").text == say("faq_keep_not_allowed", "th")


def test_adding_a_known_customer_with_a_contact_updates_it_and_a_longer_name_is_new(
    world: World, count_rows: Callable[[type], int]
) -> None:
    rep = world.session("staff:U_SALES")
    before = count_rows(Customer)
    asked = rep.send("add Acme Trading email buy@acme.example")
    assert asked.confirm and asked.text.startswith("Change Acme Trading's email")
    rep.send("yes")
    with world.store.uow() as uow:
        assert uow.session.get_one(Customer, world.acme).email == "buy@acme.example"
    assert count_rows(Customer) == before
    # "Tel" is the contact given, no part of a name
    tel = rep.send("new customer Bangkok Motors Tel 0812345670")
    assert tel.text == say("customer_created", "en", name="Bangkok Motors")
    # a name that only begins with a known one is a new customer, as written
    branch = rep.send("new customer Acme Trading Rayong, phone 0899990001")
    assert branch.text == say("customer_created", "en", name="Acme Trading Rayong")
    similar = rep.send("new customer Acme Tradings phone 0899990002")
    assert similar.confirm and '"Acme Tradings"' in similar.text
    rep.send("no")
    # a new customer asked for by a known one's name is offered as a namesake, not written
    # over the known one
    namesake = rep.send("เพิ่มลูกค้าใหม่ Acme Trading เบอร์ 0899990003")
    assert namesake.confirm and namesake.text == say(
        "customer_similar", "th", name="Acme Trading", existing="Acme Trading"
    )
    rep.send("ไม่")
    with world.store.uow() as uow:
        assert uow.session.get_one(Customer, world.acme).phone == "0811111111"
    assert count_rows(Customer) == before + 2


def test_a_customer_created_in_chat_is_known_at_once(world: World) -> None:
    rep = world.session("staff:U_SALES")
    world.bot.customers()  # the name index is warm, as in a running server
    assert "created" in rep.send("new customer Baan Suan Coffee 0899990001").text
    card = rep.send("Baan Suan Coffee")
    assert card.intent == "customer_lookup" and card.cards[0].title == "Baan Suan Coffee"


def test_a_thai_shop_created_in_chat_keeps_its_whole_name(world: World) -> None:
    rep = world.session("staff:U_SALES")
    world.bot.customers()
    assert "เรียบร้อย" in rep.send("ลูกค้าใหม่ ร้านกาแฟบ้านสวน เบอร์ 0899990004").text
    with world.store.uow() as uow:
        names = uow.session.scalars(
            select(Customer.name).where(Customer.phone == "0899990004")
        ).all()
    assert names == ["ร้านกาแฟบ้านสวน"]
    card = rep.send("ข้อมูลลูกค้า ร้านกาแฟบ้านสวน")
    assert card.intent == "customer_lookup" and card.cards[0].title == "ร้านกาแฟบ้านสวน"


def test_a_new_customer_gets_the_tier_named_and_no_rfm_segment(world: World) -> None:
    rep = world.session("staff:U_SALES")
    assert "เรียบร้อย" in rep.send("ลูกค้าใหม่ Orchid Garden เบอร์ 0899990002 ระดับโกลด์").text
    assert "เรียบร้อย" in rep.send("ลูกค้าใหม่ Baan Rim Nam เบอร์ 0899990003").text
    with world.store.uow() as uow:
        tiers = dict(
            uow.session.execute(
                select(Customer.name, Customer.tier).where(
                    Customer.name.in_(["Orchid Garden", "Baan Rim Nam"])
                )
            ).all()
        )
    assert tiers == {"Orchid Garden": Tier.GOLD, "Baan Rim Nam": Tier.BRONZE}


def test_points_history_over_a_look_back_shows_only_its_movements(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        for days, delta, reason in ((10, 40, "ชดเชยเดือนนี้"), (200, 75, "โบนัสปีก่อน")):
            uow.session.add(
                PointsEntry(
                    customer_id=world.somsri,
                    delta=delta,
                    kind=LedgerKind.ADJUST,
                    reason=reason,
                    actor="cli",
                    created_at=NOW - timedelta(days=days),
                )
            )
        uow.commit()
    somsri = world.session("customer:U_LINE_SOMSRI")
    recent = somsri.send("ขอดูประวัติแต้มย้อนหลัง 3 เดือนค่ะ")
    assert recent.intent == "loyalty_history"
    assert "ช่วง 3 เดือนที่ผ่านมา" in recent.text
    assert "ชดเชยเดือนนี้" in recent.text and "โบนัสปีก่อน" not in recent.text
    year = somsri.send("ประวัติแต้มย้อนหลัง 1 ปี")
    assert "ชดเชยเดือนนี้" in year.text and "โบนัสปีก่อน" in year.text
    none = somsri.send("points history for the past 2 days")
    assert none.text == say("no_points_history_in", "en", period="the past 2 days")


def test_a_report_over_a_look_back_names_it(world: World) -> None:
    manager = world.session("staff:U_MANAGER")
    thai = manager.send("ยอดขายย้อนหลัง 3 เดือน")
    assert thai.intent == "report"
    assert thai.text.splitlines()[0] == say(
        "report_title", "th", kind=label("report", "sales", "th"), period="ช่วง 3 เดือนที่ผ่านมา"
    )
    english = manager.send("tickets over the last 2 weeks")
    assert english.text.splitlines()[0] == say(
        "report_title", "en", kind=label("report", "tickets", "en"), period="the past 14 days"
    )


def test_top_customers_for_a_manager_and_for_a_rep(world: World) -> None:
    with world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, world.acme)
        rep = staff_by_slack_id(uow, "U_SALES")
        deal = Deal(
            customer=acme, owner=rep, title="gift sets", amount=Decimal("90000"), stage=Stage.WON
        )
        won = DealStageChange(
            deal=deal,
            from_stage=None,
            to_stage=Stage.WON,
            amount=Decimal("90000"),
            changed_by="test",
            changed_at=NOW - timedelta(days=1),
        )
        uow.session.add_all([deal, won])
        uow.commit()
        name = acme.name
    manager = world.session("staff:U_MANAGER")
    ranked = manager.send("ลูกค้ารายใหญ่ปีนี้")
    assert ranked.intent == "report"
    lines = ranked.text.splitlines()
    assert lines[0] == say("top_customers", "th", period="ปีนี้")
    assert lines[1].startswith(f"1. {name} ฿90,000")
    mine = world.session("staff:U_SALES").send("my top customers this year").text.splitlines()
    assert mine[0] == say("top_customers_mine", "en", period="this year")
    # a rep's ranking counts the deals they won, not the shop's orders
    assert mine[1:] == [
        f"1. {name} ฿90,000 ({say('top_customer_counts_mine', 'en', deals=1)})",
        say("top_customers_total", "en", count=1, total="฿90,000"),
    ]
    other = world.session("staff:U_SALES2").send("my top customers this year")
    assert other.text == say("no_top_customers_mine", "en", period="this year")
