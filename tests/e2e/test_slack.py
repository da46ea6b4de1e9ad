"""Slack end to end: signed requests to the real ASGI app, the real WebClient, a fake Slack API."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from adapters.http import build_app
from adapters.slack import CHOICES_BLOCK, SlackAdapter
from bot.settings import Settings
from crm_core.models import (
    AuditEntry,
    Customer,
    Deal,
    Interaction,
    Priority,
    ProcessedEvent,
    Stage,
    Ticket,
)
from crm_core.services import tickets
from crm_core.services.staff import add_staff
from crm_core.uow import Actor
from tests.e2e.fake_slack import BOT_ID, BOT_USER_ID, FakeSlack, serve
from tests.e2e.world import World

SECRET = "khui-test-signing-secret"
FIXTURES = Path(
    os.environ.get("KHUI_SLACK_FIXTURES", Path(__file__).resolve().parents[3] / "shared/fixtures")
)


def fixture(name: str) -> Any:
    """A real Slack payload from the shared fixtures."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else text


def signature(body: str, timestamp: str, secret: str = SECRET) -> str:
    """What Slack puts in X-Slack-Signature."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SlackWorld:
    """The ASGI app with Slack mounted, the fake Slack API behind it, and the seeded CRM."""

    world: World
    fake: FakeSlack
    adapter: SlackAdapter
    http: httpx.Client

    def post(
        self,
        body: str,
        *,
        content_type: str = "application/json",
        timestamp: str | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """POST a body to /slack/events, signed as Slack signs it."""
        stamp = timestamp or str(int(time.time()))
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(body, stamp, secret),
            **(headers or {}),
        }
        return self.http.post("/slack/events", content=body.encode(), headers=sent)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **kw: Any) -> Any:
        """Send an Events API callback built on the real app_mention fixture."""
        envelope = fixture("slack_app_mention_event.json")
        envelope["event"] = event
        envelope["event_id"] = event_id or f"Ev{uuid.uuid4().hex[:10].upper()}"
        return self.post(json.dumps(envelope), **kw)

    def dm(self, user: str, text: str, **kw: Any) -> Any:
        """A direct message to the app."""
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": f"D_{user}",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
            "event_ts": f"{time.time():.6f}",
        }
        return self.event(event, **kw)

    def form(self, fields: dict[str, str]) -> Any:
        """A form-encoded POST (slash commands, interactivity)."""
        return self.post(urlencode(fields), content_type="application/x-www-form-urlencoded")

    def command(self, user: str, text: str) -> Any:
        """`/khui TEXT` built on the real slash-command fixture."""
        fields = dict(parse_qsl(fixture("slack_slash_command.form-urlencoded.txt").strip()))
        fields |= {
            "command": "/khui",
            "text": text,
            "user_id": user,
            "trigger_id": f"{uuid.uuid4().int % 10**9}.111.abc",
            "response_url": self.fake.hook_url + "commands/T111/111/xxxxx",
        }
        return self.form(fields)

    def click(self, user: str, posted: dict[str, Any], button: dict[str, Any]) -> Any:
        """Press `button` of a message khui posted, built on the real block_actions fixture."""
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
        payload["trigger_id"] = f"{uuid.uuid4().int % 10**9}.222.xyz"
        payload["actions"] = [
            {
                "action_id": button["action_id"],
                "block_id": CHOICES_BLOCK,
                "text": button["text"],
                "value": button["value"],
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ]
        return self.form({"payload": json.dumps(payload)})

    def posted(self, count: int = 1) -> list[dict[str, Any]]:
        """The first `count` chat.postMessage calls, with the ts the fake gave them."""
        calls = self.fake.wait_for("chat.postMessage", count)
        return [{**c.params, "ts": (c.answer or {}).get("ts")} for c in calls]

    def settle(self) -> None:
        """Wait until every acknowledged event has been handled."""
        self.adapter.close()


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The buttons in a message's blocks."""
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def count(world: World, model: type) -> int:
    with world.store.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def slack_adapter(app: Starlette) -> SlackAdapter:
    """The adapter behind the app's /slack/events route."""
    route = next(r for r in app.routes if getattr(r, "path", "") == "/slack/events")
    adapter = route.endpoint.__self__  # type: ignore[attr-defined]
    assert isinstance(adapter, SlackAdapter)
    return adapter


@pytest.fixture
def slack(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackWorld]:
    """The real `khui serve` app, configured from the environment, talking to a fake Slack."""
    with FakeSlack(timeout_delay=3.0) as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-khui-test")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
        monkeypatch.setenv("KHUI_SLACK_API_URL", fake.base_url)
        app = build_app(world.bot, Settings())
        adapter = slack_adapter(app)
        adapter.retry_delays = (0.05, 0.1)  # keep the failure tests quick
        adapter.timeout = adapter.client.timeout = 0.5
        try:
            with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
                yield SlackWorld(world, fake, adapter, http)
        finally:
            adapter.close()


def test_the_app_checks_its_token_with_auth_test(slack: SlackWorld) -> None:
    auth = slack.fake.of("auth.test")
    assert len(auth) == 1 and auth[0].headers["authorization"] == "Bearer xoxb-khui-test"


def test_dm_deal_update_is_confirmed_with_a_button(slack: SlackWorld) -> None:
    response = slack.dm("U_SALES", "Acme deal won 80k")
    assert response.status_code == 200
    (question,) = slack.posted(1)
    assert question["channel"] == "D_U_SALES" and "thread_ts" not in question
    assert "Acme Trading" in question["text"] and "80,000" in question["text"]
    yes, no = buttons(question["blocks"])
    assert (yes["style"], no["style"]) == ("primary", "danger")
    assert yes["value"].endswith("|yes") and no["value"].endswith("|no")
    with slack.world.store.uow() as uow:
        assert uow.session.get_one(Deal, slack.world.acme_deal).stage is Stage.PROPOSAL

    assert slack.click("U_SALES", question, yes).status_code == 200
    (update,) = slack.fake.wait_for("chat.update")
    assert update.params["channel"] == "D_U_SALES" and update.params["ts"] == question["ts"]
    assert buttons(update.params["blocks"]) == []
    assert "✓ Yes" in json.dumps(update.params["blocks"], ensure_ascii=False)
    done = slack.posted(2)[1]
    assert "won" in done["text"] and done["channel"] == "D_U_SALES"
    with slack.world.store.uow() as uow:
        deal = uow.session.get_one(Deal, slack.world.acme_deal)
        assert deal.stage is Stage.WON and deal.amount == Decimal("80000.00")

    # A second press of the same button (a stale client) changes nothing.
    slack.click("U_SALES", question, yes)
    again = slack.posted(3)[2]
    assert "won" not in again["text"]
    slack.settle()
    with slack.world.store.uow() as uow:
        updates = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "deal.update")
        ).all()
        assert len(updates) == 1 and updates[0].actor == "slack:U_SALES"


def test_app_mention_replies_in_the_thread(slack: SlackWorld) -> None:
    event = fixture("slack_app_mention_event.json")["event"]
    event |= {"user": "U_SALES", "text": f"<@{BOT_USER_ID}> Acme Trading"}
    assert slack.event(event).status_code == 200
    (reply,) = slack.posted(1)
    assert reply["channel"] == "C111" and reply["thread_ts"] == event["ts"]
    card = next(b for b in reply["blocks"] if b.get("fields"))
    assert "*Acme Trading*" in card["text"]["text"]
    assert any("0811111111" in f["text"] for f in card["fields"])
    assert "Acme Trading" in reply["text"]


def test_a_colleague_mentioned_in_a_channel_takes_the_ticket(slack: SlackWorld) -> None:
    with slack.world.store.uow(Actor.cli()) as uow:
        acme = uow.session.get_one(Customer, slack.world.acme)
        number = tickets.create_ticket(uow, "printer jam", customer=acme, channel="slack").number
        add_staff(uow, "U07SOMNUK", "Somnuk", "support")  # a Slack user id as Slack writes it
        uow.commit()
    event = fixture("slack_app_mention_event.json")["event"]
    text = f"<@{BOT_USER_ID}> {number} ส่งต่อให้ <@U07SOMNUK> ดูแล"
    assert slack.event(event | {"user": "U_SUPPORT", "text": text}).status_code == 200
    slack.posted(1)
    with slack.world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.assignee is not None and ticket.assignee.name == "Somnuk"


def test_slash_command_answers_ephemerally(slack: SlackWorld) -> None:
    response = slack.command("U_SALES", "Acme Trading")
    assert response.status_code == 200 and response.content == b""
    (answer,) = slack.fake.wait_for("response_url")
    assert answer.params["_path"] == "/hooks/commands/T111/111/xxxxx"
    assert answer.params["response_type"] == "ephemeral"
    assert "Acme Trading" in answer.params["text"]
    assert buttons(answer.params["blocks"]) == []
    # A bare `/khui` shows the help with a button that opens the ticket form.
    slack.command("U_SALES", "")
    _, help_answer = slack.fake.wait_for("response_url", 2)
    assert "Acme deal won 80k" in help_answer.params["text"]
    assert [b["action_id"] for b in buttons(help_answer.params["blocks"])] == ["khui:ticket_form"]
    assert slack.fake.of("chat.postMessage") == []


def test_ticket_modal_submission_creates_a_ticket(slack: SlackWorld) -> None:
    before = count(slack.world, Ticket)
    assert slack.command("U_SUPPORT", "ticket Printer jammed").status_code == 200
    (opened,) = slack.fake.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "khui_ticket" and opened.params["trigger_id"]
    subject = next(b for b in view["blocks"] if b["block_id"] == "subject")
    assert subject["element"]["initial_value"] == "Printer jammed"

    payload = copy.deepcopy(fixture("slack_view_submission.payload.json"))
    payload["user"] |= {"id": "U_SUPPORT"}
    payload["view"] |= {
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "blocks": view["blocks"],
        "state": {
            "values": {
                "subject": {"value": {"type": "plain_text_input", "value": "Printer jammed"}},
                "customer": {"value": {"type": "plain_text_input", "value": "Acme"}},
                "priority": {
                    "value": {"type": "static_select", "selected_option": {"value": "high"}}
                },
                "description": {
                    "value": {"type": "plain_text_input", "value": "Paper stuck in tray 2"}
                },
            }
        },
    }
    response = slack.form({"payload": json.dumps(payload)})
    assert response.status_code == 200 and response.content == b""  # closes the modal
    (confirmation,) = slack.posted(1)
    assert confirmation["channel"] == "U_SUPPORT" and "TCK-" in confirmation["text"]
    slack.settle()
    assert count(slack.world, Ticket) == before + 1
    with slack.world.store.uow() as uow:
        ticket = uow.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
        assert ticket is not None and ticket.subject == "Printer jammed"
        assert ticket.description == "Paper stuck in tray 2"
        assert ticket.priority is Priority.HIGH and ticket.customer_id == slack.world.acme
        assert ticket.channel == "slack"


@pytest.mark.parametrize(
    "forgery",
    ["wrong secret", "no signature", "stale timestamp", "future timestamp", "tampered body"],
)
def test_forged_requests_get_401_and_change_nothing(slack: SlackWorld, forgery: str) -> None:
    envelope = fixture("slack_app_mention_event.json")
    envelope["event"] |= {"user": "U_SALES", "text": "called Siam Paper, they want a quote"}
    body = json.dumps(envelope)
    now = int(time.time())
    before = (count(slack.world, Interaction), count(slack.world, ProcessedEvent))
    if forgery == "wrong secret":
        response = slack.post(body, secret="not-the-secret")
    elif forgery == "no signature":
        response = slack.http.post("/slack/events", content=body.encode())
    elif forgery == "stale timestamp":
        response = slack.post(body, timestamp=str(now - 6 * 60))
    elif forgery == "future timestamp":
        response = slack.post(body, timestamp=str(now + 6 * 60))
    else:
        stamp = str(now)
        headers = {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(body, stamp),
        }
        tampered = body.replace("Siam Paper", "Acme Trading")
        response = slack.http.post("/slack/events", content=tampered.encode(), headers=headers)
    assert response.status_code == 401
    slack.settle()
    assert (count(slack.world, Interaction), count(slack.world, ProcessedEvent)) == before
    assert [c.method for c in slack.fake.calls] == ["auth.test"]


def test_a_bad_signature_is_refused_before_the_body_is_read_as_slack(slack: SlackWorld) -> None:
    response = slack.http.post(
        "/slack/events",
        content=b"\xff\xfe not json",
        headers={"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
    )
    assert response.status_code == 401


def test_url_verification_echoes_the_challenge(slack: SlackWorld) -> None:
    body = json.dumps({"token": "t", "challenge": "c-123", "type": "url_verification"})
    response = slack.post(body)
    assert response.status_code == 200 and response.json()["challenge"] == "c-123"


def test_a_retried_event_has_one_effect_even_after_a_restart(slack: SlackWorld) -> None:
    before = count(slack.world, Interaction)
    text = "called Siam Paper, they want a quote"
    assert slack.dm("U_SALES", text, event_id="EvRETRY1").status_code == 200
    slack.posted(1)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    for _ in range(2):
        assert slack.dm("U_SALES", text, event_id="EvRETRY1", headers=retry).status_code == 200
    slack.settle()
    assert count(slack.world, Interaction) == before + 1
    # A new process has no memory of the event; the database does.
    app = build_app(slack.world.bot, Settings())
    restarted = slack_adapter(app)
    try:
        with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
            again = SlackWorld(slack.world, slack.fake, restarted, http)
            retry = {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_error"}
            assert again.dm("U_SALES", text, event_id="EvRETRY1", headers=retry).status_code == 200
    finally:
        restarted.close()
    assert count(slack.world, Interaction) == before + 1
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_bot_messages_edits_and_channel_chatter_are_ignored(slack: SlackWorld) -> None:
    base = {"type": "message", "channel_type": "im", "channel": "D_U_SALES", "ts": "1.1"}
    slack.event(base | {"bot_id": "B_OTHER", "text": "Acme Trading"})
    slack.event(base | {"user": BOT_USER_ID, "bot_id": BOT_ID, "text": "Acme Trading"})
    slack.event(
        base
        | {
            "subtype": "message_changed",
            "message": {"user": "U_SALES", "text": "Acme Trading"},
            "previous_message": {"user": "U_SALES", "text": "Acme"},
        }
    )
    slack.event(base | {"channel_type": "channel", "user": "U_SALES", "text": "Acme Trading"})
    slack.settle()
    assert slack.fake.of("chat.postMessage") == []


def test_an_unknown_slack_user_gets_a_polite_answer(slack: SlackWorld) -> None:
    deals_before = count(slack.world, AuditEntry)
    slack.dm("U_STRANGER", "Acme deal won 80k")
    (reply,) = slack.posted(1)
    assert reply["channel"] == "D_U_STRANGER" and "not set up" in reply["text"]
    assert buttons(reply["blocks"]) == []
    slack.settle()
    assert count(slack.world, AuditEntry) == deals_before


def test_slack_api_failures_are_logged_and_retried_and_the_crm_write_is_kept(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="khui.slack")
    before = count(slack.world, Interaction)
    sent = 0
    for n, kind in enumerate(["ok_false", "http_500", "timeout"], 1):
        slack.fake.fail("chat.postMessage", kind, times=1)
        slack.dm("U_SALES", f"called Siam Paper, quote number {n}")
        failed, retried = slack.fake.wait_for("chat.postMessage", sent + 2)[sent:]
        sent += 2
        assert failed.fault == kind and retried.fault is None, kind
        assert failed.params == retried.params and "Siam Paper" in retried.params["text"]
        assert count(slack.world, Interaction) == before + n, kind
    warnings = [r.getMessage() for r in caplog.records if "attempt 1 failed" in r.getMessage()]
    assert len(warnings) == 3
    assert "internal_error (HTTP 200)" in warnings[0] and "HTTP 500" in warnings[1]
    assert "timed out" in warnings[2]

    # Slack down for good: three bounded attempts, an error logged, the CRM write kept.
    slack.fake.fail("chat.postMessage", "http_500", times=10)
    slack.dm("U_SALES", "called Siam Paper, they want a quote")
    slack.settle()
    assert len(slack.fake.of("chat.postMessage")) == sent + 3
    assert count(slack.world, Interaction) == before + 4
    assert any("failed after 3 attempts" in r.getMessage() for r in caplog.records)
