"""Every example the help text offers does what it says, on the demo data."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from adapters.console import ConsoleSession
from bot.engine import Bot
from bot.replies import say, templates
from crm_core.db import Store
from crm_core.demo import seed_demo
from crm_core.models import Customer

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
WHO = {
    "customer": "customer:U_DEMO_LINE_SOMSRI",
    "sales": "staff:U_DEMO_SALES",
    "support": "staff:U_DEMO_SUPPORT",
    "manager": "staff:U_DEMO_MANAGER",
    "admin": "staff:U_DEMO_ADMIN",
}


@pytest.fixture
def bot(store: Store) -> Bot:
    seed_demo(store.uow, now=NOW)
    return Bot(store, clock=lambda: NOW)


def _examples(role: str, lang: str) -> list[str]:
    return re.findall(r'"([^"]+)"', templates(lang)[f"help.{role}"])


@pytest.mark.parametrize("lang", ["en", "th"])
def test_each_help_example_is_understood_and_answered(bot: Bot, lang: str) -> None:
    dead_ends = {say(key, lang) for key in ("ask_customer", "not_allowed", "cancelled")}
    for role, who in WHO.items():
        examples = _examples(role, lang)
        assert examples, role
        for text in examples:
            reply = ConsoleSession(bot, who).send(text)
            assert reply.intent not in (None, "out_of_scope") or text == "undo", (role, text)
            assert reply.text not in dead_ends, (role, text, reply.text)


def test_the_managers_report_examples_are_those_reports(bot: Bot) -> None:
    manager = ConsoleSession(bot, WHO["manager"])
    assert manager.send("loyalty").text.startswith("Loyalty report, this month:")
    assert manager.send("แต้มสะสม").text.startswith("รายงานแต้มสะสม เดือนนี้:")
    assert manager.send("เคสสัปดาห์ที่แล้ว").text.startswith("รายงานเคสบริการ สัปดาห์ที่แล้ว:")
    # "ตั๋ว" is a ticket too
    assert manager.send("ตั๋วสัปดาห์ที่แล้ว").text.startswith("รายงานเคสบริการ สัปดาห์ที่แล้ว:")
    assert manager.send("แต้มสะสมเดือนนี้").text.startswith("รายงานแต้มสะสม เดือนนี้:")
    # a rep sees no loyalty report: "loyalty" alone asks whose points
    assert ConsoleSession(bot, WHO["sales"]).send("loyalty").text == say("ask_customer", "en")
    # a customer naming the programme sees their own points
    own = ConsoleSession(bot, WHO["customer"]).send("แต้มสะสม")
    assert own.intent == "loyalty_balance" and "แต้ม" in own.text and "รายงาน" not in own.text


def test_server_work_is_shown_to_admins_and_left_to_them_by_others(bot: Bot, store: Store) -> None:
    admin = ConsoleSession(bot, WHO["admin"])
    assert admin.send("add a staff member").text == say("server_staff", "en")
    assert admin.send("เพิ่มพนักงานใหม่").text == say("server_staff", "th")
    assert admin.send("export all customers to csv").text == say("server_data", "en")
    assert admin.send("นำเข้าข้อมูลลูกค้าจากไฟล์ excel").text == say("server_data", "th")
    with store.uow() as uow:
        before = uow.session.scalar(select(func.count()).select_from(Customer))
    # a rep asking for a colleague gets no customer of that name
    rep = ConsoleSession(bot, WHO["sales"]).send("add a new rep Jane")
    assert rep.text == say("server_admin_only", "en")
    with store.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Customer)) == before
    # a customer asking sees what they can do
    own = ConsoleSession(bot, WHO["customer"]).send("export my data")
    assert own.text == say("help.customer", "en")
