"""LINE end to end: signed webhooks to the real ASGI app, the real SDK client, a fake LINE API."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
import struct
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from typer.testing import CliRunner

from adapters.http import build_app
from adapters.line import (
    ONE_TO_ONE_ONLY,
    LineAdapter,
    RichMenuImageError,
    blob_host,
    choice_data,
    create_rich_menu,
    menu_data,
    to_line_messages,
)
from bot import lifecycle, push_quota
from bot.messages import Card, Choice, Reply
from bot.settings import Settings
from crm_core.models import (
    AuditEntry,
    Customer,
    Lifecycle,
    PointsEntry,
    ProcessedEvent,
    Ticket,
)
from crm_core.services import customers, loyalty, orders
from crm_core.services.customers import CustomerInput, create_customer
from crm_core.uow import Actor
from tests.e2e.fake_line import ACCESS_TOKEN, Call, FakeLine, problems
from tests.e2e.fake_slack import serve
from tests.e2e.world import NOW, World

SECRET = "khui-test-line-channel-secret"
FIXTURES = Path(
    os.environ.get("KHUI_LINE_FIXTURES", Path(__file__).resolve().parents[3] / "shared/fixtures")
)
ALL_EVENTS = "line_webhook_all_events.json"
SOMSRI, MALEE = "U_LINE_SOMSRI", "U_LINE_MALEE"
NEWCOMER = "U_LINE_NEWCOMER_0001"


def fixture(name: str) -> Any:
    """A real LINE webhook body from the shared fixtures."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def signature(body: bytes, secret: str = SECRET) -> str:
    """What LINE puts in X-Line-Signature."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def fresh(event: dict[str, Any], user: str | None = None, **changes: Any) -> dict[str, Any]:
    """A fixture event with its own webhookEventId and reply token, from `user`."""
    event = copy.deepcopy(event)
    event["webhookEventId"] = f"01{uuid.uuid4().hex[:24].upper()}"
    if "replyToken" in event:
        event["replyToken"] = uuid.uuid4().hex
    if user is not None:
        event["source"] = {"type": "user", "userId": user}
    event.update(changes)
    return event


def single(name: str) -> dict[str, Any]:
    """The one event of a single-event fixture."""
    events: list[dict[str, Any]] = fixture(name)["events"]
    return events[0]


def of_type(kind: str, message: str | None = None, source: str = "user") -> dict[str, Any]:
    """The first event of the all-events fixture with this type, message type and source."""
    for event in fixture(ALL_EVENTS)["events"]:
        if (
            event["type"] == kind
            and event["source"]["type"] == source
            and (message is None or event.get("message", {}).get("type") == message)
        ):
            return dict(event)
    raise LookupError(kind)


def flex(call: Call) -> list[dict[str, Any]]:
    """The Flex messages of a reply or push."""
    return [m for m in call.messages if m["type"] == "flex"]


def texts(call: Call) -> str:
    """Every text in a call's messages (text messages and Flex components), joined."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text" and "text" in node:
                found.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call.messages)
    return "\n".join(found)


def quick_replies(call: Call) -> list[dict[str, Any]]:
    """The quick-reply actions on the last message of a call."""
    items = (call.messages[-1].get("quickReply") or {}).get("items", [])
    return [item["action"] for item in items]


def count(world: World, model: type) -> int:
    with world.store.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


@dataclass
class LineWorld:
    """The ASGI app with LINE mounted, the fake LINE API behind it, and the seeded CRM."""

    world: World
    fake: FakeLine
    adapter: LineAdapter
    http: httpx.Client

    def post(self, events: list[dict[str, Any]], *, secret: str = SECRET) -> httpx.Response:
        """POST a webhook body holding `events`, signed as LINE signs it."""
        body = json.dumps({"destination": "U123", "events": events}).encode()
        headers = {"Content-Type": "application/json", "X-Line-Signature": signature(body, secret)}
        return self.http.post("/line/webhook", content=body, headers=headers)

    def send(self, event: dict[str, Any]) -> str:
        """Deliver one event; returns its reply token."""
        assert self.post([event]).status_code == 200
        return str(event.get("replyToken", ""))

    def say(self, user: str, text: str, **changes: Any) -> dict[str, Any]:
        """A text message from `user` built on the real text-message fixture; the event sent."""
        event = fresh(single("line_message_text.json"), user, **changes)
        event["message"] = {**event["message"], "id": str(uuid.uuid4().int % 10**12), "text": text}
        self.send(event)
        return event

    def press(self, user: str, data: str) -> dict[str, Any]:
        """A postback from `user` built on the real postback fixture; the event sent."""
        event = fresh(single("line_postback.json"), user)
        event["postback"] = {"data": data}
        self.send(event)
        return event

    def reply_to(self, event: dict[str, Any]) -> Call:
        """The successful reply LINE received for an event."""
        token = event["replyToken"]
        return self.fake.wait_until(
            "reply", lambda c: c.body.get("replyToken") == token and c.status == 200
        )

    def ask(self, user: str, text: str) -> Call:
        """Say something and wait for khui's reply."""
        return self.reply_to(self.say(user, text))

    def choose(self, user: str, action: dict[str, Any]) -> Call:
        """Press a quick reply or button khui sent, and wait for the reply."""
        return self.reply_to(self.press(user, action["data"]))

    def settle(self) -> None:
        """Wait until every acknowledged event has been handled."""
        self.adapter.close()


def line_adapter(app: Starlette) -> LineAdapter:
    """The adapter behind the app's /line/webhook route."""
    route = next(r for r in app.routes if getattr(r, "path", "") == "/line/webhook")
    adapter = route.endpoint.__self__  # type: ignore[attr-defined]
    assert isinstance(adapter, LineAdapter)
    return adapter


@pytest.fixture
def line_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLine]:
    """A fake LINE API and the environment `khui serve` would read to reach it."""
    with FakeLine(profiles={NEWCOMER: "น้องนก Nok"}) as fake:
        monkeypatch.setenv("LINE_CHANNEL_SECRET", SECRET)
        monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", ACCESS_TOKEN)
        monkeypatch.setenv("KHUI_LINE_API_URL", fake.base_url)
        monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
        yield fake


@pytest.fixture
def line(world: World, line_env: FakeLine) -> Iterator[LineWorld]:
    """The real `khui serve` app, configured from the environment, talking to a fake LINE."""
    app = build_app(world.bot, Settings())
    adapter = line_adapter(app)
    adapter.retry_delays = (0.01, 0.02)
    try:
        with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
            yield LineWorld(world, line_env, adapter, http)
    finally:
        adapter.close()


def add_unlinked_customer(world: World) -> None:
    """A customer who has ordered (ORD-3100) but never linked LINE."""
    with world.store.uow(Actor.cli()) as uow:
        wanida = create_customer(uow, CustomerInput(name="Wanida Sook", phone="0865554444"))
        uow.session.flush()
        orders.upsert_order(
            uow,
            "ORD-3100",
            wanida,
            status="paid",
            total="890",
            placed_at=NOW - timedelta(days=1),
            carrier=None,
            tracking_number=None,
        )
        uow.commit()


# ---- follow, linking ------------------------------------------------------------------------


def test_follow_welcomes_with_quick_replies_and_records_consent(line: LineWorld) -> None:
    follow = fresh(single("line_follow.json"), NEWCOMER)
    line.send(follow)
    welcome = line.reply_to(follow)
    assert line.fake.of("profile")[0].path == f"/v2/bot/profile/{NEWCOMER}"
    text = welcome.messages[0]["text"]
    assert "สวัสดี" in text and "Hello" in text
    link, opt_in, opt_out = quick_replies(welcome)
    assert [a["type"] for a in (link, opt_in, opt_out)] == ["postback"] * 3
    assert "Link" in link["label"] and "Offers" in opt_in["label"]
    assert "No offers" in opt_out["label"]
    with line.world.store.uow() as uow:
        lead = uow.session.scalars(select(Customer).where(Customer.line_user_id == NEWCOMER)).one()
        assert lead.lifecycle is Lifecycle.LEAD and lead.name == "น้องนก Nok"
        assert lead.line_followed and not lead.marketing_consent

    saved = line.choose(NEWCOMER, opt_in)
    assert "ขอบคุณ" in saved.messages[0]["text"]
    with line.world.store.uow() as uow:
        lead = uow.session.scalars(select(Customer).where(Customer.line_user_id == NEWCOMER)).one()
        assert lead.marketing_consent and lead.consent_source == f"line:{NEWCOMER}"
    # The same button again is stale: nothing changes, the person is told so.
    again = line.choose(NEWCOMER, opt_in)
    assert "หมดอายุ" in again.messages[0]["text"]


def test_a_visitor_links_by_phone_and_order_number(line: LineWorld) -> None:
    add_unlinked_customer(line.world)
    visitor = "U_LINE_VISITOR_0002"
    refused = line.ask(visitor, "มีแต้มกี่แต้มคะ")
    assert "เชื่อมบัญชี" in texts(refused) and flex(refused) == []
    assert "เบอร์" in texts(line.ask(visitor, "เชื่อมบัญชีหน่อย"))
    assert "ORD-" in texts(line.ask(visitor, "086-555-4444"))
    assert "Wanida Sook" in texts(line.ask(visitor, "ORD-3100"))
    balance = line.ask(visitor, "มีแต้มกี่แต้มคะ")
    (card,) = flex(balance)
    assert card["contents"]["type"] == "bubble" and "Wanida Sook" in texts(balance)


def test_a_follower_links_after_the_welcome(line: LineWorld) -> None:
    add_unlinked_customer(line.world)
    welcome = line.reply_to(_follow(line, NEWCOMER))
    link = quick_replies(welcome)[0]
    assert "เบอร์" in texts(line.choose(NEWCOMER, link))
    assert "ORD-" in texts(line.ask(NEWCOMER, "0865554444"))
    assert "Wanida Sook" in texts(line.ask(NEWCOMER, "ORD-3100"))
    with line.world.store.uow() as uow:
        linked = uow.session.scalars(select(Customer).where(Customer.line_user_id == NEWCOMER))
        assert linked.one().name == "Wanida Sook"


def _follow(line: LineWorld, user: str) -> dict[str, Any]:
    event = fresh(single("line_follow.json"), user)
    line.send(event)
    return event


def test_a_lead_folds_into_the_customer_it_links_to(world: World) -> None:
    add_unlinked_customer(world)
    assert lifecycle.follow(world.bot, NEWCOMER, "Nok", "ev-follow-1") is not None
    with world.store.uow(Actor(f"line:{NEWCOMER}", "line")) as uow:
        lead = uow.session.scalars(select(Customer).where(Customer.line_user_id == NEWCOMER)).one()
        lead.marketing_consent, lead.consent_at, lead.consent_source = True, NOW, "line:x"
        uow.commit()
    with world.store.uow(Actor(f"line:{NEWCOMER}", "line")) as uow:
        wanida = uow.session.scalars(select(Customer).where(Customer.name == "Wanida Sook")).one()
        customers.link_line_user(uow, wanida, NEWCOMER)
        uow.commit()
    with world.store.uow() as uow:
        (row,) = uow.session.scalars(select(Customer).where(Customer.line_user_id == NEWCOMER))
        assert row.name == "Wanida Sook" and row.marketing_consent and row.line_followed
        assert uow.session.scalar(select(Customer).where(Customer.name == "Nok")) is None
        merged = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "customer.merge_lead")
        ).one()
        assert merged.after == {"merged_into": row.id}


# ---- a linked customer ----------------------------------------------------------------------


def test_points_and_orders_come_as_flex_cards_and_others_orders_stay_hidden(
    line: LineWorld,
) -> None:
    points = line.ask(SOMSRI, "มีแต้มกี่แต้มคะ")
    (membership,) = flex(points)
    assert membership["altText"] and "1,200" in membership["altText"]
    assert membership["contents"]["type"] == "bubble"
    assert "1,200" in texts(points) and "คุณสมศรี" in texts(points)

    status = line.ask(SOMSRI, "ORD-3001 ส่งถึงไหนแล้ว")
    (order,) = flex(status)
    assert "ORD-3001" in order["altText"]
    body = texts(status)
    assert "Kerry Express" in body and "KE123456" in body
    steps = [
        row
        for row in order["contents"]["body"]["contents"]
        if row.get("type") == "box" and row["contents"][0]["text"] in ("●", "○")
    ]
    assert [s["contents"][0]["text"] for s in steps] == ["●", "●", "●", "●", "○"]
    assert [s["contents"][1]["weight"] for s in steps].count("bold") == 1
    assert steps[3]["contents"][1]["weight"] == "bold"  # shipped is where the order is

    # Another customer's order number tells nothing more than a number that does not exist.
    theirs = line.ask(SOMSRI, "ORD-3002 ส่งถึงไหนแล้ว")
    unknown = line.ask(SOMSRI, "ORD-9999 ส่งถึงไหนแล้ว")
    assert flex(theirs) == [] and flex(unknown) == []
    assert texts(theirs).replace("3002", "9999") == texts(unknown)
    leaked = texts(theirs)
    assert "Malee" not in leaked and "1,250" not in leaked and "ชำระ" not in leaked


def test_another_persons_points_tell_nothing_more_than_a_name_nobody_has(
    line: LineWorld,
) -> None:
    malee = line.ask(SOMSRI, "how many points does Malee Wong have")
    nobody = line.ask(SOMSRI, "how many points does Nida Chan have")
    assert flex(malee) == [] and flex(nobody) == []
    assert texts(malee) == texts(nobody)
    assert "50" not in texts(malee) and "1,200" not in texts(malee)
    history = line.ask(SOMSRI, "ประวัติแต้มของคุณนิดา")
    assert flex(history) == [] and "1,200" not in texts(history)


def test_reward_redemption_by_postback_with_confirmation(line: LineWorld) -> None:
    before = count(line.world, PointsEntry)
    offer = line.ask(SOMSRI, "แลกแต้มค่ะ")
    (carousel,) = flex(offer)
    assert carousel["contents"]["type"] == "carousel" and carousel["altText"]
    buttons = [b["footer"]["contents"][0]["action"] for b in carousel["contents"]["contents"]]
    # 1,200 points: the mug (500) is offered, the 2,000-point voucher is not
    assert len(buttons) == 1 and "แก้วน้ำ" in texts(offer) and "บัตรกำนัล" not in texts(offer)
    mug = next(b for b in buttons if "แก้วน้ำ" in b["displayText"])

    question = line.choose(SOMSRI, mug)
    yes, no = quick_replies(question)
    assert (yes["label"], no["label"]) == ("ใช่", "ไม่")
    assert "500" in texts(question) and count(line.world, PointsEntry) == before

    done = line.choose(SOMSRI, yes)
    assert "700" in texts(done) and len(flex(done)) == 1
    stale = line.choose(SOMSRI, yes)
    assert "หมดอายุ" in texts(stale)
    line.settle()
    assert count(line.world, PointsEntry) == before + 1
    with line.world.store.uow() as uow:
        assert loyalty.balance(uow, line.world.somsri) == 700


def test_rich_menu_buttons_run_their_intent(line: LineWorld) -> None:
    points = line.reply_to(line.press(SOMSRI, menu_data("loyalty_balance")))
    assert len(flex(points)) == 1 and "1,200" in texts(points)
    lead = line.reply_to(line.press("U_LINE_STRANGER_003", menu_data("loyalty_balance")))
    assert flex(lead) == [] and "เชื่อมบัญชี" in texts(lead)


# ---- delivery -------------------------------------------------------------------------------


def test_a_redelivered_event_has_one_effect_even_after_a_restart(line: LineWorld) -> None:
    before = count(line.world, Ticket)
    first = line.say(SOMSRI, "ของที่ส่งมาใช้ไม่ได้ค่ะ เปิดไม่ติดเลย")
    assert "TCK-" in texts(line.reply_to(first))
    redelivered = fresh(single("line_message_text_redelivered.json"), SOMSRI)
    redelivered |= {"webhookEventId": first["webhookEventId"], "message": first["message"]}
    assert redelivered["deliveryContext"]["isRedelivery"] is True
    line.send(redelivered)
    line.settle()
    assert count(line.world, Ticket) == before + 1
    # A new process has no memory of the event; the database does.
    app = build_app(line.world.bot, Settings())
    restarted = line_adapter(app)
    try:
        with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
            again = LineWorld(line.world, line.fake, restarted, http)
            again.send(fresh(redelivered) | {"webhookEventId": first["webhookEventId"]})
    finally:
        restarted.close()
    assert count(line.world, Ticket) == before + 1
    assert len(line.fake.of("reply")) == 1 and line.fake.of("push") == []


@pytest.mark.parametrize("forgery", ["wrong secret", "no signature", "tampered body", "not utf-8"])
def test_a_forged_webhook_gets_400_and_changes_nothing(line: LineWorld, forgery: str) -> None:
    event = fresh(single("line_follow.json"), NEWCOMER)
    body = json.dumps({"destination": "U123", "events": [event]}).encode()
    before = (count(line.world, Customer), count(line.world, ProcessedEvent))
    if forgery == "wrong secret":
        response = line.post([event], secret="not-the-secret")
    elif forgery == "no signature":
        response = line.http.post("/line/webhook", content=body)
    elif forgery == "tampered body":
        tampered = body.replace(NEWCOMER.encode(), b"U_SOMEONE_ELSE_000001")
        headers = {"X-Line-Signature": signature(body)}
        response = line.http.post("/line/webhook", content=tampered, headers=headers)
    else:
        raw = b"\xff\xfe" + body
        response = line.http.post(
            "/line/webhook", content=raw, headers={"X-Line-Signature": signature(raw)}
        )
    assert response.status_code == 400
    line.settle()
    assert (count(line.world, Customer), count(line.world, ProcessedEvent)) == before
    assert line.fake.calls == []


def test_an_expired_reply_token_falls_back_to_a_counted_push(line: LineWorld) -> None:
    event = fresh(single("line_postback.json"), SOMSRI)
    event["postback"] = {"data": menu_data("loyalty_balance")}
    line.fake.expire(event["replyToken"])
    line.send(event)
    (push,) = line.fake.wait_for("push")
    (refused,) = line.fake.of("reply")
    assert refused.status == 400 and refused.answer == {"message": "Invalid reply token"}
    assert push.status == 200 and push.body["to"] == SOMSRI
    assert push.messages == refused.messages and len(flex(push)) == 1
    assert push.headers["x-line-retry-key"]
    line.settle()
    assert push_quota.pushes_in_month(line.world.bot) == 1
    # one recipient: one billed message, however many bubbles the push carried
    assert push_quota.messages_in_month(line.world.bot) == 1
    assert push_quota.pushes_in_month(line.world.bot, NOW + timedelta(days=31)) == 0


def test_a_failing_push_is_retried_with_the_same_retry_key(line: LineWorld) -> None:
    line.fake.push_failures = 1
    event = fresh(of_type("message", "sticker"), SOMSRI)
    line.fake.expire(event["replyToken"])
    line.send(event)
    failed, retried = line.fake.wait_for("push", 2)
    assert (failed.status, retried.status) == (500, 200)
    assert failed.headers["x-line-retry-key"] == retried.headers["x-line-retry-key"]
    line.settle()
    assert push_quota.pushes_in_month(line.world.bot) == 1


def test_an_unfollowed_customer_is_never_pushed_to(line: LineWorld) -> None:
    line.send(fresh(single("line_unfollow.json"), MALEE))
    line.settle()
    with line.world.store.uow() as uow:
        assert not uow.session.get_one(Customer, line.world.malee).line_followed
    app = build_app(line.world.bot, Settings())
    adapter = line_adapter(app)
    try:
        with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
            again = LineWorld(line.world, line.fake, adapter, http)
            late = fresh(of_type("message", "sticker"), MALEE)
            line.fake.expire(late["replyToken"])
            again.send(late)
            line.fake.wait_for("reply")
            notice = to_line_messages(Reply("ORD-3002 shipped"))
            assert adapter.push(MALEE, notice, "notify") == "unreachable"
    finally:
        adapter.close()
    assert line.fake.of("push") == []
    assert push_quota.pushes_in_month(line.world.bot) == 0


def test_a_returning_follower_is_reachable_again(line: LineWorld) -> None:
    line.send(fresh(single("line_unfollow.json"), MALEE))
    back = line.reply_to(_follow(line, MALEE))
    assert "Malee Wong" in texts(back) and quick_replies(back) == []
    line.settle()
    with line.world.store.uow() as uow:
        assert uow.session.get_one(Customer, line.world.malee).line_followed
    assert push_quota.reachable(line.world.bot, MALEE)


def test_a_late_redelivered_follow_does_not_undo_a_newer_unfollow(line: LineWorld) -> None:
    followed = fresh(single("line_follow.json"), MALEE, timestamp=1_763_800_000_000)
    blocked = fresh(single("line_unfollow.json"), MALEE, timestamp=1_763_800_060_000)
    followed["deliveryContext"] = {"isRedelivery": True}
    line.send(blocked)
    line.send(followed)  # LINE could only deliver it later
    line.settle()
    with line.world.store.uow() as uow:
        malee = uow.session.get_one(Customer, line.world.malee)
        assert not malee.line_followed
        assert malee.line_follow_at == datetime.fromtimestamp(1_763_800_060, tz=UTC)
    assert not push_quota.reachable(line.world.bot, MALEE)
    assert line.fake.of("reply") == []  # no welcome for a follow that is already over


# ---- what khui cannot read, and where it does not talk -----------------------------------------


def test_stickers_images_and_locations_get_a_please_type_reply(line: LineWorld) -> None:
    events = [fresh(of_type("message", kind), SOMSRI) for kind in ("sticker", "image", "location")]
    assert line.post(events).status_code == 200
    for event in events:
        reply = line.reply_to(event)
        assert "กรุณาพิมพ์" in texts(reply) and flex(reply) == []


def test_groups_and_rooms_get_a_polite_one_to_one_notice(line: LineWorld) -> None:
    before = (count(line.world, Customer), count(line.world, ProcessedEvent))
    group_text = fresh(of_type("message", "text", source="group"))
    room_text = fresh(of_type("message", "text", source="room"))
    join = fresh(of_type("join", source="group"))
    join["source"] = {"type": "group", "groupId": "C_ANOTHER_GROUP"}
    for event in (group_text, room_text, join):
        line.send(event)
        assert texts(line.reply_to(event)) == ONE_TO_ONE_ONLY
    # A chatty group is told once, not on every message.
    line.send(fresh(group_text))
    line.settle()
    assert len(line.fake.of("reply")) == 3
    assert (count(line.world, Customer), count(line.world, ProcessedEvent)) == before


def test_every_event_type_of_the_fixture_is_survived(line: LineWorld) -> None:
    events = [fresh(e) for e in fixture(ALL_EVENTS)["events"]]
    assert line.post(events).status_code == 200
    line.settle()
    assert all(c.status in (200, 404) for c in line.fake.calls)
    assert line.fake.of("push") == []


# ---- rendering limits and the rich menu ---------------------------------------------------------


def test_long_labels_many_choices_and_many_cards_stay_within_line_limits() -> None:
    choices = tuple(Choice(f"ตัวเลือกที่ยาวมากมากมาก {i}", f"v{i}") for i in range(20))
    cards = tuple(Card("ticket", f"TCK-{i}", (("สถานะ", ""),)) for i in range(15))
    reply = Reply("x" * 6000, cards=cards, choices=choices, token="tok")
    payload = [json.loads(m.to_json()) for m in to_line_messages(reply)]
    assert problems(payload) == []
    assert len(payload[-1]["quickReply"]["items"]) == 13
    assert payload[-1]["quickReply"]["items"][0]["action"]["data"] == choice_data("tok", "v0")


def png(width: int, height: int) -> bytes:
    """A blank PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff" * width * 3 for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def test_khui_line_richmenu_creates_uploads_and_sets_the_default(
    line_env: FakeLine, tmp_path: Path
) -> None:
    from adapters.cli import app

    image = tmp_path / "menu.png"
    image.write_bytes(png(2500, 1686))
    result = CliRunner().invoke(app, ["line", "richmenu", "--image", str(image)])
    assert result.exit_code == 0, result.output
    (created,) = line_env.of("richmenu.create")
    (upload,) = line_env.of("richmenu.image")
    (default,) = line_env.of("richmenu.default")
    menu_id = created.answer["richMenuId"]
    assert menu_id in result.output
    assert upload.path == f"/v2/bot/richmenu/{menu_id}/content"
    assert upload.headers["content-type"] == "image/png" and upload.body == image.read_bytes()
    assert default.path == f"/v2/bot/user/all/richmenu/{menu_id}"
    menu = created.body
    assert menu["size"] == {"width": 2500, "height": 1686} and menu["chatBarText"]
    actions = [a["action"] for a in menu["areas"]]
    assert [a["type"] for a in actions] == ["postback"] * 5
    assert [a["label"] for a in actions] == ["Orders", "Points", "Rewards", "Help", "Talk to staff"]
    assert actions[4]["data"] == menu_data("handoff")
    assert sum(a["bounds"]["width"] * a["bounds"]["height"] for a in menu["areas"]) == 2500 * 1686


def test_a_rich_menu_image_line_would_refuse_is_refused_first(
    line_env: FakeLine, tmp_path: Path
) -> None:
    square = tmp_path / "square.png"
    square.write_bytes(png(1000, 1000))
    text = tmp_path / "menu.txt"
    text.write_text("not an image")
    for path in (square, text):
        with pytest.raises(RichMenuImageError):
            create_rich_menu(Settings(), path)
    assert line_env.calls == []


def test_rich_menu_images_go_to_lines_data_host_unless_an_address_is_configured() -> None:
    assert blob_host("https://api.line.me/") == "https://api-data.line.me"
    assert blob_host("http://127.0.0.1:9") == "http://127.0.0.1:9"
