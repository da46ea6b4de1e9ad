"""Report query and chart times on a store seeded with `khui seed --demo --scale N`.

    python benchmarks/bench_reports.py --scale 100000 --backends sqlite,postgres

Each backend gets a fresh database: a SQLite file in a temporary directory, and the
PostgreSQL database `bench_reports` on the server of KHUI_BENCH_POSTGRES_URL (dropped and
created again). With `--keep` the databases stay (SQLite under `--sqlite-dir`) and a later
run with `--keep` only tops the seed up, so a slow report can be looked at again quickly.

Per report kind and period: the query (report function, summary and rows in a fresh unit
of work), median of `--runs`; the chart's drawing (PNG bytes), median of `--runs` after
one warm-up drawing. The first drawing of a process, which imports matplotlib and loads
the font, is reported once per backend.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.charts import chart_for  # noqa: E402
from bot.replies import label  # noqa: E402
from crm_core import reports  # noqa: E402
from crm_core.db import Store  # noqa: E402
from crm_core.demo import seed_demo  # noqa: E402
from crm_core.migrate import upgrade  # noqa: E402
from crm_core.uow import Actor  # noqa: E402

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
PERIODS = ("this_month", "this_year")
DATABASE = "bench_reports"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Timing:
    """One report kind and period on one backend."""

    backend: str
    kind: str
    period: str
    rows: int
    query_ms: float
    chart_ms: float


def _median_ms(run: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


@contextmanager
def database(backend: str, server: str, sqlite_dir: Path | None, keep: bool) -> Iterator[str]:
    """The URL of the database to seed and query on `backend`."""
    if backend == "sqlite":
        if sqlite_dir is not None:
            sqlite_dir.mkdir(parents=True, exist_ok=True)
            yield f"sqlite:///{sqlite_dir / 'bench_reports.db'}"
            return
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench_reports.db"
        return
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        present = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE})
        if present and not keep:
            conn.execute(text(f'DROP DATABASE "{DATABASE}" WITH (FORCE)'))
        if not present or not keep:
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    try:
        yield make_url(server).set(database=DATABASE).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        admin.dispose()


def bench(
    backend: str, url: str, scale: int, runs: int, first_chart: dict[str, float]
) -> list[Timing]:
    """Seed (or top up) the store at `url`, then time every report kind and its chart."""
    timings: list[Timing] = []
    with Store(url) as store:
        upgrade(store.engine)
        started = time.perf_counter()
        summary = seed_demo(lambda: store.uow(Actor.cli()), scale=scale, now=NOW)
        seeded = time.perf_counter() - started
        print(f"{backend}: {summary.describe()} in {seeded:.0f} s", flush=True)
        for kind, report_of in reports.REPORTS.items():
            for period in PERIODS:

                def query(report_of: reports.ReportFunction = report_of, p: str = period) -> Any:
                    with store.uow() as uow:
                        report = report_of(uow, p, NOW, tz="Asia/Bangkok")
                        report.summary()
                        return report, report.rows()

                report, rows = query()  # warm-up: statement caches, the OS file cache
                query_ms = _median_ms(query, runs)
                title = f"{label('report', kind, 'th')} {label('period', period, 'th')}"
                chart = chart_for(report, title, "th")
                chart_ms = 0.0
                if chart is not None:
                    if not first_chart:
                        began = time.perf_counter()
                        chart.png()
                        first_chart[backend] = (time.perf_counter() - began) * 1000
                    chart.png()
                    chart_ms = _median_ms(chart.png, runs)
                timing = Timing(backend, kind, period, len(rows), query_ms, chart_ms)
                timings.append(timing)
                print(
                    f"  {kind:<13}{period:<12}{len(rows):>4} rows "
                    f"{query_ms:>9.1f} ms query {chart_ms:>7.1f} ms chart",
                    flush=True,
                )
    return timings


def table(timings: list[Timing], backends: list[str]) -> str:
    """A Markdown table: one line per kind and period, query and chart ms per backend."""
    head = "| report | period | " + " | ".join(f"{b} query ms | {b} chart ms" for b in backends)
    lines = [head + " |", "|---|---|" + "---:|---:|" * len(backends)]
    found = {(t.backend, t.kind, t.period): t for t in timings}
    for kind in reports.REPORTS:
        for period in PERIODS:
            cells = []
            for backend in backends:
                t = found.get((backend, kind, period))
                cells += ["-", "-"] if t is None else [f"{t.query_ms:.1f}", f"{t.chart_ms:.0f}"]
            lines.append(f"| {kind} | {period} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="synthetic customers")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--server",
        default=DEFAULT_SERVER,
        help="a PostgreSQL URL on the server to use (its database is not touched)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the seeded databases")
    parser.add_argument("--sqlite-dir", type=Path, help="where the SQLite file lives")
    args = parser.parse_args()
    if args.keep and args.sqlite_dir is None:
        args.sqlite_dir = Path(tempfile.gettempdir()) / "khui-bench-reports"
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    timings: list[Timing] = []
    first_chart: dict[str, float] = {}
    for backend in backends:
        with database(backend, args.server, args.sqlite_dir, args.keep) as url:
            timings += bench(backend, url, args.scale, args.runs, first_chart)
    print(f"\n{args.scale:,} synthetic customers; medians of {args.runs} runs\n")
    print(table(timings, backends))
    for backend, ms in first_chart.items():
        print(f"\nfirst chart of the process ({backend}; imports matplotlib): {ms:.0f} ms")


if __name__ == "__main__":
    main()
