"""The customer's receipts in the account area: the page and its PDFs."""

from flask import make_response, render_template

from portal.account import blueprint, records
from portal.account.current import current_customer
from portal.account.switches import section_or_404
from portal.businesses import get_business
from portal.database import get_session
from portal.documents import render_invoice_pdf, render_receipt_pdf
from portal.documents.facts import payment_method_label, payment_status_label
from portal.documents.periods import paid_period
from portal.documents.receipt_options import receipt_options
from portal.documents.refunds import refund_state_label
from portal.documents.summary import summarise_order
from portal.i18n import current_locale
from portal.models import PaymentStatus


@blueprint.get("/payments/<token>")
def payment(token: str):
    session = get_session()
    business = get_business(session)
    section_or_404(business.account_shows_payments)
    found = records.payment_or_404(session, current_customer(), token)
    return render_template(
        "account/receipt.html",
        business=business,
        payment=found,
        order=found.order,
        summary=summarise_order(found.order, current_locale()),
        receipt=receipt_options(business),
        method=payment_method_label(found),
        period=paid_period(found, current_locale()),
        status=refund_state_label(found) or payment_status_label(found.status),
    )


@blueprint.get("/payments/<token>/receipt.pdf")
def payment_receipt_pdf(token: str):
    session = get_session()
    business = get_business(session)
    section_or_404(business.account_shows_payments)
    found = records.payment_or_404(session, current_customer(), token)
    if found.status is not PaymentStatus.SUCCEEDED:
        section_or_404(False)
    pdf = render_receipt_pdf(found, business, current_locale())
    return _pdf_response(pdf, f"receipt-{found.receipt_number}.pdf")


@blueprint.get("/payments/<token>/invoice.pdf")
def payment_invoice_pdf(token: str):
    session = get_session()
    business = get_business(session)
    section_or_404(business.account_shows_payments)
    found = records.payment_or_404(session, current_customer(), token)
    invoice = found.invoice
    if invoice is None or invoice.number is None:
        section_or_404(False)
    pdf = render_invoice_pdf(invoice, business, current_locale())
    return _pdf_response(pdf, f"invoice-{invoice.number}.pdf")


def _pdf_response(pdf: bytes, filename: str):
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
