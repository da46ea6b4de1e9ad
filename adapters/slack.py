"""Slack adapter: Bolt listeners turn Slack payloads into `Message`s and `Reply`s into Block Kit."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.error import URLError

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot import handoff as handoff_bridge
from bot.engine import Bot
from bot.forms import submit_form
from bot.messages import SLACK_MENTION, Action, Card, Message, Reply
from bot.schedule import TASK_DONE_ACTION
from bot.settings import Settings

log = logging.getLogger("khui.slack")

Block = dict[str, Any]

CHOICE_ACTION = "khui:choice"
TICKET_FORM_ACTION = "khui:ticket_form"
TICKET_VIEW = "khui_ticket"
CHOICES_BLOCK = "khui_choices"
ORDER_STATUS_ACTION = "khui:order_status"
TICKET_ASSIGN_ACTION = "khui:ticket_assign"
TICKET_PRIORITY_ACTION = "khui:ticket_priority"
ORDER_STATUSES = (
    ("pending", "Pending / รอชำระ"),
    ("paid", "Paid / ชำระแล้ว"),
    ("packed", "Packed / แพ็กแล้ว"),
    ("shipped", "Shipped / จัดส่งแล้ว"),
    ("delivered", "Delivered / ได้รับแล้ว"),
    ("cancelled", "Cancelled / ยกเลิก"),
    ("returned", "Returned / คืนสินค้า"),
)
MAX_BLOCKS = 50
MAX_BUTTONS = 25
MAX_FIELDS = 10
TICKET_WORDS = frozenset({"ticket", "tickets", "new-ticket", "ตั๋ว", "แจ้งปัญหา"})
PRIORITIES = (
    ("low", "Low / ต่ำ"),
    ("normal", "Normal / ปกติ"),
    ("high", "High / สูง"),
    ("urgent", "Urgent / ด่วน"),
)
# Errors that another attempt cannot fix; everything else (internal_error, 5xx, timeouts) is
# retried a bounded number of times.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "channel_not_found",
        "invalid_auth",
        "is_archived",
        "missing_scope",
        "no_text",
        "not_authed",
        "not_in_channel",
        "token_revoked",
        "user_not_found",
        "expired_trigger_id",
        "invalid_trigger_id",
    }
)
BLOCK_ERRORS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_too_long"})
SORRY = "ขออภัย เกิดข้อผิดพลาด กรุณาลองใหม่อีกครั้ง / Sorry, something went wrong, please try again."


# ---- Reply -> Block Kit ------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn reserves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str, limit: int = 75) -> Block:
    return {"type": "plain_text", "text": _clip(text, limit), "emoji": True}


def card_blocks(card: Card) -> list[Block]:
    """One card: a titled section per ten fields, its progress steps, its image."""
    blocks: list[Block] = []
    fields = [_mrkdwn(_clip(f"*{escape(n)}*\n{escape(v)}", 2000)) for n, v in card.fields]
    title = _mrkdwn(_clip(f"*{escape(card.title)}*", 3000))
    first: Block = {"type": "section", "text": title}
    if fields:
        first["fields"] = fields[:MAX_FIELDS]
    blocks.append(first)
    for start in range(MAX_FIELDS, len(fields), MAX_FIELDS):
        blocks.append({"type": "section", "fields": fields[start : start + MAX_FIELDS]})
    if card.steps:
        path = " → ".join(
            f"*{escape(s)}*" if i == card.current_step else escape(s)
            for i, s in enumerate(card.steps)
        )
        blocks.append({"type": "context", "elements": [_mrkdwn(_clip(path, 3000))]})
    if card.image_url:
        blocks.append({"type": "image", "image_url": card.image_url, "alt_text": card.title})
    controls = record_controls(card)
    if controls is not None:
        blocks.append(controls)
    return blocks


def _select(
    action_id: str, placeholder: str, record: str, options: tuple[tuple[str, str], ...]
) -> Block:
    return {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": _plain(placeholder),
        "options": [
            {"text": _plain(text), "value": f"{record}|{value}"} for value, text in options
        ],
    }


def record_controls(card: Card) -> Block | None:
    """Staff controls on an order card (set status) and a ticket card (take it, priority)."""
    if card.kind == "order":
        elements = [
            _select(ORDER_STATUS_ACTION, "Set status / เปลี่ยนสถานะ", card.title, ORDER_STATUSES)
        ]
    elif card.kind == "ticket":
        elements = [
            {
                "type": "button",
                "action_id": TICKET_ASSIGN_ACTION,
                "text": _plain("Assign to me / รับเรื่องนี้"),
                "value": card.title,
            },
            _select(TICKET_PRIORITY_ACTION, "Priority / ความเร่งด่วน", card.title, PRIORITIES),
        ]
    else:
        return None
    return {"type": "actions", "elements": elements}


def record_action(action: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The intent and slots a card control asks for; None for an unreadable value."""
    action_id = str(action.get("action_id") or "")
    picked = str((action.get("selected_option") or {}).get("value") or action.get("value") or "")
    record, _, value = picked.partition("|")
    if not record:
        return None
    if action_id == TASK_DONE_ACTION:
        return "task_create", {"request": "done", "task_id": record}
    if action_id == TICKET_ASSIGN_ACTION:
        return "ticket_update", {"ticket_id": record, "assign": True}
    if action_id == TICKET_PRIORITY_ACTION and value:
        return "ticket_update", {"ticket_id": record, "priority": value}
    if action_id == ORDER_STATUS_ACTION and value:
        return "order_update", {"order_id": record, "order_state": value}
    return None


def choice_value(token: str, value: str) -> str:
    """A button value: the dialogue token and the choice, split again by `parse_choice`."""
    return f"{token}|{value}"


def parse_choice(value: str) -> Action:
    """The `Action` a pressed button carries."""
    token, _, choice = value.partition("|")
    return Action(token, choice)


def choice_buttons(reply: Reply) -> Block | None:
    """The reply's choices as one actions block (primary/danger for a confirmation)."""
    if not reply.choices or not reply.token:
        return None
    buttons: list[Block] = []
    for i, choice in enumerate(reply.choices[:MAX_BUTTONS]):
        button: Block = {
            "type": "button",
            "action_id": f"{CHOICE_ACTION}:{i}",
            "text": _plain(choice.label),
            "value": _clip(choice_value(reply.token, choice.value), 2000),
        }
        if reply.confirm and choice.value == "yes":
            button["style"] = "primary"
        elif reply.confirm and choice.value in ("no", "cancel"):
            button["style"] = "danger"
        buttons.append(button)
    return {"type": "actions", "block_id": CHOICES_BLOCK, "elements": buttons}


def fallback_text(reply: Reply) -> str:
    """Plain text for notifications and clients that cannot show blocks."""
    lines = [reply.text] if reply.text else []
    for card in reply.cards:
        lines.append(card.title)
        lines.extend(f"{name}: {value}" for name, value in card.fields)
    if reply.choices and not reply.token:
        lines.extend(f"{i}. {c.label}" for i, c in enumerate(reply.choices, 1))
    return _clip("\n".join(lines) or "…", 3900)


def to_blocks(reply: Reply, *, ticket_form: bool = False) -> list[Block]:
    """A reply as Block Kit: its text, its cards, its buttons."""
    blocks: list[Block] = []
    if reply.text:
        blocks.append({"type": "section", "text": _mrkdwn(_clip(escape(reply.text), 3000))})
    for card in reply.cards:
        blocks.extend(card_blocks(card))
    buttons = choice_buttons(reply)
    if buttons is not None:
        blocks.append(buttons)
    if ticket_form:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": TICKET_FORM_ACTION,
                        "text": _plain("New ticket / เปิดเคสใหม่"),
                        "value": "open",
                    }
                ],
            }
        )
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], blocks[-1]] if buttons else blocks[:MAX_BLOCKS]
    return blocks


def answered_blocks(blocks: list[Block], label: str, user_id: str) -> list[Block]:
    """The original message with its choice buttons replaced by what was chosen."""
    kept = [b for b in blocks if b.get("block_id") != CHOICES_BLOCK]
    chosen = f"✓ {escape(label)} — <@{user_id}>" if user_id else f"✓ {escape(label)}"
    return [*kept, {"type": "context", "elements": [_mrkdwn(chosen)]}]


def ticket_modal(channel_id: str, subject: str = "") -> Block:
    """The ticket form: subject, customer, priority, description."""

    def text_input(block: str, label: str, *, optional: bool = False, **extra: Any) -> Block:
        element: Block = {"type": "plain_text_input", "action_id": "value", **extra}
        return {
            "type": "input",
            "block_id": block,
            "optional": optional,
            "label": _plain(label),
            "element": element,
        }

    subject_input = text_input("subject", "Subject / หัวข้อ", max_length=300)
    if subject:
        subject_input["element"]["initial_value"] = _clip(subject, 300)
    options = [{"text": _plain(text), "value": value} for value, text in PRIORITIES]
    return {
        "type": "modal",
        "callback_id": TICKET_VIEW,
        "private_metadata": json.dumps({"channel": channel_id}),
        "title": _plain("New ticket", 24),
        "submit": _plain("Create", 24),
        "close": _plain("Cancel", 24),
        "blocks": [
            subject_input,
            text_input("customer", "Customer / ลูกค้า", optional=True),
            {
                "type": "input",
                "block_id": "priority",
                "label": _plain("Priority / ความเร่งด่วน"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": options,
                    "initial_option": options[1],
                },
            },
            text_input("description", "Description / รายละเอียด", multiline=True),
        ],
    }


# ---- Slack payload -> Message ------------------------------------------------------------------


def strip_mentions(text: str, only: str | None = None) -> str:
    """Message text without `<@U123>` mentions; with `only`, without that user's alone."""
    return " ".join(
        SLACK_MENTION.sub(lambda m: " " if only in (None, m.group(1)) else m.group(0), text).split()
    )


def is_from_a_person(event: dict[str, Any]) -> bool:
    """False for bot messages, edits, deletions and other message subtypes."""
    return bool(event.get("user")) and not event.get("bot_id") and not event.get("subtype")


def dm_message(event: dict[str, Any], event_id: str | None) -> Message | None:
    """A direct message to the app as a `Message`; None for anything khui should not answer."""
    if event.get("channel_type") != "im" or not is_from_a_person(event):
        return None
    return Message(
        platform="slack",
        user_id=str(event["user"]),
        text=str(event.get("text") or ""),
        channel_id=str(event.get("channel") or ""),
        event_id=event_id,
        thread_id=event.get("thread_ts"),
        via="slack",
    )


def mention_message(
    event: dict[str, Any], event_id: str | None, bot_user_id: str | None = None
) -> Message | None:
    """An @mention in a channel as a `Message` that lives in the mention's thread; the
    mention of the app is taken out, a colleague's stays ("TCK-2002 ให้ <@U…> ดูแล")."""
    if not is_from_a_person(event):
        return None
    return Message(
        platform="slack",
        user_id=str(event["user"]),
        text=strip_mentions(str(event.get("text") or ""), bot_user_id or None),
        channel_id=str(event.get("channel") or ""),
        event_id=event_id,
        thread_id=event.get("thread_ts") or event.get("ts"),
        via="slack",
    )


def ticket_slots(values: dict[str, Any]) -> dict[str, Any]:
    """The ticket modal's state as `ticket_create` slots."""

    def field(block: str) -> str:
        entry = values.get(block, {}).get("value", {})
        selected = entry.get("selected_option") or {}
        return str(entry.get("value") or selected.get("value") or "").strip()

    slots: dict[str, Any] = {
        "subject": field("subject"),
        "description": field("description"),
        "priority": field("priority") or "normal",
    }
    if customer := field("customer"):
        slots["customer"] = customer
    return slots


# ---- delivery ----------------------------------------------------------------------------------


class SlackAdapter:
    """A Bolt app bound to the bot: HTTP routes, Socket Mode, and the replies it sends."""

    def __init__(
        self,
        bot: Bot,
        settings: Settings,
        *,
        timeout: float = 10.0,
        retry_delays: tuple[float, ...] = (0.5, 2.0),
        workers: int = 16,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.timeout = timeout
        self.retry_delays = retry_delays
        # Retries are ours (see `call`), so the client makes exactly one attempt per call.
        self.client = WebClient(
            token=settings.slack_bot_token,
            base_url=settings.slack_api_url,
            timeout=timeout,  # type: ignore[arg-type]  # urllib takes fractions of a second
            retry_handlers=[],
        )
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="khui-slack")
        self._verifier = SignatureVerifier(settings.slack_signing_secret)
        # One lock per bucket of users: a person's messages (and Slack's retries of them) are
        # handled in order, so dialogue state and the engine's event-id check never race.
        self._user_locks = [threading.Lock() for _ in range(64)]
        self.app = App(
            signing_secret=settings.slack_signing_secret,
            client=self.client,
            listener_executor=self._executor,
            logger=log,
        )
        self.app.event("message")(self.on_message)
        self.app.event("app_mention")(self.on_mention)
        self.app.command("/khui")(self.on_command)
        self.app.action(re.compile(rf"^{CHOICE_ACTION}:\d+$"))(self.on_choice)
        self.app.action(TICKET_FORM_ACTION)(self.on_ticket_form)
        controls = (
            ORDER_STATUS_ACTION,
            TICKET_ASSIGN_ACTION,
            TICKET_PRIORITY_ACTION,
            TASK_DONE_ACTION,
        )
        for control in controls:
            self.app.action(control)(self.on_record_control)
        self.app.action(handoff_bridge.RESOLVE_ACTION)(self.on_handoff_resolve)
        self.app.view(TICKET_VIEW)(self.on_ticket_submit)

    def close(self) -> None:
        """Finish the work already acknowledged, then stop the worker threads."""
        self._executor.shutdown(wait=True)

    def __enter__(self) -> SlackAdapter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- HTTP ----------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        """`POST /slack/events` and `POST /slack/interactions` (the same handler)."""
        return [
            Route("/slack/events", self.endpoint, methods=["POST"]),
            Route("/slack/interactions", self.endpoint, methods=["POST"]),
        ]

    def verified(self, body: bytes, timestamp: str, signature: str) -> bool:
        """True when Slack signed this body within the last five minutes."""
        if not timestamp.isdigit() or not signature:
            return False
        return self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)

    async def endpoint(self, request: Request) -> Response:
        """Check the signature on the raw body, then let Bolt ack and dispatch in a thread."""
        body = await request.body()
        headers = request.headers
        if not self.verified(
            body,
            headers.get("x-slack-request-timestamp", ""),
            headers.get("x-slack-signature", ""),
        ):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        bolt_request = BoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=str(request.url.query),
            headers={k: v for k, v in headers.items()},
        )
        bolt_response = await run_in_threadpool(self.app.dispatch, bolt_request)
        return Response(
            status_code=bolt_response.status,
            content=bolt_response.body,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    # ---- listeners (run by Bolt's executor; Bolt has already acked events) ---------------------

    def on_message(
        self, body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
    ) -> None:
        """A direct message: answer in the DM (in its thread when there is one).

        In a support-channel thread, a staff message goes to the handed-off customer.
        """
        message = dm_message(event, body.get("event_id"))
        if message is not None:
            self.converse(message, channel=message.channel_id, thread_ts=message.thread_id)
            return
        thread = event.get("thread_ts")
        support = self.settings.support_channel
        text = str(event.get("text") or "")
        to_khui = f"<@{context.get('bot_user_id')}>" in text  # answered as a mention instead
        if thread and support and event.get("channel") == support and is_from_a_person(event):
            if to_khui:
                return
            handoff_bridge.staff_reply(
                self.bot,
                support,
                str(thread),
                str(event["user"]),
                text,
                body.get("event_id"),
            )

    def on_mention(
        self, body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
    ) -> None:
        """An @mention: answer in the mention's thread."""
        message = mention_message(event, body.get("event_id"), context.get("bot_user_id"))
        if message is not None:
            self.converse(message, channel=message.channel_id, thread_ts=message.thread_id)

    def on_command(self, ack: Callable[..., None], body: dict[str, Any]) -> None:
        """`/khui TEXT`: an ephemeral answer; `/khui ticket` opens the ticket form."""
        ack()
        text = str(body.get("text") or "").strip()
        first, _, rest = text.partition(" ")
        channel = str(body.get("channel_id") or "")
        if first.lower() in handoff_bridge.RESOLVE_WORDS:
            said = handoff_bridge.resolve(self.bot, channel, None, str(body.get("user_id") or ""))
            if body.get("response_url"):
                self.respond(str(body["response_url"]), text=said, response_type="ephemeral")
            return
        if first.lower() in TICKET_WORDS:
            self.call(
                "views.open",
                trigger_id=body.get("trigger_id"),
                view=ticket_modal(channel, rest.strip()),
            )
            return
        message = Message(
            platform="slack",
            user_id=str(body.get("user_id") or ""),
            text=text or "help",
            channel_id=channel,
            event_id=f"command:{body.get('trigger_id')}" if body.get("trigger_id") else None,
            via="slack",
        )
        self.converse(
            message,
            channel=channel,
            response_url=body.get("response_url"),
            ticket_form=text.lower() in ("", "help"),
        )

    def on_choice(
        self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        """A button: retire the buttons of the original message, then answer the press."""
        ack()
        user = str(body.get("user", {}).get("id") or "")
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        original = body.get("message") or {}
        ephemeral = bool(container.get("is_ephemeral"))
        label = str((action.get("text") or {}).get("text") or "")
        self.retire_buttons(body, channel, label, user)
        thread = original.get("thread_ts")
        stamp = body.get("trigger_id") or action.get("action_ts")
        message = Message(
            platform="slack",
            user_id=user,
            channel_id=channel,
            event_id=f"action:{stamp}" if stamp else None,
            thread_id=thread,
            action=parse_choice(str(action.get("value") or "")),
            via="slack",
        )
        self.converse(
            message,
            channel=channel,
            thread_ts=thread,
            response_url=body.get("response_url") if ephemeral else None,
        )

    def on_handoff_resolve(self, ack: Callable[..., None], body: dict[str, Any]) -> None:
        """The resolve button on a handoff thread's first message."""
        ack()
        user = str(body.get("user", {}).get("id") or "")
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        root = str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")
        said = handoff_bridge.resolve(self.bot, channel, root, user)
        if channel and root:
            self.retire_buttons(body, channel, said, user)
            self.call("chat.postMessage", channel=channel, thread_ts=root, text=said)

    def on_record_control(
        self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        """A card control (order status, take a ticket, ticket priority): run it, answer in
        the card's thread (ephemerally when the card was)."""
        ack()
        wanted = record_action(action)
        if wanted is None:
            return
        intent, slots = wanted
        user = str(body.get("user", {}).get("id") or "")
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        original = body.get("message") or {}
        root = original.get("ts") or container.get("message_ts")
        # in a channel the answer goes under the card; in a DM it follows it
        thread = original.get("thread_ts") or (None if channel.startswith("D") else root)
        stamp = body.get("trigger_id") or action.get("action_ts")
        message = Message(
            platform="slack",
            user_id=user,
            channel_id=channel,
            event_id=f"action:{stamp}" if stamp else None,
            thread_id=thread,
            via="slack",
        )
        ephemeral = bool(container.get("is_ephemeral"))
        self.converse(
            message,
            channel=channel,
            thread_ts=None if ephemeral else thread,
            response_url=body.get("response_url") if ephemeral else None,
            run=lambda: self.bot.run_intent(message, intent, slots),
        )

    def on_ticket_form(self, ack: Callable[..., None], body: dict[str, Any]) -> None:
        """The "New ticket" button opens the ticket form."""
        ack()
        channel = str((body.get("container") or {}).get("channel_id") or "")
        self.call("views.open", trigger_id=body.get("trigger_id"), view=ticket_modal(channel))

    def on_ticket_submit(
        self, ack: Callable[..., None], body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        """The ticket form was submitted: close it, create the ticket, confirm in a DM."""
        ack()
        user = str(body.get("user", {}).get("id") or "")
        try:
            channel = str(json.loads(view.get("private_metadata") or "{}").get("channel") or "")
        except (ValueError, AttributeError):
            channel = ""
        message = Message(
            platform="slack",
            user_id=user,
            channel_id=channel,
            event_id=f"view:{view.get('id')}" if view.get("id") else None,
            via="slack",
        )
        slots = ticket_slots((view.get("state") or {}).get("values") or {})
        self.converse(
            message,
            channel=user,
            run=lambda: submit_form(self.bot, message, "ticket_create", slots),
        )

    # ---- one turn ------------------------------------------------------------------------------

    def converse(
        self,
        message: Message,
        *,
        channel: str,
        thread_ts: str | None = None,
        response_url: str | None = None,
        ticket_form: bool = False,
        run: Callable[[], Reply | None] | None = None,
    ) -> None:
        """Hand one message to the bot and deliver what it answers (nothing for a redelivery)."""
        lock = self._user_locks[zlib.crc32(message.user_id.encode()) % len(self._user_locks)]
        try:
            with lock:
                reply = run() if run is not None else self.bot.handle(message)
        except Exception:
            log.exception("khui could not handle slack event %s", message.event_id)
            self.deliver(Reply(SORRY), channel, thread_ts, response_url, message.user_id)
            return
        if reply is None:
            log.info("slack event %s was a redelivery", message.event_id)
            return
        self.deliver(reply, channel, thread_ts, response_url, message.user_id, ticket_form)
        if reply.charts:
            self.share_charts(reply, channel, thread_ts, bool(response_url), message.user_id)

    def deliver(
        self,
        reply: Reply,
        channel: str,
        thread_ts: str | None,
        response_url: str | None,
        user_id: str,
        ticket_form: bool = False,
    ) -> None:
        """Send a reply: ephemerally through `response_url`, else as a channel message."""
        text, blocks = fallback_text(reply), to_blocks(reply, ticket_form=ticket_form)
        if response_url:
            self.respond(response_url, text=text, blocks=blocks, response_type="ephemeral")
            return
        self.call(
            "chat.postMessage",
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
        )

    def share_charts(
        self, reply: Reply, channel: str, thread_ts: str | None, ephemeral: bool, user_id: str
    ) -> None:
        """Upload a reply's charts next to it, after the text has gone out.

        Uses the current upload API (`files_upload_v2`: files.getUploadURLExternal, the bytes
        to the upload URL, files.completeUploadExternal) into the reply's channel and thread.
        A file cannot be ephemeral, so the chart of a `/khui` answer goes to the asker's DM
        with khui (conversations.open): posting it in the channel would show everyone a
        report only the asker saw, and a DM the command came from may be one between two
        people, where khui cannot post. A chart that cannot be drawn or uploaded is logged;
        the text reply stands.
        """
        target, thread = channel, thread_ts
        if ephemeral:
            opened = self.call("conversations.open", users=user_id)
            target, thread = str(((opened or {}).get("channel") or {}).get("id") or ""), None
        if not target:
            log.error("no DM with %s to share a report chart in", user_id)
            return
        for chart in reply.charts:
            try:
                png = chart.png()
            except Exception:
                log.exception("report chart %s could not be drawn", chart.filename)
                continue
            try:
                self.client.files_upload_v2(
                    channel=target,
                    thread_ts=thread,
                    content=png,
                    filename=chart.filename,
                    title=chart.title,
                    alt_txt=chart.title,
                )
            except (SlackClientError, OSError) as exc:  # SlackApiError, HTTP and socket errors
                log.error("slack chart upload to %s failed: %s", target, exc)

    def retire_buttons(self, body: dict[str, Any], channel: str, label: str, user: str) -> None:
        """Update the message whose button was pressed so it cannot be pressed again."""
        container = body.get("container") or {}
        original = body.get("message") or {}
        blocks = answered_blocks(list(original.get("blocks") or []), label, user)
        text = str(original.get("text") or label)
        if container.get("is_ephemeral"):
            if body.get("response_url"):
                url = str(body["response_url"])
                self.respond(url, text=text, blocks=blocks, replace_original=True)
            return
        ts = container.get("message_ts") or original.get("ts")
        if channel and ts:
            self.call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)

    # ---- Web API with bounded retries ----------------------------------------------------------

    def call(self, method: str, **params: Any) -> dict[str, Any] | None:
        """Call a Web API method, retrying transient failures; None when it finally fails."""
        params = {k: v for k, v in params.items() if v is not None}
        delays = (*self.retry_delays, None)
        for attempt, delay in enumerate(delays, 1):
            try:
                response = self.client.api_call(method, json=params)
                return dict(response.data) if isinstance(response.data, dict) else {}
            except SlackApiError as exc:
                error = str(exc.response.get("error", "")) if exc.response else ""
                status = exc.response.status_code if exc.response is not None else 0
                if error in BLOCK_ERRORS and "blocks" in params:
                    log.warning("slack %s refused the blocks (%s); sending text", method, error)
                    params.pop("blocks")
                    continue
                if error in PERMANENT_ERRORS and status < 500:
                    log.error("slack %s failed: %s", method, error)
                    return None
                problem = f"{error or 'error'} (HTTP {status})"
                headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
                retry_after = headers.get("retry-after") if status == 429 else None
                if retry_after and delay is not None:
                    delay = max(delay, float(retry_after))
            except (TimeoutError, URLError, ConnectionError, ValueError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if delay is None:
                log.error("slack %s failed after %d attempts: %s", method, attempt, problem)
                return None
            log.warning("slack %s attempt %d failed: %s; retrying", method, attempt, problem)
            time.sleep(delay)
        return None

    def respond(self, url: str, **payload: Any) -> bool:
        """Post to a `response_url` (ephemeral answers), retrying transient failures."""
        hook = WebhookClient(url, timeout=self.timeout)  # type: ignore[arg-type]
        for attempt, delay in enumerate((*self.retry_delays, None), 1):
            try:
                response = hook.send(**payload)
                if response.status_code == 200:
                    return True
                problem = f"HTTP {response.status_code} {response.body[:100]}"
                if 400 <= response.status_code < 500 and response.status_code != 429:
                    log.error("slack response_url refused the answer: %s", problem)
                    return False
            except (TimeoutError, URLError, ConnectionError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if delay is None:
                log.error("slack response_url failed after %d attempts: %s", attempt, problem)
                return False
            log.warning("slack response_url attempt %d failed: %s; retrying", attempt, problem)
            time.sleep(delay)
        return False


def routes(bot: Bot, settings: Settings) -> list[BaseRoute]:
    """The Slack routes for `adapters.http.build_app`."""
    return SlackAdapter(bot, settings).routes()


def run_socket_mode(bot: Bot, settings: Settings) -> None:
    """`khui serve --socket-mode`: receive Slack events over a websocket (SLACK_APP_TOKEN)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    adapter = SlackAdapter(bot, settings)
    handler = SocketModeHandler(adapter.app, settings.slack_app_token, web_client=adapter.client)
    try:
        handler.start()  # type: ignore[no-untyped-call]
    finally:
        handler.close()  # type: ignore[no-untyped-call]
        adapter.close()
