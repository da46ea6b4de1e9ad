"""`khui worker`: deliver the outbox to Slack and LINE, with retries, and run the daily jobs.

Each pass claims a few due rows in a short transaction (PostgreSQL skips rows another worker
has locked; a claim is a lease, so a row whose worker died is taken again later), sends them
outside any transaction, then records the result fenced by the attempt number, so a row is
marked sent once. A failed attempt is retried with exponential backoff; a row that cannot
succeed (a refused recipient, a missing channel) or that failed `max_attempts` times ends as
`failed` with its last error (`khui outbox list --status failed`). LINE pushes and
multicasts carry a retry key derived from the row, so LINE itself drops a repeated request.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    MulticastRequest,
    PushMessageRequest,
)
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from urllib3.exceptions import HTTPError

from adapters.line import MAX_MESSAGES, to_line_messages
from adapters.slack import BLOCK_ERRORS, PERMANENT_ERRORS, fallback_text, to_blocks
from bot import notify, push_quota, schedule
from bot.engine import Bot
from bot.messages import Reply
from bot.replies import say
from bot.settings import Settings
from crm_core.models import OutboxMessage
from crm_core.services import campaigns, handoffs, outbox
from crm_core.services.outbox import Claimed
from crm_core.types import utcnow
from crm_core.uow import Actor, UnitOfWork

log = logging.getLogger("khui.worker")

ACTOR = Actor("worker", "system")


class DeliveryError(Exception):
    """A send that did not happen; `permanent` when trying again cannot help."""

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass
class Tally:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0
    queued: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.lost


class Worker:
    """Delivers outbox rows through the real Slack and LINE clients."""

    def __init__(
        self,
        bot: Bot,
        settings: Settings,
        *,
        batch: int = 20,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 8,
        backoff_base: float = 5.0,
        backoff_cap: float = 3600.0,
        timeout: float = 10.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.batch = batch
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.clock = clock
        self.slack = WebClient(
            token=settings.slack_bot_token,
            base_url=settings.slack_api_url,
            timeout=timeout,  # type: ignore[arg-type]  # urllib takes fractions of a second
            retry_handlers=[],
        )
        config = Configuration(
            host=settings.line_api_url.rstrip("/"),
            access_token=settings.line_channel_access_token,
        )
        config.retries = 0  # the outbox retries, with backoff
        self._line_client = ApiClient(config)
        self.line = MessagingApi(self._line_client)
        self.timeout = timeout

    def close(self) -> None:
        self._line_client.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- passes ----------------------------------------------------------------------------

    def run_due_jobs(self, now: datetime | None = None) -> list[str]:
        """Queue the scheduled jobs that are due (daily digest, tasks due today)."""
        return schedule.run_due(self.bot.store, self.settings, now or self.clock())

    def run_once(self, now: datetime | None = None) -> Tally:
        """Claim and deliver one batch of due rows."""
        tally = Tally()
        with self.bot.store.uow(ACTOR) as uow:
            items = outbox.claim(uow, now=now or self.clock(), limit=self.batch, lease=self.lease)
            uow.commit()
        for item in items:
            outcome = self._attempt(item)
            setattr(tally, outcome, getattr(tally, outcome) + 1)
        return tally

    def drain(self, now: datetime | None = None, *, passes: int = 1000) -> Tally:
        """Run passes until nothing is due (or `passes` ran); the sum of what they did."""
        total = Tally()
        for _ in range(passes):
            tally = self.run_once(now)
            if not tally.handled:
                break
            for name in ("sent", "retried", "failed", "lost"):
                setattr(total, name, getattr(total, name) + getattr(tally, name))
        return total

    def run(self, stop: threading.Event, *, interval: float = 2.0) -> None:
        """Deliver until `stop` is set: due jobs, then every due row, then wait."""
        log.info("khui worker started")
        while not stop.is_set():
            try:
                for line in self.run_due_jobs():
                    log.info("queued %s", line)
                tally = self.drain(passes=50)
                if tally.handled:
                    log.info(
                        "outbox: %d sent, %d to retry, %d failed",
                        tally.sent,
                        tally.retried,
                        tally.failed,
                    )
            except Exception:
                log.exception("outbox pass failed; trying again shortly")
            stop.wait(interval)
        log.info("khui worker stopped")

    # ---- one row ---------------------------------------------------------------------------

    def _attempt(self, item: Claimed) -> str:
        try:
            sent = self.deliver(item)
        except DeliveryError as exc:
            return self._failed(item, str(exc), exc)
        except Exception as exc:  # an unexpected bug must not stop the other rows
            log.exception("outbox row %d (%s) raised", item.id, item.kind)
            return self._failed(item, f"{type(exc).__name__}: {exc}", DeliveryError(str(exc)))
        with self.bot.store.uow(ACTOR) as uow:
            if item.kind == campaigns.KIND:
                _lock_campaign(uow, str(item.payload.get("campaign")))
            if not outbox.mark_sent(uow, item, now=self.clock(), payload=sent):
                log.warning("outbox row %d was delivered after its lease ran out", item.id)
                return "lost"
            self._after_sent(uow, item, sent or item.payload)
            uow.commit()
        return "sent"

    def _failed(self, item: Claimed, error: str, exc: DeliveryError) -> str:
        retry_in: timedelta | None = None
        if not exc.permanent and item.attempt < self.max_attempts:
            retry_in = outbox.backoff(item.attempt, base=self.backoff_base, cap=self.backoff_cap)
            if exc.retry_after:
                retry_in = max(retry_in, timedelta(seconds=exc.retry_after))
        with self.bot.store.uow(ACTOR) as uow:
            status = outbox.mark_failed(uow, item, error, now=self.clock(), retry_in=retry_in)
            uow.commit()
        if status is None:
            return "lost"
        if retry_in is None:
            log.error("outbox row %d (%s) failed for good: %s", item.id, item.kind, error)
            return "failed"
        log.warning(
            "outbox row %d (%s) attempt %d failed: %s; retry in %s",
            item.id,
            item.kind,
            item.attempt,
            error,
            retry_in,
        )
        return "retried"

    def deliver(self, item: Claimed) -> dict[str, Any] | None:
        """Send one row; returns a payload to store with it (None keeps it). Raises
        DeliveryError when the send did not happen."""
        if item.platform == "slack":
            return self._to_slack(item)
        if item.platform == "line":
            return self._to_line(item)
        raise DeliveryError(f"unknown platform {item.platform!r}", permanent=True)

    def _after_sent(self, uow: UnitOfWork, item: Claimed, payload: dict[str, Any]) -> None:
        if item.kind == "handoff_open" and payload.get("ts"):
            handoffs.thread_posted(uow, int(payload["handoff_id"]), str(payload["ts"]))
        elif item.kind == campaigns.KIND:
            _report_campaign(uow, payload)

    # ---- Slack -----------------------------------------------------------------------------

    def _to_slack(self, item: Claimed) -> dict[str, Any] | None:
        payload = item.payload
        thread = payload.get("thread_ts")
        with self.bot.store.uow(ACTOR) as uow:
            if thread is None and item.kind.startswith("handoff_") and item.kind != "handoff_open":
                thread = handoffs.thread_of(uow, int(payload["handoff_id"]))
                if thread is None:
                    raise DeliveryError("the handoff thread is not posted yet")
            reply = notify.render(uow, item.kind, item.target, payload, self.bot.tz)
        blocks = payload.get("blocks") or to_blocks(reply)
        answer = self.slack_call(
            "chat.postMessage",
            channel=item.target,
            text=fallback_text(reply),
            blocks=blocks,
            thread_ts=thread,
            unfurl_links=False,
        )
        if item.kind == "handoff_open":
            return {**payload, "ts": answer.get("ts")}
        return None

    def slack_call(self, method: str, **params: Any) -> dict[str, Any]:
        """One Web API call; raises DeliveryError (permanent or not) when Slack refuses it."""
        params = {k: v for k, v in params.items() if v is not None}
        for _ in range(2):
            try:
                response = self.slack.api_call(method, json=params)
                return dict(response.data) if isinstance(response.data, dict) else {}
            except SlackApiError as exc:
                error = str(exc.response.get("error", "")) if exc.response else ""
                status = exc.response.status_code if exc.response is not None else 0
                if error in BLOCK_ERRORS and "blocks" in params:
                    log.warning("slack %s refused the blocks (%s); sending text", method, error)
                    params.pop("blocks")
                    continue
                headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
                retry_after = headers.get("retry-after") if status == 429 else None
                raise DeliveryError(
                    f"slack {method}: {error or 'error'} (HTTP {status})",
                    permanent=error in PERMANENT_ERRORS and status < 500,
                    retry_after=float(retry_after) if retry_after else None,
                ) from exc
            except (TimeoutError, URLError, ConnectionError, ValueError) as exc:
                raise DeliveryError(f"slack {method}: {type(exc).__name__}: {exc}") from exc
        raise DeliveryError(f"slack {method}: blocks refused")

    # ---- LINE ------------------------------------------------------------------------------

    def _to_line(self, item: Claimed) -> dict[str, Any] | None:
        marketing = item.kind in outbox.MARKETING_KINDS
        multicast = item.target == "multicast"
        wanted = [str(u) for u in item.payload.get("to", [])] if multicast else [item.target]
        with self.bot.store.uow(ACTOR) as uow:
            recipients = notify.line_recipients(uow, wanted, marketing=marketing)
            if not multicast and not recipients:
                raise DeliveryError(
                    "the customer unfollowed the LINE account" + (" or opted out" * marketing),
                    permanent=True,
                )
            reply = notify.render(uow, item.kind, item.target, item.payload, self.bot.tz)
        messages = to_line_messages(Reply(reply.text, reply.lang, reply.cards))[:MAX_MESSAGES]
        retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"khui:outbox:{item.id}"))
        if recipients:
            try:
                if multicast:
                    self.line.multicast(
                        MulticastRequest(to=recipients, messages=messages),
                        x_line_retry_key=retry_key,
                        _request_timeout=self.timeout,
                    )
                else:
                    self.line.push_message(
                        PushMessageRequest(to=recipients[0], messages=messages),
                        x_line_retry_key=retry_key,
                        _request_timeout=self.timeout,
                    )
            except ApiException as exc:
                if exc.status != 409:  # 409: LINE already accepted this retry key
                    raise _line_error(exc) from exc
            except (HTTPError, OSError) as exc:
                raise DeliveryError(f"line: {type(exc).__name__}: {exc}") from exc
            target = "multicast" if multicast else recipients[0]
            push_quota.record_push(self.bot, target, item.kind, len(recipients))
        if multicast:
            return {
                **item.payload,
                "sent": len(recipients),
                "skipped": len(wanted) - len(recipients),
            }
        return None


def _line_error(exc: ApiException) -> DeliveryError:
    raw = exc.body
    body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
    status = exc.status or 0
    return DeliveryError(
        f"line: HTTP {status} {body[:200]}",
        permanent=400 <= status < 500 and status != 429,
    )


def _lock_campaign(uow: UnitOfWork, campaign: str) -> None:
    """Lock all of a campaign's rows in id order, so its last two batches cannot both miss
    (or both send) the report."""
    prefix = f"{campaigns.KIND}:{campaign}:"
    uow.session.execute(
        select(OutboxMessage.id)
        .where(OutboxMessage.dedupe_key.startswith(prefix, autoescape=True))
        .order_by(OutboxMessage.id)
        .with_for_update()
    ).all()


def _report_campaign(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    """Once a campaign's last batch is out, tell whoever sent it how it went."""
    campaign = str(payload.get("campaign"))
    prefix = f"{campaigns.KIND}:{campaign}:"
    uow.session.flush()
    if outbox.pending_with_prefix(uow, prefix) or not payload.get("report_to"):
        return
    rows = uow.session.scalars(
        select(OutboxMessage.payload).where(
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
            OutboxMessage.kind == campaigns.KIND,
        )
    ).all()
    sent = sum(int(p.get("sent", 0)) for p in rows)
    skipped = sum(int(p.get("skipped", 0)) for p in rows)
    lang = str(payload.get("lang") or "th")
    text = say(
        "campaign_report",
        lang,
        segment=payload.get("segment", ""),
        sent=sent,
        batches=len(rows),
        skipped=skipped,
    )
    try:
        with uow.session.begin_nested():
            outbox.enqueue(
                uow,
                kind="campaign_report",
                platform="slack",
                target=str(payload["report_to"]),
                payload={"text": text, "lang": lang},
                dedupe_key=f"{prefix}report",
            )
    except IntegrityError:
        log.info("campaign %s was already reported", campaign)
