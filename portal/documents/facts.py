"""Buyer-facing wording of a payment's method and status, dates and addresses."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from flask_babel import gettext as _

from portal.models import (
    BillingDetails,
    Business,
    InvoiceStatus,
    Order,
    Payment,
    PaymentMethodKind,
    PaymentStatus,
)

DEFAULT_BRAND_COLOR = "#0a5fff"
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

# Display names of the card brands that Stripe reports in lower case.
CARD_BRANDS = {
    "amex": "American Express",
    "diners": "Diners Club",
    "discover": "Discover",
    "eftpos_au": "eftpos Australia",
    "jcb": "JCB",
    "mastercard": "Mastercard",
    "unionpay": "UnionPay",
    "visa": "Visa",
}


def brand_color(business: Business) -> str:
    """Return the brand colour as #rrggbb, safe to put in a stylesheet."""
    color = business.brand_color or ""
    return color if HEX_COLOR.fullmatch(color) else DEFAULT_BRAND_COLOR


def card_brand_name(brand: str | None) -> str:
    if not brand:
        return _("Card")
    return CARD_BRANDS.get(brand.lower(), brand.title())


def payment_method_label(payment: Payment) -> str:
    """Name the method by brand and last four digits, such as "Visa ending in 4242"."""
    if payment.method is PaymentMethodKind.CARD:
        return _(
            "%(brand)s ending in %(last4)s",
            brand=card_brand_name(payment.card_brand),
            last4=payment.card_last4 or "····",
        )
    if payment.method is PaymentMethodKind.BANK_DEBIT:
        return _("Bank debit ending in %(last4)s", last4=payment.bank_last4 or "····")
    return _("No payment needed")


def payment_status_label(status: PaymentStatus) -> str:
    if status is PaymentStatus.SUCCEEDED:
        return _("Paid")
    if status is PaymentStatus.PROCESSING:
        return _("Processing")
    if status is PaymentStatus.CANCELED:
        return _("Canceled")
    if status is PaymentStatus.REQUIRES_PAYMENT_METHOD:
        return _("Failed")
    return _("Not paid")


def invoice_status_label(status: InvoiceStatus) -> str:
    labels = {
        InvoiceStatus.DRAFT: _("Draft"),
        InvoiceStatus.OPEN: _("Open"),
        InvoiceStatus.PAID: _("Paid"),
        InvoiceStatus.VOID: _("Void"),
        InvoiceStatus.UNCOLLECTIBLE: _("Uncollectible"),
    }
    return labels[status]


def business_zone(timezone: str) -> ZoneInfo:
    """Return the business's time zone, or UTC when the stored name is unknown."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_datetime(value: datetime | None, timezone: str, locale: str) -> str:
    """Format a UTC timestamp as date and time in the business's time zone.

    The UTC offset follows, such as "GMT+02:00", as buyers may live elsewhere.
    """
    if value is None:
        return ""
    zone = business_zone(timezone)
    moment = format_datetime(value, "medium", tzinfo=zone, locale=locale)
    offset = format_datetime(value, "ZZZZ", tzinfo=zone, locale=locale)
    return f"{moment} {offset}"


def local_date(value: datetime | None, timezone: str, locale: str) -> str:
    """Format the calendar date of a UTC timestamp in the business's time zone."""
    if value is None:
        return ""
    day = value.astimezone(business_zone(timezone)).date()
    return format_date(day, "long", locale=locale)


def bill_to(order: Order) -> BillingDetails:
    """Return the buyer's details as submitted with the order.

    Receipts, invoices and emails print these rather than the shared contact,
    which a later payment from the same email address overwrites. Raises
    ValueError for an order that has no buyer, such as a checkout preview.
    """
    billing = order.billing
    if billing is None:
        raise ValueError(f"order {order.id} has no billing details")
    return billing


def address_lines(billing: BillingDetails, locale: str) -> list[str]:
    """Return the buyer's postal address as lines, skipping empty parts."""
    town = " ".join(part for part in (billing.postal_code, billing.city) if part)
    country = None
    if billing.country:
        territories = Locale.parse(locale).territories
        country = territories.get(billing.country.upper(), billing.country)
    parts = (billing.address_line1, billing.address_line2, town, country)
    return [part for part in parts if part]


def known_locale(locale: str | None) -> str:
    """Return the locale when Babel can parse it, and "en" otherwise."""
    try:
        Locale.parse(locale or "en")
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"
    return locale or "en"
