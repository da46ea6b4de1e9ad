"""Benchmark the LINE webhook: signed POST to the fake LINE API's reply, SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the fake server lives in tests/e2e

import httpx  # noqa: E402

from adapters.http import build_app  # noqa: E402
from adapters.line import LineAdapter  # noqa: E402
from bot.engine import Bot  # noqa: E402
from bot.settings import Settings  # noqa: E402
from crm_core import migrate  # noqa: E402
from crm_core.db import Store  # noqa: E402
from crm_core.models import LedgerKind  # noqa: E402
from crm_core.services import knowledge, loyalty, orders  # noqa: E402
from crm_core.services.customers import CustomerInput, create_customer  # noqa: E402
from crm_core.uow import Actor  # noqa: E402
from tests.e2e.fake_line import ACCESS_TOKEN, FakeLine  # noqa: E402
from tests.e2e.fake_slack import serve  # noqa: E402

SECRET = "khui-bench-line-secret"
TEXTS = ("มีแต้มกี่แต้มคะ", "ORD-{n} ส่งถึงไหนแล้ว", "สวัสดีค่ะ", "ร้านเปิดกี่โมงคะ")
PG = ("-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc")


def seed(store: Store, users: int) -> None:
    """Linked LINE customers with points and one shipped order each, and one FAQ."""
    with store.uow(Actor.cli()) as uow:
        for n in range(users):
            customer = create_customer(
                uow,
                CustomerInput(
                    name=f"Bench Customer {n}",
                    phone=f"08{n:08d}",
                    line_user_id=f"U_BENCH_{n:05d}",
                ),
            )
            uow.session.flush()
            order, _ = orders.upsert_order(
                uow,
                f"ORD-{5000 + n}",
                customer,
                status="paid",
                total="990",
                placed_at=None,
                carrier=None,
                tracking_number=None,
            )
            orders.change_order_status(
                uow, order, "shipped", carrier="Kerry Express", tracking_number=f"KE{n:06d}"
            )
            loyalty.earn_points(
                uow, customer.id, 100 + n, reason="opening", kind=LedgerKind.OPENING
            )
        knowledge.upsert_entry(
            uow,
            "hours",
            ["ร้านเปิดกี่โมง", "what are your opening hours"],
            "ร้านเปิดทุกวัน 9:00-18:00",
            "We are open every day 9:00-18:00.",
        )
        uow.commit()


def webhook(n: int, users: int) -> tuple[bytes, str]:
    """A signed one-event webhook body from bench user n, and its reply token."""
    user = n % users
    text = TEXTS[n % len(TEXTS)].format(n=5000 + user)
    token = uuid.uuid4().hex
    event = {
        "replyToken": token,
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": f"U_BENCH_{user:05d}"},
        "webhookEventId": f"01BENCH{uuid.uuid4().hex[:20].upper()}",
        "deliveryContext": {"isRedelivery": False},
        "message": {"id": str(n), "type": "text", "text": text, "quoteToken": "q"},
    }
    body = json.dumps({"destination": "U123", "events": [event]}).encode()
    return body, token


def sign(body: bytes) -> str:
    """X-Line-Signature of a body."""
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


class Replies:
    """Arrival times of the fake API's replies, by reply token."""

    def __init__(self, fake: FakeLine) -> None:
        self.fake = fake

    def wait(self, tokens: set[str], timeout: float = 120.0) -> dict[str, float]:
        """Block until every token has been replied to; their arrival times."""
        deadline = time.monotonic() + timeout
        while True:
            arrived = {
                str(c.body.get("replyToken")): c.at
                for c in self.fake.of("reply")
                if c.body.get("replyToken") in tokens and c.status == 200
            }
            if len(arrived) == len(tokens):
                return arrived
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(tokens) - len(arrived)} replies missing")
            time.sleep(0.002)


def run(url: str, label: str, *, users: int, sequential: int, burst: int, clients: int) -> Any:
    """Latency one event at a time, then throughput of a concurrent burst."""
    store = Store(url)
    migrate.upgrade(store.engine)
    seed(store, users)
    bot = Bot(store)
    bot.parse("สวัสดี hello")  # warm the tokeniser and the customer-name index
    with FakeLine() as fake:
        settings = Settings(
            line_channel_secret=SECRET,
            line_channel_access_token=ACCESS_TOKEN,
            line_api_url=fake.base_url,
            slack_signing_secret="",
        )
        app = build_app(bot, settings)
        route = next(r for r in app.routes if getattr(r, "path", "") == "/line/webhook")
        adapter: LineAdapter = route.endpoint.__self__  # type: ignore[attr-defined]
        replies = Replies(fake)
        try:
            with serve(app) as base, httpx.Client(base_url=base, timeout=30) as http:

                def post(body: bytes) -> float:
                    started = time.monotonic()
                    response = http.post(
                        "/line/webhook", content=body, headers={"X-Line-Signature": sign(body)}
                    )
                    assert response.status_code == 200, response.text
                    return started

                for n in range(20):  # warm-up
                    body, token = webhook(n, users)
                    post(body)
                    replies.wait({token})
                latencies, acks = [], []
                for n in range(sequential):
                    body, token = webhook(n, users)
                    started = post(body)
                    acks.append(time.monotonic() - started)
                    latencies.append(replies.wait({token})[token] - started)

                bodies = [webhook(n, users) for n in range(burst)]
                lock = threading.Lock()
                queue = iter(bodies)

                def client() -> None:
                    while True:
                        with lock:
                            item = next(queue, None)
                        if item is None:
                            return
                        post(item[0])

                started = time.monotonic()
                with ThreadPoolExecutor(clients) as pool:
                    for _ in range(clients):
                        pool.submit(client)
                arrived = replies.wait({token for _body, token in bodies})
                elapsed = max(arrived.values()) - started
        finally:
            adapter.close()
    store.dispose()
    ms = [x * 1000 for x in latencies]
    return {
        "backend": label,
        "events": sequential,
        "reply_p50_ms": round(statistics.median(ms), 1),
        "reply_p99_ms": round(percentile(ms, 99), 1),
        "ack_p50_ms": round(statistics.median(a * 1000 for a in acks), 1),
        "ack_p99_ms": round(percentile([a * 1000 for a in acks], 99), 1),
        "burst_events": burst,
        "burst_clients": clients,
        "events_per_s": round(burst / elapsed, 1),
    }


@contextmanager
def postgres_database() -> Iterator[str]:
    """A scratch PostgreSQL database (psql -h 127.0.0.1 -U postgres), dropped afterwards."""
    name = f"khui_bench_line_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", *PG, f'CREATE DATABASE "{name}"'], check=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        subprocess.run(["psql", *PG, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


def main() -> None:
    """Print one JSON line per backend."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--events", type=int, default=500, help="sequential events")
    parser.add_argument("--burst", type=int, default=1000, help="concurrent events")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    sizes = {
        "users": args.users,
        "sequential": args.events,
        "burst": args.burst,
        "clients": args.clients,
    }
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run(f"sqlite:///{tmp}/bench.db", "sqlite", **sizes)), flush=True)
    if args.backend in ("postgres", "both"):
        with postgres_database() as url:
            print(json.dumps(run(url, "postgresql", **sizes)), flush=True)


if __name__ == "__main__":
    main()
