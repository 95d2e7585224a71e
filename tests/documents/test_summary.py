from decimal import Decimal

import pytest

from portal.documents.facts import (
    brand_color,
    card_brand_name,
    local_datetime,
    payment_method_label,
)
from portal.documents.summary import MINUS_SIGN, format_tax_percent, summarise_order
from portal.models import PaymentMethodKind
from tests.documents import builders


def rows_of(summary) -> list[tuple[str, str, str]]:
    return [
        (row.kind, row.label, row.amount.replace("\xa0", " ")) for row in summary.rows
    ]


def test_summary_rows_add_up_to_total(document_app):
    summary = summarise_order(builders.order(), "en")

    assert rows_of(summary) == [
        ("subtotal", "Subtotal", "€244.00"),
        ("discount", "Discount (TEN)", f"{MINUS_SIGN}€24.40"),
        ("fee", "Shipping", "€5.95"),
        ("tax", "VAT 24%", "€43.55"),
        ("tax", "VAT 14% (included)", "€5.42"),
        ("total", "Total", "€269.10"),
    ]
    assert summary.total == "€269.10"


def test_summary_lists_items_without_fees(document_app):
    summary = summarise_order(builders.order(), "en")

    assert [line.description for line in summary.items] == [
        "Workshop kit",
        "Glaze set: sävy yö",
    ]
    assert summary.items[0].quantity == 3
    assert summary.items[0].unit_amount == "€65.00"
    assert summary.items[0].amount == "€195.00"


def test_summary_without_discount_or_tax(document_app):
    order = builders.order()
    for line in order.lines:
        line.discount = 0
        line.tax = 0
        line.tax_name = None
        line.tax_percent = None
    order.discount_total = 0
    order.discount_code = None

    kinds = [row.kind for row in summarise_order(order, "en").rows]

    assert kinds == ["subtotal", "fee", "total"]


@pytest.mark.parametrize(
    ("percent", "locale", "expected"),
    [
        (Decimal("24.0000"), "en", "24%"),
        (Decimal("5.5000"), "en", "5.5%"),
        (Decimal("25.5000"), "fi", "25,5 %"),
        (Decimal("0.0000"), "en", "0%"),
    ],
)
def test_tax_percent_keeps_needed_decimals(percent, locale, expected):
    assert format_tax_percent(percent, locale).replace("\xa0", " ") == expected


@pytest.mark.parametrize(
    ("brand", "expected"),
    [
        ("visa", "Visa"),
        ("amex", "American Express"),
        ("newcard", "Newcard"),
        (None, "Card"),
    ],
)
def test_card_brand_names(document_app, brand, expected):
    assert card_brand_name(brand) == expected


def test_method_label_for_each_kind(document_app):
    card = builders.card_payment()
    debit = builders.processing_debit()
    free = builders.card_payment()
    free.method = PaymentMethodKind.NONE

    assert payment_method_label(card) == "Visa ending in 4242"
    assert payment_method_label(debit) == "Bank debit ending in 6789"
    assert payment_method_label(free) == "No payment needed"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("#2f6f4f", "#2f6f4f"), ("red;}", "#0a5fff"), ("#12345g", "#0a5fff")],
)
def test_brand_color_is_checked(stored, expected):
    assert brand_color(builders.business(brand_color=stored)) == expected


def test_unknown_time_zone_shows_utc():
    formatted = local_datetime(builders.PAID_AT, "Mars/Olympus", "en")

    assert formatted.startswith("Dec 4, 2026")
