"""Benchmark signed Slack DMs through `khui serve` to a fake Slack API, against a bare Bolt echo."""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import shutil
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

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.fake_slack import Call, FakeSlack  # noqa: E402

SECRET = "bench-signing-secret"
USERS = 32
TEXTS = ("Acme Trading", "called Siam Paper, they want a quote")


def signed_dm(user: str, channel: str, text: str) -> tuple[bytes, dict[str, str]]:
    """A DM event as Slack would sign it."""
    body = json.dumps(
        {
            "token": "t",
            "team_id": "T111",
            "api_app_id": "A111",
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex}",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": f"{time.time():.6f}",
            },
        }
    ).encode()
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }
    return body, headers


# ---- the two servers, each in its own process ----------------------------------------------


def serve_echo(port: int) -> None:
    """A bare Bolt app that echoes DMs, on Bolt's own Starlette adapter."""
    import uvicorn
    from slack_bolt import App
    from slack_bolt.adapter.starlette import SlackRequestHandler
    from slack_sdk import WebClient
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    client = WebClient(token="xoxb-bench", base_url=os.environ["KHUI_SLACK_API_URL"])
    app = App(signing_secret=SECRET, client=client)

    @app.event("message")
    def echo(event: dict[str, str]) -> None:
        client.chat_postMessage(channel=event["channel"], text=event["text"])

    handler = SlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    asgi = Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    uvicorn.run(asgi, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextmanager
def server(kind: str, port: int, env: dict[str, str], database_url: str) -> Iterator[str]:
    """Start `khui serve` (kind "khui") or the echo app (kind "echo"); yield its URL."""
    if kind == "khui":
        khui = Path(sys.executable).parent / "khui"
        command = [str(khui), "serve", "--port", str(port), "--db", database_url]
    else:
        command = [sys.executable, __file__, "--serve-echo", str(port)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while not healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    sys.stderr.write(log.read().decode(errors="replace"))
                    raise RuntimeError(f"{kind} server did not start")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def healthy(url: str) -> bool:
    """True when the server answers GET /healthz."""
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


# ---- the databases -------------------------------------------------------------------------


def seed(database_url: str) -> None:
    """Migrate and seed the test world plus bench staff."""
    from crm_core import migrate
    from crm_core.db import Store
    from crm_core.services.staff import add_staff
    from crm_core.uow import Actor
    from tests.e2e.world import build_world

    store = Store(database_url)
    migrate.upgrade(store.engine)
    build_world(store)
    with store.uow(Actor.cli()) as uow:
        for i in range(USERS):
            add_staff(uow, f"U_BENCH_{i:02d}", f"Bench {i}", "sales")
        uow.commit()
    store.dispose()


def psql(sql: str) -> None:
    """Run one statement as the PostgreSQL superuser."""
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
    )


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A scratch database, seeded; removed afterwards."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="khui-bench-")
        url = f"sqlite:///{folder}/bench.db"
        try:
            seed(url)
            yield url
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"khui_bench_{uuid.uuid4().hex[:8]}"
    psql(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        seed(url)
        yield url
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- the measurements ----------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[rank]


def run(
    url: str, fake: FakeSlack, events: int, sequential: int, concurrency: int
) -> dict[str, float]:
    """p50/p99 one at a time, then events/s (and p50/p99) with `concurrency` senders."""
    fake.reset()
    run_id = uuid.uuid4().hex[:6]

    def send(client: httpx.Client, i: int) -> float:
        channel = f"D{run_id}{i:06d}"
        body, headers = signed_dm(f"U_BENCH_{i % USERS:02d}", channel, TEXTS[i % len(TEXTS)])
        started = time.monotonic()
        response = client.post(f"{url}/slack/events", content=body, headers=headers)
        response.raise_for_status()
        return started

    with httpx.Client(timeout=30) as client:
        for i in range(20):  # warm up every user's first turn
            send(client, 900_000 + i)
        fake.wait_for("chat.postMessage", 20, timeout=60)
        fake.reset()
        latencies = []
        for i in range(sequential):
            started = send(client, i)
            call = fake.wait_for("chat.postMessage", i + 1, timeout=30)[i]
            latencies.append(call.at - started)
    fake.reset()
    local = threading.local()
    clients: list[httpx.Client] = []

    def send_one(i: int) -> float:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=30)
            clients.append(local.client)
        return send(local.client, 100_000 + i)

    began = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        starts = list(pool.map(send_one, range(events)))
    expected = {f"D{run_id}{100_000 + i:06d}" for i in range(events)}

    def arrived(calls: list[Call]) -> bool:
        return expected <= {c.params.get("channel") for c in calls}

    fake.wait_until(arrived, timeout=300)
    for c in clients:
        c.close()
    by_channel: dict[str, float] = {}
    for call in fake.of("chat.postMessage"):
        by_channel.setdefault(call.params["channel"], call.at)
    finished = max(by_channel.values())
    duplicates = len(fake.of("chat.postMessage")) - len(by_channel)
    loaded = [by_channel[f"D{run_id}{100_000 + i:06d}"] - s for i, s in enumerate(starts)]
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "events_per_s": events / (finished - began),
        "loaded_p50_ms": statistics.median(loaded) * 1000,
        "loaded_p99_ms": percentile(loaded, 99) * 1000,
        "duplicate_posts": duplicates,
    }


def main() -> None:
    """Measure khui on each backend and the echo app; print a table and JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000, help="events in the throughput run")
    parser.add_argument("--sequential", type=int, default=300, help="events for p50/p99")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--serve-echo", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_echo:
        serve_echo(args.serve_echo)
        return
    results: dict[str, dict[str, float]] = {}
    with FakeSlack() as fake:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "KHUI_SLACK_API_URL": fake.base_url,
            "LINE_CHANNEL_SECRET": "",
        }
        with server("echo", args.port, env, "") as url:
            results["bolt echo"] = run(url, fake, args.events, args.sequential, args.concurrency)
        for backend in args.backends.split(","):
            with database(backend) as db, server("khui", args.port, env, db) as url:
                numbers = run(url, fake, args.events, args.sequential, args.concurrency)
                results[f"khui {backend}"] = numbers
    echo = results["bolt echo"]
    print(
        f"p50/p99: one event at a time ({args.sequential}); events/s: {args.events} events from"
        f" {args.concurrency} senders; @sat: latency while saturated (mostly queueing)."
    )
    print(
        f"{'':14} {'p50 ms':>8} {'p99 ms':>8} {'events/s':>9} {'p50@sat':>9} {'p99@sat':>9}"
        f" {'p50 x echo':>10} {'echo ev/s x':>11}"
    )
    for name, r in results.items():
        print(
            f"{name:14} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['events_per_s']:9.0f}"
            f" {r['loaded_p50_ms']:9.1f} {r['loaded_p99_ms']:9.1f}"
            f" {r['p50_ms'] / echo['p50_ms']:10.1f}"
            f" {echo['events_per_s'] / r['events_per_s']:11.1f}"
        )
    for name, r in results.items():
        print(json.dumps({"run": name, **{k: round(v, 2) for k, v in r.items()}}))


if __name__ == "__main__":
    main()
