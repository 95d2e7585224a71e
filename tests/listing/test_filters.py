"""Parsing index filters from query-string values, without a database."""

from datetime import date

import pytest

from portal.listing.filters import AmountRange, DateRange, parse_amount
from portal.listing.invoices import INVOICES
from portal.listing.payments import PAYMENTS
from portal.listing.query import canonical_query, parse_query


def parsed_payments(**args: str | list[str]):
    values = {
        key: value if isinstance(value, list) else [value]
        for key, value in args.items()
    }
    return parse_query(PAYMENTS, values)


def test_no_values_means_no_filters():
    parsed = parsed_payments()

    assert parsed.valid
    assert parsed.values == {}
    assert parsed.sort.param == "-created"
    assert parsed.page_size == 50


def test_status_takes_several_values_in_list_order():
    parsed = parsed_payments(status=["canceled", "succeeded", "canceled"])

    assert parsed.values["status"] == ("succeeded", "canceled")


def test_unknown_status_names_the_choices():
    parsed = parsed_payments(status="paid")

    assert parsed.errors["status"] == (
        "Status 'paid' is unknown; choose from succeeded, processing,"
        " requires_action, requires_payment_method, canceled."
    )


def test_invoice_status_offers_overdue():
    parsed = parse_query(INVOICES, {"status": ["open", "overdue"]})

    assert parsed.values["status"] == ("open", "overdue")


def test_date_range_parses_both_ends():
    parsed = parsed_payments(created_from="2026-11-01", created_to="2026-11-30")

    assert parsed.values["created"] == DateRange(date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.parametrize("text", ["2026-13-01", "1.11.2026", "2026-11-1", "today"])
def test_bad_date_gets_example(text):
    parsed = parsed_payments(created_from=text)

    assert parsed.errors == {
        "created_from": "Created from must be a date like 2026-12-31."
    }


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_date_outside_calendar_range(text):
    parsed = parsed_payments(created_to=text)

    assert parsed.errors == {
        "created_to": "Created to must be between 1900-01-01 and 9998-12-31."
    }


def test_reversed_date_range_is_rejected():
    parsed = parsed_payments(created_from="2026-11-30", created_to="2026-11-01")

    assert parsed.errors == {
        "created_to": "Created to must be on or after Created from (2026-11-30)."
    }


def test_amount_range_in_minor_units():
    parsed = parsed_payments(currency="eur", amount_from="12.5", amount_to="100")

    assert parsed.values["currency"] == "EUR"
    assert parsed.values["amount"] == AmountRange("EUR", 1250, 10000)


def test_amount_accepts_decimal_comma():
    parsed = parsed_payments(currency="EUR", amount_from="12,50")

    assert parsed.values["amount"] == AmountRange("EUR", 1250, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "Amount from must be a number like 12.50."),
        ("1e3", "Amount from must be a number like 12.50."),
        ("12.", "Amount from must be a number like 12.50."),
        ("+5", "Amount from must be a number like 12.50."),
        ("1 000", "Amount from must be a number like 12.50."),
        ("-5", "Amount from must not be negative."),
        ("12.505", "Amount from has more decimal places than EUR allows (2)."),
        ("9" * 30, "Amount from is too large."),
    ],
)
def test_bad_amount_gets_message(text, message):
    parsed = parsed_payments(currency="EUR", amount_from=text)

    assert parsed.errors == {"amount_from": message}


def test_amount_uses_the_currency_exponent():
    yen = parsed_payments(currency="JPY", amount_from="1500")
    yen_fraction = parsed_payments(currency="JPY", amount_from="1500.5")
    dinar = parsed_payments(currency="KWD", amount_from="1.125")

    assert yen.values["amount"].minimum == 1500
    assert yen_fraction.errors["amount_from"] == (
        "Amount from must be a whole number in JPY."
    )
    assert dinar.values["amount"].minimum == 1125


def test_amount_needs_a_currency():
    parsed = parsed_payments(amount_from="10")

    assert parsed.errors == {
        "currency": "Choose a currency to filter by amount, because amounts in"
        " different currencies cannot be compared."
    }


def test_bad_amount_reported_before_missing_currency():
    parsed = parsed_payments(amount_from="ten")

    assert parsed.errors == {"amount_from": "Amount from must be a number like 12.50."}


def test_reversed_amount_range_is_rejected():
    parsed = parsed_payments(currency="EUR", amount_from="20", amount_to="10")

    assert parsed.errors == {
        "amount_to": "Amount to must not be less than Amount from."
    }


def test_unknown_currency_is_reported_once():
    parsed = parsed_payments(currency="EURO", amount_from="10")

    assert parsed.errors == {
        "currency": "Currency 'EURO' is not an ISO 4217 code such as EUR."
    }


def test_two_currencies_are_rejected():
    parsed = parsed_payments(currency=["EUR", "USD"])

    assert parsed.errors == {"currency": "Choose one currency, not 2."}


def test_contact_filter_is_lower_cased():
    parsed = parsed_payments(contact="  Ann@Example.COM ")

    assert parsed.values["contact"] == "ann@example.com"


def test_contact_filter_has_length_limit():
    parsed = parsed_payments(contact="a" * 321)

    assert parsed.errors == {"contact": "Contact email must be at most 320 characters."}


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "٣"])
def test_link_filter_takes_an_id(text):
    parsed = parsed_payments(link=text)

    assert parsed.errors == {
        "link": "Payment link must be chosen from the list, by its number."
    }


def test_sort_and_page_size():
    parsed = parsed_payments(sort="amount", per_page="200")

    assert parsed.sort.key.key == "amount"
    assert parsed.sort.descending is False
    assert parsed.page_size == 200


def test_unknown_sort_lists_the_keys():
    parsed = parsed_payments(sort="-colour")

    assert parsed.errors == {
        "sort": "Sort must be one of created, amount, contact, with a leading"
        " minus sign for descending order."
    }


def test_odd_page_size_is_rejected():
    parsed = parsed_payments(per_page="1000")

    assert parsed.errors == {
        "per_page": "Rows per page must be one of 25, 50, 100, 200."
    }


def test_every_bad_value_gets_its_own_message():
    parsed = parsed_payments(
        status="paid", created_from="yesterday", link="x", sort="colour"
    )

    assert set(parsed.errors) == {"status", "created_from", "link", "sort"}


def test_canonical_query_orders_and_omits_defaults():
    parsed = parsed_payments(
        link="3",
        status=["canceled", "succeeded"],
        contact="Ann",
        currency="eur",
        amount_from="5",
        sort="-created",
        per_page="50",
        after="ignored",
    )

    assert canonical_query(PAYMENTS, parsed) == (
        "status=succeeded&status=canceled&currency=EUR&amount_from=5.00"
        "&contact=ann&link=3"
    )


def test_canonical_query_round_trips():
    first = parsed_payments(
        created_from="2026-01-01", currency="JPY", amount_to="900", sort="amount"
    )
    text = canonical_query(PAYMENTS, first)
    pairs = [pair.split("=") for pair in text.split("&")]
    again = parse_query(PAYMENTS, {key: [value] for key, value in pairs})

    assert text == "created_from=2026-01-01&currency=JPY&amount_to=900&sort=amount"
    assert again.values == first.values
    assert again.sort == first.sort


def test_parse_amount_direct():
    assert parse_amount("0", "EUR", "Total") == 0
    assert parse_amount("007.10", "EUR", "Total") == 710
    with pytest.raises(ValueError, match=r"Total must not be negative\."):
        parse_amount("-1", "EUR", "Total")
