"""Report charts: which figure of a report is drawn, in the reader's words, and the drawing.

Drawing uses matplotlib headless (Agg) with the Noto Sans Thai font that ships inside the
`fontpkg-noto-sans-thai` package, so Thai labels render without any download. matplotlib
is imported on the first drawing only, so chat start-up does not pay for it.
"""

from __future__ import annotations

import io
import threading
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from bot.messages import Chart
from bot.replies import label, say
from crm_core.reports import Cell, Report

THAI_FAMILY = "Noto Sans Thai"
WIDTH_PX = 960
HEIGHT_PX = 540
DPI = 96
MAX_BARS = 15
BAR_COLOUR = "#2f6f9f"
# The figure a chart shows, per report kind.
VALUE_COLUMN: dict[str, str] = {
    "sales": "amount",
    "pipeline": "amount",
    "tickets": "backlog",
    "loyalty": "members",
    "interactions": "count",
    "customers": "count",
    "segments": "customers",
    "top_customers": "amount",
}
# Row keys that are names of things the reader sees translated (stage, tier, ...).
LABEL_GROUPS: dict[str, str] = {
    "stage": "stage",
    "tier": "tier",
    "segment": "segment",
    "priority": "priority",
    "type": "interaction",
    "measure": "rs",
}
_DRAWING = threading.Lock()  # matplotlib's font cache is not thread-safe


def _number(cell: Cell) -> float | None:
    if isinstance(cell, bool) or cell is None or isinstance(cell, str):
        return None
    return float(Decimal(cell))


def value_column(report: Report) -> int:
    """The index of the column a report's chart shows."""
    wanted = VALUE_COLUMN.get(report.kind)
    if wanted in report.columns:
        return report.columns.index(wanted)
    for index, _ in enumerate(report.columns):
        if any(_number(row[index]) is not None for row in report.rows()):
            return index
    raise ValueError(f"report {report.kind!r} has no numeric column")


def _bar_label(report: Report, row: tuple[Cell, ...], upto: int, lang: str) -> str:
    """The words for one bar: its key cells, translated where they name a thing."""
    parts = []
    for column, cell in zip(report.columns[:upto], row[:upto], strict=False):
        if not isinstance(cell, str):
            continue
        group = LABEL_GROUPS.get(column)
        if report.kind == "interactions" and column == "group":
            continue  # "type" / "rep": the key says it
        if report.kind == "interactions" and column == "key" and row[0] == "type":
            group = "interaction"
        parts.append(label(group, cell, lang) if group else cell)
    return " / ".join(parts) or "-"


def chart_for(report: Report, title: str, lang: str) -> Chart | None:
    """The chart of a report for a reader of `lang`; None when it has no rows."""
    rows = report.rows()
    if not rows:
        return None
    index = value_column(report)
    bars = tuple(
        (_bar_label(report, row, index, lang), _number(row[index]) or 0.0)
        for row in rows[:MAX_BARS]
    )
    column = report.columns[index]
    axis = say(f"axis.{column}", lang) if f"axis.{column}" in _known_keys(lang) else column
    if column in ("amount", "monetary", "weighted"):
        axis = f"{axis} (฿)"
    return Chart(title, bars, axis, filename=f"khui-{report.kind}.png")


@cache
def _known_keys(lang: str) -> frozenset[str]:
    from bot.replies import templates

    return frozenset(templates(lang))


@cache
def font_path() -> Path:
    """The Thai-capable font file shipped inside the installed font package."""
    import fontpkg_noto_sans_thai

    root = Path(fontpkg_noto_sans_thai.__file__).parent
    fonts = sorted(p for p in root.rglob("*") if p.suffix.lower() in {".ttf", ".otf"})
    if not fonts:
        raise RuntimeError(f"no font file under {root}")
    regular = [p for p in fonts if "regular" in p.name.lower()]
    return (regular or fonts)[0]


@cache
def _matplotlib() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    font_manager.fontManager.addfont(str(font_path()))
    return Figure


def render(chart: Chart) -> bytes:
    """Draw a chart as a horizontal bar chart; the PNG bytes."""
    with _DRAWING:
        figure_class = _matplotlib()
        figure = figure_class(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        axes = figure.add_subplot()
        font = {"family": [THAI_FAMILY, "DejaVu Sans"]}
        names = [name for name, _ in chart.bars]
        values = [value for _, value in chart.bars]
        positions = list(range(len(values)))
        axes.barh(positions, values, color=BAR_COLOUR)
        axes.set_yticks(positions, names, fontdict=font)
        axes.invert_yaxis()
        axes.set_title(chart.title, fontdict=font)
        axes.set_xlabel(chart.axis, fontdict=font)
        axes.ticklabel_format(axis="x", style="plain", useOffset=False)
        axes.xaxis.set_major_formatter("{x:,.0f}")
        for position, value in zip(positions, values, strict=True):
            axes.annotate(
                f"{value:,.0f}",
                (value, position),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
