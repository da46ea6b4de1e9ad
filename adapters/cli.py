"""Command line: the composition root (`khui ...`)."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import make_url

from bot.settings import Settings
from crm_core import csvio, migrate
from crm_core.db import Store
from crm_core.errors import DomainError, ImportFailed
from crm_core.services import staff as staff_svc
from crm_core.uow import Actor

if TYPE_CHECKING:
    from intents import ParseContext

app = typer.Typer(help="khui: chat-native CRM assistant for Thai businesses.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
staff_app = typer.Typer(help="Map Slack users to staff members.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(staff_app, name="staff")
line_app = typer.Typer(help="LINE Official Account set-up.", no_args_is_help=True)
outbox_app = typer.Typer(help="Queued notifications (for admins).", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(bench_app, name="bench")
app.add_typer(line_app, name="line")

out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: KHUI_DATABASE_URL).")
]


def _store(db: str | None) -> Store:
    return Store(db or Settings().database_url)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Migrate the database to the latest schema."""
    with _store(db) as store:
        migrate.upgrade(store.engine)
        out.print(f"database at revision {migrate.current(store.engine)}")


def _seed(store: Store, scale: int | None) -> None:
    from crm_core.demo import seed_demo

    started = time.perf_counter()
    if scale:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as progress:
            task = progress.add_task("customers", total=scale)
            summary = seed_demo(
                lambda: store.uow(Actor.cli()),
                scale=scale,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    else:
        summary = seed_demo(lambda: store.uow(Actor.cli()))
    elapsed = time.perf_counter() - started
    out.print(f"{summary.describe()} in {elapsed:.1f} s")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo data set.")] = False,
    scale: Annotated[
        int | None, typer.Option("--scale", min=1, help="Also make N synthetic customers.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Load demo data (migrates first)."""
    if not demo:
        raise _fail("nothing to seed: pass --demo", 2)
    with _store(db) as store:
        migrate.upgrade(store.engine)
        _seed(store, scale)


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help="customers, orders or deals")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    db: DbOption = None,
) -> None:
    """Import a CSV file: every row is checked first, then all are written or none."""
    try:
        with _store(db) as store, file.open(encoding="utf-8-sig", newline="") as stream:
            result = csvio.import_csv(store.uow(Actor.cli()), kind, stream)
    except ImportFailed as exc:
        for line in csvio.iter_problems(exc):
            err.print(line, highlight=False, markup=False)
        err.print("nothing was imported")
        raise typer.Exit(1) from exc
    except DomainError as exc:
        raise _fail(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise _fail(f"{file} is not UTF-8 text") from exc
    out.print(f"{result.kind}: {result.created} created, {result.updated} updated")


@app.command("export")
def export_(
    kind: Annotated[
        str, typer.Argument(help="customers, orders, deals, interactions, tickets or ledger")
    ],
    db: DbOption = None,
) -> None:
    """Print every row of KIND as CSV on stdout."""
    if kind not in csvio.EXPORT_KINDS:
        raise _fail(f"cannot export {kind!r}; use one of {', '.join(csvio.EXPORT_KINDS)}", 2)
    with _store(db) as store:
        csvio.export_csv(store.uow(Actor.cli()), kind, sys.stdout)


@staff_app.command("add")
def staff_add(
    slack_id: Annotated[str, typer.Option("--slack-id", help="Slack user id, e.g. U012AB3CD")],
    name: Annotated[str, typer.Option("--name")],
    role: Annotated[str, typer.Option("--role", help="sales, support, manager or admin")],
    db: DbOption = None,
) -> None:
    """Map a Slack user to a staff member (updates an existing mapping)."""
    try:
        with _store(db) as store, store.uow(Actor.cli()) as uow:
            member = staff_svc.add_staff(uow, slack_id, name, role)
            uow.commit()
    except DomainError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"{member.slack_user_id}: {member.name} ({member.role.value})")


@staff_app.command("list")
def staff_list(db: DbOption = None) -> None:
    """List staff members."""
    table = Table("slack id", "name", "role", "active")
    with _store(db) as store, store.uow(Actor.cli()) as uow:
        for member in staff_svc.list_staff(uow):
            table.add_row(
                member.slack_user_id,
                member.name,
                member.role.value,
                "yes" if member.active else "no",
            )
    out.print(table)


@outbox_app.command("list")
def outbox_list(
    status: Annotated[
        str | None,
        typer.Option("--status", help="pending, sent, failed or cancelled (default: all)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    db: DbOption = None,
) -> None:
    """The newest notifications with their status, attempts and last error."""
    from crm_core.models import OutboxStatus
    from crm_core.services import outbox

    if status is not None and status not in {s.value for s in OutboxStatus}:
        raise _fail(f"unknown status {status!r}: use pending, sent, failed or cancelled", 2)
    table = Table("id", "kind", "to", "status", "attempts", "next attempt / sent", "last error")
    with _store(db) as store, store.uow(Actor.cli()) as uow:
        for row in outbox.listing(uow, status=status, limit=limit):
            when = row.sent_at if row.sent_at is not None else row.next_attempt_at
            table.add_row(
                str(row.id),
                row.kind,
                f"{row.platform}:{row.target}",
                row.status.value,
                str(row.attempts),
                when.strftime("%Y-%m-%d %H:%M:%S"),
                (row.last_error or "")[:80],
            )
        tally = outbox.counts(uow)
    out.print(table)
    out.print(", ".join(f"{n} {name}" for name, n in tally.items()))


@outbox_app.command("retry")
def outbox_retry(
    ids: Annotated[list[int], typer.Argument(help="Ids of failed rows to send again.")],
    db: DbOption = None,
) -> None:
    """Queue failed notifications again (after fixing what made them fail)."""
    from crm_core.services import outbox
    from crm_core.types import utcnow

    with _store(db) as store, store.uow(Actor.cli()) as uow:
        count = outbox.retry_failed(uow, ids, now=utcnow())
        uow.commit()
    out.print(f"{count} queued again")


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is due now, then exit.")
    ] = False,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between passes.")] = 2.0,
    db: DbOption = None,
) -> None:
    """Deliver queued notifications (outbox) and queue the scheduled daily jobs."""
    import logging
    import signal
    import threading

    from adapters.worker import Worker
    from bot.bootstrap import build_bot

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings()
    bot = build_bot(settings, database_url=db)
    with Worker(bot, settings) as delivery:
        if once:
            queued = delivery.run_due_jobs()
            tally = delivery.drain()
            out.print(
                f"{len(queued)} jobs queued; {tally.sent} sent, {tally.retried} to retry, "
                f"{tally.failed} failed"
            )
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            delivery.run(stop, interval=interval)
        except KeyboardInterrupt:
            stop.set()


def _parse_context(now: str | None, db: str | None) -> ParseContext:
    from crm_core.services.customers import iter_customer_names
    from intents import CustomerIndex, CustomerName, ParseContext

    settings = Settings()
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and moment.tzinfo is None:
        from zoneinfo import ZoneInfo

        moment = moment.replace(tzinfo=ZoneInfo(settings.timezone))
    index = None
    if db:
        # a database never migrated holds no customers to read: say so, and create no file
        missing = f"{db} holds no khui database: run `khui db upgrade --db {db}` first"
        url = make_url(db)
        file = url.database if url.get_backend_name() == "sqlite" else None
        if file not in (None, "", ":memory:") and not Path(str(file)).exists():
            raise _fail(missing)
        with Store(db) as store:
            if migrate.current(store.engine) is None:
                raise _fail(missing)
            with store.uow() as uow:
                index = CustomerIndex.build(
                    CustomerName(row.id, row.name, row.aliases) for row in iter_customer_names(uow)
                )
    return ParseContext(now=moment, timezone=settings.timezone, customers=index)


@app.command()
def parse(
    text: Annotated[str | None, typer.Argument(help="Message; omit to read stdin lines.")] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="ISO 8601 time that relative dates use.")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Resolve customers against this database.")
    ] = None,
) -> None:
    """Parse messages and print one JSON object per line."""
    from intents import parse as parse_text

    context = _parse_context(now, db)
    lines = [text] if text is not None else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        if line.strip():
            result = parse_text(line, context)
            sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")


@app.command("eval")
def eval_(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    now: Annotated[str | None, typer.Option("--now")] = None,
) -> None:
    """Score the parser on labelled JSONL files (accuracy, per-intent P/R, out_of_scope)."""
    from intents.evaluation import evaluate

    context = _parse_context(now, None)
    for path in files:
        out.rule(str(path))
        out.print(evaluate(path, context).render(), highlight=False, markup=False)


@bench_app.command("parse")
def bench_parse(
    customers: Annotated[list[int] | None, typer.Option("--customers")] = None,
    messages: Annotated[int, typer.Option("--messages")] = 2000,
) -> None:
    """Parse latency (p50/p99) and resolver cost with 1,000 and 100,000 customers."""
    from intents.bench import bench_parse as run

    table = Table("customers", "metric", "value")
    for n in customers or [1000, 100_000]:
        for metric, value in run(n, messages).items():
            table.add_row(f"{n:,}", metric, f"{value:,.3f}")
    out.print(table)


@app.command()
def chat(
    as_: Annotated[
        str, typer.Option("--as", help="staff:SLACK_ID or customer:LINE_ID")
    ] = "staff:U_DEMO_SALES",
    db: DbOption = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="One JSON object per line (default off a terminal).")
    ] = False,
) -> None:
    """Chat with the real bot in the terminal (reads stdin lines when not a terminal)."""
    from adapters.console import parse_identity, run_chat

    try:
        parse_identity(as_)
    except ValueError as exc:
        raise _fail(str(exc), 2) from exc
    run_chat(db, as_, jsonl=jsonl)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    socket_mode: Annotated[
        bool, typer.Option("--socket-mode", help="Slack over Socket Mode (SLACK_APP_TOKEN).")
    ] = False,
    db: DbOption = None,
    with_worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Also deliver queued notifications in this process (off when `khui worker` runs).",
        ),
    ] = True,
) -> None:
    """HTTP server: POST /slack/events, POST /line/webhook, GET /healthz."""
    import threading

    from bot.bootstrap import build_bot

    settings = Settings()
    bot = build_bot(settings, database_url=db)
    if with_worker:
        from adapters.worker import Worker

        stop = threading.Event()
        delivery = Worker(bot, settings)
        threading.Thread(target=delivery.run, args=(stop,), name="khui-worker", daemon=True).start()
    if socket_mode:
        from adapters.slack import run_socket_mode

        if not settings.slack_app_token:
            raise _fail("--socket-mode needs SLACK_APP_TOKEN", 2)
        run_socket_mode(bot, settings)
        return
    import uvicorn

    from adapters.http import build_app

    uvicorn.run(build_app(bot, settings), host=host, port=port)


@line_app.command("richmenu")
def line_richmenu(
    image: Annotated[Path, typer.Option("--image", exists=True, dir_okay=False)],
) -> None:
    """Create the default rich menu (Orders, Points, Rewards, Help, Talk to staff) and set it."""
    from adapters.line import create_rich_menu

    settings = Settings()
    if not settings.line_channel_access_token:
        raise _fail("LINE_CHANNEL_ACCESS_TOKEN is not set", 2)
    menu_id = create_rich_menu(settings, image)
    out.print(f"rich menu {menu_id} created and set as default")


@line_app.command("usage")
def line_usage(
    month: Annotated[
        str | None, typer.Option("--month", help="YYYY-MM (default: the current month).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Push and multicast requests of a month and the messages LINE bills for them."""
    from datetime import datetime

    from bot import push_quota
    from bot.engine import Bot

    settings = Settings()
    with _store(db) as store:
        bot = Bot(store, timezone=settings.timezone)
        moment = bot.clock().astimezone(bot.tz)
        if month is not None:
            try:
                moment = datetime.strptime(month, "%Y-%m").replace(day=15, tzinfo=bot.tz)
            except ValueError:
                raise _fail(f"--month {month!r}: use YYYY-MM", 2) from None
        requests = push_quota.pushes_in_month(bot, moment)
        billed = push_quota.messages_in_month(bot, moment)
    out.print(f"{moment:%Y-%m}: {requests:,} push/multicast requests, {billed:,} messages billed")


@app.command()
def demo(db: DbOption = None) -> None:
    """Create ./khui.db if missing, migrate, seed the demo data once, and open the chat."""
    with _store(db) as store:
        migrate.upgrade(store.engine)
        _seed(store, None)
        url = store.url
    from adapters.console import run_demo

    run_demo(url)


def main() -> None:
    """Entry point of the `khui` console script."""
    app()
