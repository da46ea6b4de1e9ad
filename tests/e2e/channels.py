"""Both channels at once: one app serving Slack and LINE, their fakes, and the outbox worker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import delete, select

from adapters.http import build_app
from adapters.worker import Tally, Worker
from bot.settings import Settings
from crm_core.models import OutboxMessage
from crm_core.types import utcnow
from tests.e2e.fake_line import ACCESS_TOKEN, FakeLine
from tests.e2e.fake_slack import FakeSlack, serve
from tests.e2e.test_line import SECRET as LINE_SECRET
from tests.e2e.test_line import LineWorld, line_adapter
from tests.e2e.test_slack import SECRET as SLACK_SECRET
from tests.e2e.test_slack import SlackWorld, slack_adapter
from tests.e2e.world import World

SUPPORT = "C_SUPPORT"
MANAGERS = "C_MANAGERS"


class Clock:
    """The worker's clock: real time plus what the test skipped (backoff without sleeping)."""

    def __init__(self) -> None:
        self.skipped = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.skipped

    @property
    def now(self) -> datetime:
        return self()

    def advance(self, seconds: float) -> datetime:
        self.skipped += timedelta(seconds=seconds)
        return self.now


@dataclass
class Bridge:
    """A customer on LINE, staff in Slack, one app serving both, and a worker."""

    world: World
    line: LineWorld
    slack: SlackWorld
    worker: Worker
    clock: Clock
    settings: Settings

    def deliver(self) -> int:
        """Deliver everything due now; how many rows went out."""
        return self.drain().sent

    def drain(self) -> Tally:
        return self.worker.drain()

    def rows(self, kind: str | None = None) -> list[OutboxMessage]:
        with self.world.store.uow() as uow:
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            if kind is not None:
                query = query.where(OutboxMessage.kind == kind)
            found = uow.session.scalars(query).all()
            uow.session.expunge_all()
            return list(found)

    def wait_rows(self, kind: str, count: int, timeout: float = 10.0) -> list[OutboxMessage]:
        """Block until `count` outbox rows of `kind` exist (events run after the ack)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.rows(kind)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} x {kind} not queued; got {len(found)}")
            time.sleep(0.05)

    def staff_says(self, user: str, thread_ts: str, text: str) -> None:
        """A staff member posts in a thread of the support channel."""
        now = f"{time.time():.6f}"
        event = {
            "type": "message",
            "channel_type": "channel",
            "channel": SUPPORT,
            "user": user,
            "text": text,
            "ts": now,
            "event_ts": now,
            "thread_ts": thread_ts,
        }
        assert self.slack.event(event).status_code == 200


@contextmanager
def open_bridge(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bridge]:
    """Start the fakes, the app and a worker; the seed's own notifications are dropped."""
    with world.store.uow() as uow:
        uow.session.execute(delete(OutboxMessage))
        uow.commit()
    with FakeSlack() as fake_slack, FakeLine() as fake_line:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-khui-test")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SLACK_SECRET)
        monkeypatch.setenv("KHUI_SLACK_API_URL", fake_slack.base_url)
        monkeypatch.setenv("LINE_CHANNEL_SECRET", LINE_SECRET)
        monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", ACCESS_TOKEN)
        monkeypatch.setenv("KHUI_LINE_API_URL", fake_line.base_url)
        monkeypatch.setenv("KHUI_SUPPORT_CHANNEL", SUPPORT)
        monkeypatch.setenv("KHUI_MANAGER_CHANNEL", MANAGERS)
        settings = Settings()
        world.bot.support_channel = settings.support_channel
        world.bot.manager_channel = settings.manager_channel
        app = build_app(world.bot, settings)
        slack, line = slack_adapter(app), line_adapter(app)
        slack.retry_delays = line.retry_delays = (0.01, 0.02)
        clock = Clock()
        worker = Worker(world.bot, settings, clock=clock, timeout=2.0)
        try:
            with serve(app) as url, httpx.Client(base_url=url, timeout=10) as http:
                yield Bridge(
                    world,
                    LineWorld(world, fake_line, line, http),
                    SlackWorld(world, fake_slack, slack, http),
                    worker,
                    clock,
                    settings,
                )
        finally:
            slack.close()
            line.close()
            worker.close()
