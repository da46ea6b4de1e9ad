"""Scheduled jobs of `khui worker` on a known data set, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import event, select

from bot import schedule
from bot.settings import Settings
from crm_core import reports
from crm_core.db import Store
from crm_core.errors import InvalidValue
from crm_core.models import Customer, OutboxMessage, Staff, Task
from crm_core.services import activities, deals, orders, staff, tickets
from crm_core.services.customers import CustomerInput, create_customer
from crm_core.uow import UnitOfWork

BKK = ZoneInfo("Asia/Bangkok")
D = Decimal


def bkk(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Bangkok wall-clock moment in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=BKK)


# Monday 23 November 2026: the digest covers Sunday 22 November (22 พ.ย. 2569).
TODAY = date(2026, 11, 23)
YESTERDAY = 22
DAY_BEFORE = 21
AT = bkk(11, 23, 8, 30)


def settings(manager_channel: str = "C_MANAGERS", digest_time: str = "08:30") -> Settings:
    return Settings(
        _env_file=None,
        database_url="sqlite://",
        timezone="Asia/Bangkok",
        manager_channel=manager_channel,
        digest_time=digest_time,
    )


# --- the data set --------------------------------------------------------------------


def _won(
    uow: UnitOfWork, customer: Customer, owner: Staff | None, amount: str, at: datetime
) -> None:
    """A deal opened two days before `at` and won at `at`."""
    deal = deals.create_deal(uow, customer, "deal", owner=owner, amount=D(amount), stage="lead")
    deals.update_deal(uow, deal, stage="won")
    opened, won = deal.history
    opened.changed_at, won.changed_at = at - timedelta(days=2), at


def _ticket(
    uow: UnitOfWork,
    created: datetime,
    sla_due: datetime,
    *,
    resolved: datetime | None = None,
    status: str = "open",
) -> None:
    ticket = tickets.create_ticket(uow, "printer broken", customer=None, channel="slack")
    if resolved is not None:
        tickets.update_ticket(uow, ticket, status="resolved")
    elif status != "open":
        tickets.update_ticket(uow, ticket, status=status)
    ticket.created_at, ticket.sla_due_at, ticket.resolved_at = created, sla_due, resolved


def _order(
    uow: UnitOfWork, number: str, customer: Customer, total: str, status: str, at: datetime
) -> None:
    orders.upsert_order(
        uow,
        number,
        customer,
        status=status,
        total=D(total),
        placed_at=at,
        carrier=None,
        tracking_number=None,
    )


def seed(store: Store) -> None:
    """Deals, tickets, orders and tasks around 22 November whose digest figures are known."""
    with store.uow() as uow:
        anan = staff.add_staff(uow, "U_ANAN", "Anan", "sales")
        busaba = staff.add_staff(uow, "U_BUSABA", "Busaba", "sales")
        chai = staff.add_staff(uow, "U_CHAI", "Chai", "support")
        dao = staff.add_staff(uow, "U_DAO", "Dao", "manager")
        ekk = staff.add_staff(uow, "U_EKK", "Ekk", "support")
        acme = create_customer(uow, CustomerInput(name="Acme Trading"))
        siam = create_customer(uow, CustomerInput(name="Siam Paper"))
        lotus = create_customer(uow, CustomerInput(name="Lotus Garden"))
        nakorn = create_customer(uow, CustomerInput(name="Nakorn Foods"))
        uow.session.flush()

        # Won yesterday: 80,000 + 45,500.50 + 20,000 + 5,000 (no owner) = 150,500.50 in 4.
        _won(uow, acme, anan, "80000", bkk(11, YESTERDAY, 10))
        _won(uow, siam, busaba, "45500.50", bkk(11, YESTERDAY, 23, 30))
        _won(uow, lotus, anan, "20000", bkk(11, YESTERDAY, 14))
        _won(uow, lotus, None, "5000", bkk(11, YESTERDAY, 9))
        # The day before: one deal of 30,000. Today (after local midnight): not yesterday.
        _won(uow, acme, busaba, "30000", bkk(11, DAY_BEFORE, 12))
        _won(uow, siam, anan, "99999", bkk(11, 23, 0, 30))
        # A deal still open is no win.
        deals.create_deal(uow, nakorn, "open deal", owner=anan, amount=D("70000"))

        # Tickets: new yesterday T1, T2, T4; breached yesterday T1 (open), T3 (resolved
        # late); open and past the deadline at 08:30 today T1, T4, T5.
        _ticket(uow, bkk(11, YESTERDAY, 9), bkk(11, YESTERDAY, 13))
        _ticket(uow, bkk(11, YESTERDAY, 10), bkk(11, YESTERDAY, 18), resolved=bkk(11, 22, 12))
        _ticket(uow, bkk(11, 20, 9), bkk(11, YESTERDAY, 8), resolved=bkk(11, YESTERDAY, 20))
        _ticket(uow, bkk(11, YESTERDAY, 22), bkk(11, 23, 6))
        _ticket(uow, bkk(11, 10, 9), bkk(11, 11, 9), status="pending")
        _ticket(uow, bkk(11, 23, 7), bkk(11, 23, 23))

        # Orders yesterday: Siam 20,000 (1), Acme 15,000 (2), Lotus 7,500 (1; its cancelled
        # 50,000 does not count), Nakorn 1,000 (4th, left out). Lotus's 90,000 was earlier.
        _order(uow, "ORD-1", acme, "12000", "paid", bkk(11, YESTERDAY, 10))
        _order(uow, "ORD-2", acme, "3000", "delivered", bkk(11, YESTERDAY, 15))
        _order(uow, "ORD-3", siam, "20000", "pending", bkk(11, YESTERDAY, 16))
        _order(uow, "ORD-4", lotus, "50000", "cancelled", bkk(11, YESTERDAY, 11))
        _order(uow, "ORD-5", lotus, "7500", "shipped", bkk(11, YESTERDAY, 0, 5))
        _order(uow, "ORD-6", nakorn, "1000", "paid", bkk(11, YESTERDAY, 12))
        _order(uow, "ORD-7", lotus, "90000", "paid", bkk(11, DAY_BEFORE, 23, 55))

        # Tasks due today: Anan two open ones (and one done); Ekk one; Chai one but Chai
        # left; Busaba only tomorrow's; Dao only yesterday's.
        tomorrow = TODAY + timedelta(days=1)
        activities.create_task(uow, anan, "โทรหา Acme", due_date=TODAY, customer=acme)
        activities.create_task(uow, anan, "send the quote", due_date=TODAY)
        done = activities.create_task(uow, anan, "already done", due_date=TODAY)
        activities.create_task(uow, anan, "visit Lotus", due_date=tomorrow, customer=lotus)
        activities.create_task(uow, ekk, "call back Siam", due_date=TODAY, customer=siam)
        activities.create_task(uow, chai, "left behind", due_date=TODAY)
        activities.create_task(uow, busaba, "next week prep", due_date=tomorrow)
        busaba_done = activities.create_task(uow, busaba, "done today", due_date=TODAY)
        activities.create_task(uow, dao, "late one", due_date=TODAY - timedelta(days=1))
        uow.session.flush()
        activities.complete_task(uow, done.id, anan)
        activities.complete_task(uow, busaba_done.id, busaba)
        chai.active = False
        uow.commit()


def outbox_rows(store: Store) -> list[OutboxMessage]:
    with store.uow() as uow:
        rows = list(uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        uow.session.expunge_all()  # keep them readable after the unit of work rolls back
        return rows


def by_key(store: Store) -> dict[str, OutboxMessage]:
    return {row.dedupe_key or "": row for row in outbox_rows(store)}


DIGEST_TEXT = """\
สรุปประจำวัน 22 พ.ย. 2569
ปิดการขายได้: ฿150,500.50 (4 ดีล) +401.7%
วันก่อนหน้า: ฿30,000 (1 ดีล)
เรื่องใหม่: 3 เรื่อง
เกิน SLA เมื่อวาน: 2 เรื่อง
ค้างเกิน SLA ตอนนี้: 3 เรื่อง
เซลส์ที่ปิดการขายได้มากที่สุด:
1. Anan ฿100,000 (2 ดีล)
2. Busaba ฿45,500.50 (1 ดีล)
ลูกค้าที่สั่งซื้อมากที่สุด:
1. Siam Paper ฿20,000 (1 คำสั่งซื้อ)
2. Acme Trading ฿15,000 (2 คำสั่งซื้อ)
3. Lotus Garden ฿7,500 (1 คำสั่งซื้อ)"""


# --- the digest figures --------------------------------------------------------------


def test_digest_figures_for_yesterday(store: Store) -> None:
    seed(store)
    with store.uow() as uow:
        found = reports.digest(uow, AT, tz="Asia/Bangkok")
    assert found.day == date(2026, 11, 22)
    assert (found.sales.won_amount, found.sales.won_count) == (D("150500.50"), 4)
    assert (found.sales.previous_amount, found.sales.previous_count) == (D("30000.00"), 1)
    assert found.sales.amount_change_pct == D("401.7")
    assert (found.tickets.opened, found.tickets.sla_breaches, found.tickets.overdue) == (3, 2, 3)
    assert [(r.name, r.count, r.amount) for r in found.top_reps] == [
        ("Anan", 2, D("100000.00")),
        ("Busaba", 1, D("45500.50")),
    ]
    assert [(c.name, c.count, c.amount) for c in found.top_customers] == [
        ("Siam Paper", 1, D("20000.00")),
        ("Acme Trading", 2, D("15000.00")),
        ("Lotus Garden", 1, D("7500.00")),
    ]


# --- run_due -------------------------------------------------------------------------


def test_nothing_is_queued_before_the_digest_time(store: Store) -> None:
    seed(store)
    assert schedule.run_due(store, settings(), bkk(11, 23, 0, 0)) == []
    assert schedule.run_due(store, settings(), bkk(11, 23, 8, 29)) == []
    # 08:30 in Bangkok is 01:30 UTC: the local time decides, not the UTC one.
    assert schedule.run_due(store, settings(digest_time="09:00"), AT) == []
    assert outbox_rows(store) == []


def test_at_the_digest_time_one_digest_and_one_dm_per_owner(store: Store) -> None:
    seed(store)
    queued = schedule.run_due(store, settings(), AT)

    assert queued == [
        "digest:2026-11-23 -> C_MANAGERS",
        "tasks_due:U_ANAN:2026-11-23 -> U_ANAN",
        "tasks_due:U_EKK:2026-11-23 -> U_EKK",
    ]
    rows = by_key(store)
    assert set(rows) == {
        "digest:2026-11-23",
        "tasks_due:U_ANAN:2026-11-23",
        "tasks_due:U_EKK:2026-11-23",
    }
    digest = rows["digest:2026-11-23"]
    assert (digest.kind, digest.platform, digest.target) == ("digest", "slack", "C_MANAGERS")
    assert digest.status == "pending"
    assert digest.payload["lang"] == "th"
    assert digest.payload["text"] == DIGEST_TEXT
    blocks = digest.payload["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "สรุปประจำวัน 22 พ.ย. 2569"},
    }
    assert blocks[1]["fields"][0] == {
        "type": "mrkdwn",
        "text": "*ปิดการขายได้*\n฿150,500.50 (4 ดีล) +401.7%",
    }
    assert "1. Anan ฿100,000 (2 ดีล)" in blocks[3]["text"]["text"]
    assert "3. Lotus Garden ฿7,500 (1 คำสั่งซื้อ)" in blocks[4]["text"]["text"]
    assert all(block["type"] in {"header", "section", "divider", "context"} for block in blocks)

    anan = rows["tasks_due:U_ANAN:2026-11-23"]
    assert (anan.kind, anan.platform, anan.target) == ("task_due", "slack", "U_ANAN")
    assert anan.payload["text"] == (
        "งานที่ครบกำหนดวันนี้ 23 พ.ย. 2569 (2 รายการ):\n• โทรหา Acme (Acme Trading)\n• send the quote"
    )
    assert anan.payload["lang"] == "th"
    # one section per task, each with a "done" button carrying the task's id
    tasks = anan.payload["blocks"][1:]
    assert [b["text"]["text"] for b in tasks] == ["• โทรหา Acme (Acme Trading)", "• send the quote"]
    with store.uow() as uow:
        ids = uow.session.scalars(
            select(Task.id)
            .where(Task.title.in_(["โทรหา Acme", "send the quote"]))
            .order_by(Task.id)
        ).all()
    assert [(b["accessory"]["action_id"], b["accessory"]["value"]) for b in tasks] == [
        (schedule.TASK_DONE_ACTION, str(task_id)) for task_id in ids
    ]
    assert tasks[0]["accessory"]["text"]["text"] == "เสร็จแล้ว"
    ekk = rows["tasks_due:U_EKK:2026-11-23"]
    assert ekk.payload["text"].endswith("(1 รายการ):\n• call back Siam (Siam Paper)")
    # Everything the worker delivers must survive JSON.
    json.dumps([row.payload for row in rows.values()])


def test_a_long_task_reminder_shows_the_first_tasks_and_counts_the_rest(store: Store) -> None:
    with store.uow() as uow:
        rep = staff.add_staff(uow, "U_FON", "Fon", "sales")
        for n in range(schedule.MAX_TASKS + 2):
            activities.create_task(uow, rep, f"task {n}", due_date=AT.date())
        uow.commit()
    schedule.run_due(store, settings(manager_channel=""), AT)
    (row,) = outbox_rows(store)
    blocks = row.payload["blocks"]
    assert len(blocks) == 1 + schedule.MAX_TASKS + 1
    assert sum("accessory" in b for b in blocks) == schedule.MAX_TASKS
    assert blocks[-1] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "และอีก 2 รายการ"}],
    }
    assert row.payload["text"].endswith("• task 19\nและอีก 2 รายการ")


def test_calling_again_the_same_day_queues_nothing_more(store: Store) -> None:
    seed(store)
    assert len(schedule.run_due(store, settings(), AT)) == 3
    for later in (AT, bkk(11, 23, 8, 31), bkk(11, 23, 13), bkk(11, 23, 23, 59)):
        assert schedule.run_due(store, settings(), later) == []
    assert len(outbox_rows(store)) == 3


def test_a_worker_that_starts_late_still_sends_that_days_messages(store: Store) -> None:
    seed(store)
    queued = schedule.run_due(store, settings(), bkk(11, 23, 23, 59))
    assert "digest:2026-11-23 -> C_MANAGERS" in queued
    assert (
        by_key(store)["digest:2026-11-23"]
        .payload["text"]
        .startswith("สรุปประจำวัน 22 พ.ย. 2569\nปิดการขายได้: ฿150,500.50 (4 ดีล)")
    )


def test_the_next_day_queues_new_messages_and_never_the_missed_day(store: Store) -> None:
    seed(store)
    assert len(schedule.run_due(store, settings(), AT)) == 3
    # Down on the 24th until after midnight: the 24th's job is due from 08:30 only.
    assert schedule.run_due(store, settings(), bkk(11, 25, 0, 10)) == []
    queued = schedule.run_due(store, settings(), bkk(11, 25, 8, 45))
    assert queued == ["digest:2026-11-25 -> C_MANAGERS"]
    assert "digest:2026-11-24" not in by_key(store)


def test_the_next_day_digest_covers_the_day_after(store: Store) -> None:
    seed(store)
    schedule.run_due(store, settings(), AT)
    queued = schedule.run_due(store, settings(), bkk(11, 24, 8, 30))
    assert queued == [
        "digest:2026-11-24 -> C_MANAGERS",
        "tasks_due:U_ANAN:2026-11-24 -> U_ANAN",
        "tasks_due:U_BUSABA:2026-11-24 -> U_BUSABA",
    ]
    rows = by_key(store)
    assert len(rows) == 6
    text = rows["digest:2026-11-24"].payload["text"].splitlines()
    # 23 Nov: the 99,999 deal won after midnight, against 22 Nov's 150,500.50; T6 is new
    # and breached at 23:00 together with T4 (due 06:00); T1, T4, T5, T6 are overdue now.
    assert text[:6] == [
        "สรุปประจำวัน 23 พ.ย. 2569",
        "ปิดการขายได้: ฿99,999 (1 ดีล) -33.6%",
        "วันก่อนหน้า: ฿150,500.50 (4 ดีล)",
        "เรื่องใหม่: 1 เรื่อง",
        "เกิน SLA เมื่อวาน: 2 เรื่อง",
        "ค้างเกิน SLA ตอนนี้: 4 เรื่อง",
    ]
    assert text[6:] == [
        "เซลส์ที่ปิดการขายได้มากที่สุด:",
        "1. Anan ฿99,999 (1 ดีล)",
        "ลูกค้าที่สั่งซื้อมากที่สุด:",
        "ยังไม่มี",
    ]
    assert (
        rows["tasks_due:U_ANAN:2026-11-24"]
        .payload["text"]
        .endswith("(1 รายการ):\n• visit Lotus (Lotus Garden)")
    )


def test_no_manager_channel_no_digest(store: Store) -> None:
    seed(store)
    queued = schedule.run_due(store, settings(manager_channel=""), AT)
    assert queued == [
        "tasks_due:U_ANAN:2026-11-23 -> U_ANAN",
        "tasks_due:U_EKK:2026-11-23 -> U_EKK",
    ]
    assert {row.kind for row in outbox_rows(store)} == {"task_due"}


def test_a_task_done_before_the_reminder_is_not_listed(store: Store) -> None:
    seed(store)
    with store.uow() as uow:
        ekk = staff.staff_by_slack_id(uow, "U_EKK")
        (task,) = activities.open_tasks(uow, ekk)
        activities.complete_task(uow, task.id, ekk)
        uow.commit()
    queued = schedule.run_due(store, settings(manager_channel=""), AT)
    assert queued == ["tasks_due:U_ANAN:2026-11-23 -> U_ANAN"]


def test_an_empty_store_still_gets_a_digest(store: Store) -> None:
    assert schedule.run_due(store, settings(), AT) == ["digest:2026-11-23 -> C_MANAGERS"]
    text = by_key(store)["digest:2026-11-23"].payload["text"].splitlines()
    assert text[1:3] == ["ปิดการขายได้: ฿0 (0 ดีล)", "วันก่อนหน้า: ฿0 (0 ดีล)"]
    assert text[-1] == "ยังไม่มี"


def test_now_must_be_aware(store: Store) -> None:
    with pytest.raises(InvalidValue, match="aware"):
        schedule.run_due(store, settings(), datetime(2026, 11, 23, 9))


# --- concurrency ---------------------------------------------------------------------


@pytest.mark.postgres
def test_two_workers_at_once_queue_one_digest(postgres_store: Store) -> None:
    """Both workers pass every dedupe check before either inserts; one row still results."""
    seed(postgres_store)
    both_inserting = threading.Barrier(2)
    results: list[list[str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def hold_digest_insert(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any
    ) -> None:
        # Reached only after enqueue() found no digest row: wait until the other worker
        # has got this far too, so both insert the same key.
        if statement.startswith("INSERT INTO outbox") and "digest:" in str(parameters):
            both_inserting.wait(timeout=10)

    def worker() -> None:
        # A store of its own, as a separate `khui worker` process would have.
        with Store(postgres_store.url) as own:
            event.listen(own.engine, "before_cursor_execute", hold_digest_insert)
            try:
                queued = schedule.run_due(own, settings(), AT)
            except BaseException as exc:
                with lock:
                    errors.append(exc)
                return
            with lock:
                results.append(queued)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert not both_inserting.broken
    assert len(results) == 2
    everything = sorted(entry for queued in results for entry in queued)
    assert everything == [
        "digest:2026-11-23 -> C_MANAGERS",
        "tasks_due:U_ANAN:2026-11-23 -> U_ANAN",
        "tasks_due:U_EKK:2026-11-23 -> U_EKK",
    ]
    kinds = sorted(row.kind for row in outbox_rows(postgres_store))
    assert kinds == ["digest", "task_due", "task_due"]


@pytest.mark.postgres
def test_many_workers_calling_often_queue_each_job_once(postgres_store: Store) -> None:
    seed(postgres_store)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        with Store(postgres_store.url) as own:
            try:
                start.wait(timeout=10)
                for _ in range(5):
                    schedule.run_due(own, settings(), AT)
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(by_key(postgres_store)) == [
        "digest:2026-11-23",
        "tasks_due:U_ANAN:2026-11-23",
        "tasks_due:U_EKK:2026-11-23",
    ]


# --- settings ------------------------------------------------------------------------


def test_digest_time_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KHUI_DIGEST_TIME", raising=False)
    assert Settings(_env_file=None).digest_time == "08:30"
    monkeypatch.setenv("KHUI_DIGEST_TIME", "7:05")
    assert Settings(_env_file=None).digest_time == "07:05"
    for bad in ("24:00", "8.30", "08:60", "morning"):
        monkeypatch.setenv("KHUI_DIGEST_TIME", bad)
        with pytest.raises(ValidationError, match="KHUI_DIGEST_TIME"):
            Settings(_env_file=None)
