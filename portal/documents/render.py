"""Receipt and invoice PDFs of a payment, rendered from Jinja templates."""

from babel.dates import format_date
from flask import render_template
from flask_babel import force_locale

from portal.database import now_utc
from portal.documents.facts import (
    address_lines,
    bill_to,
    brand_color,
    known_locale,
    local_date,
    local_datetime,
    payment_method_label,
    payment_status_label,
)
from portal.documents.pdf import html_to_pdf, logo_uri
from portal.documents.periods import paid_period
from portal.documents.receipt_options import receipt_options
from portal.documents.refunds import refund_state_label
from portal.documents.summary import summarise_order
from portal.invoices.labels import (
    display_status_label,
    manual_method_label,
    terms_label,
)
from portal.invoices.status import buyer_status
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
            receipt=receipt_options(business),
            refund_state=refund_state_label(payment),
            period=paid_period(payment, locale),
        )
    return html_to_pdf(html)


def render_invoice_pdf(
    invoice: Invoice, business: Business, locale: str = "en"
) -> bytes:
    """Render an invoice as PDF bytes, in the given locale.

    A staff invoice adds its terms, due date, memo and footer, and an open
    one past its due date shows the status "Overdue".
    """
    locale = known_locale(locale)
    billing = bill_to(invoice.order)
    with force_locale(locale):
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
            summary=summarise_order(invoice.order, locale),
            **invoice_terms(invoice, locale),
            **invoice_payment(invoice, business, locale),
        )
    return html_to_pdf(html)


def invoice_terms(invoice: Invoice, locale: str) -> dict[str, object]:
    """Return the net terms, due date, memo and footer of an invoice as text."""
    due = invoice.due_date
    return {
        "terms": terms_label(invoice.net_terms) if invoice.net_terms else None,
        "due_on": format_date(due, "long", locale=locale) if due else None,
        "memo_lines": (invoice.memo or "").splitlines(),
        "footer_lines": (invoice.footer or "").splitlines(),
    }


def invoice_payment(
    invoice: Invoice, business: Business, locale: str
) -> dict[str, object]:
    """Return the status, amounts and payment method of an invoice as text."""
    is_paid = invoice.status is InvoiceStatus.PAID
    paid = invoice.total if is_paid else 0
    status = buyer_status(invoice, now_utc(), business.timezone)
    method = None
    paid_on = local_date(invoice.paid_at, business.timezone, locale)
    manual = invoice.manual_payment
    payment = invoice.payment
    if is_paid and manual is not None:
        method = manual_method_label(manual.method)
        if manual.reference:
            method = f"{method} ({manual.reference})"
        paid_on = format_date(manual.paid_on, "long", locale=locale)
    elif is_paid and payment and payment.method is not PaymentMethodKind.NONE:
        method = payment_method_label(payment)
    return {
        "paid_on": paid_on,
        "amount_paid": format_money(paid, invoice.currency, locale),
        "amount_due": format_money(invoice.amount_due, invoice.currency, locale),
        "status": display_status_label(status),
        "status_kind": status.value,
        "method": method,
    }
