"""The handoff bridge end to end: a LINE customer and a Slack support thread, both fakes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from adapters.line import menu_data
from bot.handoff import RESOLVE_ACTION
from bot.replies import say
from crm_core.models import Handoff, Interaction, Staff
from tests.e2e.channels import SUPPORT, Bridge, open_bridge
from tests.e2e.fake_line import FakeLine
from tests.e2e.fake_slack import BOT_USER_ID
from tests.e2e.test_line import SOMSRI
from tests.e2e.test_slack import buttons, fixture
from tests.e2e.world import World


@pytest.fixture
def bridge(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bridge]:
    with open_bridge(world, monkeypatch) as opened:
        yield opened


def pushed_texts(fake: FakeLine) -> list[str]:
    return [m.get("text", "") for c in fake.of("push") for m in c.messages]


def test_a_customer_talks_to_staff_through_a_slack_thread(bridge: Bridge) -> None:
    line, slack = bridge.line, bridge.slack
    hours_event = line.say(SOMSRI, "ร้านเปิดกี่โมง")
    hours = line.reply_to(hours_event)
    assert "9:00" in hours.messages[0]["text"]

    # asking for a human opens one thread in the support channel with the recent messages
    asked_event = line.press(SOMSRI, menu_data("handoff"))
    asked = line.reply_to(asked_event)
    assert asked.messages[0]["text"] == say("handoff", "th")
    assert bridge.deliver() == 1
    root = slack.posted(1)[0]
    assert root["channel"] == SUPPORT and "thread_ts" not in root
    assert "คุณสมศรี ใจดี" in root["text"] and "ร้านเปิดกี่โมง" in root["text"]
    assert "9:00" in root["text"]
    (resolve_button,) = buttons(root["blocks"])
    assert resolve_button["action_id"] == RESOLVE_ACTION
    with bridge.world.store.uow() as uow:
        handoff = uow.session.scalars(select(Handoff)).one()
        assert (handoff.status, handoff.thread_ts) == ("open", root["ts"])

    # the customer writes again: it goes into the thread and the bot says nothing
    line.say(SOMSRI, "ของยังไม่ได้รับเลยค่ะ ORD-3001")
    bridge.wait_rows("handoff_to_staff", 1)
    # asking for a human again while staff have the chat opens no second thread
    line.say(SOMSRI, "ขอคุยกับเจ้าหน้าที่ค่ะ")
    bridge.wait_rows("handoff_to_staff", 2)
    assert bridge.deliver() == 2
    into_thread = slack.posted(3)[1:]
    assert all(p["thread_ts"] == root["ts"] for p in into_thread)
    assert "ของยังไม่ได้รับเลยค่ะ ORD-3001" in into_thread[0]["text"]
    assert len(bridge.rows("handoff_open")) == 1

    # staff reply in the thread reaches the customer; a note or a word to khui does not
    bridge.staff_says("U_SUPPORT", root["ts"], "// ลูกค้าประจำ ตรวจสอบกับ Kerry ก่อน")
    bridge.staff_says("U_SUPPORT", root["ts"], f"<@{BOT_USER_ID}> ลูกค้าประจำ มีแต้มเท่าไร")
    bridge.staff_says("U_SUPPORT", root["ts"], "พัสดุอยู่ระหว่างจัดส่งค่ะ ถึงพรุ่งนี้")
    bridge.wait_rows("handoff_to_customer", 1)
    assert bridge.deliver() == 1
    line.fake.wait_for("push", 1)
    assert pushed_texts(line.fake) == ["พัสดุอยู่ระหว่างจัดส่งค่ะ ถึงพรุ่งนี้"]
    assert all("ลูกค้าประจำ" not in r.payload["text"] for r in bridge.rows("handoff_to_customer"))
    assert len(bridge.rows("handoff_to_customer")) == 1

    assert [c.body["replyToken"] for c in line.fake.of("reply")] == [
        hours_event["replyToken"],
        asked_event["replyToken"],
    ]

    # resolve: the customer is told in Thai, a chat interaction is logged, the bot is back
    assert slack.click("U_SUPPORT", root, resolve_button).status_code == 200
    bridge.wait_rows("handoff_resolved", 1)
    assert bridge.deliver() == 1
    line.fake.wait_for("push", 2)
    assert pushed_texts(line.fake)[-1] == say("handoff_resolved", "th")
    with bridge.world.store.uow() as uow:
        handoff = uow.session.scalars(select(Handoff)).one()
        assert (handoff.status, handoff.resolved_by) == ("resolved", "U_SUPPORT")
        interaction = uow.session.scalars(select(Interaction)).one()
        malai = uow.session.scalars(select(Staff).where(Staff.slack_user_id == "U_SUPPORT")).one()
        assert interaction.customer_id == bridge.world.somsri
        assert (interaction.type.value, interaction.staff_id) == ("chat", malai.id)
        assert "ของยังไม่ได้รับเลยค่ะ ORD-3001" in interaction.note
        assert "Malai" in interaction.note
    again = line.ask(SOMSRI, "ร้านเปิดกี่โมง")
    assert "9:00" in again.messages[0]["text"]


def test_slash_resolve_in_the_channel_and_english_customers(bridge: Bridge) -> None:
    line, slack = bridge.line, bridge.slack
    line.ask("U_LINE_MALEE", "what are your opening hours")
    line.reply_to(line.press("U_LINE_MALEE", menu_data("handoff")))
    bridge.deliver()
    root = slack.posted(1)[0]
    assert "what are your opening hours" in root["text"]
    fields = dict(parse_qsl(fixture("slack_slash_command.form-urlencoded.txt").strip()))
    fields |= {
        "command": "/khui",
        "text": "resolve",
        "user_id": "U_SUPPORT",
        "channel_id": SUPPORT,
        "trigger_id": "123456.111.abc",
        "response_url": slack.fake.hook_url + "commands/T111/111/xxxxx",
    }
    assert slack.form(fields).status_code == 200
    bridge.wait_rows("handoff_resolved", 1)
    bridge.deliver()
    line.fake.wait_for("push", 1)
    assert pushed_texts(line.fake) == [say("handoff_resolved", "en")]
    hook = slack.fake.wait_for("response_url", 1)[0]
    assert "Malai" in hook.params["text"]


def _handed_off(bridge: Bridge) -> dict[str, Any]:
    """Somsri asks for staff from the menu; the thread opened for it in the support channel."""
    bridge.line.reply_to(bridge.line.press(SOMSRI, menu_data("handoff")))
    assert bridge.deliver() == 1
    return bridge.slack.posted(1)[0]


def test_a_customer_who_no_longer_wants_staff_is_back_with_the_bot(bridge: Bridge) -> None:
    line, slack = bridge.line, bridge.slack
    root = _handed_off(bridge)
    # a question to staff goes to them, the bot says nothing
    line.say(SOMSRI, "ยกเลิกออเดอร์ได้ไหมคะ")
    bridge.wait_rows("handoff_to_staff", 1)
    # "ยกเลิกค่ะ" alone: back to the bot, and the thread is told
    back = line.ask(SOMSRI, "ยกเลิกค่ะ")
    assert back.messages[0]["text"] == say("handoff_withdrawn", "th")
    bridge.wait_rows("handoff_to_staff", 2)
    assert bridge.deliver() == 2
    told = slack.posted(3)[-1]
    assert told["thread_ts"] == root["ts"]
    assert told["text"] == say("handoff_withdrawn_staff", "th", customer="คุณสมศรี ใจดี")
    with bridge.world.store.uow() as uow:
        handoff = uow.session.scalars(select(Handoff)).one()
        assert (handoff.status, handoff.resolved_by) == ("resolved", "customer")
    answered = line.ask(SOMSRI, "ORD-3001 ถึงไหนแล้วคะ")
    assert "ORD-3001" in answered.messages[0]["text"]


def test_a_cancel_after_staff_answered_goes_to_them(bridge: Bridge) -> None:
    line = bridge.line
    root = _handed_off(bridge)
    line.say(SOMSRI, "อยากยกเลิกออเดอร์ ORD-3001 ค่ะ")
    bridge.wait_rows("handoff_to_staff", 1)
    # staff ask back; "ยกเลิกค่ะ" answers them, the chat stays theirs
    bridge.staff_says("U_SUPPORT", root["ts"], "ยืนยันยกเลิกออเดอร์ ORD-3001 ใช่ไหมคะ")
    bridge.wait_rows("handoff_to_customer", 1)
    line.say(SOMSRI, "ยกเลิกค่ะ")
    bridge.wait_rows("handoff_to_staff", 2)
    with bridge.world.store.uow() as uow:
        assert uow.session.scalars(select(Handoff)).one().status == "open"


def test_a_typed_yes_takes_the_one_button_offered(bridge: Bridge) -> None:
    # "ค่ะ" after "ต้องการคุยกับเจ้าหน้าที่หรือไม่" is a yes to it, as the button would be
    line = bridge.line
    asked = "ที่ร้านมีที่จอดรถสำหรับลูกค้าไหมคะ"
    # the offer stands for the next message only: a later "ค่ะ" is an acknowledgement
    assert line.ask(SOMSRI, asked).messages[0]["text"] == say("faq_miss", "th")
    line.ask(SOMSRI, "ขอบคุณค่ะ")
    assert line.ask(SOMSRI, "ค่ะ").messages[0]["text"] != say("handoff", "th")
    assert line.ask(SOMSRI, asked).messages[0]["text"] == say("faq_miss", "th")
    assert line.ask(SOMSRI, "ค่ะ").messages[0]["text"] == say("handoff", "th")
    assert bridge.deliver() == 1


def test_a_customer_escalates_an_faq_miss_to_staff(bridge: Bridge) -> None:
    line = bridge.line
    miss = line.ask(SOMSRI, "ที่ร้านมีที่จอดรถสำหรับลูกค้าไหมคะ")
    assert miss.messages[0]["text"] == say("faq_miss", "th")
    items = miss.messages[-1]["quickReply"]["items"]
    (talk,) = [i["action"] for i in items if i["action"]["label"] == say("talk_to_staff", "th")]
    assert line.choose(SOMSRI, talk).messages[0]["text"] == say("handoff", "th")
    assert bridge.deliver() == 1
    root = bridge.slack.posted(1)[0]
    assert root["channel"] == SUPPORT and "ที่จอดรถ" in root["text"]
