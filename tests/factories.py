"""Builders that add rows through a session and flush, for tests to arrange data.

Amounts are integers in the currency's minor units, as everywhere in Kassa.
Each builder returns the flushed model, so its ``id`` is set. The caller
commits when the test needs the rows visible to other sessions.
"""

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from portal.models import (
    Business,
    Collect,
    CustomField,
    CustomFieldKind,
    Discount,
    Fee,
    PaymentLink,
    PaymentLinkItem,
    Price,
    Product,
    TaxRate,
)


def make_business(session: Session, **overrides: Any) -> Business:
    fields: dict[str, Any] = {
        "name": "Nordlys Studio",
        "email": "sales@nordlys.example",
        "currency": "EUR",
        "timezone": "Europe/Helsinki",
        "locale": "en",
        "brand_color": "#2f6f4f",
        **overrides,
    }
    business = Business(**fields)
    session.add(business)
    session.flush()
    return business


def make_tax_rate(
    session: Session,
    name: str = "VAT",
    percent: str | int | Decimal = "24",
    inclusive: bool = False,
) -> TaxRate:
    tax_rate = TaxRate(name=name, percent=Decimal(str(percent)), inclusive=inclusive)
    session.add(tax_rate)
    session.flush()
    return tax_rate


def make_product_price(
    session: Session, name: str, unit_amount: int, currency: str = "EUR"
) -> Price:
    """Add a product with one one-time price and return the price."""
    price = Price(
        product=Product(name=name), currency=currency, unit_amount=unit_amount
    )
    session.add(price)
    session.flush()
    return price


def make_discount(
    session: Session,
    code: str | None,
    percent: str | int | Decimal | None = None,
    amount_off: int | None = None,
    *,
    currency: str | None = None,
    name: str | None = None,
    expires_at: datetime | None = None,
    max_redemptions: int | None = None,
    times_redeemed: int = 0,
    active: bool = True,
) -> Discount:
    """Add a discount of either ``percent`` or ``amount_off`` (minor units).

    An amount off defaults to euros when no ``currency`` is given.
    """
    if (percent is None) == (amount_off is None):
        raise ValueError("Give exactly one of percent and amount_off.")
    if amount_off is not None and currency is None:
        currency = "EUR"
    discount = Discount(
        name=name or code or "Discount",
        code=code,
        percent=None if percent is None else Decimal(str(percent)),
        amount_off=amount_off,
        currency=currency,
        expires_at=expires_at,
        max_redemptions=max_redemptions,
        times_redeemed=times_redeemed,
        active=active,
    )
    session.add(discount)
    session.flush()
    return discount


def make_link(
    session: Session,
    *,
    slug: str | None = None,
    items: Iterable[Mapping[str, Any]] = (),
    fees: Iterable[Mapping[str, Any] | Fee] = (),
    custom_fields: Iterable[Mapping[str, Any]] = (),
    currency: str = "EUR",
    **link_fields: Any,
) -> PaymentLink:
    """Add a payment link with its line items, fees and custom fields.

    Each item is a mapping with ``name`` and ``unit_amount`` (or an existing
    ``price``) and optionally ``quantity``, ``adjustable_quantity``,
    ``min_quantity``, ``max_quantity``, ``tax_rate`` and ``discount``. A fee is
    a ``Fee`` or a mapping of its columns; its currency defaults to the
    link's. A custom field is a mapping with ``key``, ``label`` and optionally
    ``kind`` (a ``CustomFieldKind`` or its value), ``required`` and
    ``options``. Other keyword arguments set columns of the link itself.
    """
    slug = slug or f"link-{secrets.token_hex(4)}"
    items = list(items)
    fields: dict[str, Any] = {
        "title": items[0]["name"] if items and "name" in items[0] else slug,
        "collect_name": Collect.OPTIONAL,
        **link_fields,
    }
    link = PaymentLink(slug=slug, currency=currency, **fields)
    for position, item in enumerate(items):
        link.items.append(_link_item(position, item, currency))
    for fee in fees:
        link.fees.append(fee if isinstance(fee, Fee) else _fee(fee, currency))
    for position, field in enumerate(custom_fields):
        link.custom_fields.append(_custom_field(position, field))
    session.add(link)
    session.flush()
    return link


def _link_item(
    position: int, item: Mapping[str, Any], currency: str
) -> PaymentLinkItem:
    price = item.get("price") or Price(
        product=Product(name=item["name"]),
        currency=currency,
        unit_amount=item["unit_amount"],
    )
    return PaymentLinkItem(
        position=position,
        price=price,
        quantity=item.get("quantity", 1),
        adjustable_quantity=item.get("adjustable_quantity", False),
        min_quantity=item.get("min_quantity", 1),
        max_quantity=item.get("max_quantity", 99),
        tax_rate=item.get("tax_rate"),
        discount=item.get("discount"),
    )


def _fee(fee: Mapping[str, Any], currency: str) -> Fee:
    fields = dict(fee)
    if fields.get("flat_amount") is not None:
        fields.setdefault("currency", currency)
    if fields.get("percent") is not None:
        fields["percent"] = Decimal(str(fields["percent"]))
    return Fee(**fields)


def _custom_field(position: int, field: Mapping[str, Any]) -> CustomField:
    return CustomField(
        position=position,
        key=field["key"],
        label=field["label"],
        kind=CustomFieldKind(field.get("kind", CustomFieldKind.TEXT)),
        required=field.get("required", False),
        options=list(field.get("options", [])),
    )
