"""LINE adapter: signed webhooks in as `Message`s, `Reply`s out as text, Flex and quick replies."""

from __future__ import annotations

import logging
import struct
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import parse_qs, urlencode

from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    FlexContainer,
    FlexMessage,
    MessagingApi,
    MessagingApiBlob,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    TextMessage,
)
from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    GroupSource,
    JoinEvent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from urllib3.exceptions import HTTPError

from bot import lifecycle, push_quota
from bot.engine import Bot
from bot.messages import Action, Card, Message, Reply
from bot.settings import Settings

log = logging.getLogger("khui.line")

Json = dict[str, Any]
# TextMessage or FlexMessage; the SDK ships no type information, so mypy sees Any.
LineMessage: TypeAlias = Any

PLATFORM = "line"
LINE_API_HOST = "https://api.line.me"
LINE_DATA_HOST = "https://api-data.line.me"
MAX_MESSAGES = 5  # per reply or push request
MAX_BUBBLES = 12  # per carousel
MAX_QUICK_REPLIES = 13
LABEL_LIMIT = 20
ALT_TEXT_LIMIT = 400
TEXT_LIMIT = 5000
DATA_LIMIT = 300
GROUP_NOTICE_EVERY = 600.0  # seconds between 1:1-only notices in one group or room
SORRY = "ขออภัย เกิดข้อผิดพลาด กรุณาลองใหม่อีกครั้ง / Sorry, something went wrong, please try again."
ONE_TO_ONE_ONLY = (
    "ขออภัย khui ให้บริการเฉพาะแชต 1:1 กรุณาทักแชตส่วนตัวกับบัญชีนี้\n"
    "Sorry, khui only works in 1:1 chats. Please message this account directly."
)
MENU = (
    ("order_status", "Orders", "คำสั่งซื้อของฉัน"),
    ("loyalty_balance", "Points", "แต้มสะสมของฉัน"),
    ("loyalty_redeem", "Rewards", "แลกของรางวัล"),
    ("help", "Help", "ช่วยเหลือ"),
    ("handoff", "Talk to staff", "คุยกับเจ้าหน้าที่"),
)
MENU_INTENTS = frozenset(intent for intent, _label, _shown in MENU)
KIND_LABELS = {
    "order": ("คำสั่งซื้อ", "Order"),
    "membership": ("บัตรสมาชิก", "Membership"),
    "ticket": ("เรื่องที่แจ้ง", "Ticket"),
    "customer": ("ลูกค้า", "Customer"),
}
KIND_COLOURS = {"order": "#06C755", "membership": "#B8860B", "ticket": "#1E6FD9"}
REDEEM_LABEL = {"th": "แลกรางวัลนี้", "en": "Redeem"}
GREY = "#8C8C8C"


# ---- Reply -> LINE messages ----------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choice_data(token: str, value: str) -> str:
    """Postback data of a choice: the dialogue token and the chosen value."""
    return urlencode({"khui": "choice", "t": token, "v": value})


def menu_data(intent: str) -> str:
    """Postback data of a rich menu button."""
    return urlencode({"khui": "menu", "i": intent})


def parse_postback(data: str) -> Action | str | None:
    """A pressed choice as an `Action`, a rich menu button as its intent, else None."""
    fields = {k: v[-1] for k, v in parse_qs(data, keep_blank_values=True).items()}
    if fields.get("khui") == "choice" and "t" in fields and "v" in fields:
        return Action(fields["t"], fields["v"])
    if fields.get("khui") == "menu" and fields.get("i") in MENU_INTENTS:
        return fields["i"]
    return None


def _text(text: str, **style: Any) -> Json:
    return {"type": "text", "text": text or "-", "wrap": True, **style}


def _row(name: str, value: str, *, big: bool = False) -> Json:
    return {
        "type": "box",
        "layout": "baseline",
        "spacing": "sm",
        "contents": [
            _text(name, size="sm", color=GREY, flex=2),
            _text(value, size="md" if big else "sm", flex=4, weight="bold" if big else "regular"),
        ],
    }


def _header(card: Card, lang: str) -> Json:
    kind = KIND_LABELS.get(card.kind, (card.kind, card.kind))[0 if lang == "th" else 1]
    colour = KIND_COLOURS.get(card.kind, "#555555")
    return {
        "type": "box",
        "layout": "vertical",
        "backgroundColor": colour,
        "paddingAll": "lg",
        "contents": [
            _text(kind, size="xs", color="#FFFFFF"),
            _text(card.title, size="lg", weight="bold", color="#FFFFFF"),
        ],
    }


def _steps(card: Card) -> list[Json]:
    """The order's progress as a timeline: done steps filled, the current one bold."""
    rows: list[Json] = [{"type": "separator", "margin": "lg"}]
    for i, step in enumerate(card.steps):
        reached = 0 <= i <= card.current_step
        current = i == card.current_step
        rows.append(
            {
                "type": "box",
                "layout": "baseline",
                "spacing": "md",
                "margin": "md" if i == 0 else "sm",
                "contents": [
                    _text(
                        "●" if reached else "○",
                        size="sm",
                        flex=0,
                        color="#06C755" if reached else GREY,
                    ),
                    _text(
                        step,
                        size="sm",
                        color="#111111" if reached else GREY,
                        weight="bold" if current else "regular",
                    ),
                ],
            }
        )
    return rows


def card_bubble(card: Card, lang: str) -> Json:
    """One card as a Flex bubble: coloured header, field rows, order steps, image."""
    big = card.kind == "membership"
    body: list[Json] = [_row(name, value, big=big) for name, value in card.fields]
    if card.steps:
        body.extend(_steps(card))
    bubble: Json = {
        "type": "bubble",
        "header": _header(card, lang),
        "body": {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": body or [_text("-")],
        },
    }
    if card.image_url:
        bubble["hero"] = {
            "type": "image",
            "url": card.image_url,
            "size": "full",
            "aspectMode": "cover",
            "aspectRatio": "20:13",
        }
    return bubble


def card_summary(card: Card) -> str:
    """A card as one line of plain text (Flex alt text)."""
    return " · ".join([card.title, *(f"{name}: {value}" for name, value in card.fields)])


def reward_carousel(reply: Reply) -> Json:
    """Reward choices as a carousel, one bubble per reward with a redeem button."""
    assert reply.token is not None
    button = REDEEM_LABEL.get(reply.lang, REDEEM_LABEL["en"])
    bubbles = []
    for choice in reply.choices[:MAX_BUBBLES]:
        bubbles.append(
            {
                "type": "bubble",
                "size": "micro",
                "body": {
                    "type": "box",
                    "layout": "vertical",
                    "contents": [_text(choice.label, weight="bold", size="sm")],
                },
                "footer": {
                    "type": "box",
                    "layout": "vertical",
                    "contents": [
                        {
                            "type": "button",
                            "style": "primary",
                            "height": "sm",
                            "action": _postback(button, reply.token, choice.value, choice.label),
                        }
                    ],
                },
            }
        )
    return {"type": "carousel", "contents": bubbles}


def _postback(label: str, token: str, value: str, shown: str) -> Json:
    return {
        "type": "postback",
        "label": clip(label, LABEL_LIMIT),
        "data": choice_data(token, value)[:DATA_LIMIT],
        "displayText": clip(shown, DATA_LIMIT),
    }


def is_reward_choice(reply: Reply) -> bool:
    """True when the reply asks which reward to redeem (shown as a carousel)."""
    return (
        reply.intent == "loyalty_redeem"
        and bool(reply.choices)
        and reply.token is not None
        and not reply.confirm
    )


def quick_reply(reply: Reply) -> QuickReply | None:
    """The reply's choices as quick-reply postback buttons (None when there are none)."""
    if not reply.choices or reply.token is None or is_reward_choice(reply):
        return None
    items = [
        QuickReplyItem(
            action=PostbackAction.from_dict(
                _postback(choice.label, reply.token, choice.value, choice.label)
            )
        )
        for choice in reply.choices[:MAX_QUICK_REPLIES]
    ]
    return QuickReply(items=items)


def _flex(alt_text: str, contents: Json) -> FlexMessage:
    container = FlexContainer.from_dict(contents)
    return FlexMessage(alt_text=clip(alt_text or "…", ALT_TEXT_LIMIT), contents=container)


def to_line_messages(reply: Reply) -> list[LineMessage]:
    """A reply as at most five LINE messages; quick replies ride on the last one."""
    text = reply.text
    if reply.choices and reply.token is None:
        text += "".join(f"\n{i}. {c.label}" for i, c in enumerate(reply.choices, 1))
    messages: list[LineMessage] = [TextMessage(text=clip(text or "…", TEXT_LIMIT))]
    cards = reply.cards[:MAX_BUBBLES]
    if len(cards) == 1:
        messages.append(_flex(card_summary(cards[0]), card_bubble(cards[0], reply.lang)))
    elif cards:
        carousel = {"type": "carousel", "contents": [card_bubble(c, reply.lang) for c in cards]}
        messages.append(_flex(" / ".join(card_summary(c) for c in cards), carousel))
    if is_reward_choice(reply):
        labels = ", ".join(c.label for c in reply.choices)
        messages.append(_flex(f"{reply.text} {labels}", reward_carousel(reply)))
    quick = quick_reply(reply)
    if quick is not None:
        messages[-1].quick_reply = quick
    return messages[:MAX_MESSAGES]


# ---- webhook events -> Message ------------------------------------------------------------------


def user_of(event: Event) -> str | None:
    """The LINE user id of a 1:1 event (None for groups, rooms and anonymous sources)."""
    source = getattr(event, "source", None)
    return source.user_id if isinstance(source, UserSource) else None


def in_group(event: Event) -> str | None:
    """The group or room id of an event from a group chat."""
    source = getattr(event, "source", None)
    if isinstance(source, GroupSource):
        return str(source.group_id)
    if isinstance(source, RoomSource):
        return str(source.room_id)
    return None


def event_id(event: Event) -> str | None:
    """The id LINE keeps across redeliveries of one event."""
    value = getattr(event, "webhook_event_id", None)
    return str(value) if value else None


def to_message(event: MessageEvent | PostbackEvent, user_id: str) -> Message:
    """A 1:1 message or button press as a neutral `Message` (non-text messages have no text)."""
    action: Action | None = None
    text = ""
    if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        text = event.message.text
    if isinstance(event, PostbackEvent):
        parsed = parse_postback(event.postback.data)
        action = parsed if isinstance(parsed, Action) else None
    return Message(
        platform=PLATFORM,
        user_id=user_id,
        text=text,
        channel_id=user_id,
        event_id=event_id(event),
        action=action,
        via=PLATFORM,
    )


def batches(events: Iterable[Event]) -> dict[str, list[Event]]:
    """Events grouped by chat (user or group id), each chat's in their order."""
    grouped: dict[str, list[Event]] = {}
    for event in events:
        key = user_of(event) or in_group(event) or ""
        grouped.setdefault(key, []).append(event)
    return grouped


# ---- the adapter --------------------------------------------------------------------------------


class ChatQueues:
    """Runs work on a thread pool, one job at a time per chat, in the order it was queued.

    Webhook requests are answered at once and handled on worker threads; without this an
    unfollow and the follow that comes right after it, in two requests, could be handled
    the wrong way round. Different chats still run in parallel.
    """

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self._executor = executor
        self._lock = threading.Lock()
        self._waiting: dict[str, deque[Callable[[], None]]] = {}

    def submit(self, chat: str, job: Callable[[], None]) -> None:
        """Queue `job` behind the chat's earlier jobs (start it now if there are none)."""
        with self._lock:
            waiting = self._waiting.get(chat)
            if waiting is not None:
                waiting.append(job)
                return
            self._waiting[chat] = deque()
        self._executor.submit(self._drain, chat, job)

    def _drain(self, chat: str, job: Callable[[], None]) -> None:
        while True:
            try:
                job()
            except Exception:
                log.exception("khui could not finish a line job for chat %s", chat)
            with self._lock:
                waiting = self._waiting[chat]
                if not waiting:
                    del self._waiting[chat]
                    return
                job = waiting.popleft()


class RecentIds:
    """Ids seen by this process (a bounded memory), for dropping redeliveries early."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[str, float] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def claim(self, key: str, *, every: float | None = None) -> bool:
        """True the first time `key` is seen (or when `every` seconds have passed since)."""
        now = time.monotonic()
        with self._lock:
            seen = self._ids.get(key)
            if seen is not None and (every is None or now - seen < every):
                return False
            self._ids[key] = now
            self._ids.move_to_end(key)
            if len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True

    def release(self, key: str) -> None:
        """Forget a key whose handling failed, so LINE's redelivery is handled."""
        with self._lock:
            self._ids.pop(key, None)


class LineAdapter:
    """The webhook route bound to the bot, and the Messaging API client that answers."""

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
        self.parser = WebhookParser(settings.line_channel_secret)
        config = Configuration(
            host=settings.line_api_url.rstrip("/"),
            access_token=settings.line_channel_access_token,
        )
        config.retries = 0  # retries are ours (see `push`), with LINE's retry key
        self.client = ApiClient(config)
        self.api = MessagingApi(self.client)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="khui-line")
        # A person's events are handled one at a time in arrival order, other people's in parallel.
        self._chats = ChatQueues(self._executor)
        self._seen = RecentIds()
        self._groups = RecentIds(size=1000)

    def close(self) -> None:
        """Finish the events already acknowledged, then close the worker threads and sockets."""
        self._executor.shutdown(wait=True)
        self.client.close()
        self.client.rest_client.pool_manager.clear()

    def __enter__(self) -> LineAdapter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- HTTP ------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        """`POST /line/webhook`."""
        return [Route("/line/webhook", self.endpoint, methods=["POST"])]

    async def endpoint(self, request: Request) -> Response:
        """Check the signature on the raw body, queue the events, answer 200 at once."""
        body = await request.body()
        signature = request.headers.get("x-line-signature", "")
        try:
            text = body.decode("utf-8") if signature else ""
            events = self.parser.parse(text, signature) if signature else None
        except (InvalidSignatureError, UnicodeDecodeError):
            events = None
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("line webhook body could not be read: %s", exc)
            return PlainTextResponse("bad request", status_code=400)
        if events is None:
            return PlainTextResponse("invalid signature", status_code=400)
        for chat, batch in batches(events).items():
            self._chats.submit(chat, partial(self.handle_batch, batch))
        return PlainTextResponse("OK")

    # ---- events (worker threads) -------------------------------------------------------------

    def handle_batch(self, events: Sequence[Event]) -> None:
        """Handle one chat's events in order; a failure is logged, never raised."""
        for event in events:
            key = event_id(event)
            if key is not None and not self._seen.claim(key):
                log.info("line event %s already handled", key)
                continue
            try:
                self.handle_event(event)
            except Exception:
                if key is not None:
                    self._seen.release(key)
                log.exception("khui could not handle line event %s", key)
                user = user_of(event)
                token = getattr(event, "reply_token", None)
                if user is not None or token:
                    self.send(Reply(SORRY), token, user, key)

    def handle_event(self, event: Event) -> None:
        """One event: translate it, hand it to the bot, send what the bot answers."""
        if getattr(event, "mode", None) == "standby":
            return  # another channel (a module) owns the chat
        user = user_of(event)
        token = getattr(event, "reply_token", None)
        key = event_id(event)
        group = in_group(event)
        if group is not None:
            if isinstance(event, MessageEvent | PostbackEvent | JoinEvent) and self._groups.claim(
                group, every=GROUP_NOTICE_EVERY
            ):
                self.send(Reply(ONE_TO_ONE_ONLY), token, None, key)
            return
        if user is None:
            return
        if isinstance(event, UnfollowEvent):
            lifecycle.unfollow(self.bot, user, key, event_time(event))
            return
        reply: Reply | None
        if isinstance(event, FollowEvent):
            name = self.display_name(user)
            reply = lifecycle.follow(self.bot, user, name, key, event_time(event))
        elif isinstance(event, MessageEvent):
            reply = self.bot.handle(to_message(event, user))
        elif isinstance(event, PostbackEvent):
            pressed = parse_postback(event.postback.data)
            if pressed is None:
                log.info("line postback %r is not khui's", event.postback.data[:80])
                return
            message = to_message(event, user)
            if isinstance(pressed, str):
                reply = self.bot.run_intent(message, pressed, {})
            else:
                reply = self.bot.handle(message)
        else:
            log.debug("line event %s ignored", type(event).__name__)
            return
        if reply is None:
            log.info("line event %s was a redelivery", key)
            return
        self.send(reply, token, user, key)

    def display_name(self, user_id: str) -> str | None:
        """The follower's LINE display name (None when the profile cannot be read)."""
        try:
            profile = self.api.get_profile(user_id, _request_timeout=self.timeout)
        except (ApiException, HTTPError, OSError) as exc:
            log.warning("line profile of %s unavailable: %s", user_id, exc)
            return None
        return str(profile.display_name) if profile.display_name else None

    # ---- sending -----------------------------------------------------------------------------

    def send(
        self, reply: Reply, reply_token: str | None, user_id: str | None, key: str | None
    ) -> str:
        """Answer with the free reply token; push only when it is missing, expired or used.

        Returns how the answer went out: "reply", "push", "unreachable" or "failed".
        """
        messages = to_line_messages(reply)
        reason = "no_reply_token"
        if reply_token:
            try:
                self.api.reply_message(
                    ReplyMessageRequest(reply_token=reply_token, messages=messages),
                    _request_timeout=self.timeout,
                )
                return "reply"
            except ApiException as exc:
                if not token_refused(exc):
                    log.error("line reply failed: HTTP %s %s", exc.status, _body(exc))
                    return "failed"
                reason = "reply_token_refused"
                log.info("line reply token refused (%s); pushing instead", _body(exc))
            except (HTTPError, OSError) as exc:
                log.error("line reply failed: %s", exc)
                return "failed"
        if user_id is None:
            return "failed"
        retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"khui:line:{key}")) if key else None
        return self.push(user_id, messages, reason, retry_key=retry_key)

    def push(
        self,
        user_id: str,
        messages: list[LineMessage],
        reason: str,
        *,
        retry_key: str | None = None,
    ) -> str:
        """Push to one user unless they unfollowed; retried with one retry key; counted."""
        if not push_quota.reachable(self.bot, user_id):
            log.info("line user %s unfollowed; not pushing", user_id)
            return "unreachable"
        retry_key = retry_key or str(uuid.uuid4())
        request = PushMessageRequest(to=user_id, messages=messages[:MAX_MESSAGES])
        for attempt, delay in enumerate((*self.retry_delays, None), 1):
            try:
                self.api.push_message(
                    request, x_line_retry_key=retry_key, _request_timeout=self.timeout
                )
                break
            except ApiException as exc:
                if exc.status == 409:
                    break  # LINE already accepted this retry key: the push went out
                problem = f"HTTP {exc.status} {_body(exc)}"
                if exc.status is not None and exc.status < 500 and exc.status != 429:
                    log.error("line push to %s refused: %s", user_id, problem)
                    return "failed"
            except (HTTPError, OSError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if delay is None:
                log.error("line push failed after %d attempts: %s", attempt, problem)
                return "failed"
            log.warning("line push attempt %d failed: %s; retrying", attempt, problem)
            time.sleep(delay)
        push_quota.record_push(self.bot, user_id, reason)
        return "push"


def event_time(event: Event) -> datetime | None:
    """When LINE says the event happened (its `timestamp`, milliseconds since the epoch)."""
    stamp = getattr(event, "timestamp", None)
    return datetime.fromtimestamp(stamp / 1000, tz=UTC) if isinstance(stamp, int) else None


def _body(exc: ApiException) -> str:
    raw = exc.body
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
    return text[:200]


def token_refused(exc: ApiException) -> bool:
    """True when LINE refused a reply because its token is invalid, expired or used."""
    return exc.status == 400 and "reply token" in _body(exc).lower()


def routes(bot: Bot, settings: Settings) -> list[BaseRoute]:
    """The LINE routes for `adapters.http.build_app`."""
    return LineAdapter(bot, settings).routes()


# ---- rich menu ----------------------------------------------------------------------------------


class RichMenuImageError(ValueError):
    """The rich menu image is not a PNG or JPEG LINE accepts."""


def image_size(data: bytes) -> tuple[str, int, int]:
    """(content type, width, height) of a PNG or JPEG image."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:2] == b"\xff\xd8":
        at = 2
        while at + 9 < len(data):
            if data[at] != 0xFF:
                at += 1
                continue
            marker = data[at + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                at += 1 if marker == 0xFF else 2
                continue
            (length,) = struct.unpack(">H", data[at + 2 : at + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[at + 5 : at + 9])
                return "image/jpeg", width, height
            at += 2 + length
    raise RichMenuImageError("the rich menu image must be a PNG or JPEG file")


def rich_menu_areas(width: int, height: int) -> list[RichMenuArea]:
    """Five postback buttons: three over two on a tall menu, one row on a compact one."""
    rows = [MENU[:3], MENU[3:]] if height * 2 >= width * 0.9 else [MENU]
    areas = []
    for r, row in enumerate(rows):
        top, bottom = height * r // len(rows), height * (r + 1) // len(rows)
        for c, (intent, label, shown) in enumerate(row):
            left, right = width * c // len(row), width * (c + 1) // len(row)
            bounds = RichMenuBounds(x=left, y=top, width=right - left, height=bottom - top)
            action = PostbackAction(label=label, data=menu_data(intent), display_text=shown)
            areas.append(RichMenuArea(bounds=bounds, action=action))
    return areas


def blob_host(api_host: str) -> str:
    """Where uploads go: LINE's data host for LINE itself, the same address otherwise."""
    return LINE_DATA_HOST if api_host.rstrip("/") == LINE_API_HOST else api_host


def create_rich_menu(settings: Settings, image_path: Path) -> str:
    """Create the khui rich menu, upload its image and make it every user's default."""
    data = Path(image_path).read_bytes()
    kind, width, height = image_size(data)
    if not (800 <= width <= 2500 and height >= 250 and width / height >= 1.45):
        raise RichMenuImageError(
            f"a rich menu image must be 800-2500 px wide, at least 250 px high and at least "
            f"1.45 times as wide as high; this one is {width}x{height}"
        )
    if len(data) > 1024 * 1024:
        raise RichMenuImageError("a rich menu image must be at most 1 MB")
    host = settings.line_api_url.rstrip("/")
    config = Configuration(host=host, access_token=settings.line_channel_access_token)
    blob_config = Configuration(
        host=blob_host(host),
        access_token=settings.line_channel_access_token,
    )
    with ApiClient(config) as client, ApiClient(blob_config) as blob_client:
        try:
            api = MessagingApi(client)
            menu = RichMenuRequest(
                size=RichMenuSize(width=width, height=height),
                selected=True,
                name="khui",
                chat_bar_text="เมนู / Menu",
                areas=rich_menu_areas(width, height),
            )
            menu_id = str(api.create_rich_menu(menu).rich_menu_id)
            MessagingApiBlob(blob_client).set_rich_menu_image(
                menu_id, data, _headers={"Content-Type": kind}
            )
            api.set_default_rich_menu(menu_id)
        finally:
            client.rest_client.pool_manager.clear()
            blob_client.rest_client.pool_manager.clear()
    return menu_id
