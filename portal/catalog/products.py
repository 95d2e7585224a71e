"""Products and their prices.

A price that an order has used cannot change, because receipts and invoices
point at it: archive it and add a new one instead, as Stripe does. A price
that only payment links use may change its amount, but not its currency or
kind, which the links depend on.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from portal.catalog.amounts import parse_amount, parse_currency
from portal.catalog.changes import apply_changes, changed_fields
from portal.catalog.errors import CatalogError, ErrorCollector
from portal.catalog.text import clean_line, clean_text, parse_choice
from portal.models import (
    BillingFrequency,
    OrderLine,
    PaymentLinkItem,
    Price,
    PriceKind,
    Product,
)

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000
MAX_IMAGE_URL_LENGTH = 500

FREQUENCY_LABELS = {
    BillingFrequency.WEEKLY: "Weekly",
    BillingFrequency.BIWEEKLY: "Every two weeks",
    BillingFrequency.MONTHLY: "Monthly",
    BillingFrequency.QUARTERLY: "Quarterly",
    BillingFrequency.SEMIANNUALLY: "Every six months",
    BillingFrequency.YEARLY: "Yearly",
    BillingFrequency.EVERY_2_YEARS: "Every 2 years",
    BillingFrequency.EVERY_3_YEARS: "Every 3 years",
    BillingFrequency.EVERY_4_YEARS: "Every 4 years",
    BillingFrequency.EVERY_5_YEARS: "Every 5 years",
}


@dataclass(frozen=True, slots=True)
class ProductInput:
    name: str
    description: str | None
    image_url: str | None
    active: bool = True


@dataclass(frozen=True, slots=True)
class PriceInput:
    currency: str
    unit_amount: int  # minor units, above zero
    kind: PriceKind
    frequency: BillingFrequency | None  # set exactly when kind is recurring

    def __post_init__(self) -> None:
        if (self.kind is PriceKind.RECURRING) != (self.frequency is not None):
            raise CatalogError(
                "Choose how often a recurring price is billed, and no frequency "
                "for a one-time price.",
                "frequency",
            )


def check_image_url(value: str | None) -> str | None:
    """Return an absolute http(s) image URL, or None when empty."""
    url = clean_line(
        value, "image URL", MAX_IMAGE_URL_LENGTH, "image_url", required=False
    )
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CatalogError(
            f"The image URL {url!r} is not an http:// or https:// address. "
            "Enter an address such as https://shop.example/poster.jpg.",
            "image_url",
        )
    return url


def read_product(data: Mapping[str, object]) -> ProductInput:
    """Check a product form's values; raises ``InvalidInput`` naming each bad field."""
    collector = ErrorCollector()
    name = collector.check(
        clean_line, data.get("name"), "name", MAX_NAME_LENGTH, "name", required=True
    )
    description = collector.check(
        clean_text,
        data.get("description"),
        "description",
        MAX_DESCRIPTION_LENGTH,
        "description",
    )
    image_url = collector.check(check_image_url, data.get("image_url"))
    collector.raise_any()
    return ProductInput(
        name=name,
        description=description,
        image_url=image_url,
        active=bool(data.get("active", True)),
    )


def read_price(data: Mapping[str, object], currencies: Sequence[str]) -> PriceInput:
    """Check a price form's values against the business's accepted currencies.

    Raises ``InvalidInput`` naming each bad field.
    """
    collector = ErrorCollector()
    currency = collector.check(parse_currency, data.get("currency"), currencies)
    kind = parse_choice(PriceKind, data.get("kind"))
    if kind is None:
        collector.errors["kind"] = "Choose one-time or recurring."
    frequency = parse_choice(BillingFrequency, data.get("frequency"))
    if kind is PriceKind.RECURRING and frequency is None:
        collector.errors["frequency"] = "Choose how often the price is billed."
    if kind is PriceKind.ONE_TIME:
        frequency = None
    amount = None
    if currency is not None:
        amount = collector.check(
            parse_amount, str(data.get("amount") or ""), currency, "amount"
        )
    collector.raise_any()
    return PriceInput(
        currency=currency, unit_amount=amount, kind=kind, frequency=frequency
    )


def create_product(session: Session, values: ProductInput) -> Product:
    product = Product(
        name=values.name,
        description=values.description,
        image_url=values.image_url,
        active=values.active,
    )
    session.add(product)
    session.flush()
    return product


def update_product(product: Product, values: ProductInput) -> dict[str, str]:
    """Apply ``values`` and return the changed fields with their new values."""
    return apply_changes(
        product, values, ("name", "description", "image_url", "active")
    )


def price_label(price: Price) -> str:
    """Describe how a price is billed: "One-time" or "Monthly"."""
    if price.kind is PriceKind.RECURRING and price.frequency is not None:
        return FREQUENCY_LABELS[price.frequency]
    return "One-time"


def price_in_orders(session: Session, price_id: int) -> bool:
    """Tell whether a payment or an invoice has recorded this price."""
    return bool(session.scalar(select(exists().where(OrderLine.price_id == price_id))))


def links_using_price(session: Session, price_id: int) -> int:
    return session.scalar(
        select(func.count(func.distinct(PaymentLinkItem.link_id))).where(
            PaymentLinkItem.price_id == price_id
        )
    )


def add_price(session: Session, product: Product, values: PriceInput) -> Price:
    price = Price(
        product=product,
        currency=values.currency,
        unit_amount=values.unit_amount,
        kind=values.kind,
        frequency=values.frequency,
    )
    session.add(price)
    session.flush()
    return price


def change_price(session: Session, price: Price, values: PriceInput) -> dict[str, str]:
    """Apply ``values`` to a price that no order has used yet.

    Raises ``CatalogError`` when an order has used the price, or when payment
    links use it and the currency or kind would change. Returns the changed
    fields with their new values.
    """
    if price_in_orders(session, price.id):
        raise CatalogError(
            "Payments or invoices have used this price, so it cannot change. "
            "Archive it and add a new price instead."
        )
    changes = changed_fields(
        price, values, ("currency", "unit_amount", "kind", "frequency")
    )
    linked = links_using_price(session, price.id)
    if linked and ({"currency", "kind"} & changes.keys()):
        raise CatalogError(
            f"{linked} payment link(s) use this price, so its currency and kind "
            "cannot change. Add a new price instead.",
            "currency" if "currency" in changes else "kind",
        )
    return apply_changes(price, values, changes)
