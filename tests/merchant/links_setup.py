"""A catalogue to build payment links from, and the link form filled in.

``link_form(catalogue, **overrides)`` returns the new-link form with every
option the checkout supports set. Each override replaces one field, and a
value of None drops the field, as an unchecked box does.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from portal.models import BillingFrequency, Discount, Fee, Price, PriceKind, TaxRate
from tests.factories import make_business, make_product_price, make_tax_rate

NEW_LINK = "/merchant/links/new"


@dataclass
class Catalogue:
    poster: Price  # 39.00 EUR
    kit: Price  # 65.00 EUR
    print_yen: Price  # 8,000 JPY
    membership: Price  # 9.90 EUR a month
    vat: TaxRate  # 24 %, added to prices
    shipping: Fee  # 5.95 EUR, with VAT
    shipping_yen: Fee  # 900 JPY
    line_discount: Discount  # 10 % off, no code
    yen_off: Discount  # 500 JPY off, no code
    code: Discount  # WELCOME10, 10 % off


def make_catalogue(session: Session) -> Catalogue:
    make_business(session, accepted_currencies=["JPY"])
    vat = make_tax_rate(session, "VAT", "24")
    membership = make_product_price(session, "Membership", 990)
    membership.kind = PriceKind.RECURRING
    membership.frequency = BillingFrequency.MONTHLY
    catalogue = Catalogue(
        poster=make_product_price(session, "Poster", 3900),
        kit=make_product_price(session, "Workshop kit", 6500),
        print_yen=make_product_price(session, "Tokyo print", 8000, "JPY"),
        membership=membership,
        vat=vat,
        shipping=Fee(name="Shipping", flat_amount=595, currency="EUR", tax_rate=vat),
        shipping_yen=Fee(name="Yen shipping", flat_amount=900, currency="JPY"),
        line_discount=Discount(name="Launch offer", percent=Decimal(10)),
        yen_off=Discount(name="Yen off", amount_off=500, currency="JPY"),
        code=Discount(name="Welcome", code="WELCOME10", percent=Decimal(10)),
    )
    session.add_all(
        [
            catalogue.shipping,
            catalogue.shipping_yen,
            catalogue.line_discount,
            catalogue.yen_off,
            catalogue.code,
        ]
    )
    session.commit()
    return catalogue


def link_form(catalogue: Catalogue, **overrides) -> dict[str, object]:
    form: dict[str, object] = {
        "title": "Workshop kit",
        "description": "Everything for the spring workshop.",
        "currency": "EUR",
        "slug": "",
        "items-0-price_id": str(catalogue.kit.id),
        "items-0-quantity": "4",
        "items-0-adjustable_quantity": "y",
        "items-0-min_quantity": "2",
        "items-0-max_quantity": "10",
        "items-0-tax_rate_id": str(catalogue.vat.id),
        "items-0-discount_id": str(catalogue.line_discount.id),
        "items-1-price_id": str(catalogue.poster.id),
        "items-1-quantity": "1",
        "items-1-min_quantity": "1",
        "items-1-max_quantity": "99",
        "items-1-tax_rate_id": "",
        "items-1-discount_id": "",
        "fee_ids": [str(catalogue.shipping.id)],
        "allow_discount_codes": "y",
        "allow_bank_debit": "y",
        "collect_name": "required",
        "collect_address": "optional",
        "collect_phone": "required",
        "custom_fields-0-label": "T-shirt size",
        "custom_fields-0-kind": "dropdown",
        "custom_fields-0-required": "y",
        "custom_fields-0-options": "S\nM\nL",
        "custom_fields-1-label": "Attendees",
        "custom_fields-1-kind": "number",
        "custom_fields-1-options": "",
        "after_payment_message": "See you at the workshop.",
        "after_payment_url": "",
        "expires_at": "2099-01-31T18:00",
        "max_payments": "50",
        "allowed_origins": "https://shop.example\nhttp://localhost:8000",
    }
    for name, value in overrides.items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form
