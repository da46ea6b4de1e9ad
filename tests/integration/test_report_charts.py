"""Every report kind of the demo data draws a chart, with Thai labels for a Thai reader."""

from __future__ import annotations

import io
import warnings
from datetime import UTC, datetime

import pytest
from PIL import Image

from bot import charts
from bot.replies import label
from crm_core import reports
from crm_core.db import Store
from crm_core.demo import seed_demo

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
# Kinds whose bars name things khui translates (the others show people's names or measures).
TRANSLATED = {"pipeline", "tickets", "loyalty", "segments", "customers"}


def thai(text: str) -> bool:
    """Whether `text` has Thai letters (the baht sign alone does not count)."""
    return any("\u0e01" <= ch <= "\u0e5b" and ch != "฿" for ch in text)


@pytest.mark.parametrize("kind", sorted(reports.REPORTS))
def test_each_report_kind_charts_the_demo_data_in_thai(store: Store, kind: str) -> None:
    seed_demo(store.uow, now=NOW)
    with store.uow() as uow:
        report = reports.REPORTS[kind](uow, "this_year", NOW, tz="Asia/Bangkok")
    title = f"{label('report', kind, 'th')} {label('period', 'this_year', 'th')}"
    chart = charts.chart_for(report, title, "th")
    english = charts.chart_for(report, "report", "en")
    assert chart is not None and english is not None and chart.bars
    assert len(chart.bars) == min(len(report.rows()), charts.MAX_BARS)
    assert all(value >= 0 for _, value in chart.bars) and any(v > 0 for _, v in chart.bars)
    # Every bar is named in Thai (the demo's people have Thai names; "-" is nobody).
    assert [name for name, _ in chart.bars if name != "-" and not thai(name)] == []
    assert thai(chart.axis) and not thai(english.axis)
    if kind in TRANSLATED:
        assert not any(thai(name) for name, _ in english.bars)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart.png()
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (charts.WIDTH_PX, charts.HEIGHT_PX)
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 2  # drawn, not blank


def test_a_report_without_rows_has_no_chart(store: Store) -> None:
    with store.uow() as uow:
        report = reports.sales_report(uow, "this_month", NOW)
    assert report.rows() == [] and charts.chart_for(report, "sales", "th") is None
