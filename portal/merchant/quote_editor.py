"""Staff quote form pages: create a draft, edit it, or revise a published quote.

A draft (or a quote waiting for approval) is edited in place. A published
quote is locked, so saving its form makes the next version, which voids the
earlier one, and the signers get the changed-quote email once it is
published. Row buttons work as plain POSTs and, through htmx, swap only the
section whose rows changed.
"""

import logging
import secrets
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from portal.database import get_session, now_utc
from portal.invoices.status import local_today
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.invoice_detail import staff_action_context
from portal.merchant.invoice_form import LOCALES, resolve_contact
from portal.merchant.layout import business_or_none
from portal.merchant.permissions import Permission
from portal.merchant.quote_form import (
    DUE_LABELS,
    QuoteForm,
    change_rows,
    field_of_row,
    read_form,
    to_draft,
)
from portal.merchant.quote_form_fill import blank_form, form_of_quote
from portal.models import (
    Business,
    Contact,
    Discount,
    Price,
    PriceKind,
    Quote,
    QuoteStatus,
    Staff,
    StaffRole,
    TaxRate,
)
from portal.money import to_major
from portal.notifications.quotes_changed import send_quote_changed
from portal.quotes.building import EDITABLE_STATUSES, create_quote, update_quote
from portal.quotes.errors import QuoteChanged, QuoteError, QuoteStateError
from portal.quotes.versions import REVISABLE_STATUSES, revise_quote

logger = logging.getLogger(__name__)

# The partial that htmx swaps after a row button, by kind of row.
ROW_PARTIALS = {
    "lines": "merchant/quotes/partials/line_rows.html",
    "fees": "merchant/quotes/partials/line_rows.html",
    "recurring": "merchant/quotes/partials/line_rows.html",
    "buyers": "merchant/quotes/partials/signer_rows.html",
    "countersigners": "merchant/quotes/partials/signer_rows.html",
    "instalments": "merchant/quotes/partials/schedule_rows.html",
}


@blueprint.get("/quotes/new")
@requires(Permission.SELL)
def new_quote():
    business = _business()
    form = blank_form(business, local_today(now_utc(), business.timezone))
    form.values["idempotency_key"] = secrets.token_urlsafe(24)
    if request.args.get("contact_email"):
        form.values["contact_email"] = request.args["contact_email"][:320]
    return render_form(form, quote=None)


@blueprint.post("/quotes/new")
@requires(Permission.SELL)
def create_quote_view():
    submitted = read_form(request.form)
    changed = change_rows(submitted)
    if changed is not None:
        return render_form(submitted, quote=None, rows_of=changed)
    key = _idempotency_key(submitted)
    session = get_session()
    existing = session.scalars(
        select(Quote).where(Quote.idempotency_key == key)
    ).first()
    if existing is not None:
        return _to_detail(existing)

    draft = _draft_of(submitted)
    if draft is None:
        return render_form(submitted, quote=None, status=_status_of(submitted))
    try:
        quote = create_quote(
            session,
            draft,
            idempotency_key=key,
            static_root=_static_root(),
            **staff_action_context(),
        )
    except QuoteError as error:
        session.rollback()
        return _render_error(submitted, None, error)
    flash("Draft quote saved.", "success")
    return _to_detail(quote)


@blueprint.get("/quotes/<int:quote_id>/edit")
@requires(Permission.SELL)
def edit_quote(quote_id: int):
    quote = load_quote(quote_id)
    if quote.status not in EDITABLE_STATUSES | REVISABLE_STATUSES:
        flash(_not_editable(quote), "error")
        return _to_detail(quote)
    form = form_of_quote(quote)
    if quote.status in REVISABLE_STATUSES:
        form.values["idempotency_key"] = secrets.token_urlsafe(24)
    return render_form(form, quote=quote)


@blueprint.post("/quotes/<int:quote_id>/edit")
@requires(Permission.SELL)
def save_quote(quote_id: int):
    quote = load_quote(quote_id)
    submitted = read_form(request.form)
    changed = change_rows(submitted)
    if changed is not None:
        return render_form(submitted, quote=quote, rows_of=changed)
    if submitted.values.get("idempotency_key"):
        # Only the revision form carries a key. A draft form saved after the
        # quote was published fails in update_quote with a message saying so.
        return _revise(quote, submitted)

    draft = _draft_of(submitted)
    if draft is None:
        return render_form(submitted, quote=quote, status=_status_of(submitted))
    session = get_session()
    try:
        update_quote(
            session,
            quote,
            draft,
            expected_version=submitted.values.get("version", ""),
            static_root=_static_root(),
            **staff_action_context(),
        )
    except QuoteError as error:
        session.rollback()
        return _render_error(submitted, quote, error)
    flash("Draft quote saved.", "success")
    return _to_detail(quote)


def _revise(quote: Quote, submitted: QuoteForm):
    """Make the next version of a published quote and email its signers."""
    key = _idempotency_key(submitted)
    draft = _draft_of(submitted)
    if draft is None:
        return render_form(submitted, quote=quote, status=_status_of(submitted))
    session = get_session()
    try:
        revision = revise_quote(
            session,
            quote,
            draft,
            idempotency_key=key,
            static_root=_static_root(),
            **staff_action_context(),
        )
    except QuoteError as error:
        session.rollback()
        return _render_error(submitted, quote, error)
    if revision.status is QuoteStatus.PUBLISHED:
        sent = send_quote_changed(revision, _business())
        logger.info("quote %s change emails sent: %s", revision.id, sent)
        flash(
            f"Quote {revision.display_number} is published and replaces version "
            f"{quote.version}. {sent} signers were emailed about the change.",
            "success",
        )
    else:
        flash(
            f"Quote {revision.display_number} replaces version {quote.version} and "
            "waits for an owner's or admin's approval before it is published.",
            "success",
        )
    return _to_detail(revision)


def load_quote(quote_id: int) -> Quote:
    quote = get_session().get(Quote, quote_id)
    if quote is None:
        abort(404)
    return quote


def render_form(
    submitted: QuoteForm,
    *,
    quote: Quote | None,
    status: int = 200,
    rows_of: str | None = None,
):
    """Render the whole form, or for htmx only the section whose rows changed.

    Both responses carry ``Vary: HX-Request``, because one URL returns either.
    """
    template = "merchant/quotes/form.html"
    if rows_of is not None and request.htmx and not request.htmx.boosted:
        template = ROW_PARTIALS[rows_of]
    if status == 200 and submitted.errors:
        status = 422
    page = render_template(template, **_form_context(submitted, quote))
    response = make_response(page, status)
    response.vary.add("HX-Request")
    return response


def _form_context(submitted: QuoteForm, quote: Quote | None) -> dict[str, object]:
    session = get_session()
    business = _business()
    prices = session.scalars(
        select(Price).where(Price.active.is_(True)).order_by(Price.id)
    ).all()
    revising = quote is not None and quote.status in REVISABLE_STATUSES
    return {
        "form": submitted,
        "values": submitted.values,
        "errors": submitted.errors,
        "quote": quote,
        "revising": revising,
        "business": business,
        "currencies": business.currencies,
        "locales": LOCALES,
        "due_labels": DUE_LABELS,
        "one_time_prices": [p for p in prices if p.kind is PriceKind.ONE_TIME],
        "recurring_prices": [p for p in prices if p.kind is PriceKind.RECURRING],
        "price_amounts": {
            price.id: str(to_major(price.unit_amount, price.currency))
            for price in prices
        },
        "tax_rates": session.scalars(
            select(TaxRate).where(TaxRate.active.is_(True)).order_by(TaxRate.name)
        ).all(),
        "discounts": session.scalars(
            select(Discount).where(Discount.active.is_(True)).order_by(Discount.name)
        ).all(),
        "countersigner_staff": session.scalars(
            select(Staff)
            .where(Staff.active.is_(True), Staff.role != StaffRole.VIEWER)
            .order_by(Staff.name, Staff.email)
        ).all(),
        "contacts": session.scalars(
            select(Contact).order_by(Contact.email).limit(500)
        ).all(),
    }


def _draft_of(submitted: QuoteForm):
    session = get_session()
    contact = resolve_contact(session, submitted)
    if contact is None:
        return None
    business = _business()
    return to_draft(submitted, contact, local_today(now_utc(), business.timezone))


def _render_error(submitted: QuoteForm, quote: Quote | None, error: QuoteError):
    name = field_of_row(error.field or "form", submitted)
    if isinstance(error, QuoteChanged | QuoteStateError):
        name = "form"
    submitted.errors[name] = str(error)
    status = 409 if isinstance(error, QuoteChanged | QuoteStateError) else 422
    return render_form(submitted, quote=quote, status=status)


def _status_of(submitted: QuoteForm) -> int:
    if submitted.errors.pop("contact_not_found", None):
        return 404
    return 422


def _idempotency_key(submitted: QuoteForm) -> str:
    key = submitted.values.get("idempotency_key", "")
    if not 16 <= len(key) <= 64:
        abort(400, description="The form is missing its key. Open a new quote form.")
    return key


def _not_editable(quote: Quote) -> str:
    if quote.status is QuoteStatus.VOID:
        return "This version is void. Edit the latest version of the quote."
    return (
        f"The quote is {quote.status.value}, so it can no longer be changed. "
        "Create a new quote instead."
    )


def _to_detail(quote: Quote):
    return redirect(url_for("merchant.quote_detail", quote_id=quote.id), 303)


def _static_root() -> Path:
    return Path(current_app.static_folder or "static")


def _business() -> Business:
    business = business_or_none()
    if business is None:
        abort(409, description="Set up the business before you create quotes.")
    return business
