"""Receipt and invoice PDFs of a payment, rendered from Jinja templates."""

from flask import render_template
from flask_babel import force_locale

from portal.documents.facts import (
    address_lines,
    bill_to,
    brand_color,
    invoice_status_label,
    known_locale,
    local_date,
    local_datetime,
    payment_method_label,
    payment_status_label,
)
from portal.documents.pdf import html_to_pdf, logo_uri
from portal.documents.summary import summarise_order
from portal.models import (
    Business,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethodKind,
    PaymentStatus,
)
from portal.money import format_money


def render_receipt_pdf(
    payment: Payment, business: Business, locale: str = "en"
) -> bytes:
    """Render the receipt of a payment as PDF bytes, in the given locale.

    A payment that is still processing gets the same document with the status
    "Processing" and without a receipt number, because the number is taken
    when the payment succeeds.
    """
    locale = known_locale(locale)
    with force_locale(locale):
        html = render_template(
            "documents/receipt.html",
            locale=locale,
            business=business,
            logo=logo_uri(business),
            brand_color=brand_color(business),
            payment=payment,
            billing=bill_to(payment.order),
            processing=payment.status is PaymentStatus.PROCESSING,
            date=local_datetime(
                payment.succeeded_at or payment.created_at, business.timezone, locale
            ),
            method=payment_method_label(payment),
            status=payment_status_label(payment.status),
            summary=summarise_order(payment.order, locale),
            custom_fields=payment.order.custom_fields or {},
        )
    return html_to_pdf(html)


def render_invoice_pdf(
    invoice: Invoice, business: Business, locale: str = "en"
) -> bytes:
    """Render an invoice as PDF bytes, in the given locale."""
    locale = known_locale(locale)
    payment = invoice.payment
    is_paid = invoice.status is InvoiceStatus.PAID
    paid = invoice.total if is_paid else 0
    billing = bill_to(invoice.order)
    with force_locale(locale):
        method = None
        if is_paid and payment and payment.method is not PaymentMethodKind.NONE:
            method = payment_method_label(payment)
        html = render_template(
            "documents/invoice.html",
            locale=locale,
            business=business,
            logo=logo_uri(business),
            brand_color=brand_color(business),
            invoice=invoice,
            billing=billing,
            billing_address=address_lines(billing, locale),
            business_address=(business.address or "").splitlines(),
            issued=local_date(
                invoice.issued_at or invoice.created_at, business.timezone, locale
            ),
            paid_on=local_date(invoice.paid_at, business.timezone, locale),
            amount_paid=format_money(paid, invoice.currency, locale),
            amount_due=format_money(invoice.total - paid, invoice.currency, locale),
            status=invoice_status_label(invoice.status),
            method=method,
            summary=summarise_order(invoice.order, locale),
        )
    return html_to_pdf(html)
