"""The outbox worker end to end: changes in Slack, chat or the CLI reach people through the
fake Slack and LINE APIs, once, with retries."""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from adapters.cli import app as cli
from adapters.slack import ORDER_STATUS_ACTION, TICKET_ASSIGN_ACTION
from adapters.worker import Worker
from bot import push_quota
from bot.replies import say
from bot.schedule import TASK_DONE_ACTION
from crm_core.models import Customer, Order, OutboxMessage, OutboxStatus, Task, Ticket, Tier
from crm_core.services import activities, orders, outbox
from crm_core.services.staff import staff_by_slack_id
from crm_core.uow import Actor
from tests.e2e.channels import MANAGERS, SUPPORT, Bridge, open_bridge
from tests.e2e.fake_slack import BOT_ID
from tests.e2e.test_slack import SlackWorld, buttons, fixture
from tests.e2e.world import NOW, World

SUPPORT_USER = "U_SUPPORT"


@pytest.fixture
def bridge(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bridge]:
    with open_bridge(world, monkeypatch) as opened:
        yield opened


def pick(slack: SlackWorld, user: str, posted: dict[str, Any], action_id: str, value: str) -> Any:
    """Choose `value` in the select menu `action_id` of a message khui posted."""
    (menu,) = [e for e in buttons(posted["blocks"]) if e["action_id"] == action_id]
    (option,) = [o for o in menu["options"] if o["value"] == value]
    payload = copy.deepcopy(fixture("slack_block_actions.payload.json"))
    payload["user"] |= {"id": user}
    payload["container"] = {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": posted["channel"],
        "is_ephemeral": False,
    }
    payload["channel"] = {"id": posted["channel"], "name": "directmessage"}
    payload["message"] = {
        "type": "message",
        "ts": posted["ts"],
        "text": posted["text"],
        "blocks": posted["blocks"],
        "bot_id": BOT_ID,
    }
    payload["trigger_id"] = f"{uuid.uuid4().int % 10**9}.333.abc"
    payload["actions"] = [
        {
            "action_id": action_id,
            "block_id": "b1",
            "selected_option": option,
            "type": "static_select",
            "action_ts": f"{time.time():.6f}",
        }
    ]
    return slack.form({"payload": json.dumps(payload)})


def flex_texts(node: Any) -> list[str]:
    """Every text inside a Flex message."""
    if isinstance(node, dict):
        found = [str(node["text"])] if node.get("type") == "text" and "text" in node else []
        return found + [t for value in node.values() for t in flex_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in flex_texts(value)]
    return []


def row_status(bridge: Bridge, row_id: int) -> OutboxMessage:
    with bridge.world.store.uow() as uow:
        row = uow.session.get(OutboxMessage, row_id)
        assert row is not None
        uow.session.expunge(row)
        return row


def test_an_order_shipped_from_slack_reaches_the_customer_once(bridge: Bridge) -> None:
    slack, line = bridge.slack, bridge.line
    assert slack.dm(SUPPORT_USER, "ORD-3002 ส่งถึงไหนแล้ว").status_code == 200
    card_message = slack.posted(1)[0]
    assert "ORD-3002" in card_message["text"]

    assert pick(slack, SUPPORT_USER, card_message, ORDER_STATUS_ACTION, "ORD-3002|shipped")
    answer = slack.posted(2)[1]
    assert "ORD-3002" in answer["text"] and "จัดส่งแล้ว" in answer["text"]
    with bridge.world.store.uow() as uow:
        order = uow.session.scalars(select(Order).where(Order.number == "ORD-3002")).one()
        assert order.status.value == "shipped"
    (queued,) = bridge.rows("order_status")
    assert (queued.platform, queued.target) == ("line", "U_LINE_MALEE")

    assert bridge.deliver() == 1
    assert bridge.deliver() == 0
    (push,) = line.fake.of("push")
    assert push.status == 200 and push.body["to"] == "U_LINE_MALEE"
    text, card = push.messages
    assert "ORD-3002" in text["text"]
    assert card["type"] == "flex" and "ORD-3002" in card["altText"]
    assert "ORD-3002" in flex_texts(card["contents"])
    assert row_status(bridge, queued.id).status is OutboxStatus.SENT
    assert line.fake.of("reply") == []  # a notification is a push, never someone's reply


def test_a_push_that_fails_three_times_arrives_on_the_fourth_try(bridge: Bridge) -> None:
    fake = bridge.line.fake
    fake.push_failures = 3
    with bridge.world.store.uow(Actor.cli()) as uow:  # a CLI or import change notifies too
        order = orders.get_order(uow, "ORD-3001")
        orders.change_order_status(uow, order, "delivered")
        uow.commit()
    (queued,) = bridge.rows("order_status")

    for attempt in (1, 2, 3):
        tally = bridge.worker.run_once()
        assert (tally.sent, tally.retried) == (0, 1)
        row = row_status(bridge, queued.id)
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, attempt)
        assert "HTTP 500" in (row.last_error or "")
        assert bridge.worker.run_once().handled == 0  # backing off
        bridge.clock.advance(5 * 2**attempt)

    assert bridge.worker.run_once().sent == 1
    pushes = fake.of("push")
    assert [p.status for p in pushes] == [500, 500, 500, 200]
    assert len({p.headers["x-line-retry-key"] for p in pushes}) == 1
    row = row_status(bridge, queued.id)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 4, None)


def test_an_undeliverable_row_ends_failed_and_admins_see_it(bridge: Bridge) -> None:
    with bridge.world.store.uow(Actor.cli()) as uow:
        orders.change_order_status(uow, orders.get_order(uow, "ORD-3002"), "packed")
        malee = uow.session.get(Customer, bridge.world.malee)
        assert malee is not None
        malee.line_followed = False  # unfollowed before the worker ran
        outbox.enqueue(uow, kind="notice", platform="slack", target="C_GONE", payload={"text": "x"})
        uow.commit()
    bridge.slack.fake.missing_channels.add("C_GONE")
    tally = bridge.drain()
    assert (tally.sent, tally.failed) == (0, 2)
    assert bridge.line.fake.of("push") == []
    failed = [r for r in bridge.rows() if r.status is OutboxStatus.FAILED]
    assert {r.kind for r in failed} == {"order_status", "notice"}
    assert all(r.last_error for r in failed)

    runner = CliRunner(env={"COLUMNS": "240"})
    listed = runner.invoke(
        cli, ["outbox", "list", "--status", "failed", "--db", bridge.world.store.url]
    )
    assert listed.exit_code == 0, listed.output
    assert "order_status" in listed.output and "unfollowed" in listed.output
    assert "2 failed" in listed.output
    again = runner.invoke(
        cli, ["outbox", "retry", str(failed[1].id), "--db", bridge.world.store.url]
    )
    assert again.exit_code == 0 and "1 queued again" in again.output
    bridge.slack.fake.missing_channels.clear()  # an admin invited khui to the channel
    assert bridge.deliver() == 1


def test_two_workers_never_send_the_same_row_twice(bridge: Bridge) -> None:
    with bridge.world.store.uow() as uow:
        for n in range(120):
            outbox.enqueue(
                uow, kind="notice", platform="slack", target="C_LOAD", payload={"text": f"n{n}"}
            )
        uow.commit()
    second = Worker(bridge.world.bot, bridge.settings, batch=5, clock=bridge.clock)
    bridge.worker.batch = 5
    results: list[int] = []

    def run(worker: Worker) -> None:
        results.append(worker.drain().sent)

    threads = [threading.Thread(target=run, args=(w,)) for w in (bridge.worker, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.close()
    posted = [c.params["text"] for c in bridge.slack.fake.of("chat.postMessage")]
    assert sorted(posted) == sorted(f"n{n}" for n in range(120))
    assert sum(results) == 120
    assert {r.status for r in bridge.rows("notice")} == {OutboxStatus.SENT}


def test_a_campaign_goes_out_in_batches_of_500_to_reachable_opted_in_customers(
    bridge: Bridge,
) -> None:
    with bridge.world.store.uow() as uow:
        people = [
            Customer(
                name=f"Gold {n}",
                tier=Tier.GOLD,
                line_user_id=f"U_GOLD_{n:04d}",
                marketing_consent=n >= 10,  # 10 opted out
                line_followed=not 10 <= n < 20,  # 10 unfollowed
            )
            for n in range(1220)
        ]
        uow.session.add_all(people)
        uow.commit()
    expected = {f"U_GOLD_{n:04d}" for n in range(20, 1220)}
    slack = bridge.slack
    slack.dm("U_MANAGER", "ส่งข้อความถึงลูกค้า gold ว่า สัปดาห์นี้แต้ม x2 ทุกสาขา")
    confirm = slack.posted(1)[0]
    assert "1,200" in confirm["text"] or "1200" in confirm["text"]
    yes = next(b for b in buttons(confirm["blocks"]) if b["value"].endswith("|yes"))
    slack.click("U_MANAGER", confirm, yes)
    slack.posted(2)
    with bridge.world.store.uow() as uow:  # one more unfollows after the send was queued
        late = uow.session.scalars(
            select(Customer).where(Customer.line_user_id == "U_GOLD_0500")
        ).one()
        late.line_followed = False
        uow.commit()

    bridge.deliver()
    calls = bridge.line.fake.of("multicast")
    assert [c.status for c in calls] == [200, 200, 200]
    sizes = [len(c.body["to"]) for c in calls]
    assert max(sizes) <= 500 and sum(sizes) == 1199
    sent_to = [uid for c in calls for uid in c.body["to"]]
    assert len(sent_to) == len(set(sent_to))
    assert set(sent_to) == expected - {"U_GOLD_0500"}
    assert all("สัปดาห์นี้แต้ม x2" in c.messages[0]["text"] for c in calls)
    report = slack.posted(3)[2]
    assert report["channel"] == "U_MANAGER" and "1,199" in report["text"]
    assert bridge.deliver() == 0
    # three requests, billed by LINE as one message per recipient
    bot = bridge.world.bot
    assert push_quota.pushes_in_month(bot) == 3
    assert push_quota.messages_in_month(bot) == 1199
    usage = CliRunner().invoke(
        cli, ["line", "usage", "--month", f"{NOW:%Y-%m}", "--db", bridge.world.store.url]
    )
    assert usage.exit_code == 0, usage.output
    assert "3 push/multicast requests, 1,199 messages billed" in usage.output


def test_a_ticket_from_line_reaches_the_support_channel_with_buttons(bridge: Bridge) -> None:
    line, slack = bridge.line, bridge.slack
    line.ask("U_LINE_SOMSRI", "ได้รับสินค้าแล้วแต่กล่องแตก ของข้างในเสียหายค่ะ ORD-3001")
    bridge.wait_rows("ticket_new", 1)
    assert bridge.deliver() == 1
    notice = slack.posted(1)[0]
    assert notice["channel"] == SUPPORT
    assert "คุณสมศรี ใจดี" in notice["text"] and "M-10002" in notice["text"]
    assign = next(e for e in buttons(notice["blocks"]) if e["action_id"] == TICKET_ASSIGN_ACTION)
    assert slack.click(SUPPORT_USER, notice, assign).status_code == 200
    answer = slack.posted(2)[1]
    assert answer["channel"] == SUPPORT and answer["thread_ts"] == notice["ts"]
    with bridge.world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == assign["value"])).one()
        assert ticket.assignee is not None and ticket.assignee.name == "Malai"


def test_a_won_deal_is_announced_to_managers(bridge: Bridge) -> None:
    slack = bridge.slack
    slack.dm("U_SALES", "ปิดดีล Acme ได้แล้ว 50k")
    confirm = slack.posted(1)[0]
    yes = next(b for b in buttons(confirm["blocks"]) if b["value"].endswith("|yes"))
    slack.click("U_SALES", confirm, yes)
    slack.posted(2)
    bridge.wait_rows("deal_won", 1)
    assert bridge.deliver() == 1
    notice = slack.posted(3)[2]
    assert notice["channel"] == MANAGERS
    assert "Acme Trading" in notice["text"] and "50,000" in notice["text"]


def test_a_task_handed_to_a_colleague_reaches_them_in_slack(bridge: Bridge) -> None:
    slack = bridge.slack
    slack.dm("U_MANAGER", "remind Narin to call Acme Trading tomorrow")
    reply = slack.posted(1)[0]
    assert "Narin" in reply["text"]
    bridge.wait_rows("task_handed", 1)
    assert bridge.deliver() == 1
    notice = slack.posted(2)[1]
    assert notice["channel"] == "U_SALES2"
    assert "Pim" in notice["text"] and "call" in notice["text"] and "Acme" in notice["text"]


def test_the_worker_posts_the_morning_digest_once(bridge: Bridge) -> None:
    local = bridge.clock.now.astimezone(bridge.world.bot.tz)
    morning = local.replace(hour=9, minute=0) if local.hour < 9 else local
    queued = bridge.worker.run_due_jobs(morning)
    assert any(line.startswith("digest:") for line in queued)
    assert bridge.worker.run_due_jobs(morning) == []
    bridge.deliver()
    digests = [
        c for c in bridge.slack.fake.of("chat.postMessage") if c.params["channel"] == MANAGERS
    ]
    assert len(digests) == 1 and digests[0].params["blocks"]
    assert bridge.deliver() == 0


def test_a_task_reminder_has_a_done_button_for_its_owner(bridge: Bridge) -> None:
    slack, world = bridge.slack, bridge.world
    local = bridge.clock.now.astimezone(world.bot.tz)
    morning = local.replace(hour=9, minute=0) if local.hour < 9 else local
    with world.store.uow(Actor.cli()) as uow:
        rep = staff_by_slack_id(uow, "U_SALES")
        task = activities.create_task(uow, rep, "โทรหา Acme", due_date=morning.date())
        uow.commit()
        task_id = task.id
    queued = bridge.worker.run_due_jobs(morning)
    assert f"tasks_due:U_SALES:{morning.date().isoformat()} -> U_SALES" in queued
    bridge.deliver()
    (reminder,) = [
        {**c.params, "ts": (c.answer or {}).get("ts")}
        for c in slack.fake.of("chat.postMessage")
        if c.params["channel"] == "U_SALES"
    ]
    (done,) = [b["accessory"] for b in reminder["blocks"] if "accessory" in b]
    assert (done["action_id"], done["value"]) == (TASK_DONE_ACTION, str(task_id))
    # someone else's press changes nothing
    sent = len(slack.fake.of("chat.postMessage"))
    assert slack.click("U_SALES2", reminder, done).status_code == 200
    refused = slack.posted(sent + 1)[sent]
    assert refused["text"] == say("task_not_open", "th")
    with world.store.uow() as uow:
        assert uow.session.get_one(Task, task_id).done is False
    assert slack.click("U_SALES", reminder, done).status_code == 200
    answer = slack.posted(sent + 2)[sent + 1]
    assert answer["text"] == "เรียบร้อย ปิดงานแล้ว: โทรหา Acme"
    with world.store.uow() as uow:
        assert uow.session.get_one(Task, task_id).done is True


def test_a_ticket_status_change_reaches_the_customer(bridge: Bridge) -> None:
    slack = bridge.slack
    with bridge.world.store.uow() as uow:
        number = uow.session.scalars(select(Ticket.number)).one()
    slack.dm(SUPPORT_USER, f"{number} แก้ไขเรียบร้อยแล้ว ปิดเรื่องได้เลย")
    slack.posted(1)
    bridge.wait_rows("ticket_status", 1)
    assert bridge.deliver() == 1
    (push,) = bridge.line.fake.of("push")
    assert push.body["to"] == "U_LINE_MALEE"  # no marketing consent: service messages still go
    assert number in push.messages[0]["text"]
    assert push.messages[1]["type"] == "flex" and number in push.messages[1]["altText"]
