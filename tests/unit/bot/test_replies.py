"""Reply formatting and the permission table."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import yaml

from bot.permissions import PERMISSIONS, allowed
from bot.replies import HERE, day, moment, money, points, reply_lang, say, word_lists, words


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("50000"), "฿50,000"),
        (Decimal("1234.5"), "฿1,234.50"),
        (Decimal("0.10"), "฿0.10"),
        (1200000, "฿1,200,000"),
    ],
)
def test_money(amount: Decimal | int, text: str) -> None:
    assert money(amount) == text


def test_thai_readers_see_buddhist_era_dates() -> None:
    assert day(date(2026, 12, 25), "th") == "25 ธ.ค. 2569"
    assert day(date(2026, 12, 25), "en") == "25 Dec 2026"
    assert moment(datetime(2027, 1, 2, 9, 5), "th") == "2 ม.ค. 2570 09:05"
    assert points(1200, "th") == "1,200 แต้ม" and points(1200, "en") == "1,200 points"


def test_reply_language_follows_the_message() -> None:
    assert reply_lang("en") == "en"
    assert reply_lang("th") == reply_lang("mix") == "th"
    assert reply_lang(None, "en") == "en"


def test_both_languages_have_the_same_templates_and_placeholders() -> None:
    import string

    th = yaml.safe_load((HERE / "th.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load((HERE / "en.yaml").read_text(encoding="utf-8"))
    # a singular form ("1 customer", `key.one`) only where a language has one, beside its key
    singular = {k for k in {*th, *en} if k.endswith(".one")}
    assert set(th) - singular == set(en) - singular
    for key in th.keys() - singular:
        names = {f for _, f, _, _ in string.Formatter().parse(th[key]) if f}
        assert names == {f for _, f, _, _ in string.Formatter().parse(en[key]) if f}, key
    for key in singular:
        table = en if key in en else th
        fields = {f for _, f, _, _ in string.Formatter().parse(table[key]) if f}
        assert fields <= {f for _, f, _, _ in string.Formatter().parse(table[key[:-4]]) if f}, key


def test_both_languages_keep_the_same_word_lists() -> None:
    th, en = word_lists("th"), word_lists("en")
    assert th.keys() == en.keys() and all(th.values()) and all(en.values())
    assert words("ticket_new") == (*th["ticket_new"], *en["ticket_new"])


def test_a_count_of_one_takes_the_singular_where_the_language_has_one() -> None:
    assert say("campaign_queued", "en", count=1) == "Queued for 1 customer."
    assert say("campaign_queued", "en", count=2) == "Queued for 2 customers."
    assert say("campaign_queued", "th", count=1) == "เข้าคิวส่งถึงลูกค้า 1 รายแล้ว"
    assert say("stale_days", "en", count=1) == "1 day"
    one = say("confirm_adjust", "en", name="Acme", delta="+1", after="5 points", count=1)
    assert "by +1 point (" in one
    assert points(1, "en") == "1 point" and points(-1, "en") == "-1 point"
    assert points(1, "th") == "1 แต้ม"


def test_thai_replies_use_gender_neutral_politeness() -> None:
    th = yaml.safe_load((HERE / "th.yaml").read_text(encoding="utf-8"))
    for key, text in th.items():
        assert "ค่ะ" not in text and "ครับ" not in text and "คะ" not in text, key
    assert say("cancelled", "th") == "ยกเลิกแล้ว ไม่มีการเปลี่ยนแปลงข้อมูล"


def test_texts_outside_the_catalogue_are_gender_neutral_too() -> None:
    from adapters import line, slack
    from bot import lifecycle
    from crm_core.demo import FAQ

    texts = [
        lifecycle.WELCOME,
        lifecycle.WELCOME_BACK,
        line.SORRY,
        line.ONE_TO_ONE_ONLY,
        slack.SORRY,
    ]
    texts += [thai for _, _, thai, _ in FAQ]
    for text in texts:
        assert not any(word in text for word in ("ค่ะ", "ครับ", "คะ")), text


def test_permission_table() -> None:
    assert allowed("customer", "order_status") and not allowed("customer", "report")
    assert allowed("lead", "link_account") and not allowed("lead", "loyalty_balance")
    assert allowed("sales", "deal_update") and not allowed("sales", "loyalty_adjust")
    assert allowed("support", "ticket_update") and not allowed("support", "campaign_send")
    assert allowed("manager", "campaign_send") and allowed("manager", "loyalty_adjust")
    assert PERMISSIONS["admin"] >= PERMISSIONS["manager"]
    assert not allowed("stranger", "greeting")


def test_a_name_that_ends_a_sentence_takes_the_full_stop() -> None:
    assert say("interaction_logged", "en", kind="call", name="Siam Paper Co.") == (
        "Logged the call with Siam Paper Co."
    )
    assert say("interaction_logged", "en", kind="call", name="Acme Trading").endswith("Trading.")
