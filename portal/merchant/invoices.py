"""Staff invoice pages: create and edit drafts, the detail page and its actions.

The views read the form and call ``portal.invoices``. Every action is a
CSRF-protected POST that redirects to the detail page. Repeating an action
that already took effect changes nothing.
"""

import logging
import secrets

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from portal.database import get_session, now_utc
from portal.invoices.delivery import email_invoice, send_and_email
from portal.invoices.drafts import create_draft, update_draft
from portal.invoices.errors import InvoiceError
from portal.invoices.lifecycle import mark_uncollectible, void_invoice
from portal.invoices.status import local_today
from portal.invoices.terms import TERMS_LABELS
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.invoice_detail import (
    load_invoice,
    render_detail,
    staff_action_context,
)
from portal.merchant.invoice_form import (
    LOCALES,
    InvoiceForm,
    blank_form,
    field_of_row,
    form_of_invoice,
    read_form,
    remove_row,
    resolve_contact,
    to_draft,
)
from portal.merchant.layout import business_or_none
from portal.merchant.permissions import Permission
from portal.models import Contact, Invoice, InvoiceStatus, Price, TaxRate
from portal.money import to_major

logger = logging.getLogger(__name__)


@blueprint.get("/invoices/new")
@requires(Permission.SELL)
def new_invoice():
    business = _business()
    today = local_today(now_utc(), business.timezone)
    form = blank_form(today, business.currency, business.locale)
    form.values["idempotency_key"] = secrets.token_urlsafe(24)
    if request.args.get("contact_email"):
        form.values["contact_email"] = request.args["contact_email"][:320]
    return _render_form(form, invoice=None)


@blueprint.post("/invoices/new")
@requires(Permission.SELL)
def create_invoice():
    submitted = read_form(request.form)
    if _changes_rows(submitted):
        return _render_form(submitted, invoice=None, rows_only=_is_htmx())
    key = submitted.values.get("idempotency_key", "")
    if not 16 <= len(key) <= 64:
        abort(400, description="The form is missing its key. Open a new invoice form.")

    session = get_session()
    existing = session.scalars(
        select(Invoice).where(Invoice.idempotency_key == key)
    ).first()
    if existing is not None:
        return _to_detail(existing)
    draft = _draft_of(submitted)
    if draft is None:
        return _render_form(submitted, invoice=None, status=_status_of(submitted))
    try:
        invoice = create_draft(
            session, draft, idempotency_key=key, **staff_action_context()
        )
    except InvoiceError as error:
        session.rollback()
        return _render_error(submitted, None, error)
    flash("Draft invoice saved.", "success")
    return _to_detail(invoice)


@blueprint.get("/invoices/<int:invoice_id>/edit")
@requires(Permission.SELL)
def edit_invoice(invoice_id: int):
    invoice = load_invoice(invoice_id)
    if invoice.status is not InvoiceStatus.DRAFT:
        flash("Only a draft can be edited.", "error")
        return _to_detail(invoice)
    return _render_form(form_of_invoice(invoice), invoice=invoice)


@blueprint.post("/invoices/<int:invoice_id>/edit")
@requires(Permission.SELL)
def save_invoice(invoice_id: int):
    invoice = load_invoice(invoice_id)
    submitted = read_form(request.form)
    if _changes_rows(submitted):
        return _render_form(submitted, invoice=invoice, rows_only=_is_htmx())
    draft = _draft_of(submitted)
    if draft is None:
        return _render_form(submitted, invoice=invoice, status=_status_of(submitted))
    session = get_session()
    try:
        update_draft(
            session,
            invoice,
            draft,
            expected_version=submitted.values.get("version", ""),
            **staff_action_context(),
        )
    except InvoiceError as error:
        session.rollback()
        return _render_error(submitted, invoice, error)
    flash("Draft invoice saved.", "success")
    return _to_detail(invoice)


@blueprint.post("/invoices/<int:invoice_id>/send")
@requires(Permission.SELL)
def send_invoice_view(invoice_id: int):
    invoice = load_invoice(invoice_id)
    session = get_session()
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.OPEN):
        flash(f"Invoice {invoice.number} is {invoice.status.value} and is not sent.")
        return _to_detail(invoice)
    emailed = send_and_email(session, invoice, **staff_action_context())
    _flash_sent(invoice, emailed)
    return _to_detail(invoice)


@blueprint.post("/invoices/<int:invoice_id>/email")
@requires(Permission.SELL)
def email_invoice_again(invoice_id: int):
    invoice = load_invoice(invoice_id)
    if invoice.status is not InvoiceStatus.OPEN:
        flash("Only an open invoice can be emailed to the buyer.", "error")
        return _to_detail(invoice)
    _flash_sent(invoice, email_invoice(get_session(), invoice))
    return _to_detail(invoice)


@blueprint.post("/invoices/<int:invoice_id>/void")
@requires(Permission.REFUND)
def void_invoice_view(invoice_id: int):
    invoice = load_invoice(invoice_id)
    return _run_action(
        invoice,
        lambda: void_invoice(get_session(), invoice, **staff_action_context()),
        f"Invoice {invoice.number} is void.",
    )


@blueprint.post("/invoices/<int:invoice_id>/uncollectible")
@requires(Permission.REFUND)
def mark_uncollectible_view(invoice_id: int):
    invoice = load_invoice(invoice_id)
    return _run_action(
        invoice,
        lambda: mark_uncollectible(get_session(), invoice, **staff_action_context()),
        f"Invoice {invoice.number} is marked uncollectible.",
    )


def _run_action(invoice: Invoice, action, done_message: str):
    try:
        action()
    except InvoiceError as error:
        get_session().rollback()
        return render_detail(invoice, error=error.message, status=error.status_code)
    flash(done_message, "success")
    return _to_detail(invoice)


def _flash_sent(invoice: Invoice, emailed: bool) -> None:
    email = invoice.order.billing.email
    if emailed:
        flash(f"Invoice {invoice.number} is sent to {email}.", "success")
    else:
        flash(
            f"Invoice {invoice.number} is open, but emailing it to {email} failed. "
            "Check the mail settings and use Email again.",
            "error",
        )


def _to_detail(invoice: Invoice):
    return redirect(url_for("merchant.invoice_detail", invoice_id=invoice.id), 303)


def _business():
    business = business_or_none()
    if business is None:
        abort(409, description="Set up the business before you create invoices.")
    return business


def _is_htmx() -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _changes_rows(submitted: InvoiceForm) -> bool:
    """Apply the form's add or remove row button, if it was one that was pressed.

    Returns True for such a button, so the form is shown again, not saved.
    """
    action = submitted.values.get("action", "save")
    if action == "add_line":
        submitted.add_blank_line()
        return True
    if action == "add_fee":
        submitted.add_blank_fee()
        return True
    return remove_row(submitted, action)


def _draft_of(submitted: InvoiceForm):
    contact = resolve_contact(get_session(), submitted)
    if contact is None:
        return None
    return to_draft(submitted, contact)


def _status_of(submitted: InvoiceForm) -> int:
    if submitted.errors.pop("contact_not_found", None):
        return 404
    return 422


def _render_error(submitted: InvoiceForm, invoice: Invoice | None, error: InvoiceError):
    name = field_of_row(error.field or "form", submitted)
    if name == "contact":
        name = "contact_email"
    submitted.errors[name] = error.message
    return _render_form(submitted, invoice=invoice, status=error.status_code)


def _render_form(
    submitted: InvoiceForm,
    *,
    invoice: Invoice | None,
    status: int = 200,
    rows_only: bool = False,
):
    """Render the whole form, or only its line and fee rows for htmx.

    Both responses carry ``Vary: HX-Request``, because one URL returns either.
    """
    session = get_session()
    business = _business()
    prices = session.scalars(
        select(Price).where(Price.active.is_(True)).order_by(Price.id)
    ).all()
    context = {
        "form": submitted,
        "values": submitted.values,
        "errors": submitted.errors,
        "invoice": invoice,
        "currencies": business.currencies,
        "terms": TERMS_LABELS,
        "locales": LOCALES,
        "prices": prices,
        "price_amounts": {
            price.id: str(to_major(price.unit_amount, price.currency))
            for price in prices
        },
        "tax_rates": session.scalars(
            select(TaxRate).where(TaxRate.active.is_(True)).order_by(TaxRate.name)
        ).all(),
        "contacts": session.scalars(
            select(Contact).order_by(Contact.email).limit(500)
        ).all(),
    }
    if status == 200 and submitted.errors:
        status = 422
    template = "merchant/invoices/form.html"
    if rows_only:
        template = "merchant/invoices/partials/invoice_rows.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
