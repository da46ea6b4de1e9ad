"""Pure value handling: phones, money, customer input, settings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from bot.settings import Settings
from crm_core.errors import InvalidValue
from crm_core.services.customers import CustomerInput, normalise_phone
from crm_core.services.orders import order_number
from crm_core.types import Money, UTCDateTime, to_money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("081-234-5678", "0812345678"),
        ("+66 81 234 5678", "0812345678"),
        ("66812345678", "0812345678"),
        ("(02) 123 4567", "021234567"),
        ("0812345678", "0812345678"),
    ],
)
def test_phone_normalisation(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "", "abc", "+1 415 555 0100", "08123456789012"])
def test_bad_phones_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue):
        normalise_phone(raw)


def test_money_rounds_half_up_to_satang() -> None:
    assert to_money("1.005") == Decimal("1.01")
    assert to_money(0.1) == Decimal("0.10")
    assert to_money(50000) == Decimal("50000.00")


def test_money_type_stores_satang_on_sqlite() -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    money = Money()
    assert money.process_bind_param(Decimal("1234.5"), sqlite.dialect()) == 123450
    assert money.process_result_value(123450, sqlite.dialect()) == Decimal("1234.50")
    assert money.process_bind_param("1234.5", postgresql.dialect()) == Decimal("1234.50")


def test_naive_timestamps_are_refused() -> None:
    from sqlalchemy.dialects import sqlite

    with pytest.raises(ValueError, match="timezone-aware"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), sqlite.dialect())


def test_customer_input_is_cleaned() -> None:
    clean = CustomerInput(
        name="  Siam Paper ",
        phone="081 234 5678",
        email=" Buy@SiamPaper.co.th ",
        member_id="m-10001",
        tier="GOLD",
        aliases=["SPC", " SPC", "Siam Paper", ""],
    ).validated()
    assert (clean.name, clean.phone, clean.email, clean.member_id, clean.tier) == (
        "Siam Paper",
        "0812345678",
        "buy@siampaper.co.th",
        "M-10001",
        "gold",
    )
    assert clean.aliases == ["SPC"]
    with pytest.raises(InvalidValue, match="email"):
        CustomerInput(name="x", email="not-an-email").validated()
    with pytest.raises(InvalidValue, match="member_id"):
        CustomerInput(name="x", member_id="10001").validated()


def test_order_numbers_keep_their_digits() -> None:
    assert order_number("ord-0099") == "ORD-0099"
    with pytest.raises(InvalidValue):
        order_number("ORDER-1")


def test_settings_read_spec_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHUI_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("KHUI_SLACK_API_URL", "http://127.0.0.1:9/api/")
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "s3cret")
    settings = Settings(_env_file=None)
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.line_channel_secret == "s3cret"
    assert settings.timezone == "Asia/Bangkok"
