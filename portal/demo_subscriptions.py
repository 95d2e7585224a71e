"""Demo payment links that sell subscriptions: a monthly and a yearly price.

Like the rest of the demo seed, each row is looked up by a stable key (link
slug, product name with currency, amount and frequency) before it is added,
so seeding again adds nothing twice.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    BillingFrequency,
    PaymentLink,
    PaymentLinkItem,
    Price,
    PriceKind,
    Product,
    TaxRate,
)

MONTHLY_SLUG = "studio-membership"
YEARLY_SLUG = "print-club"
# Printed under each link's URL after seeding.
SUBSCRIPTION_LINK_NOTES = {
    MONTHLY_SLUG: "a subscription billed every month from the day of payment. "
    "The card is saved with the buyer's consent and charged again by "
    "flask --app wsgi billing run.",
    YEARLY_SLUG: "a subscription billed every year after a 14-day free trial, "
    "with a one-time welcome pack charged today.",
}


def ensure_subscription_links(session: Session, vat: TaxRate) -> list[PaymentLink]:
    """Add the monthly and the yearly demo links when missing; return both."""
    return [_ensure_monthly_link(session, vat), _ensure_yearly_link(session, vat)]


def _ensure_monthly_link(session: Session, vat: TaxRate) -> PaymentLink:
    link = _find_link(session, MONTHLY_SLUG)
    if link is not None:
        return link
    link = PaymentLink(
        slug=MONTHLY_SLUG,
        title="Studio membership",
        description="Open studio evenings and member prices on every workshop.",
        currency="EUR",
    )
    price = _ensure_recurring_price(
        session, "Studio membership", 1500, BillingFrequency.MONTHLY
    )
    link.items.append(PaymentLinkItem(position=0, price=price, tax_rate=vat))
    session.add(link)
    return link


def _ensure_yearly_link(session: Session, vat: TaxRate) -> PaymentLink:
    link = _find_link(session, YEARLY_SLUG)
    if link is not None:
        return link
    link = PaymentLink(
        slug=YEARLY_SLUG,
        title="Print club",
        description="Four new prints a year, posted to your door.",
        currency="EUR",
        trial_days=14,
    )
    price = _ensure_recurring_price(
        session, "Print club", 9900, BillingFrequency.YEARLY
    )
    link.items.append(PaymentLinkItem(position=0, price=price, tax_rate=vat))
    link.items.append(
        PaymentLinkItem(
            position=1,
            price=_ensure_one_time_price(session, "Print club welcome pack", 1900),
            tax_rate=vat,
        )
    )
    session.add(link)
    return link


def _find_link(session: Session, slug: str) -> PaymentLink | None:
    return session.scalars(select(PaymentLink).where(PaymentLink.slug == slug)).first()


def _ensure_product(session: Session, name: str) -> Product:
    product = session.scalars(
        select(Product).where(Product.name == name).order_by(Product.id)
    ).first()
    if product is None:
        product = Product(name=name)
        session.add(product)
    return product


def _ensure_recurring_price(
    session: Session, name: str, unit_amount: int, frequency: BillingFrequency
) -> Price:
    product = _ensure_product(session, name)
    price = session.scalars(
        select(Price).where(
            Price.product == product,
            Price.currency == "EUR",
            Price.unit_amount == unit_amount,
            Price.kind == PriceKind.RECURRING,
            Price.frequency == frequency,
        )
    ).first()
    if price is None:
        price = Price(
            product=product,
            currency="EUR",
            unit_amount=unit_amount,
            kind=PriceKind.RECURRING,
            frequency=frequency,
        )
        session.add(price)
    return price


def _ensure_one_time_price(session: Session, name: str, unit_amount: int) -> Price:
    product = _ensure_product(session, name)
    price = session.scalars(
        select(Price).where(
            Price.product == product,
            Price.currency == "EUR",
            Price.unit_amount == unit_amount,
            Price.kind == PriceKind.ONE_TIME,
        )
    ).first()
    if price is None:
        price = Price(product=product, currency="EUR", unit_amount=unit_amount)
        session.add(price)
    return price
