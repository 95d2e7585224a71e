"""The receipt page and the receipt and invoice PDFs, reached by payment token."""

from flask import abort, make_response, redirect, render_template, url_for

from portal.businesses import get_business
from portal.checkout import blueprint
from portal.checkout.subscribing import subscription_of_payment
from portal.checkout.subscription_receipt import summarise_subscription
from portal.checkout.views import load_payment
from portal.database import get_session
from portal.documents import render_invoice_pdf, render_receipt_pdf
from portal.documents.facts import payment_method_label, payment_status_label
from portal.documents.periods import paid_period
from portal.documents.receipt_options import receipt_options
from portal.documents.refunds import refund_state_label, render_refund_receipt_pdf
from portal.documents.summary import summarise_order
from portal.i18n import current_locale
from portal.invoices.attempts import invoice_paid_by
from portal.invoices.lifecycle import payable_reason
from portal.models import Payment, PaymentStatus, RefundStatus
from portal.urls import public_url


@blueprint.get("/receipts/<token>")
def receipt(token: str):
    payment = load_payment(token)
    if payment.status is PaymentStatus.REQUIRES_ACTION:
        return redirect(url_for("checkout.authenticate", token=payment.token), 303)
    business = get_business(get_session())
    subscription = subscription_of_payment(get_session(), payment)
    return render_template(
        "checkout/receipt.html",
        subscription=(
            summarise_subscription(subscription, current_locale())
            if subscription is not None
            else None
        ),
        payment=payment,
        order=payment.order,
        summary=summarise_order(payment.order, current_locale()),
        link=payment.link,
        business=business,
        receipt=receipt_options(business),
        refund_state=refund_state_label(payment),
        method=payment_method_label(payment),
        period=paid_period(payment, current_locale()),
        invoice_page_url=invoice_page_url(payment),
        status=payment_status_label(payment.status),
        # Without ?embed=, for the host page and the buyer to keep.
        receipt_url=public_url(
            url_for("checkout.receipt", token=payment.token, embed=None)
        ),
    )


def invoice_page_url(payment: Payment) -> str | None:
    """Return the page of the invoice the payment was for, while it is payable."""
    if payment.link is not None:
        return None
    invoice = invoice_paid_by(get_session(), payment)
    if invoice is None or payable_reason(invoice) is not None:
        return None
    return url_for("invoices.invoice_page", token=invoice.token)


@blueprint.get("/receipts/<token>/receipt.pdf")
def receipt_pdf(token: str):
    payment = load_payment(token)
    if payment.status is not PaymentStatus.SUCCEEDED:
        abort(404)
    pdf = render_receipt_pdf(payment, get_business(get_session()), current_locale())
    return _pdf_response(pdf, f"receipt-{payment.receipt_number}.pdf")


@blueprint.get("/receipts/<token>/invoice.pdf")
def invoice_pdf(token: str):
    payment = load_payment(token)
    if payment.invoice is None:
        abort(404)
    pdf = render_invoice_pdf(
        payment.invoice, get_business(get_session()), current_locale()
    )
    return _pdf_response(pdf, f"invoice-{payment.invoice.number}.pdf")


@blueprint.get("/receipts/<token>/refunds/<number>.pdf")
def refund_receipt_pdf(token: str, number: str):
    payment = load_payment(token)
    refund = next(
        (
            refund
            for refund in payment.refunds
            if refund.receipt_number == number
            and refund.status is RefundStatus.SUCCEEDED
        ),
        None,
    )
    if refund is None:
        abort(404)
    pdf = render_refund_receipt_pdf(
        refund, get_business(get_session()), current_locale()
    )
    return _pdf_response(pdf, f"refund-{refund.receipt_number}.pdf")


def _pdf_response(pdf: bytes, filename: str):
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
