"""Date expressions (relative words, weekdays, day-month with Buddhist-era years, ISO)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from intents.slots.entities import DIGIT, Entity, SpanSet, hinted

BE_OFFSET = 543  # Buddhist-era years are this many ahead of the common era
# the day of the month a "start" or "mid" edge names ("ต้นเดือน", "mid-December"); else the last
_EDGE_DAYS = {"start": 1, "mid": 15}
# a day and month without a year that passed at most this many days ago may be that day
# (a call logged on "20 Nov" three days later), rather than the same day next year
RECENT_DAYS = 62
# the longest look-back a period may name: two years
LOOKBACK_LIMITS = {"days": 731, "months": 24}
JUST_PAST = "just_past"  # the extra of such a date
_END = ""  # marks the end of a word in alternation's trie


class _Scan(NamedTuple):
    """A date pattern as written, for lower-cased text, and a hint (None: always scan) no
    match begins more than `back` characters before (the scan starts there)."""

    exact: re.Pattern[str]
    lower: re.Pattern[str]
    hint: re.Pattern[str] | None
    back: int = 0


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, factored by their shared beginnings.

    At one position only words that begin one another can match, and a longer one is tried
    before its beginning, as in a longest-first list; a list of some seventy months is
    tried word by word at every position, a factored one by its first letters.
    """
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if _END in node:
            return "(?:" + "|".join(branches) + ")?"
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)


def common_era(year: int) -> int:
    """A four-digit year in the common era: Buddhist-era ones (2400 on) brought back."""
    return year - BE_OFFSET if year >= 2400 else year


def _year(raw: str | None, today: date) -> int | None:
    """A written year (Gregorian or Buddhist era, 2 or 4 digits) as a Gregorian year."""
    if not raw:
        return None
    year = int(raw)
    if year < 100:
        year = 2500 + year if year >= 43 else 2000 + year
    return common_era(year)


def _make_date(year: int | None, month: int, day: int, today: date) -> date | None:
    """A calendar date; without a year, the next occurrence on or after today."""
    try:
        if year is not None:
            return date(year, month, day)
        found = date(today.year, month, day)
        if found < today:
            found = date(today.year + 1, month, day)
        return found
    except ValueError:
        return None


_PAST_WORD = re.compile(r"เมื่อ\s?$")
_DIGIT_DASH = re.compile(r"\d-\d")  # in every ISO or dashed date
_DIGIT_SLASH = re.compile(r"\d/\d")  # in every slashed one


def _said_past(text: str, start: int) -> bool:
    """True when "เมื่อ" (when, in the past) stands right before `start`."""
    return _PAST_WORD.search(text[max(0, start - 8) : start]) is not None


def _past_if_said(
    text: str, m: re.Match[str], found: date | None, today: date, no_year: bool
) -> date | None:
    """A day and month said after "เมื่อ" without a year ("โทรหาคุณมาลีเมื่อ 20 พ.ย."): the
    last such day, not the next."""
    if found is None or not no_year or found <= today or not _said_past(text, m.start()):
        return found
    return last_year(found)


def _recent(found: date | None, today: date, no_year: bool) -> str:
    """JUST_PAST for a day and month said without a year whose last occurrence was at most
    RECENT_DAYS ago (the date found is then the next one, almost a year ahead)."""
    if found is None or not no_year or found <= today:
        return ""
    last = last_year(found)
    return JUST_PAST if last is not None and (today - last).days <= RECENT_DAYS else ""


def period_of(entity: Entity) -> str:
    """The period a date entity names ("past_7_days", "yesterday"), empty when none."""
    return "" if entity.extra == JUST_PAST else entity.extra


def last_year(day: date) -> date | None:
    """The same day a year earlier (None for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return None


def _month_start(day: date, ahead: int) -> date:
    """The first day of the month `ahead` months from the one holding `day` (back if < 0)."""
    year, month = divmod(day.year * 12 + day.month - 1 + ahead, 12)
    return date(year, month + 1, 1)


def _month_edge(edge: str, ahead: int, today: date) -> date:
    """The first, middle (15th) or last day of the month `ahead` months from today's; a first
    or middle day already past means the next month's."""
    if ahead == 0 and today.day > _EDGE_DAYS.get(edge, 31):
        ahead = 1
    first = _month_start(today, ahead)
    if edge in _EDGE_DAYS:
        return first.replace(day=_EDGE_DAYS[edge])
    return _month_end(first.year, first.month)


def _period_edge(unit: str, edge: str, ahead: int, today: date) -> date:
    """The first or last day of a month, quarter or year: the one `ahead` from today's, or
    quarter "q1".."q4" at its next end on or after today ("end of Q1" in November is next
    March's)."""
    if unit == "month":
        first = _month_start(today, ahead)
        return first if edge == "start" else _month_end(first.year, first.month)
    if unit == "year":
        year = today.year + ahead
        return date(year, 1, 1) if edge == "start" else date(year, 12, 31)
    if unit in ("q1", "q2", "q3", "q4"):
        first_month = 3 * (int(unit[1]) - 1) + 1
        # this year's when its last month has not passed, else next year's
        year = today.year if first_month + 2 >= today.month else today.year + 1
    else:
        index = (today.month - 1) // 3 + ahead
        year, first_month = today.year + index // 4, 3 * (index % 4) + 1
    if edge == "start":
        return date(year, first_month, 1)
    return _month_end(year, first_month + 2)


def _months_back(today: date, months: int) -> date:
    """The same day `months` months before today, on the month's last day where it has fewer."""
    first = _month_start(today, -months)
    return first.replace(day=min(today.day, _month_end(first.year, first.month).day))


def _month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


class DateGrammar:
    """Finds dates in cleaned text, built from the lexicon's month, weekday and offset words."""

    def __init__(
        self,
        months: Mapping[str, int],
        weekdays: Mapping[str, int],
        relative_days: Mapping[str, int],
        modifiers: Mapping[str, str],
        units: Mapping[str, int],
        periods: Mapping[str, str],
        month_edges: Mapping[str, Sequence[str | int]] | None = None,
        month_edge_words: Mapping[str, str] | None = None,
        period_edges: Mapping[str, Sequence[str | int]] | None = None,
        ahead_periods: Mapping[str, str] | None = None,
        lookback: Mapping[str, str] | None = None,
        lookback_units: Mapping[str, Sequence[str | int]] | None = None,
        count_words: Mapping[str, int] | None = None,
    ) -> None:
        """Compile the patterns from word lists (word -> month/weekday/day offset...).

        `month_edges`: phrase -> (start or end, months ahead), "สิ้นเดือนหน้า" -> (end, 1);
        `month_edge_words`: words that need a month name after them, "end of" -> end;
        `ahead_periods`: a period ahead, "เดือนหน้า" -> next_month;
        `lookback`: words that go `before` or `after` (or `either`) a count of `lookback_units`
        to make a look-back up to today ("ย้อนหลัง 3 เดือน", "last 30 days", "7 วันที่ผ่านมา");
        `count_words` spell the counts.
        """
        self.months = {k.lower(): v for k, v in months.items()}
        self.weekdays = {k.lower(): v for k, v in weekdays.items()}
        self.relative_days = {k.lower(): v for k, v in relative_days.items()}
        self.modifiers = {k.lower(): v for k, v in modifiers.items()}
        self.units = {k.lower(): v for k, v in units.items()}
        self.periods = {k.lower(): v for k, v in periods.items()}
        self.month_edges = {
            k.lower(): (str(edge), int(ahead)) for k, (edge, ahead) in (month_edges or {}).items()
        }
        self.month_edge_words = {k.lower(): v for k, v in (month_edge_words or {}).items()}
        # "end of Q1", "สิ้นปี": phrase -> (quarter, year or q1..q4; start or end; ahead)
        self.period_edges = {
            k.lower(): (str(unit), str(edge), int(ahead))
            for k, (unit, edge, ahead) in (period_edges or {}).items()
        }
        self.ahead_periods = {k.lower(): v for k, v in (ahead_periods or {}).items()}
        self.ahead_period = re.compile(
            rf"(?<![a-z])({alternation(list(self.ahead_periods)) or '(?!)'})(?![a-z])",
            re.IGNORECASE,
        )
        self.lookback_units = {
            k.lower(): (str(unit), int(size)) for k, (unit, size) in (lookback_units or {}).items()
        }
        self.count_words = {k.lower(): int(v) for k, v in (count_words or {}).items()}
        count = rf"(\d{{1,3}}|{alternation(list(self.count_words)) or '(?!)'})"
        span_unit = rf"({alternation(list(self.lookback_units)) or '(?!)'})(?![a-z])"
        sides = {k.lower(): v for k, v in (lookback or {}).items()}
        before = alternation([w for w, side in sides.items() if side != "after"]) or "(?!)"
        after = alternation([w for w, side in sides.items() if side != "before"]) or "(?!)"
        # "ย้อนหลัง 3 เดือน", "over the last 2 weeks" | "7 วันที่ผ่านมา", "3 เดือนย้อนหลัง"
        self.lookback = re.compile(
            rf"(?<![a-z])(?:{before})\s?{count}\s?{span_unit}(?:\s?(?:{after}))?"
            rf"|(?<![\d.,a-z]){count}\s?{span_unit}\s?(?:{after})",
            re.IGNORECASE,
        )
        # a count of those units alone ("30 วัน", "2 months"): a length of time
        self.span_pattern = re.compile(rf"(?<![\d.,a-z]){count}\s?{span_unit}", re.IGNORECASE)
        month = alternation(list(self.months))
        weekday = alternation(list(self.weekdays))
        # before the weekday: the English words and a Thai one saying it is past ("เมื่อวัน
        # จันทร์"); after it, the other Thai ones ("วันจันทร์หน้า")
        pre_words = [k for k, v in self.modifiers.items() if k.isascii() or v == "past"]
        pre = alternation(pre_words)
        post = alternation(
            [k for k, v in self.modifiers.items() if not k.isascii() and v != "past"]
        )
        unit = alternation(list(self.units))
        rel = alternation(list(self.relative_days))
        flags = re.IGNORECASE
        self.iso = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
        # "วันที่" before a day and month is part of the date ("ปิดวันที่ 20 ธันวา")
        self.numeric = re.compile(
            r"(?:วันที่\s?)?(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])"
        )
        # "15-12-2026", "15-12-2569": day, month and a four-digit year with dashes
        self.dashed = re.compile(r"(?:วันที่\s?)?(?<![\d-])(\d{1,2})-(\d{1,2})-(\d{4})(?![\d-])")
        self.day_month = re.compile(
            rf"(?:วันที่\s?)?(?<![\d.])(\d{{1,2}})(?:st|nd|rd|th)?\s?(?:of\s)?({month})(?![a-z])\.?"
            rf"(?:,?\s?(?:พ\.ศ\.|ค\.ศ\.)?\s?(\d{{4}}|\d{{2}})(?![\d:]))?",
            flags,
        )
        # a month named alone ("sales for October", "ยอดเดือนตุลา"): not inside a word
        # (a Thai month's name of four letters or more may follow another Thai word)
        thai_name = alternation(
            [k for k in self.months if not k.isascii() and len(k) >= 4 and "." not in k]
        )
        self.month_alone = re.compile(
            rf"(?:(?:(?<=เดือน)|(?<=เดือน\s)|(?<![\w.]))({month})|({thai_name}))"
            rf"(?![a-z\u0E01-\u0E4F])",
            flags,
        )
        self.month_day = re.compile(
            rf"(?<![a-z])({month})\.?\s(\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])(?:,?\s(\d{{4}}))?",
            flags,
        )
        self.day_only = re.compile(r"วันที่\s?(\d{1,2})(?![\d/])")
        # "3 วันก่อน", "เมื่อ 2 สัปดาห์ที่แล้ว", "2 days ago": that many back ("3 วันก่อนส่งของ"
        # is before something else)
        self.ago = re.compile(
            rf"(?:เมื่อ\s?)?(\d{{1,3}})\s?({unit})\s?"
            r"(?:ago(?![a-z])|ที่แล้ว|ก่อน(?=$|[\s,.!?]|ค่ะ|ครับ|คะ|นะ|จ้า))",
            flags,
        )
        self.in_units = re.compile(
            rf"(?:\bin|\bwithin|อีก|ภายใน)\s?(\d{{1,3}})\s?({unit})(?![a-z])"
            r"(?:\s?(?:ข้างหน้า|from now))?",
            flags,
        )
        self.relative = re.compile(rf"(?<![a-z])({rel})(?![a-z])", flags)
        self.period_edge = re.compile(
            rf"(?<![a-z])({alternation(list(self.period_edges)) or '(?!)'})(?![a-z0-9])", flags
        )
        edges = alternation(list(self.month_edges)) or "(?!)"
        edge_words = alternation(list(self.month_edge_words)) or "(?!)"
        # "สิ้นเดือนธันวา", "end of December": that month's edge
        self.month_edge = re.compile(
            rf"(?<![a-z])(?:({edges})(?:\s?(?:of\s)?({month}))?|({edge_words})\s?({month}))"
            r"(?![a-z])",
            flags,
        )
        self.weekday = re.compile(
            rf"(?<![a-z])(?:({pre})\s?)?({weekday})(?![a-z])(?:\s?({post}))?", flags
        )

        # the patterns `extract` runs, by name (a compiled pattern as a key would hash its
        # whole program at each look-up): each as written, for lower-cased text (without
        # IGNORECASE, faster to scan) and with a hint, what any match of it holds; most
        # messages name no date, and a hint, beginning with no look-behind, is searched for
        # much faster than the whole pattern. `back`: how far before its hint a match may
        # begin ("within" is 4 letters before "in", a weekday's modifier before it...)
        def scan(
            rx: re.Pattern[str], hint: str | None, back: int = 0, caseless: bool = True
        ) -> _Scan:
            """`rx`, its twin for lower-cased text and its hint (searched the same way)."""
            lower = re.compile(rx.pattern) if caseless else rx
            hinted = None if hint is None else re.compile(hint, lower.flags)
            return _Scan(rx, lower, hinted, back)

        def longest(words: Iterable[str]) -> int:
            """The length of the longest word."""
            return max(map(len, words), default=0)

        # "ย้อนหลัง 3 เดือน" begins with its word, "สิบสอง เดือน ที่ผ่านมา" with a count and a unit
        back = max(3, longest(self.count_words)) + longest(self.lookback_units) + 2
        self._scans = {
            "lookback": scan(self.lookback, alternation(list(sides)) or "(?!)", back),
            "iso": scan(self.iso, None, caseless=False),
            "dashed": scan(self.dashed, None, caseless=False),
            # a unit after one to three digits, "เมื่อ " before them
            "ago": scan(
                self.ago,
                rf"\d\s?(?:{unit})\s?(?:ago|ที่แล้ว|ก่อน)",
                len("เมื่อ ") + 2,
                caseless=False,
            ),
            # a month after one or two digits, "วันที่ " before them
            "day_month": scan(
                self.day_month,
                rf"\d\s?(?:st|nd|rd|th)?\s?(?:of\s)?(?:{month})",
                len("วันที่ ") + 1,
            ),
            "month_day": scan(self.month_day, rf"(?:{month})\.?\s\d"),
            "numeric": scan(self.numeric, None, caseless=False),
            "day_only": scan(self.day_only, None, caseless=False),
            "in_units": scan(self.in_units, r"(?:in|อีก|ภายใน)\s?\d", len("within") - len("in")),
            "month_edge": scan(
                self.month_edge,
                alternation(list(self.month_edges) + list(self.month_edge_words)) or "(?!)",
            ),
            "relative": scan(self.relative, rel),
            "weekday": scan(self.weekday, weekday, longest(pre_words) + 1),
        }
        # a word one of the look-backs, month edges, relative days or weekdays needs: one
        # search finds that a message names none (most do not), where four would
        self._words = re.compile(
            alternation(
                [
                    *sides,
                    *self.month_edges,
                    *self.month_edge_words,
                    *self.relative_days,
                    *self.weekdays,
                ]
            )
        )

    def named_month(self, text: str, taken: Sequence[tuple[int, int]] = ()) -> int | None:
        """The month a text names alone, outside the `taken` spans (dates found already);
        "may" counts only after "in", "for", "of" or "during"."""
        for m in self.month_alone.finditer(text):
            if any(start <= m.start() < end for start, end in taken):
                continue
            word = (m.group(1) or m.group(2)).lower()
            if word == "may" and not re.search(
                r"\b(?:in|for|of|during)\s$", text[: m.start()], re.I
            ):
                continue
            return self.months[word]
        return None

    def span(self, text: str) -> tuple[int, str] | None:
        """The first length of time written ("30 วัน", "2 weeks", "สองเดือน") as a count of
        the look-back units, days or months: (30, "days"), (14, "days"), (2, "months")."""
        m = self.span_pattern.search(text)
        return self._counted(m.group(1), m.group(2)) if m else None

    def _counted(self, count: str, unit: str) -> tuple[int, str]:
        """A count ("3", "สาม") of a look-back unit word ("weeks") in that unit's base."""
        number = int(count) if count.isdigit() else self.count_words[count.lower()]
        base, size = self.lookback_units[unit.lower()]
        return number * size, base

    def period_ahead(self, text: str) -> str | None:
        """The first period ahead named in the text ("deals closing next month" ->
        next_month), for an intent that lists what falls due then."""
        m = self.ahead_period.search(text)
        return self.ahead_periods[m.group(1).lower()] if m else None

    def period_edge_dates(self, text: str, today: date) -> list[tuple[int, int, date]]:
        """Quarter and year edges in the text ("end of Q1", "สิ้นปี") as (start, end, date).
        They are read only once the intent takes a date: as a date pattern they would change
        how "แต้มหมดอายุสิ้นปีไหม" reads."""
        out: list[tuple[int, int, date]] = []
        for m in self.period_edge.finditer(text):
            unit, edge, ahead = self.period_edges[m.group(1).lower()]
            out.append((m.start(), m.end(), _period_edge(unit, edge, ahead, today)))
        return out

    def extract(self, text: str, today: date, spans: SpanSet) -> None:
        """Add every date found in ``text`` to ``spans`` (value: datetime.date)."""
        lowered = text.lower()
        scans = self._scans
        named = True
        if len(lowered) == len(text):  # one character for one: the same match positions
            named = self._words.search(lowered) is not None

            def find(name: str) -> Iterator[re.Match[str]]:
                scan = scans[name]
                if scan.hint is None:
                    return scan.lower.finditer(lowered)
                return hinted(scan.lower, scan.hint, lowered, scan.back)

        else:

            def find(name: str) -> Iterator[re.Match[str]]:
                return scans[name].exact.finditer(text)

        if self.lookback_units and named:
            self._lookbacks(find, today, spans)
        if DIGIT.search(text) is not None:
            self._numeric(find, text, today, spans)
        if not named:
            return
        for m in find("month_edge"):
            if m.group(1):
                edge, ahead = self.month_edges[m.group(1).lower()]
            else:
                edge, ahead = self.month_edge_words[m.group(3).lower()], 0
            month = m.group(2) or m.group(4)
            if month:
                ahead = (self.months[month.lower()] - today.month) % 12
            self._add(spans, m, _month_edge(edge, ahead, today))
        for m in find("relative"):
            word = m.group(1).lower()
            offset = self.relative_days[word]
            # "next week" means the Monday that starts it
            found = (
                today + timedelta(days=7 - today.weekday())
                if offset == 7
                else today + timedelta(days=offset)
            )
            if spans.free(m.start(), m.end()):
                spans.add(Entity("date", m.start(), m.end(), found, self.periods.get(word, "")))
        for m in find("weekday"):
            mods = [self.modifiers[g.lower()] for g in (m.group(1), m.group(3)) if g]
            self._add(spans, m, self._weekday(self.weekdays[m.group(2).lower()], mods, today))

    def _numeric(
        self,
        find: Callable[[str], Iterator[re.Match[str]]],
        text: str,
        today: date,
        spans: SpanSet,
    ) -> None:
        """Dates written with digits: ISO, 15/12, 15 Dec, Dec 15, วันที่ 15, in 3 days.

        `find` scans `text` (or its lower case) with the pattern named; ISO and slashed dates
        need their separator.
        """
        # a dash or slash between digits, looked for once (no letters: the same in any case)
        dashed = "-" in text and _DIGIT_DASH.search(text) is not None
        for m in find("iso") if dashed else ():
            year = _year(m.group(1), today)
            self._add(spans, m, _make_date(year, int(m.group(2)), int(m.group(3)), today))
        for m in find("dashed") if dashed else ():
            day, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                self._add(spans, m, _make_date(_year(m.group(3), today), month, day, today))
        for m in find("ago"):
            self._add(
                spans, m, today - timedelta(days=int(m.group(1)) * self.units[m.group(2).lower()])
            )
        for m in find("day_month"):
            month = self.months[m.group(2).lower()]
            found = _make_date(_year(m.group(3), today), month, int(m.group(1)), today)
            found = _past_if_said(text, m, found, today, m.group(3) is None)
            self._add(spans, m, found, _recent(found, today, m.group(3) is None))
        for m in find("month_day"):
            month = self.months[m.group(1).lower()]
            found = _make_date(_year(m.group(3), today), month, int(m.group(2)), today)
            self._add(spans, m, found, _recent(found, today, m.group(3) is None))
        for m in find("numeric") if "/" in text and _DIGIT_SLASH.search(text) else ():
            day, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                found = _make_date(_year(m.group(3), today), month, day, today)
                found = _past_if_said(text, m, found, today, m.group(3) is None)
                self._add(spans, m, found, _recent(found, today, m.group(3) is None))
        for m in find("day_only"):
            day = int(m.group(1))
            found = _make_date(None, today.month, day, today) if day >= today.day else None
            if found is None and 1 <= day <= 31:
                nxt = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
                found = _make_date(nxt.year, nxt.month, day, today)
            if found is not None and found > today and _said_past(text, m.start()):
                # "เมื่อวันที่ 20": this month's, or last month's when it is still ahead
                back = _month_start(found, -1)
                found = _make_date(back.year, back.month, day, today)
            self._add(spans, m, found)
        for m in find("in_units"):
            days = int(m.group(1)) * self.units[m.group(2).lower()]
            self._add(spans, m, today + timedelta(days=days))

    def _lookbacks(
        self,
        find: Callable[[str], Iterator[re.Match[str]]],
        today: date,
        spans: SpanSet,
    ) -> None:
        """Look-backs up to today as dates with their period: "ย้อนหลัง 3 เดือน" is
        past_3_months, "last 2 weeks" past_14_days; the date is the day the count goes back
        to (three months ago), for an intent that takes a date ("เมื่อ 3 วันที่ผ่านมา")."""
        for m in find("lookback"):
            count, unit = self._counted(m.group(1) or m.group(3), m.group(2) or m.group(4))
            if not 0 < count <= LOOKBACK_LIMITS[unit]:
                continue
            back = today - timedelta(days=count) if unit == "days" else _months_back(today, count)
            if spans.free(m.start(), m.end()):
                spans.add(Entity("date", m.start(), m.end(), back, f"past_{count}_{unit}"))

    @staticmethod
    def _weekday(weekday: int, mods: list[str], today: date) -> date:
        """This/next/last weekday: "next" is that day of the following week, "last" of the
        week before; "past" (said before it) and "latest" (after it) the latest before today
        ("เมื่อวันจันทร์", "วันจันทร์ที่ผ่านมา")."""
        if "past" in mods or "latest" in mods:
            return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
        monday = today - timedelta(days=today.weekday())
        if "next" in mods:
            return monday + timedelta(days=7 + weekday)
        if "last" in mods:
            return monday - timedelta(days=7 - weekday)
        ahead = (weekday - today.weekday()) % 7
        return today + timedelta(days=ahead)

    @staticmethod
    def _add(spans: SpanSet, m: re.Match[str], found: date | None, extra: str = "") -> None:
        """Claim the match as a date when it parsed."""
        if found is not None:
            spans.add(Entity("date", m.start(), m.end(), found, extra))
