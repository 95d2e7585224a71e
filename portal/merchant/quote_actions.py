"""Staff actions on a quote: publish, approve, extend the expiry, void.

Each is a CSRF-protected POST that redirects to the detail page, or shows
the page again with the error. Repeating an action that already took effect
changes nothing.
"""

import logging
from datetime import date

from flask import flash, redirect, request, url_for

from portal.database import get_session
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff
from portal.merchant.invoice_detail import staff_action_context
from portal.merchant.layout import business_or_none
from portal.merchant.permissions import Permission
from portal.merchant.quote_detail import render_detail
from portal.merchant.quote_editor import load_quote
from portal.models import Quote, QuoteStatus
from portal.notifications.quotes import send_signature_request
from portal.notifications.quotes_changed import send_quote_changed
from portal.quotes.errors import QuoteError
from portal.quotes.publishing import approve_quote, extend_expiry, publish_quote
from portal.quotes.signing import next_to_sign
from portal.quotes.voiding import void_quote

logger = logging.getLogger(__name__)


@blueprint.post("/quotes/<int:quote_id>/publish")
@requires(Permission.SELL)
def publish_quote_view(quote_id: int):
    quote = load_quote(quote_id)
    if quote.status is not QuoteStatus.DRAFT:
        # A repeated press after the first one took effect.
        return _to_detail(quote)
    session = get_session()
    try:
        publish_quote(session, quote, **staff_action_context())
    except QuoteError as error:
        session.rollback()
        return render_detail(quote, error=str(error), status=409)
    if quote.status is QuoteStatus.PENDING_APPROVAL:
        flash(
            "The quote is above the approval threshold, so it waits for an owner's "
            "or admin's approval before it is published.",
            "success",
        )
    else:
        _after_publish(quote)
    return _to_detail(quote)


@blueprint.post("/quotes/<int:quote_id>/approve")
@requires(Permission.APPROVE)
def approve_quote_view(quote_id: int):
    quote = load_quote(quote_id)
    if quote.status is not QuoteStatus.PENDING_APPROVAL:
        if quote.approved_at is None:
            flash("The quote is not waiting for approval.", "error")
        return _to_detail(quote)
    session = get_session()
    context = staff_action_context()
    try:
        approve_quote(
            session,
            quote,
            current_staff(),
            client_address=context["client_address"],
        )
    except QuoteError as error:
        session.rollback()
        return render_detail(quote, error=str(error), status=409)
    _after_publish(quote)
    return _to_detail(quote)


@blueprint.post("/quotes/<int:quote_id>/extend")
@requires(Permission.SELL)
def extend_quote_expiry(quote_id: int):
    quote = load_quote(quote_id)
    text = request.form.get("expires_on", "").strip()
    values = {"expires_on": text}
    try:
        expires_on = date.fromisoformat(text)
    except ValueError:
        message = "Enter the new expiration date as YYYY-MM-DD."
        return render_detail(
            quote, errors={"expires_on": message}, values=values, status=422
        )
    if expires_on == quote.expires_on:
        return _to_detail(quote)  # a repeated press
    session = get_session()
    try:
        extend_expiry(session, quote, expires_on, **staff_action_context())
    except QuoteError as error:
        session.rollback()
        status = 422 if error.field else 409
        return render_detail(
            quote,
            errors={error.field or "form": str(error)},
            values=values,
            status=status,
        )
    flash(f"The quote is now valid through {expires_on.isoformat()}.", "success")
    return _to_detail(quote)


@blueprint.post("/quotes/<int:quote_id>/void")
@requires(Permission.SELL)
def void_quote_view(quote_id: int):
    quote = load_quote(quote_id)
    reason = request.form.get("reason", "")
    session = get_session()
    try:
        void_quote(session, quote, reason=reason, **staff_action_context())
    except QuoteError as error:
        session.rollback()
        errors = {error.field: str(error)} if error.field else {}
        return render_detail(
            quote,
            error=None if error.field else str(error),
            errors=errors,
            values={"reason": reason},
            status=422 if error.field else 409,
        )
    flash("The quote is void. Nobody can sign or pay it any more.", "success")
    return _to_detail(quote)


def _after_publish(quote: Quote) -> None:
    """Email the signers about the published quote and tell staff what was sent.

    The first buyer gets their signing link. The signers of a replaced
    version get the changed-quote email instead, which carries the new link.
    """
    if quote.replaces_id is not None:
        business = business_or_none()
        sent = send_quote_changed(quote, business) if business else 0
        logger.info("quote %s change emails sent: %s", quote.id, sent)
        flash(
            f"Quote {quote.display_number} is published. {sent} signers of the "
            "earlier version were emailed.",
            "success",
        )
        return
    signer = next_to_sign(quote)
    if signer is None:
        flash(f"Quote {quote.display_number} is published.", "success")
        return
    try:
        send_signature_request(quote, signer)
    except Exception:
        logger.exception(
            "quote %s signature request to signer %s failed", quote.id, signer.id
        )
        flash(
            f"Quote {quote.display_number} is published, but emailing {signer.email} "
            "failed. Check the mail settings, or copy their signing link below.",
            "error",
        )
        return
    flash(
        f"Quote {quote.display_number} is published and {signer.email} was emailed "
        "a signing link.",
        "success",
    )


def _to_detail(quote: Quote):
    return redirect(url_for("merchant.quote_detail", quote_id=quote.id), 303)
