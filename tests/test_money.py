from decimal import Decimal

import pytest

from portal.money import (
    MAX_PARSED_AMOUNT,
    CurrencyError,
    Money,
    exponent,
    format_money,
    normalise_currency,
    parse_major,
    round_minor,
    to_major,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        pytest.param("JPY", 0, id="jpy-zero-decimal"),
        pytest.param("EUR", 2, id="eur"),
        pytest.param("USD", 2, id="usd"),
        pytest.param("KWD", 3, id="kwd-three-decimals"),
        pytest.param(" eur ", 2, id="lower-case-padded"),
    ],
)
def test_exponent_per_currency(currency, expected):
    assert exponent(currency) == expected


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("ZZZ", id="unassigned"),
        pytest.param("EURO", id="four-letters"),
        pytest.param("", id="empty"),
    ],
)
def test_unknown_currency_rejected(code):
    with pytest.raises(CurrencyError) as error:
        exponent(code)

    assert repr(code.upper()) in str(error.value)
    assert "ISO 4217" in str(error.value)


def test_currency_error_is_value_error():
    with pytest.raises(ValueError, match="Unknown currency code"):
        normalise_currency("XYZ1")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("0.5", 1, id="half-up"),
        pytest.param("-0.5", -1, id="negative-half-away-from-zero"),
        pytest.param("1.5", 2, id="odd-half-up"),
        pytest.param("2.5", 3, id="even-half-up-not-bankers"),
        pytest.param("-2.5", -3, id="negative-even-half"),
        pytest.param("0.4999", 0, id="below-half-down"),
        pytest.param("-0.4999", 0, id="negative-below-half"),
        pytest.param("144.5", 145, id="larger-half"),
        pytest.param("7", 7, id="whole"),
    ],
)
def test_round_minor_half_up(value, expected):
    result = round_minor(Decimal(value))

    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        pytest.param(1250, "EUR", Decimal("12.50"), id="eur"),
        pytest.param(80, "JPY", Decimal(80), id="jpy"),
        pytest.param(1234, "KWD", Decimal("1.234"), id="kwd"),
        pytest.param(-5, "USD", Decimal("-0.05"), id="negative"),
    ],
)
def test_to_major_scales_by_exponent(amount, currency, expected):
    assert to_major(amount, currency) == expected


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        pytest.param("12.50", "EUR", 1250, id="eur-point"),
        pytest.param("12,5", "EUR", 1250, id="eur-comma-one-place"),
        pytest.param("12,50", "EUR", 1250, id="eur-comma"),
        pytest.param(" 12.50 ", "EUR", 1250, id="surrounding-spaces"),
        pytest.param("12.500", "EUR", 1250, id="trailing-zero-places"),
        pytest.param("80", "JPY", 80, id="jpy-whole"),
        pytest.param("80.0", "JPY", 80, id="jpy-zero-fraction"),
        pytest.param("1.234", "KWD", 1234, id="kwd-three-places"),
        pytest.param(".5", "EUR", 50, id="no-whole-part"),
        pytest.param("5.", "EUR", 500, id="no-fraction-digits"),
        pytest.param("0", "EUR", 0, id="zero"),
        pytest.param("-0.5", "EUR", -50, id="negative"),
        pytest.param("12.50", "eur", 1250, id="lower-case-currency"),
        pytest.param("92233720368547758.07", "EUR", MAX_PARSED_AMOUNT, id="maximum"),
    ],
)
def test_parse_major_valid(text, currency, expected):
    result = parse_major(text, currency)

    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        pytest.param(
            "80.5", "JPY", "JPY amounts are whole numbers.", id="jpy-fraction"
        ),
        pytest.param("1.2345", "KWD", "KWD amounts have at most 3", id="kwd-4-places"),
        pytest.param("12.345", "EUR", "EUR amounts have at most 2", id="eur-3-places"),
        pytest.param(
            "1.000000000000000000000000000001",
            "EUR",
            "EUR amounts have at most 2",
            id="many-places-not-rounded",
        ),
        pytest.param("abc", "EUR", "not a valid amount", id="letters"),
        pytest.param("NaN", "EUR", "not a valid amount", id="nan"),
        pytest.param("sNaN", "EUR", "not a valid amount", id="signalling-nan"),
        pytest.param("Infinity", "EUR", "not a valid amount", id="infinity"),
        pytest.param("-Inf", "EUR", "not a valid amount", id="negative-infinity"),
        pytest.param("", "EUR", "not a valid amount", id="empty"),
        pytest.param(".", "EUR", "not a valid amount", id="separator-only"),
        pytest.param("-", "EUR", "not a valid amount", id="sign-only"),
        pytest.param("1,234.50", "EUR", "not a valid amount", id="two-separators"),
        pytest.param("1 000", "EUR", "not a valid amount", id="inner-space"),
        pytest.param("1_000", "EUR", "not a valid amount", id="underscore"),
        pytest.param("1e3", "EUR", "not a valid amount", id="exponent"),
        pytest.param("9e999990", "EUR", "not a valid amount", id="huge-exponent"),
        pytest.param(
            "\uff11\uff12", "EUR", "not a valid amount", id="fullwidth-digits"
        ),
        pytest.param(
            "92233720368547758.08", "EUR", "minor units are invalid", id="over-maximum"
        ),
        pytest.param("9" * 5000, "EUR", "minor units are invalid", id="5000-digits"),
    ],
)
def test_parse_major_rejected(text, currency, message):
    with pytest.raises(ValueError, match=message):
        parse_major(text, currency)


def test_parse_major_unknown_currency():
    with pytest.raises(CurrencyError, match="'ABC'"):
        parse_major("1.00", "ABC")


def test_money_adds_and_subtracts():
    first = Money(1250, "EUR")
    second = Money(250, "EUR")

    assert first + second == Money(1500, "EUR")
    assert first - second == Money(1000, "EUR")
    assert second - first == Money(-1000, "EUR")


def test_money_rejects_mixed_currencies():
    with pytest.raises(CurrencyError, match="Cannot combine EUR and USD"):
        Money(100, "EUR") + Money(100, "USD")
    with pytest.raises(CurrencyError, match="Cannot combine JPY and EUR"):
        Money(100, "JPY") - Money(100, "EUR")


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(1.5, id="float"),
        pytest.param(1, id="int"),
        pytest.param(Decimal("1.50"), id="decimal"),
    ],
)
def test_money_arithmetic_rejects_non_money(other):
    money = Money(100, "EUR")

    with pytest.raises(TypeError):
        money + other
    with pytest.raises(TypeError):
        money - other
    with pytest.raises(TypeError):
        other + money


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(12.5, id="float"),
        pytest.param(Decimal("12.50"), id="decimal"),
        pytest.param(True, id="bool"),
        pytest.param("1250", id="string"),
    ],
)
def test_money_amount_must_be_int(amount):
    with pytest.raises(TypeError, match="int of minor units"):
        Money(amount, "EUR")


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        pytest.param(123450, "EUR", "fi", "1 234,50 €", id="eur-fi"),
        pytest.param(123450, "EUR", "en", "€1,234.50", id="eur-en"),
        pytest.param(80, "JPY", "en", "¥80", id="jpy-en"),
        pytest.param(1234, "KWD", "en", "KWD1.234", id="kwd-en"),
        pytest.param(1234, "KWD", "fi", "1,234 KWD", id="kwd-fi"),
        pytest.param(-150, "EUR", "en", "-€1.50", id="negative-en"),
        pytest.param(0, "USD", "en", "$0.00", id="zero-usd"),
        pytest.param(123450, "EUR", "xx", "€1,234.50", id="unknown-locale-as-en"),
    ],
)
def test_format_money(amount, currency, locale, expected):
    text = format_money(amount, currency, locale)

    assert text.replace(NBSP, " ") == expected


def test_format_money_fi_uses_no_break_spaces():
    assert format_money(123450, "EUR", "fi") == f"1{NBSP}234,50{NBSP}€"


def test_money_format_matches_format_money():
    assert Money(123450, "EUR").format("en") == "€1,234.50"
    assert Money(80, "JPY").format() == "¥80"


def test_format_money_unknown_currency():
    with pytest.raises(CurrencyError):
        format_money(100, "ZZZ")
