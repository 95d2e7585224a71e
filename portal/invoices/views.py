"""The buyer's hosted invoice page: details, PDF, and paying through the checkout.

Reached by the invoice's unguessable token. A draft is not shown, so an
unknown token and an unsent invoice both get a 404. The pay form carries the
checkout's signed per-attempt token, which is its CSRF protection, so a
double submit ends in one payment.
"""

import logging
from datetime import date

from babel.dates import format_date
from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from portal.businesses import get_business
from portal.checkout.payments import CheckoutRequest, CheckoutResult, submit_checkout
from portal.checkout.tokens import InvalidCheckoutToken, issue_token, read_token
from portal.database import get_session, now_utc
from portal.documents import render_invoice_pdf
from portal.documents.facts import address_lines, bill_to, known_locale, local_date
from portal.documents.summary import summarise_order
from portal.extensions import client_address, limiter
from portal.i18n import current_locale
from portal.invoices.attempts import live_attempts
from portal.invoices.labels import (
    display_status_label,
    manual_method_label,
    terms_label,
)
from portal.invoices.lifecycle import payable_reason
from portal.invoices.payment_form import read_invoice_submission
from portal.invoices.status import buyer_status, local_today
from portal.models import (
    AttemptState,
    Business,
    CheckoutAttempt,
    Invoice,
    InvoiceStatus,
)
from portal.processors import get_processor

logger = logging.getLogger(__name__)

blueprint = Blueprint("invoices", __name__)

pay_limit_per_address = limiter.limit(
    lambda: current_app.config["KASSA_PAY_LIMIT_PER_ADDRESS"],
    key_func=client_address,
    scope="invoice-pay-per-address",
)


@blueprint.after_request
def forbid_storing(response):
    """Keep invoice pages, which show the buyer's details, out of caches."""
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def attempt_scope(invoice: Invoice) -> str:
    """Name what a signed checkout token of this invoice's pay form is bound to."""
    return f"invoice:{invoice.token}"


def load_invoice(token: str) -> Invoice:
    invoice = (
        get_session().scalars(select(Invoice).where(Invoice.token == token)).first()
    )
    if invoice is None or invoice.status is InvoiceStatus.DRAFT:
        abort(404)
    return invoice


@blueprint.get("/invoices/<token>")
def invoice_page(token: str):
    return render_invoice(load_invoice(token))


@blueprint.post("/invoices/<token>")
@pay_limit_per_address
def invoice_pay(token: str):
    invoice = load_invoice(token)
    reason = payable_reason(invoice)
    if reason is not None:
        return render_invoice(invoice, message=reason, status=409)
    try:
        attempt_key = read_token(request.form.get("token", ""), attempt_scope(invoice))
    except InvalidCheckoutToken:
        message = _("This page has expired. Enter your payment details and pay again.")
        return render_invoice(invoice, message=message, status=400)

    session = get_session()
    business = get_business(session)
    today = local_today(now_utc(), business.timezone)
    submission = read_invoice_submission(request.form, invoice, today)
    if submission.errors:
        return render_invoice(
            invoice, values=submission.values, errors=submission.errors, status=422
        )
    result = submit_checkout(
        session,
        get_processor(),
        CheckoutRequest(
            invoice=invoice,
            attempt_key=attempt_key,
            submission=submission,
            client_address=client_address(),
            locale=current_locale(),
        ),
    )
    return respond_to_invoice_result(invoice, result)


def respond_to_invoice_result(invoice: Invoice, result: CheckoutResult):
    """Send the buyer on from a checkout result of an invoice payment.

    The authentication step and the receipt are the checkout's own pages;
    a failure shows the invoice page again with the message.
    """
    payment = result.payment
    if result.state is AttemptState.REQUIRES_ACTION and payment is not None:
        return redirect(url_for("checkout.authenticate", token=payment.token), 303)
    if result.state in (AttemptState.SUCCEEDED, AttemptState.PROCESSING):
        return redirect(url_for("checkout.receipt", token=payment.token), 303)

    get_session().refresh(invoice)
    errors = {result.error_field: result.message} if result.error_field else {}
    status = 402 if payment is not None else 422
    if result.link_unavailable:
        status = 409
    return render_invoice(
        invoice,
        values=result.values,
        errors=errors,
        message=result.message,
        status=status,
    )


@blueprint.get("/invoices/<token>/pdf")
def invoice_pdf(token: str):
    invoice = load_invoice(token)
    business = get_business(get_session())
    pdf = render_invoice_pdf(invoice, business, current_locale())
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    filename = f"invoice-{invoice.number}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def render_invoice(
    invoice: Invoice,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int | None = None,
):
    session = get_session()
    business = get_business(session)
    locale = known_locale(current_locale())
    billing = bill_to(invoice.order)
    shown_status = buyer_status(invoice, now_utc(), business.timezone)
    payment_running = live_attempts(session, invoice.id, now_utc()) > 0
    page = render_template(
        "invoices/page.html",
        **_dates(invoice, business, locale),
        business=business,
        invoice=invoice,
        billing=billing,
        billing_address=address_lines(billing, locale),
        summary=summarise_order(invoice.order, locale),
        status=shown_status,
        status_label=display_status_label(shown_status),
        terms=terms_label(invoice.net_terms) if invoice.net_terms else None,
        manual_method=manual_method_label(invoice.manual_payment.method)
        if invoice.manual_payment
        else None,
        payable=payable_reason(invoice) is None and not payment_running,
        payment_running=payment_running,
        authenticate_url=_pending_authentication(session, invoice),
        values=values or {},
        errors=errors or {},
        message=message,
        token=issue_token(attempt_scope(invoice)),
        processor_is_test=get_processor().name == "test",
    )
    if status is None:
        status = 422 if errors else 200
    return page, status


def _dates(invoice: Invoice, business: Business, locale: str) -> dict[str, str]:
    """Format the issue, due and payment dates of the invoice for the page."""

    def long_date(day: date | None) -> str:
        return format_date(day, "long", locale=locale) if day else ""

    paid_on = ""
    if invoice.manual_payment is not None:
        paid_on = long_date(invoice.manual_payment.paid_on)
    elif invoice.paid_at is not None:
        paid_on = local_date(invoice.paid_at, business.timezone, locale)
    return {
        "issue_on": long_date(invoice.issue_date),
        "due_on": long_date(invoice.due_date),
        "paid_on": paid_on,
    }


def _pending_authentication(session, invoice: Invoice) -> str | None:
    """Return the authentication step of a payment still waiting for the buyer.

    Such an attempt keeps the invoice from a second payment for a while, so
    the page offers to finish it instead.
    """
    attempt = session.scalars(
        select(CheckoutAttempt)
        .where(
            CheckoutAttempt.invoice_id == invoice.id,
            CheckoutAttempt.state == AttemptState.REQUIRES_ACTION,
            CheckoutAttempt.payment_id.is_not(None),
        )
        .order_by(CheckoutAttempt.id.desc())
    ).first()
    if attempt is None:
        return None
    return url_for("checkout.authenticate", token=attempt.payment.token)
