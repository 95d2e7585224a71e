"""The buyer's refund receipt: its facts as text, and its PDF."""

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.documents.facts import (
    bill_to,
    known_locale,
    local_datetime,
    payment_method_label,
)
from portal.documents.pdf import html_to_pdf, logo_uri
from portal.documents.receipt_options import receipt_options
from portal.models import Business, Payment, Refund, RefundReason, RefundStatus
from portal.money import format_money


def refund_reason_label(reason: RefundReason) -> str | None:
    """Name a refund's reason for the buyer, or None for a reason kept internal.

    A refund for fraud or for another reason is not explained to the buyer;
    staff's note never is.
    """
    if reason is RefundReason.DUPLICATE:
        return _("Duplicate payment")
    if reason is RefundReason.REQUESTED_BY_CUSTOMER:
        return _("Requested by you")
    return None


def refund_state_label(payment: Payment) -> str | None:
    """Name a payment's refund state for the buyer, or None without refunds."""
    state = payment.refund_state
    if state == "refunded":
        return _("Refunded")
    if state == "partially_refunded":
        return _("Partially refunded")
    return None


def refund_facts(refund: Refund, business: Business, locale: str) -> dict[str, object]:
    """Return what the refund receipt shows, formatted in the current locale.

    The remaining amount is what the buyer has paid after every refund of
    the payment that succeeded so far, this one included.
    """
    payment = refund.payment
    currency = payment.currency

    def money(amount: int) -> str:
        return format_money(amount, currency, locale)

    refunded = sum(
        other.amount
        for other in payment.refunds
        if other.status is RefundStatus.SUCCEEDED
    )
    billing = bill_to(payment.order)
    options = receipt_options(business)
    return {
        "locale": locale,
        "business": business,
        "brand_color": options.color,
        "receipt": options,
        "refund": refund,
        "payment": payment,
        "billing": billing,
        "buyer_phone": options.buyer_phone(billing),
        "buyer_address": options.buyer_address(billing, locale),
        "refund_amount": money(refund.amount),
        "refund_date": local_datetime(
            refund.refunded_at or refund.created_at, business.timezone, locale
        ),
        "reason": refund_reason_label(refund.reason),
        "payment_amount": money(payment.amount),
        "payment_date": local_datetime(
            payment.succeeded_at or payment.created_at, business.timezone, locale
        ),
        "method": payment_method_label(payment),
        "refunded_total": money(refunded),
        "several_refunds": refunded != refund.amount,
        "remaining": money(max(payment.amount - refunded, 0)),
    }


def render_refund_receipt_pdf(
    refund: Refund, business: Business, locale: str = "en"
) -> bytes:
    """Render the receipt of a refund that succeeded as PDF bytes, in ``locale``."""
    locale = known_locale(locale)
    with force_locale(locale):
        html = render_template(
            "documents/refund_receipt.html",
            logo=logo_uri(business),
            **refund_facts(refund, business, locale),
        )
    return html_to_pdf(html)
