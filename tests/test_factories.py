"""The test factories build rows that satisfy the schema's constraints."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.models import CustomFieldKind, Discount, PaymentLink
from tests.factories import (
    make_business,
    make_discount,
    make_link,
    make_product_price,
    make_tax_rate,
)


def test_make_link_with_items_fees_and_fields(db):
    make_business(db)
    vat = make_tax_rate(db, percent="25.5")
    poster = make_product_price(db, "Poster", 3900)

    link = make_link(
        db,
        slug="kit",
        items=[
            {
                "name": "Kit",
                "unit_amount": 6500,
                "quantity": 2,
                "adjustable_quantity": True,
                "max_quantity": 10,
                "tax_rate": vat,
            },
            {"price": poster},
        ],
        fees=[{"name": "Shipping", "flat_amount": 595, "tax_rate": vat}],
        custom_fields=[
            {"key": "size", "label": "Size", "kind": "dropdown", "options": ["S"]}
        ],
        allow_discount_codes=True,
    )
    db.commit()

    stored = db.scalars(select(PaymentLink).where(PaymentLink.slug == "kit")).one()
    assert stored.id == link.id
    assert stored.title == "Kit"
    assert stored.allow_discount_codes
    assert [item.position for item in stored.items] == [0, 1]
    assert stored.items[0].price.unit_amount == 6500
    assert stored.items[0].price.currency == "EUR"
    assert stored.items[0].quantity == 2
    assert stored.items[0].tax_rate.percent == Decimal("25.5")
    assert stored.items[1].price.product.name == "Poster"
    assert stored.fees[0].currency == "EUR"
    assert stored.custom_fields[0].kind is CustomFieldKind.DROPDOWN


def test_make_link_generates_slug(db):
    first = make_link(db, items=[{"name": "Print", "unit_amount": 800}])
    second = make_link(db, items=[{"name": "Print", "unit_amount": 800}])

    assert first.slug != second.slug


def test_make_discount_kinds(db):
    percent_off = make_discount(db, "TEN", percent=10)
    amount_off = make_discount(db, "FIVE", amount_off=500, max_redemptions=3)
    db.commit()

    assert db.get(Discount, percent_off.id).percent == Decimal(10)
    assert db.get(Discount, amount_off.id).currency == "EUR"
    assert db.get(Discount, amount_off.id).max_redemptions == 3


def test_make_discount_needs_one_kind(db):
    with pytest.raises(ValueError, match="exactly one"):
        make_discount(db, "BOTH", percent=10, amount_off=500)
    with pytest.raises(ValueError, match="exactly one"):
        make_discount(db, "NEITHER")
