"""A business and payment links to check out, built straight from the models."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.models import (
    Business,
    Collect,
    CustomField,
    CustomFieldKind,
    Discount,
    Fee,
    Payment,
    PaymentLink,
    PaymentLinkItem,
    Price,
    Product,
    TaxRate,
)

VALID_CARD = {
    "method": "card",
    "card_number": "4242 4242 4242 4242",
    "card_expiry": "12 / 40",
    "card_cvc": "123",
}


@pytest.fixture
def business(db):
    business = Business(
        name="Nordlys Studio",
        email="sales@nordlys.example",
        currency="EUR",
        timezone="Europe/Helsinki",
        brand_color="#2f6f4f",
    )
    db.add(business)
    db.commit()
    return business


@pytest.fixture
def kit_link(db, business):
    """4 x 65.00 EUR kits at 6% tax, a 5.95 shipping fee and codes allowed."""
    vat = TaxRate(name="VAT", percent=Decimal(6))
    kit = Price(product=Product(name="Workshop kit"), currency="EUR", unit_amount=6500)
    link = PaymentLink(
        slug="workshop-kit",
        title="Workshop kit",
        currency="EUR",
        allow_discount_codes=True,
        collect_name=Collect.REQUIRED,
        collect_address=Collect.OPTIONAL,
        collect_phone=Collect.OPTIONAL,
        after_payment_message="See you at the workshop.",
    )
    link.items.append(
        PaymentLinkItem(
            price=kit,
            quantity=4,
            adjustable_quantity=True,
            max_quantity=10,
            tax_rate=vat,
        )
    )
    link.fees.append(
        Fee(name="Shipping", flat_amount=595, currency="EUR", tax_rate=vat)
    )
    link.custom_fields.extend(
        [
            CustomField(
                position=0,
                key="size",
                label="T-shirt size",
                kind=CustomFieldKind.DROPDOWN,
                required=True,
                options=["S", "M", "L"],
            ),
            CustomField(
                position=1,
                key="attendees",
                label="Attendees",
                kind=CustomFieldKind.NUMBER,
                required=False,
            ),
        ]
    )
    db.add_all(
        [
            link,
            Discount(name="Ten off", code="TEN", percent=Decimal(10)),
            Discount(name="Free", code="FREE", percent=Decimal(100)),
        ]
    )
    db.commit()
    return link


@pytest.fixture
def yen_link(db, business):
    link = PaymentLink(slug="tokyo-print", title="Tokyo print", currency="JPY")
    link.items.append(
        PaymentLinkItem(
            price=Price(
                product=Product(name="Tokyo print"), currency="JPY", unit_amount=80
            )
        )
    )
    db.add(link)
    db.commit()
    return link


def checkout_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def quantity_field(html: str) -> str:
    return re.search(r'name="(qty-\d+)"', html).group(1)


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>\s*([^<]*?)\s*<', html)
    assert match, f"no element with id {element_id}"
    return match.group(1).replace("\xa0", " ")


def open_checkout(client, slug: str) -> tuple[str, str]:
    response = client.get(f"/pay/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html, checkout_token(html)


def kit_form(page: str, attempt_token: str, **overrides) -> dict[str, str]:
    form = {
        "action": "pay",
        "token": attempt_token,
        quantity_field(page): "4",
        "email": "Aino@Example.com",
        "name": "Aino Virtanen",
        "custom-size": "M",
        **VALID_CARD,
    }
    form.update(overrides)
    return form


def payments(db) -> list[Payment]:
    db.expire_all()
    return list(db.scalars(select(Payment).order_by(Payment.id)))
