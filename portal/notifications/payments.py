"""Confirmation emails of a payment: a receipt to the buyer, a note to the merchant."""

from email.message import EmailMessage
from urllib.parse import urlencode

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from portal.documents import render_invoice_pdf, render_receipt_pdf
from portal.documents.facts import (
    address_lines,
    bill_to,
    brand_color,
    known_locale,
    local_datetime,
    payment_method_label,
    payment_status_label,
)
from portal.documents.periods import paid_period
from portal.documents.receipt_options import receipt_options
from portal.documents.summary import summarise_order
from portal.invoices.attempts import invoice_paid_by
from portal.models import Business, Payment, PaymentStatus
from portal.money import format_money
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import ascii_address, send_message, sender_address
from portal.notifications.suppression import email_suppressed
from portal.urls import public_url


def send_payment_confirmations(
    payment: Payment, business: Business, receipt_url: str, locale: str = "en"
) -> None:
    """Email the buyer a receipt and the merchant a note of a payment.

    The buyer's message is in ``locale`` and, once the payment has succeeded,
    carries the receipt PDF and the invoice PDF when there is an invoice. A
    processing or failed bank debit gets a note without attachments instead. The
    merchant's message is in the business's own locale. Both are sent even
    when the first fails, and the last failure is raised. Inside
    ``emails_suppressed`` nothing is built or sent.
    """
    if email_suppressed("payment confirmation", payment.id):
        return
    buyer_message = build_buyer_message(payment, business, receipt_url, locale)
    merchant_message = build_merchant_message(payment, business, receipt_url)
    try:
        send_message(buyer_message)
    finally:
        send_message(merchant_message)


def build_buyer_message(
    payment: Payment,
    business: Business,
    receipt_url: str,
    locale: str,
    to: str | None = None,
) -> EmailMessage:
    """Build the buyer's receipt email, sent to ``to`` instead when given.

    The business's receipt settings decide its logo, colour, footer and
    optional facts, as on the receipt page and PDF.
    """
    locale = known_locale(locale)
    with force_locale(locale):
        context = _payment_context(payment, business, receipt_url, locale)
        context["pay_again_url"] = _pay_again_url(payment, receipt_url, locale)
        context.update(_receipt_context(payment, business, locale))
        context["subscription"] = _subscription_summary(payment, locale)
        if context["failed"]:
            subject = _("Your payment to %(business)s failed", business=business.name)
        elif context["processing"]:
            subject = _(
                "Your payment to %(business)s is processing", business=business.name
            )
        else:
            subject = _(
                "Receipt from %(business)s #%(number)s",
                business=business.name,
                number=payment.receipt_number,
            )
        message = _compose(
            "emails/buyer_payment",
            context,
            subject=subject,
            sender=sender_address(business.name),
            to=to or bill_to(payment.order).email,
            reply_to=business.email,
        )
        if payment.status is PaymentStatus.SUCCEEDED:
            _attach_documents(message, payment, business, locale)
    return message


def _subscription_summary(payment: Payment, locale: str):
    """Return the summary of the subscription the payment started, or None."""
    # Imported here so that importing the notifications does not load the
    # checkout blueprint, which sends its emails through this module.
    from portal.checkout.subscribing import subscription_of_payment
    from portal.checkout.subscription_receipt import summarise_subscription

    session = object_session(payment)
    if payment.failed or session is None:
        return None
    subscription = subscription_of_payment(session, payment)
    if subscription is None:
        return None
    return summarise_subscription(subscription, locale)


def build_merchant_message(
    payment: Payment, business: Business, receipt_url: str
) -> EmailMessage:
    locale = known_locale(business.locale)
    with force_locale(locale):
        context = _payment_context(payment, business, receipt_url, locale)
        buyer_email = bill_to(payment.order).email
        values = {"amount": context["amount"], "email": buyer_email}
        if context["failed"]:
            subject = _("Payment failed: %(amount)s from %(email)s", **values)
        elif context["processing"]:
            subject = _("Payment processing: %(amount)s from %(email)s", **values)
        else:
            subject = _("New payment: %(amount)s from %(email)s", **values)
        return _compose(
            "emails/merchant_payment",
            context,
            subject=subject,
            sender=sender_address("Kassa"),
            to=business.email,
            reply_to=buyer_email,
        )


def _payment_context(
    payment: Payment, business: Business, receipt_url: str, locale: str
) -> dict[str, object]:
    billing = bill_to(payment.order)
    return {
        "locale": locale,
        "business": business,
        "brand_color": brand_color(business),
        "payment": payment,
        "billing": billing,
        "billing_address": address_lines(billing, locale),
        "processing": payment.status is PaymentStatus.PROCESSING,
        "failed": payment.failed,
        "amount": format_money(payment.amount, payment.currency, locale),
        "date": local_datetime(
            payment.succeeded_at or payment.created_at, business.timezone, locale
        ),
        "method": payment_method_label(payment),
        "status": payment_status_label(payment.status),
        "period": paid_period(payment, locale),
        "summary": summarise_order(payment.order, locale),
        "custom_fields": payment.order.custom_fields or {},
        "receipt_url": receipt_url,
    }


def _receipt_context(
    payment: Payment, business: Business, locale: str
) -> dict[str, object]:
    """Return the receipt settings' part of the buyer's email context."""
    options = receipt_options(business)
    billing = bill_to(payment.order)
    context: dict[str, object] = {
        "receipt": options,
        "brand_color": options.color,
        "logo_src": email_logo_url(business),
        "buyer_phone": options.buyer_phone(billing),
        "buyer_address": options.buyer_address(billing, locale),
    }
    if not options.show_custom_fields:
        context["custom_fields"] = {}
    return context


def _pay_again_url(payment: Payment, receipt_url: str, locale: str) -> str:
    """Return the checkout or invoice page in the buyer's language, or the receipt."""
    query = urlencode({"lang": locale})
    if payment.link is None:
        session = object_session(payment)
        invoice = invoice_paid_by(session, payment) if session else None
        if invoice is None:
            return receipt_url
        return public_url(f"/invoices/{invoice.token}?{query}")
    return public_url(f"/pay/{payment.link.slug}?{query}")


def _compose(
    template: str,
    context: dict[str, object],
    *,
    subject: str,
    sender: str,
    to: str,
    reply_to: str | None,
) -> EmailMessage:
    """Build a message with a plain-text body and an HTML alternative."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ascii_address(to)
    if reply_to:
        message["Reply-To"] = ascii_address(reply_to)
    message.set_content(render_template(f"{template}.txt", **context))
    message.add_alternative(
        render_template(f"{template}.html", **context), subtype="html"
    )
    return message


def _attach_documents(
    message: EmailMessage, payment: Payment, business: Business, locale: str
) -> None:
    message.add_attachment(
        render_receipt_pdf(payment, business, locale),
        maintype="application",
        subtype="pdf",
        filename=f"receipt-{payment.receipt_number}.pdf",
    )
    invoice = payment.invoice
    if invoice is not None:
        message.add_attachment(
            render_invoice_pdf(invoice, business, locale),
            maintype="application",
            subtype="pdf",
            filename=f"invoice-{invoice.number}.pdf",
        )
