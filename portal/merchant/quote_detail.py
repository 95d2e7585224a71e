"""The staff quote detail page, its PDF preview and its stored signed PDF."""

from datetime import date
from functools import partial

from flask import abort, make_response, render_template
from sqlalchemy import select

from portal.database import get_session, now_utc
from portal.invoices.status import local_today
from portal.listing.context import ListingContext
from portal.listing.quotes import STATUS_LABELS, shown_status
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff
from portal.merchant.layout import business_or_none
from portal.merchant.permissions import Permission, has_permission
from portal.merchant.quote_editor import load_quote
from portal.models import (
    Business,
    InstalmentStatus,
    Quote,
    QuoteInstalment,
    QuoteStatus,
)
from portal.quotes.approval import approval_amount, needs_approval
from portal.quotes.building import EDITABLE_STATUSES
from portal.quotes.documents import quote_locale, render_quote_pdf
from portal.quotes.evidence import quote_events
from portal.quotes.facts import due_label
from portal.quotes.publishing import EXTENDABLE_STATUSES
from portal.quotes.verification import verify_quote
from portal.quotes.versions import REVISABLE_STATUSES
from portal.quotes.voiding import VOIDABLE_STATUSES
from portal.urls import public_url

# Labels of the log's actions. An action missing here shows as stored.
ACTION_LABELS = {
    "created": "Created",
    "edited": "Edited",
    "submitted_for_approval": "Submitted for approval",
    "approved": "Approved",
    "published": "Published",
    "expiry_extended": "Expiration date extended",
    "voided": "Voided",
    "viewed": "Viewed by a buyer",
    "terms_shown": "Terms shown to a signer",
    "signed": "Signed",
    "countersigned": "Countersigned",
    "declined": "Declined",
    "accepted": "Accepted",
    "signed_pdf_stored": "Signed PDF stored",
    "paid": "Paid",
    "instalment_invoiced": "Instalment invoiced",
    "instalment_processing": "Instalment payment processing",
    "instalment_paid": "Instalment paid",
    "instalment_invoice_emailed": "Instalment invoice emailed with its pay link",
    "instalment_requires_action": "Instalment held for the customer's authentication",
    "instalment_failed": "Instalment payment failed",
    "instalment_payment_failed": "Instalment payment failed",
    "instalment_uncollectible": "Instalment not collected",
    "payment_method_saved": "Payment method saved for later instalments",
    "subscriptions_started": "Subscriptions started",
}
# The label of a pending instalment depends on its due date: see instalment_label.
INSTALMENT_LABELS = {
    "pending": "Not due yet",
    "invoiced": "Invoiced",
    "processing": "Processing",
    "requires_action": "Waiting for the customer's authentication",
    "paid": "Paid",
    "failed": "Payment failed, retry scheduled",
    "uncollectible": "Not collected",
}


@blueprint.get("/quotes/<int:quote_id>")
@requires(Permission.VIEW)
def quote_detail(quote_id: int):
    return render_detail(load_quote(quote_id))


@blueprint.get("/quotes/<int:quote_id>/pdf")
@requires(Permission.VIEW)
def quote_pdf_preview(quote_id: int):
    """Render the PDF of any quote, drafts included, as it reads now."""
    quote = load_quote(quote_id)
    business = _business()
    pdf = render_quote_pdf(quote, business, quote_locale(quote, business))
    return _pdf_response(pdf, f"quote-{_file_name(quote)}.pdf")


@blueprint.get("/quotes/<int:quote_id>/signed.pdf")
@requires(Permission.VIEW)
def quote_signed_pdf(quote_id: int):
    """Serve the signed PDF exactly as stored after the last signature."""
    quote = load_quote(quote_id)
    if quote.signed_pdf is None:
        abort(404)
    return _pdf_response(quote.signed_pdf, f"quote-{_file_name(quote)}-signed.pdf")


def render_detail(
    quote: Quote,
    *,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
):
    """Render the detail page, with ``error`` at the top and ``errors`` by field."""
    business = _business()
    role = current_staff().role
    now = now_utc()
    shown = shown_status(quote, ListingContext(business.timezone, now))
    page = render_template(
        "merchant/quotes/detail.html",
        quote=quote,
        shown_status=shown,
        status_labels=STATUS_LABELS,
        versions=_versions(quote),
        replaced_by=_replaced_by(quote),
        events=quote_events(get_session(), quote),
        verification=verify_quote(get_session(), quote),
        action_labels=ACTION_LABELS,
        instalment_label=partial(
            instalment_label, today=local_today(now, business.timezone)
        ),
        due_label=lambda instalment: due_label(instalment, "en"),
        page_url=public_url(f"/quotes/{quote.token}"),
        signer_url=lambda signer: public_url(
            f"/quotes/{quote.token}/sign/{signer.token}"
        ),
        published=quote.status not in EDITABLE_STATUSES
        and quote.status is not QuoteStatus.VOID,
        needs_approval=needs_approval(business, quote),
        approval_amount=approval_amount(quote),
        can_sell=has_permission(role, Permission.SELL),
        can_approve=has_permission(role, Permission.APPROVE),
        editable=quote.status in EDITABLE_STATUSES,
        revisable=quote.status in REVISABLE_STATUSES,
        extendable=quote.status in EXTENDABLE_STATUSES,
        voidable=quote.status in VOIDABLE_STATUSES,
        Status=QuoteStatus,
        error=error,
        errors=errors or {},
        values=values or {},
    )
    return page, status


def instalment_label(instalment: QuoteInstalment, today: date) -> str:
    """Label an instalment's status; a pending one is due from its due date on.

    ``today`` is the date in the business's time zone.
    """
    if instalment.status is InstalmentStatus.PENDING and instalment.due_on:
        if instalment.due_on == today:
            return "Due today"
        if instalment.due_on < today:
            return "Overdue"
    return INSTALMENT_LABELS[instalment.status.value]


def _versions(quote: Quote) -> list[Quote]:
    """Return every version of the quote, oldest first, or just the draft itself."""
    if quote.number is None:
        return [quote]
    return list(
        get_session().scalars(
            select(Quote).where(Quote.number == quote.number).order_by(Quote.version)
        )
    )


def _replaced_by(quote: Quote) -> Quote | None:
    return (
        get_session()
        .scalars(select(Quote).where(Quote.replaces_id == quote.id))
        .first()
    )


def _file_name(quote: Quote) -> str:
    if quote.number is None:
        return f"draft-{quote.id}"
    return f"{quote.number}-v{quote.version}"


def _pdf_response(pdf: bytes, filename: str):
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _business() -> Business:
    business = business_or_none()
    if business is None:
        abort(404)
    return business
