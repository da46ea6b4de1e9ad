"""Draw the demo data's sales and pipeline charts (Thai) into docs/, as managers see them."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Store(f"sqlite:///{tmp}/demo.db") as store:
        upgrade(store.engine)  # khui db upgrade
        seed_demo(lambda: store.uow(Actor.cli()), now=NOW)  # khui seed --demo
        with store.uow() as uow:
            for kind in ("sales", "pipeline"):
                report = reports.REPORTS[kind](uow, "this_month", NOW, tz="Asia/Bangkok")
                title = f"{label('report', kind, 'th')} {label('period', 'this_month', 'th')}"
                chart = chart_for(report, title, "th")
                if chart is None:
                    continue
                path = args.out / f"report-{kind}-th.png"
                path.write_bytes(chart.png())
                print(path)


if __name__ == "__main__":
    main()
