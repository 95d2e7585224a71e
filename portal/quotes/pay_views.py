"""Paying an accepted quote's first instalment on the quote page.

The pay form carries the checkout's signed per-attempt token, which is its
CSRF protection, so a double submit ends in one payment. The instalment's
invoice is paid through the checkout's invoice path; the authentication step
and the receipt are the checkout's own pages.
"""

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.businesses import get_business
from portal.checkout.form import read_consent
from portal.checkout.payments import CheckoutRequest, CheckoutResult, submit_checkout
from portal.checkout.stripe_payment import consent_text, stripe_processor
from portal.checkout.tokens import InvalidCheckoutToken, issue_token, read_token
from portal.database import get_session, now_utc
from portal.extensions import client_address, csrf, limiter
from portal.i18n import current_locale
from portal.invoices.attempts import live_attempts
from portal.invoices.payment_form import read_invoice_submission
from portal.invoices.status import local_today
from portal.models import (
    AttemptState,
    Business,
    CheckoutAttempt,
    InstalmentStatus,
    Quote,
    QuoteStatus,
)
from portal.processors import get_processor
from portal.quotes.paying import (
    attach_payment,
    first_instalment,
    instalment_invoice,
    later_charges,
    payment_refusal,
)
from portal.quotes.views import blueprint, load_quote, render_quote

pay_limit_per_address = limiter.limit(
    lambda: current_app.config["KASSA_PAY_LIMIT_PER_ADDRESS"],
    key_func=client_address,
    scope="quote-pay-per-address",
)


def attempt_scope(quote: Quote) -> str:
    """Name what a signed checkout token of this quote's pay form is bound to."""
    return f"quote:{quote.token}"


@blueprint.post("/quotes/<token>/pay")
@pay_limit_per_address
def pay_quote(token: str):
    quote = load_quote(token)
    session = get_session()
    business = get_business(session)
    refusal = payment_refusal(quote, business, now_utc())
    if refusal is not None:
        return render_quote(quote, paying={"message": refusal}, status=409)
    try:
        attempt_key = read_token(request.form.get("token", ""), attempt_scope(quote))
    except InvalidCheckoutToken:
        message = _("This page has expired. Enter your payment details and pay again.")
        return render_quote(quote, paying={"message": message}, status=400)

    invoice = instalment_invoice(session, quote, first_instalment(quote))
    session.commit()
    today = local_today(now_utc(), business.timezone)
    submission = read_invoice_submission(request.form, invoice, today)
    if later_charges(quote):
        submission.save_consent = read_consent(request.form, submission.errors)
    if submission.errors:
        paying = {"values": submission.values, "errors": submission.errors}
        return render_quote(quote, paying=paying, status=422)

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
    return respond_to_quote_result(quote, result)


csrf.exempt(pay_quote)  # the form carries the checkout's signed token instead


def respond_to_quote_result(quote: Quote, result: CheckoutResult):
    """Send the buyer on from a checkout result of the first instalment.

    The authentication step and the receipt are the checkout's own pages; a
    failure shows the quote page again with the message.
    """
    payment = result.payment
    session = get_session()
    # NOTE: a card payment that finishes on the authentication page does not
    # come back here, so the quote keeps no saved method for it and its
    # subscriptions start invoiced.
    if payment is not None and result.state in (
        AttemptState.SUCCEEDED,
        AttemptState.PROCESSING,
    ):
        attach_payment(session, quote, payment)
    if result.state is AttemptState.REQUIRES_ACTION and payment is not None:
        return redirect(url_for("checkout.authenticate", token=payment.token), 303)
    if result.state in (AttemptState.SUCCEEDED, AttemptState.PROCESSING):
        return redirect(url_for("checkout.receipt", token=payment.token), 303)

    session.refresh(quote)
    errors = {result.error_field: result.message} if result.error_field else {}
    status = 402 if payment is not None else 422
    if result.link_unavailable:
        status = 409
    if result.retry_key:
        status = 503  # the processor could not be reached; nothing was charged
    paying = {
        "values": result.values,
        "errors": errors,
        "message": result.message,
        "attempt_key": result.retry_key,
    }
    return render_quote(quote, paying=paying, status=status)


def payment_context(
    quote: Quote, business: Business, paying: dict[str, object]
) -> dict[str, object]:
    """Return what the quote page shows about paying the first instalment."""
    session = get_session()
    now = now_utc()
    instalment = first_instalment(quote)
    shown = (
        quote.collect_payment
        and instalment is not None
        and quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.PAID)
    )
    if not shown:
        return {"shown": False, "message": paying.get("message")}
    invoice = instalment.invoice
    running = invoice is not None and live_attempts(session, invoice.id, now) > 0
    refusal = payment_refusal(quote, business, now)
    paid = instalment.payment if instalment.status is InstalmentStatus.PAID else None
    return {
        "shown": True,
        "payable": refusal is None and not running,
        "refusal": refusal,
        "running": running,
        "authenticate_url": _pending_authentication(invoice),
        "instalment": instalment,
        "receipt_url": url_for("checkout.receipt", token=paid.token) if paid else None,
        "saves_method": later_charges(quote),
        "consent_text": consent_text(),
        "token": issue_token(attempt_scope(quote), paying.get("attempt_key")),
        "processor_is_test": get_processor().name == "test",
        "is_stripe": stripe_processor() is not None,
        "values": paying.get("values") or {},
        "errors": paying.get("errors") or {},
        "message": paying.get("message"),
    }


def _pending_authentication(invoice) -> str | None:
    """Return the authentication step of a payment still waiting for the buyer."""
    if invoice is None:
        return None
    attempt = (
        get_session()
        .scalars(
            select(CheckoutAttempt)
            .where(
                CheckoutAttempt.invoice_id == invoice.id,
                CheckoutAttempt.state == AttemptState.REQUIRES_ACTION,
                CheckoutAttempt.payment_id.is_not(None),
            )
            .order_by(CheckoutAttempt.id.desc())
        )
        .first()
    )
    if attempt is None:
        return None
    return url_for("checkout.authenticate", token=attempt.payment.token)
