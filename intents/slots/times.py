"""Times of day in Thai and English: "บ่ายสอง", "10 โมง", "สองทุ่มครึ่ง", "ตีห้า", "10.30 น.",
"3pm", "at 10", "noon". Read only once the intent takes a time (a task's), so a time never
changes how a message is understood."""

from __future__ import annotations

import re
from collections.abc import Mapping

from intents.slots.dates import alternation


class TimeGrammar:
    """Finds times of day in cleaned text; `hour_words` spell the hours ("สอง" -> 2)."""

    def __init__(self, hour_words: Mapping[str, int]) -> None:
        """Compile the patterns, the hour words beside digits."""
        self.hour_words = {k.lower(): int(v) for k, v in hour_words.items()}
        hour = rf"(\d{{1,2}}|{alternation(list(self.hour_words)) or '(?!)'})"
        half = r"(\s?ครึ่ง)?"
        # the word before a time belongs to it: "ตอนบ่ายสอง", "เวลา 10 โมง", "at 3pm"
        th = r"(?:(?:ตอน|เวลา)\s?)?"
        en = r"(?:\bat\s)?"
        self.patterns: list[tuple[str, re.Pattern[str]]] = [
            # "14:00", "10.30 น.", "9.00 นาฬิกา"
            (
                "clock",
                re.compile(
                    rf"{th}{en}(?<![\d.:/])(\d{{1,2}})(?::|\.(?=\d{{2}}\s?(?:น\.|นาฬิกา)))(\d{{2}})"
                    r"(?!\d)(?:\s?(?:น\.|นาฬิกา))?"
                ),
            ),
            # "3pm", "10:30 am", "11 a.m."
            (
                "ampm",
                re.compile(rf"{en}(?<![\d.:])(\d{{1,2}})(?::(\d{{2}}))?\s?([ap])\.?m\b\.?", re.I),
            ),
            # "บ่ายสอง", "บ่าย 2 โมงครึ่ง", "บ่ายโมง"
            ("afternoon", re.compile(rf"{th}บ่าย\s?(?:{hour}\s?(?:โมง)?|(โมง)){half}")),
            # "สองทุ่ม": the evening hours from seven
            ("evening", re.compile(rf"{th}{hour}\s?ทุ่ม{half}")),
            # "ตีห้า": the small hours
            ("night", re.compile(rf"{th}ตี\s?{hour}{half}")),
            # "10 โมง", "สี่โมงเย็น", "เจ็ดโมงเช้า"
            ("oclock", re.compile(rf"{th}{hour}\s?โมง\s?(เช้า|เย็น|ตรง)?{half}")),
            ("noon", re.compile(rf"{th}เที่ยง(?:วัน)?(?!คืน){half}|{en}\b(?:noon|midday)\b", re.I)),
            # "at 10", "10 o'clock": a business hour
            (
                "bare",
                re.compile(
                    r"(?:\bat\s|(?=\d{1,2}\s?o'?clock))(\d{1,2})(?:\s?o'?clock)?"
                    r"(?![\d:.,%]|\s?(?:k\b|m\b|%|baht|บาท|thb|points?|แต้ม|pcs))",
                    re.I,
                ),
            ),
        ]

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every time in the text as (start, end, "HH:MM"), earliest first, not overlapping."""
        found: list[tuple[int, int, str]] = []
        for kind, rx in self.patterns:
            for m in rx.finditer(text):
                value = self._value(kind, m)
                if value is None or any(s < m.end() and m.start() < e for s, e, _ in found):
                    continue
                found.append((m.start(), m.end(), value))
        return sorted(found)

    def _hour(self, raw: str | None) -> int | None:
        if raw is None:
            return None
        return int(raw) if raw.isdigit() else self.hour_words.get(raw.lower())

    def _value(self, kind: str, m: re.Match[str]) -> str | None:
        minute = 0
        if kind == "clock":
            hour, minute = int(m.group(1)), int(m.group(2))
        elif kind == "ampm":
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if m.group(3).lower() == "p" else 0)
        elif kind == "noon":
            hour, minute = 12, 30 if m.group(1) else 0
        else:
            found = self._hour(m.group(1))
            if found is None and not (kind == "afternoon" and m.group(2)):
                return None
            hour = 1 if found is None else found
            # the Thai patterns end with an optional "ครึ่ง" (half past)
            minute = 30 if kind != "bare" and m.groups()[-1] else 0
            if kind == "afternoon":
                hour = hour + 12 if hour < 12 else hour
            elif kind == "evening":
                hour = hour + 18 if hour <= 5 else -1
            elif kind == "night":
                hour = hour if hour <= 5 else -1
            elif kind == "oclock":
                part = m.group(2)
                if part == "เย็น" or (part is None and 1 <= hour <= 5):
                    hour = hour + 12 if hour < 12 else hour
            elif kind == "bare":
                if not 1 <= hour <= 12:
                    return None
                hour = hour + 12 if hour <= 5 else hour
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            return None
        return f"{hour:02d}:{minute:02d}"
