"""Report charts: real PNGs of the expected size, drawn with a font that has the Thai glyphs."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from bot import charts
from bot.messages import Chart
from crm_core.reports import Rows, Summary


@dataclass(frozen=True)
class FakePipeline:
    kind: ClassVar[str] = "pipeline"
    columns: ClassVar[tuple[str, ...]] = ("stage", "count", "amount", "weighted")

    def summary(self) -> Summary:
        return [("count", 4)]

    def rows(self) -> Rows:
        return [
            ("lead", 3, Decimal("1200.00"), Decimal("120.00")),
            ("proposal", 1, Decimal("50000.00"), Decimal("25000.00")),
        ]


def test_a_report_chart_shows_its_money_column_in_the_readers_words() -> None:
    chart = charts.chart_for(FakePipeline(), "ไปป์ไลน์ เดือนนี้", "th")
    assert chart is not None
    assert chart.bars == (("ลีด", 1200.0), ("เสนอราคา", 50000.0))
    assert chart.axis == "มูลค่า (฿)"
    english = charts.chart_for(FakePipeline(), "Pipeline", "en")
    assert english is not None and english.bars[0][0] == "lead" and english.axis == "Amount (฿)"


def test_chart_is_a_png_of_the_expected_size() -> None:
    png = Chart("ยอดขาย เดือนนี้", (("สมชาย", 806000.0), ("ณัฐยา", 340000.0)), "มูลค่า (฿)").png()
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG"
    assert image.size == (charts.WIDTH_PX, charts.HEIGHT_PX)


def test_the_font_used_has_the_thai_label_glyphs() -> None:
    cmap = TTFont(charts.font_path()).getBestCmap()
    for text in ("ไปป์ไลน์ เดือนนี้", "ลูกค้าเป้าหมาย", "มูลค่า (฿)", "ต่อรอง"):
        missing = [ch for ch in text if ch != " " and ord(ch) not in cmap]
        assert missing == []


def test_the_value_column_follows_the_report_kind() -> None:
    assert charts.value_column(FakePipeline()) == 2


def test_drawing_thai_with_a_font_that_lacks_it_would_be_noticed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The guard the integration tests rely on: matplotlib warns about tofu, naming the glyph.
    monkeypatch.setattr(charts, "THAI_FAMILY", "DejaVu Sans")
    with pytest.warns(UserWarning, match="missing from font"):
        Chart("ยอดขาย", (("สมชาย", 1.0),), "มูลค่า").png()


def test_chat_start_up_does_not_import_matplotlib() -> None:
    code = (
        "import sys, adapters.cli, adapters.console, adapters.slack, bot.actions, bot.engine; "
        "print(sorted(m for m in ('matplotlib', 'PIL', 'numpy') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
