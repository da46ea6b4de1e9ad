"""Reply texts and the words answers are read by, per language (kept as data), and Thai/English
formatting of money and dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pythainlp.util import thai_strftime

HERE = Path(__file__).parent
LANGS = ("th", "en")


@cache
def templates(lang: str) -> dict[str, str]:
    """All reply templates of one language."""
    with (HERE / f"{lang}.yaml").open(encoding="utf-8") as fh:
        data: dict[str, str] = yaml.safe_load(fh)
    return data


@cache
def word_lists(lang: str) -> dict[str, list[str]]:
    """All word lists of one language that the bot reads answers by (`<lang>.words.yaml`)."""
    with (HERE / f"{lang}.words.yaml").open(encoding="utf-8") as fh:
        data: dict[str, list[str]] = yaml.safe_load(fh)
    return data


def words(key: str) -> tuple[str, ...]:
    """One word list in every language: an answer may come in either, whatever the
    conversation's language ("the same one" in a Thai chat)."""
    return tuple(w for lang in LANGS for w in word_lists(lang).get(key, ()))


def reply_lang(parsed_lang: str | None, fallback: str = "th") -> str:
    """Thai when the message is Thai or mixed, English when it is English."""
    if parsed_lang == "en":
        return "en"
    if parsed_lang in ("th", "mix"):
        return "th"
    return fallback


_FIELD_BEFORE_STOP = re.compile(r"\{(\w+)\}\.")


def say(key: str, lang: str, **values: Any) -> str:
    """The template `key` in `lang`, filled with values.

    A count of one takes the language's singular form, `key.one`, where it has one ("1
    customer"). A value that already ends a sentence ("Siam Paper Co.") takes the template's
    full stop.
    """
    table = templates(lang)
    template = table.get(f"{key}.one", table[key]) if values.get("count") == 1 else table[key]
    if "." in template:
        template = _FIELD_BEFORE_STOP.sub(
            lambda m: "{" + m[1] + "}" + ("" if str(values.get(m[1], "")).endswith(".") else "."),
            template,
        )
    return template.format(**values).strip()


def money(amount: Decimal | int, lang: str = "th") -> str:
    """฿1,234.50 / ฿50,000 (satang shown only when there are any)."""
    value = Decimal(amount)
    if value == value.to_integral_value():
        return f"฿{value:,.0f}"
    return f"฿{value:,.2f}"


def points(value: int, lang: str) -> str:
    """1,200 แต้ม / 1,200 points (1 point)."""
    return f"{value:,} " + ("แต้ม" if lang == "th" else "point" if value in (1, -1) else "points")


def day(value: date, lang: str) -> str:
    """25 ธ.ค. 2569 (Buddhist era) for Thai readers, 25 Dec 2026 for English."""
    if lang == "th":
        return str(thai_strftime(datetime(value.year, value.month, value.day), "%-d %b %Y"))
    return f"{value.day} {value:%b %Y}"


def month(value: date, lang: str) -> str:
    """A calendar month: สิงหาคม 2569 (Buddhist era) for Thai readers, August 2026 for English."""
    if lang == "th":
        return str(thai_strftime(datetime(value.year, value.month, 1), "%B %Y"))
    return f"{value:%B %Y}"


def moment(value: datetime, lang: str) -> str:
    """A local timestamp: 25 ธ.ค. 2569 14:05 / 25 Dec 2026 14:05."""
    if lang == "th":
        return str(thai_strftime(value.replace(tzinfo=None), "%-d %b %Y %H:%M"))
    return f"{value.day} {value:%b %Y %H:%M}"


def label(group: str, value: str, lang: str) -> str:
    """Display name of an enum value (stage, status, priority...)."""
    return templates(lang).get(f"{group}.{value}", value)
