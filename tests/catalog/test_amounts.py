from decimal import Decimal

import pytest

from portal.catalog.amounts import (
    amount_for_input,
    example_amount,
    parse_amount,
    parse_percent,
    percent_for_input,
)
from portal.catalog.errors import CatalogError
from portal.processors.base import MAX_AMOUNT


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        pytest.param("12.50", "EUR", 1250, id="eur-two-places"),
        pytest.param("12,5", "EUR", 1250, id="eur-comma"),
        pytest.param("12", "EUR", 1200, id="eur-whole"),
        pytest.param(" 0.01 ", "EUR", 1, id="eur-one-cent-padded"),
        pytest.param("80", "JPY", 80, id="jpy-whole"),
        pytest.param("80.0", "JPY", 80, id="jpy-zero-fraction"),
        pytest.param("1.234", "KWD", 1234, id="kwd-three-places"),
        pytest.param("999999.99", "EUR", MAX_AMOUNT, id="eur-maximum"),
    ],
)
def test_parse_amount_accepts(text, currency, expected):
    assert parse_amount(text, currency) == expected


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        pytest.param("", "EUR", "Enter an amount, such as 12.50.", id="empty"),
        pytest.param("0", "EUR", "The amount is zero", id="zero"),
        pytest.param("0.00", "EUR", "The amount is zero", id="zero-with-places"),
        pytest.param("-5", "EUR", "is negative", id="negative"),
        pytest.param("12.345", "EUR", "at most 2 decimal places", id="eur-3-places"),
        pytest.param("80.5", "JPY", "Enter a whole number", id="jpy-fraction"),
        pytest.param("1.2345", "KWD", "at most 3 decimal places", id="kwd-4-places"),
        pytest.param("1000000", "EUR", "too large", id="above-maximum"),
        pytest.param("9" * 40, "EUR", "too large", id="huge"),
        pytest.param("1e5", "EUR", "is not an amount", id="exponent"),
        pytest.param("12.50 EUR", "EUR", "is not an amount", id="with-code"),
        pytest.param("1,000.00", "EUR", "is not an amount", id="grouping"),
        pytest.param("١٢", "EUR", "is not an amount", id="arabic-digits"),
    ],
)
def test_parse_amount_rejects(text, currency, message):
    with pytest.raises(CatalogError) as raised:
        parse_amount(text, currency, "amount")

    assert message in raised.value.message
    assert raised.value.field == "amount"


def test_too_large_message_names_limit():
    with pytest.raises(CatalogError) as raised:
        parse_amount("100000000", "JPY")

    assert "¥99,999,999" in raised.value.message


def test_example_amount_follows_exponent():
    assert example_amount("EUR") == "12.50"
    assert example_amount("JPY") == "80"
    assert example_amount("KWD") == "12.500"


def test_amount_for_input_round_trips():
    assert amount_for_input(1250, "EUR") == "12.50"
    assert amount_for_input(80, "JPY") == "80"
    assert parse_amount(amount_for_input(1234, "KWD"), "KWD") == 1234


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.5", Decimal("25.5")),
        ("25,5 %", Decimal("25.5")),
        ("100", Decimal(100)),
        ("7.1234", Decimal("7.1234")),
    ],
)
def test_parse_percent_accepts(text, expected):
    assert parse_percent(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a percent"),
        ("0", "The percent is zero"),
        ("-1", "is negative"),
        ("100.5", "above 100"),
        ("1.23456", "at most 4 decimal places"),
        ("ten", "is not a percent"),
    ],
)
def test_parse_percent_rejects(text, message):
    with pytest.raises(CatalogError) as raised:
        parse_percent(text, "percent")

    assert message in raised.value.message


def test_zero_percent_allowed_for_tax():
    assert parse_percent("0", allow_zero=True) == Decimal(0)


def test_percent_for_input_drops_trailing_zeros():
    assert percent_for_input(Decimal("25.5000")) == "25.5"
    assert percent_for_input(Decimal("10.0000")) == "10"
