"""Pattern entities found in cleaned text before tokenising: ids, contacts, points, amounts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pythainlp.util import thaiword_to_num


@dataclass(frozen=True)
class Entity:
    """A typed span of the cleaned message with its normalised value."""

    kind: str
    start: int
    end: int
    value: object
    extra: str = ""

    def overlaps(self, start: int, end: int) -> bool:
        """True when the entity's span and [start, end) share a character."""
        return self.start < end and start < self.end


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MAGNITUDES = {
    "k": Decimal(1000),
    "m": Decimal(1_000_000),
    "mb": Decimal(1_000_000),
    "thousand": Decimal(1000),
    "million": Decimal(1_000_000),
    "ล้าน": Decimal(1_000_000),
    "แสน": Decimal(100_000),
    "หมื่น": Decimal(10_000),
    "พัน": Decimal(1000),
}
# "thousand", "million" count baht only when no other thing follows ("2 million cups")
_MAG = (
    r"(?:k|m|mb)(?![a-z])|(?:thousand|million)(?![a-z])(?!\s+(?!baht|thb)[a-z])"
    r"|ล้าน|แสน|หมื่น|พัน(?!ธ)"
)
_CURRENCY = r"บาท|baht|thb|bht|฿|บ\.|-\.?"
_POINTS_UNIT = r"แต้ม|คะแนน|points?|pts?|พอยท์|พอยต์"
_NUMWORD = r"ศูนย์|หนึ่ง|เอ็ด|สอง|ยี่|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ|ร้อย|พัน(?!ธ)|หมื่น|แสน|ล้าน"  # one word
_THAI_NUMWORD = rf"(?:{_NUMWORD})+"

ORDER_ID = re.compile(r"(?<![A-Za-z])ord[-\s#]?(\d+)\b", re.IGNORECASE)
TICKET_ID = re.compile(r"(?<![A-Za-z])(?:tck|tk|ticket)[-\s#]?(\d+)\b", re.IGNORECASE)
MEMBER_ID = re.compile(r"(?<![A-Za-z0-9])m-(\d+)\b", re.IGNORECASE)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# mobiles (08x-xxx-xxxx), Bangkok lines (02-xxx-xxxx) and provincial lines (053-xxx-xxx)
PHONE = re.compile(
    r"(?<![\d-])(?:\+?66[\s-]?|0)([689]\d)[\s-]?(\d{3})[\s-]?(\d{4})(?![\d])"
    r"|(?<![\d-])0(2)[\s-]?(\d{3})[\s-]?(\d{4})(?![\d])"
    r"|(?<![\d-])0([3457]\d)[\s-]?(\d{3})[\s-]?(\d{3})(?![\d])"
)
# "1.5k แต้ม", "2 หมื่นแต้ม": a magnitude may stand between the number and the unit
POINTS_AFTER = re.compile(
    rf"([-+−]\s?)?({_NUM})\s?(?:(?P<mag>{_MAG})\s?)?(?:(?:bonus|extra|reward|loyalty|โบนัส)\s?)?"
    rf"(?:{_POINTS_UNIT})(?![a-z])",
    re.IGNORECASE,
)
POINTS_BEFORE = re.compile(
    rf"(?:แต้ม|คะแนน|points?|pts?)\s?(?:จำนวน\s?)?([-+−]\s?)?({_NUM})(?!\s?(?:{_MAG}|{_CURRENCY}|%|\d))",
    re.IGNORECASE,
)
# a points or amount pattern needs one of these words: a quick search skips it when absent
POINTS_WORD = re.compile(_POINTS_UNIT, re.IGNORECASE)
CURRENCY_FIRST_WORD = re.compile(r"฿|thb|baht", re.IGNORECASE)
AMOUNT_CURRENCY_FIRST = re.compile(rf"(?:฿|thb\b|baht\b)\s?({_NUM})\s?({_MAG})?", re.IGNORECASE)
AMOUNT_SUFFIX = re.compile(
    rf"(?<![\w.])({_NUM})\s?({_MAG})(?:\s?(?:{_CURRENCY}))?|(?<![\w.])({_NUM})\s?(?:{_CURRENCY})(?![a-z])",
    re.IGNORECASE,
)
AMOUNT_THAI_WORDS = re.compile(
    rf"({_THAI_NUMWORD})\s?(บาท)|({_THAI_NUMWORD}(?:หมื่น|แสน|ล้าน|พัน(?!ธ))(?:{_THAI_NUMWORD})?)"
)
# words counting something after a number: a digit before one is no part of an amount
# ("2 แสน 5 ปี", "5 แสน 3 สาขา"); a day named ("วันนี้", "วันศุกร์") counts nothing
_COUNTED = (
    r"วัน(?!นี้|จันทร์|อังคาร|พุธ|พฤหัส|ศุกร์|เสาร์|อาทิตย์|ที่)|ปี|เดือน|สัปดาห์|อาทิตย์|ชั่วโมง|ชม|นาที|โมง"
    r"|ร้อย|ชิ้น|คน|ตัว|แต้ม|เปอร์เซ็นต์|%|สาขา|เครื่อง|งวด|กล่อง|ลัง|ใบ|ชุด|ห้อง|คัน|หลัง|รอบ|ครั้ง"
    r"|รายการ|แห่ง|จุด|ขวด|แพ็ค|เล่ม|แผ่น|เมตร|กิโล|กก|ลิตร|ที่|อัน|คู่|โหล|ถุง|ชั้น"
)
# a magnitude said alone and its next figure, as said: "แสนห้า" 150,000, "ล้านครึ่ง" 1,500,000,
# "หมื่นสอง" 12,000, also run on ("ราคาแสนห้า") unless a number before counts the magnitude
_DIGIT_WORDS = {
    "หนึ่ง": 1,
    "สอง": 2,
    "สาม": 3,
    "สี่": 4,
    "ห้า": 5,
    "หก": 6,
    "เจ็ด": 7,
    "แปด": 8,
    "เก้า": 9,
}
_DIGIT_WORD = "|".join(_DIGIT_WORDS)
_PLACE_WORD = re.compile(r"ล้าน|แสน|หมื่น|พัน|ร้อย")
# a number (in digits or words) right before a magnitude counts it
_NUMBER_BEFORE = re.compile(rf"(?:\d|{_THAI_NUMWORD})\s?$")
AMOUNT_MAGNITUDE_FIRST = re.compile(
    rf"(ล้าน|แสน|หมื่น|พัน(?!ธ))(ครึ่ง|{_DIGIT_WORD})"
    r"(?:\s?บาท)?(?=$|[\s,.!?]|ค่ะ|ครับ|คะ|นะ|จ้า)"
    rf"(?!\s?(?:{_COUNTED}))"
)
# spoken shorthand: a digit after a Thai magnitude counts the next one down ("7หมื่น5" is
# 75,000, "2 แสน 5" 250,000, "1 ล้าน 2" 1,200,000), unless it counts something else ("2 แสน 5 ปี");
# so does a digit word ("2 แสนห้า" 250,000), "ครึ่ง" is half ("1 ล้านครึ่ง") and number words
# say the rest ("3 แสนห้าพัน" 305,000)
AMOUNT_THAI_SHORT = re.compile(
    rf"(?<![\w.,])(\d{{1,3}})\s?(ล้าน|แสน|หมื่น|พัน(?!ธ))\s?"
    rf"(?:([1-9])(?![\d.,:/%-])|(ครึ่ง|{_THAI_NUMWORD}))"
    rf"(?!\s?(?:{_MAG}|{_COUNTED}))"
    rf"(?:\s?(?:{_CURRENCY}))?"
)
# numbers with magnitudes one after another: "1 ล้าน 2 แสน" is 1,200,000, "2 หมื่น 5 ร้อย"
# 20,500
_THAI_PLACE = r"(\d{1,3})\s?(ล้าน|แสน|หมื่น|พัน(?!ธ)|ร้อย)"
AMOUNT_THAI_PLACES = re.compile(
    rf"(?<![\w.,]){_THAI_PLACE}(?:\s?{_THAI_PLACE})+(?:\s?(?:{_CURRENCY}))?"
)
_PLACE_VALUES = {**_MAGNITUDES, "ร้อย": Decimal(100)}
# points said the same way: "1 พัน 5 แต้ม" is 1,500 points, "2 หมื่น 5 พัน แต้ม" 25,000,
# "1 พัน 5 ร้อย 20 แต้ม" 1,520; and in words: "ห้าร้อยแต้ม"
POINTS_SPOKEN = re.compile(
    rf"(?<![\w.,])(?P<sign>[-+−]\s?)?(?P<places>(?:{_THAI_PLACE}\s?)+)"
    rf"(?:(?P<rest>\d{{1,3}})|(?P<words>ครึ่ง|{_THAI_NUMWORD}))?\s?"
    rf"(?:{_POINTS_UNIT})"
)
POINTS_THAI_WORDS = re.compile(rf"({_THAI_NUMWORD})\s?(?:{_POINTS_UNIT})")
# the same in words ("เจ็ดหมื่นห้า"): a digit word ends it after a magnitude
_THAI_WORDS_SHORT = re.compile(rf"^(.*(ล้าน|แสน|หมื่น|พัน))({_DIGIT_WORD})$")
DIGIT = re.compile(r"\d")
# a comma or full stop after the number ends it unless a digit follows ("33,000, closing")
AMOUNT_BARE = re.compile(r"(?<![\w.,/:-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{3,9})(?![\w/:%-]|[.,]\d)")

# What a match of the pattern named holds, searched for first: a pattern beginning with a
# look-behind or an optional part is tried at every position, these only where a digit or
# one of their first letters stands, so most messages skip the pattern much sooner. Those
# with digits match where any match of their pattern begins (or a sign and a space after):
# the scan starts there
_PHONE_HINT = re.compile(r"\d\d[\s-]?\d\d\d[\s-]?\d\d\d")
# the digits before a place: AMOUNT_THAI_PLACES, AMOUNT_THAI_SHORT and POINTS_SPOKEN
_PLACES_HINT = re.compile(r"\d\d*\s?(?:ล้าน|แสน|หมื่น|พัน|ร้อย)")
# a number and the first letter of a magnitude or currency after it
_SUFFIX_HINT = re.compile(r"\d[\d.,]*\s?[kmtbลแหพบ฿-]", re.IGNORECASE)
_POINTS_AFTER_HINT = re.compile(
    rf"\d[\d.,]*\s?(?:(?:{_MAG})\s?)?(?:(?:bonus|extra|reward|loyalty|โบนัส)\s?)?"
    rf"(?:{_POINTS_UNIT})(?![a-z])",
    re.IGNORECASE,
)
_BARE_HINT = re.compile(r"\d(?:\d\d|\d?,)")  # "123", "1,", "12,"
_MAGNITUDE_WORD = re.compile(r"ล้าน|แสน|หมื่น|พัน")
_WORDS_BAHT_HINT = re.compile(rf"(?:{_NUMWORD})\s?บาท")  # AMOUNT_THAI_WORDS without a magnitude
_WORDS_POINTS_HINT = re.compile(rf"(?:{_NUMWORD})\s?(?:{_POINTS_UNIT})", re.IGNORECASE)


def to_decimal(number: str, magnitude: str | None = None) -> Decimal | None:
    """Read "1,200.5" with an optional magnitude ("k", "ล้าน") as a Decimal."""
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if magnitude:
        value *= _MAGNITUDES.get(magnitude.lower(), Decimal(1))
    return value.normalize() if value == value.to_integral_value() else value


def _thai_words_to_decimal(words: str) -> Decimal | None:
    """Read Thai number words ("ห้าหมื่น") as a Decimal; a digit word after the last
    magnitude counts the next one down ("เจ็ดหมื่นห้า" is 75,000, as it is said)."""
    short = _THAI_WORDS_SHORT.match(words)
    try:
        if short is not None:
            head, magnitude, digit = short.groups()
            below = _rest_below(_MAGNITUDES[magnitude], digit)
            return Decimal(thaiword_to_num(head)) + (below or 0)
        return Decimal(thaiword_to_num(words))
    except (ValueError, TypeError, IndexError, KeyError):
        return None


class SpanSet:
    """Non-overlapping spans claimed so far, in extraction priority order."""

    def __init__(self) -> None:
        """Start with nothing claimed."""
        self.entities: list[Entity] = []

    def free(self, start: int, end: int) -> bool:
        """True when [start, end) overlaps no claimed span."""
        # the set is mostly still empty: no generator to build then
        return not self.entities or not any(e.overlaps(start, end) for e in self.entities)

    def add(self, entity: Entity) -> bool:
        """Claim the entity's span if it is free."""
        if entity.start >= entity.end or not self.free(entity.start, entity.end):
            return False
        self.entities.append(entity)
        return True


def hinted(
    pattern: re.Pattern[str], hint: re.Pattern[str], text: str, back: int = 0
) -> Iterator[re.Match[str]]:
    """The matches `pattern.finditer(text)` gives, when no match begins more than `back`
    characters before a match of `hint` it holds: each search for the next starts at the
    next hint (look-behinds still see the text before), and none is made past the last.
    The pattern must not match an empty string."""
    pos = 0
    while (found := hint.search(text, pos)) is not None:
        m = pattern.search(text, max(pos, found.start() - back))
        if m is None:
            return
        yield m
        pos = m.end()


def extract_ids(text: str, spans: SpanSet) -> None:
    """Emails, order/ticket/member ids and Thai phone numbers."""
    if "@" in text:
        for m in EMAIL.finditer(text):
            spans.add(Entity("email", m.start(), m.end(), m.group()))
    digit = DIGIT.search(text)
    if digit is None:  # every id and phone number has digits
        return
    # each id pattern is searched only when its prefix is there (a substring test is quick)
    lowered = text.lower()
    if "ord" in lowered:
        for m in ORDER_ID.finditer(text):
            spans.add(Entity("order_id", m.start(), m.end(), f"ORD-{m.group(1)}"))
    if "tk" in lowered or "tck" in lowered or "ticket" in lowered:
        for m in TICKET_ID.finditer(text):
            spans.add(Entity("ticket_id", m.start(), m.end(), f"TCK-{m.group(1)}"))
    if "m-" in lowered:
        for m in MEMBER_ID.finditer(text):
            spans.add(Entity("member_id", m.start(), m.end(), f"M-{m.group(1)}"))
    # a phone number begins at its first digit or the "+" before it: none before the first
    # digit in the text, where the scan may start (look-behinds still see what is before)
    phones = PHONE.finditer(text, max(0, digit.start() - 1)) if _PHONE_HINT.search(text) else ()
    for m in phones:
        digits = "0" + "".join(g for g in m.groups() if g)
        spans.add(Entity("phone", m.start(), m.end(), digits))


def extract_numbers(text: str, spans: SpanSet) -> None:
    """Points (negative with a minus sign on the number; extra "signed" when a sign is
    written), then THB amounts. Deduction words are weighed later, when the intent is known
    (only an adjustment's points take their sign from words)."""
    lowered = text.lower()
    points_word = _points_word(text, lowered)
    if DIGIT.search(text) is None:  # only Thai number words can be points or an amount
        if points_word:
            _thai_word_points(text, spans)
        _thai_word_amounts(text, spans)
        return
    # the scans start at their hints, or a sign and a space before
    places = _PLACES_HINT.search(text) is not None
    if points_word and places:
        _spoken_points(text, spans)
    if points_word:
        _points(hinted(POINTS_AFTER, _POINTS_AFTER_HINT, text, 2), spans)
        _points(POINTS_BEFORE.finditer(text), spans)
    # the same test as CURRENCY_FIRST_WORD: these letters fold from nothing but their own
    # capitals, and "฿" has no case
    if "฿" in text or "thb" in lowered or "baht" in lowered:
        for m in AMOUNT_CURRENCY_FIRST.finditer(text):
            amount = to_decimal(m.group(1), m.group(2))
            if amount is not None:
                spans.add(Entity("amount", m.start(), m.end(), amount))
    for m in hinted(AMOUNT_THAI_PLACES, _PLACES_HINT, text) if places else ():
        total, _ = _places_value(m.group())
        spans.add(Entity("amount", m.start(), m.end(), total.normalize()))
    for m in hinted(AMOUNT_THAI_SHORT, _PLACES_HINT, text) if places else ():
        head = to_decimal(m.group(1), m.group(2))
        rest = _rest_below(_MAGNITUDES[m.group(2)], m.group(3) or m.group(4))
        if head is not None and rest is not None:
            spans.add(Entity("amount", m.start(), m.end(), (head + rest).normalize()))
    for m in hinted(AMOUNT_SUFFIX, _SUFFIX_HINT, text):
        amount = to_decimal(m.group(1), m.group(2)) if m.group(1) else to_decimal(m.group(3))
        if amount is not None:
            spans.add(Entity("amount", m.start(), m.end(), amount))
    _thai_word_amounts(text, spans)
    for m in hinted(AMOUNT_BARE, _BARE_HINT, text):
        amount = to_decimal(m.group(1))
        if amount is not None and amount >= 100:
            spans.add(Entity("amount", m.start(), m.end(), amount, extra="bare"))


def _points_word(text: str, lowered: str) -> bool:
    """True when POINTS_WORD is in the text. Its search, caseless, tries each position, so
    a part of each word is looked for first: "po" or "pt" in the lower-cased text ("p",
    "o" and "t" fold from nothing but their capitals), the Thai ones as written."""
    if (
        "po" not in lowered
        and "pt" not in lowered
        and "แต้ม" not in text
        and "คะแนน" not in text
        and "พอย" not in text
    ):
        return False
    return POINTS_WORD.search(text) is not None


def _points(matches: Iterator[re.Match[str]], spans: SpanSet) -> None:
    """Points a number and its unit say (matches of POINTS_AFTER or POINTS_BEFORE)."""
    for m in matches:
        value = to_decimal(m.group(2), m.groupdict().get("mag"))
        entity = _points_entity(m, value, m.group(1))
        if entity is not None:
            spans.add(entity)


def _rest_below(whole: Decimal, said: str) -> Decimal | None:
    """What is said after a place worth `whole` adds to it: one digit (or digit word) counts
    the next place down ("แสน 5", "แสนห้า" 50,000), "ครึ่ง" half of it, number words their
    value when below it ("ห้าพัน" after "แสน", "ห้าสิบ" after "ร้อย"); None when it is no part
    of the number."""
    if said == "ครึ่ง":
        return whole / 2
    if said.isdigit() or said in _DIGIT_WORDS:
        return int(said if said.isdigit() else _DIGIT_WORDS[said]) * whole / 10
    if whole > 100 and not _PLACE_WORD.search(said):
        return None  # "2 แสนสิบ": no place said, no part of the amount
    value = _thai_words_to_decimal(said)
    return value if value is not None and 0 < value < whole else None


def _points_entity(m: re.Match[str], value: Decimal | None, sign: str | None) -> Entity | None:
    """Points of a match worth `value` (None when not a whole number)."""
    if value is None or value != value.to_integral_value():
        return None
    sign = (sign or "").strip()
    points = -int(value) if sign in ("-", "−") else int(value)
    return Entity("points", m.start(), m.end(), points, "signed" if sign else "")


def _places_value(said: str) -> tuple[Decimal, Decimal]:
    """What numbers with their places add up to ("1 พัน 5 ร้อย" is 1,500), and the value of
    the last place said (100 there)."""
    places = re.findall(_THAI_PLACE, said)
    total = sum((Decimal(n) * _PLACE_VALUES[mag] for n, mag in places), Decimal(0))
    return total, _PLACE_VALUES[places[-1][1]]


def _spoken_points(text: str, spans: SpanSet) -> None:
    """Points in places one after another ("1 พัน 5 ร้อย แต้ม"), a digit after the last
    place counting the next one down ("1 พัน 5 แต้ม")."""
    for m in hinted(POINTS_SPOKEN, _PLACES_HINT, text, 2):  # a sign and a space before
        value, last = _places_value(m.group("places"))
        rest = m.group("rest")
        if rest and len(rest) > 1:
            if Decimal(rest) >= last:
                continue
            value += Decimal(rest)  # what is left below it ("1 พัน 5 ร้อย 20" 1,520)
        elif rest or m.group("words"):
            # one digit counts the place below the last ("1 พัน 5" 1,500, "5 ร้อย 5" 550),
            # and so do words ("1 พันห้า", "1 พันห้าร้อย")
            below = _rest_below(last, rest or m.group("words"))
            if below is None:
                continue
            value += below
        entity = _points_entity(m, value, m.group("sign"))
        if entity is not None:
            spans.add(entity)


def _thai_word_points(text: str, spans: SpanSet) -> None:
    """Points in Thai number words ("ห้าร้อยแต้ม")."""
    for m in POINTS_THAI_WORDS.finditer(text) if _WORDS_POINTS_HINT.search(text) else ():
        entity = _points_entity(m, _thai_words_to_decimal(m.group(1)), None)
        if entity is not None:
            spans.add(entity)


def _thai_word_amounts(text: str, spans: SpanSet) -> None:
    """Amounts written in Thai number words ("ห้าหมื่นบาท", "แสนห้า")."""
    # each holds a magnitude, or a number word before "บาท"
    magnitude = _MAGNITUDE_WORD.search(text) is not None
    if not magnitude and ("บาท" not in text or _WORDS_BAHT_HINT.search(text) is None):
        return
    for m in AMOUNT_MAGNITUDE_FIRST.finditer(text) if magnitude else ():
        if _NUMBER_BEFORE.search(text, 0, m.start()):
            continue  # "สองแสนห้า": the words before count the magnitude (read below)
        whole = _MAGNITUDES[m.group(1)]
        part = _rest_below(whole, m.group(2))
        spans.add(Entity("amount", m.start(), m.end(), (whole + (part or 0)).normalize()))
    for m in AMOUNT_THAI_WORDS.finditer(text):
        amount = _thai_words_to_decimal(m.group(1) or m.group(3))
        if amount is not None and amount > 0:
            spans.add(Entity("amount", m.start(), m.end(), amount))
