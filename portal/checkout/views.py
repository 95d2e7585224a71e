"""Checkout views: thin wrappers around ``portal.checkout.payments``."""

import logging

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from portal.businesses import get_business
from portal.checkout import blueprint
from portal.checkout.availability import unavailable_reason
from portal.checkout.embedding import current_embed
from portal.checkout.form import read_selection, read_submission, shown_total_matches
from portal.checkout.messages import payment_error_message
from portal.checkout.page import checkout_context, render_checkout
from portal.checkout.payments import (
    CheckoutRequest,
    CheckoutResult,
    authenticate_payment,
    result_of_payment,
    submit_checkout,
)
from portal.checkout.stripe_payment import render_authentication, stripe_processor
from portal.checkout.tokens import (
    InvalidCheckoutToken,
    issue_token,
    read_token,
)
from portal.database import get_session, now_utc
from portal.extensions import client_address, limiter
from portal.i18n import current_locale, money_filter
from portal.invoices.attempts import invoice_paid_by
from portal.models import (
    AttemptState,
    Payment,
    PaymentLink,
    PaymentLinkItem,
    PaymentStatus,
)
from portal.processors import get_processor
from portal.processors.base import ProcessorUnavailable

logger = logging.getLogger(__name__)


def _is_payment_submit() -> bool:
    return request.method == "POST" and request.form.get("action", "pay") == "pay"


def _link_key() -> str:
    return f"link:{request.view_args['slug']}"


pay_limit_per_address = limiter.limit(
    lambda: current_app.config["KASSA_PAY_LIMIT_PER_ADDRESS"],
    key_func=client_address,
    exempt_when=lambda: not _is_payment_submit(),
    scope="pay-per-address",
)
pay_limit_per_link = limiter.limit(
    lambda: current_app.config["KASSA_PAY_LIMIT_PER_LINK"],
    key_func=_link_key,
    exempt_when=lambda: not _is_payment_submit(),
    scope="pay-per-link",
)


@blueprint.after_request
def forbid_storing(response):
    """Keep checkout and receipt pages, which hold buyers' details, out of caches.

    This also makes Back after paying load a fresh checkout page rather than
    the filled-in form.
    """
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def _is_code_check() -> bool:
    """Tell whether this request looks a discount code up without paying."""
    return bool(request.values.get("discount_code")) and not _is_payment_submit()


# Shared by the page and its form, so that both count towards one limit.
code_limit_per_address = limiter.shared_limit(
    lambda: current_app.config["KASSA_CODE_LIMIT_PER_ADDRESS"],
    key_func=client_address,
    exempt_when=lambda: not _is_code_check(),
    scope="code-per-address",
)


def load_link(slug: str) -> PaymentLink:
    link = (
        get_session()
        .scalars(
            select(PaymentLink)
            .where(PaymentLink.slug == slug)
            .options(
                selectinload(PaymentLink.items).selectinload(PaymentLinkItem.price),
                selectinload(PaymentLink.fees),
                selectinload(PaymentLink.custom_fields),
            )
        )
        .first()
    )
    if link is None:
        abort(404)
    return link


def load_payment(token: str) -> Payment:
    payment = (
        get_session().scalars(select(Payment).where(Payment.token == token)).first()
    )
    if payment is None:
        abort(404)
    return payment


def render_unavailable(link: PaymentLink, reason: str):
    business = get_business(get_session())
    page = render_template(
        "checkout/unavailable.html", link=link, reason=reason, business=business
    )
    return page, 410


@blueprint.get("/pay/<slug>")
@code_limit_per_address
def checkout_page(slug: str):
    link = load_link(slug)
    reason = unavailable_reason(get_session(), link, now_utc())
    if reason is not None:
        return render_unavailable(link, reason)
    return render_checkout(link, read_selection(request.args, link))


@blueprint.post("/pay/<slug>")
@pay_limit_per_address
@pay_limit_per_link
@code_limit_per_address
def checkout_submit(slug: str):
    link = load_link(slug)
    session = get_session()
    reason = unavailable_reason(session, link, now_utc())
    if reason is not None:
        return render_unavailable(link, reason)

    selection = read_selection(request.form, link)
    if request.form.get("action", "pay") != "pay":
        return render_checkout(link, selection, values=request.form.to_dict())

    try:
        attempt_key = read_token(request.form.get("token", ""), slug)
    except InvalidCheckoutToken:
        message = _("This page has expired. Check your details and submit again.")
        return render_checkout(
            link, selection, values=request.form.to_dict(), message=message, status=400
        )

    context = checkout_context(link, selection)
    submission = read_submission(
        request.form,
        link,
        now_utc().date(),
        needs_payment=context["totals"].total > 0 or context["plan"] is not None,
    )
    if submission.errors or context["code_error"]:
        return render_checkout(
            link,
            selection,
            values=submission.values,
            errors=submission.errors,
            status=422,
        )
    if not shown_total_matches(request.form, context["totals"]):
        message = _(
            "The total is now %(total)s. Check your order, enter your payment "
            "details again and pay.",
            total=money_filter(context["totals"].total, link.currency),
        )
        return render_checkout(
            link, selection, values=submission.values, message=message, status=409
        )

    result = submit_checkout(
        session,
        get_processor(),
        CheckoutRequest(
            link=link,
            attempt_key=attempt_key,
            submission=submission,
            client_address=client_address(),
            locale=current_locale(),
        ),
    )
    return respond_to_result(link, result)


def respond_to_result(link: PaymentLink, result: CheckoutResult):
    payment = result.payment
    if result.state is AttemptState.REQUIRES_ACTION and payment is not None:
        return redirect(url_for("checkout.authenticate", token=payment.token), 303)
    # Inside an iframe the receipt shows instead, and embed.js takes the host
    # page to the after-payment URL.
    if (
        result.state is AttemptState.SUCCEEDED
        and link.after_payment_url
        and current_embed() is None
    ):
        return redirect(link.after_payment_url, 303)
    if result.state in (AttemptState.SUCCEEDED, AttemptState.PROCESSING):
        return redirect(url_for("checkout.receipt", token=payment.token), 303)

    if result.link_unavailable:
        return render_unavailable(link, result.message)
    values = result.values
    errors = {result.error_field: result.message} if result.error_field else {}
    status = 402 if payment is not None else 422
    if result.retry_key:
        status = 503  # the processor could not be reached; nothing was charged
    return render_checkout(
        link,
        read_selection(MultiDict(values), link),
        values=values,
        errors=errors,
        message=result.message,
        status=status,
        attempt_key=result.retry_key,
    )


@blueprint.get("/pay/authenticate/<token>")
def authenticate(token: str):
    payment = load_payment(token)
    link = payment.link
    if payment.status is not PaymentStatus.REQUIRES_ACTION:
        # Paid: on to the receipt; failed: back to the form and its message.
        return respond_to_payment(payment, result_of_payment(get_session(), payment))
    if stripe_processor() is not None:
        return _stripe_authentication(payment)
    return render_template(
        "checkout/authenticate.html",
        payment=payment,
        link=link,
        business=get_business(get_session()),
        form_token=issue_token(f"authenticate:{payment.token}"),
    )


@blueprint.post("/pay/authenticate/<token>")
def authenticate_submit(token: str):
    payment = load_payment(token)
    try:
        read_token(request.form.get("token", ""), f"authenticate:{payment.token}")
    except InvalidCheckoutToken:
        abort(400)
    decision = request.form.get("decision")
    # With Stripe the bank decides in the browser; the server reads the outcome.
    if stripe_processor() is None and decision not in ("approve", "fail"):
        abort(400)
    result = authenticate_payment(
        get_session(),
        get_processor(),
        payment,
        approved=decision == "approve",
        client_address=client_address(),
    )
    return respond_to_payment(payment, result)


def respond_to_payment(payment: Payment, result: CheckoutResult):
    """Respond as the payment link's checkout or the invoice's page would."""
    if payment.link is not None:
        return respond_to_result(payment.link, result)
    from portal.invoices.views import respond_to_invoice_result  # imports checkout

    invoice = invoice_paid_by(get_session(), payment)
    if invoice is None:
        # Charged without a checkout, such as a saved card charged later: its
        # receipt page shows how the payment stands.
        return redirect(url_for("checkout.receipt", token=payment.token), 303)
    return respond_to_invoice_result(invoice, result)


def _stripe_authentication(payment: Payment):
    business = get_business(get_session())
    form_token = issue_token(f"authenticate:{payment.token}")
    try:
        return render_authentication(payment, business, form_token)
    except ProcessorUnavailable:
        message = payment_error_message("processor_unavailable")
        page = render_template(
            "errors.html", title=_("Payment service unavailable"), message=message
        )
        return page, 503
