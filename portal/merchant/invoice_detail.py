"""The staff invoice detail page, with manual payment and reminder scheduling."""

from datetime import date

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
from portal.documents import render_invoice_pdf
from portal.documents.summary import summarise_order
from portal.extensions import client_address
from portal.invoices.attempts import live_attempts
from portal.invoices.errors import InvoiceError
from portal.invoices.lifecycle import ManualPaymentInput, mark_paid_manually
from portal.invoices.reminders import (
    SUGGESTED_OFFSETS,
    describe_offset,
    schedule_reminders,
)
from portal.invoices.status import display_status, local_today
from portal.invoices.terms import TERMS_LABELS
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff, staff_actor
from portal.merchant.layout import business_or_none
from portal.merchant.permissions import Permission, has_permission
from portal.models import AuditEvent, Invoice, InvoiceStatus, ManualPaymentMethod
from portal.models.invoices import MAX_REMINDER_OFFSET, MIN_REMINDER_OFFSET
from portal.money import CurrencyError, normalise_currency, parse_major, to_major
from portal.urls import public_url

METHOD_LABELS = {
    ManualPaymentMethod.BANK_TRANSFER: "Bank transfer",
    ManualPaymentMethod.CASH: "Cash",
    ManualPaymentMethod.CHEQUE: "Cheque",
    ManualPaymentMethod.OTHER: "Other",
}


def load_invoice(invoice_id: int) -> Invoice:
    invoice = get_session().get(Invoice, invoice_id)
    if invoice is None:
        abort(404)
    return invoice


def staff_action_context() -> dict[str, str]:
    """Return the audit actor and client address of the signed-in staff member."""
    return {"actor": staff_actor(current_staff()), "client_address": client_address()}


@blueprint.get("/invoices/<int:invoice_id>")
@requires(Permission.VIEW)
def invoice_detail(invoice_id: int):
    return render_detail(load_invoice(invoice_id))


@blueprint.get("/invoices/<int:invoice_id>/pdf")
@requires(Permission.VIEW)
def invoice_pdf_preview(invoice_id: int):
    """Render the PDF of any invoice, drafts included, for staff to check."""
    invoice = load_invoice(invoice_id)
    business = business_or_none()
    if business is None:
        abort(404)
    pdf = render_invoice_pdf(invoice, business, invoice.locale or business.locale)
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    name = invoice.number or f"draft-{invoice.id}"
    response.headers["Content-Disposition"] = f'inline; filename="invoice-{name}.pdf"'
    return response


@blueprint.post("/invoices/<int:invoice_id>/mark-paid")
@requires(Permission.REFUND)
def mark_invoice_paid(invoice_id: int):
    invoice = load_invoice(invoice_id)
    values = {
        name: request.form.get(name, "").strip()
        for name in ("amount", "currency", "paid_on", "method", "reference")
    }
    errors: dict[str, str] = {}
    payment = _read_manual_payment(values, errors)
    if payment is None:
        return render_detail(invoice, payment_values=values, errors=errors, status=422)

    session = get_session()
    try:
        mark_paid_manually(session, invoice, payment, **staff_action_context())
    except InvoiceError as error:
        session.rollback()
        errors[error.field or "payment"] = error.message
        return render_detail(
            invoice, payment_values=values, errors=errors, status=error.status_code
        )
    flash(f"Invoice {invoice.number} is marked paid.", "success")
    return redirect(url_for("merchant.invoice_detail", invoice_id=invoice.id), 303)


@blueprint.post("/invoices/<int:invoice_id>/reminders")
@requires(Permission.SELL)
def schedule_invoice_reminders(invoice_id: int):
    invoice = load_invoice(invoice_id)
    offsets = set()
    for raw in request.form.getlist("offset"):
        text = raw.strip()
        if not text:
            continue
        try:
            offsets.add(int(text))
        except ValueError:
            message = f"{text!r} is not a whole number of days."
            return render_detail(invoice, errors={"reminders": message}, status=422)
    session = get_session()
    try:
        schedule_reminders(session, invoice, offsets, **staff_action_context())
    except InvoiceError as error:
        session.rollback()
        return render_detail(
            invoice, errors={"reminders": error.message}, status=error.status_code
        )
    flash("Reminders saved.", "success")
    return redirect(url_for("merchant.invoice_detail", invoice_id=invoice.id), 303)


def render_detail(
    invoice: Invoice,
    *,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    payment_values: dict[str, str] | None = None,
    status: int = 200,
):
    session = get_session()
    business = business_or_none()
    timezone = business.timezone if business else "UTC"
    now = now_utc()
    staff = current_staff()
    history = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "invoice", AuditEvent.subject_id == invoice.id
        )
        .order_by(AuditEvent.id)
    ).all()
    page = render_template(
        "merchant/invoices/detail.html",
        invoice=invoice,
        summary=summarise_order(invoice.order, "en"),
        status=display_status(invoice, now, timezone),
        terms=TERMS_LABELS.get(invoice.net_terms) if invoice.net_terms else None,
        hosted_url=public_url(f"/invoices/{invoice.token}"),
        history=history,
        payment_running=live_attempts(session, invoice.id, now) > 0,
        reminder_choices=_reminder_choices(invoice),
        min_offset=MIN_REMINDER_OFFSET,
        max_offset=MAX_REMINDER_OFFSET,
        method_labels=METHOD_LABELS,
        payment_values=payment_values or _default_payment(invoice, timezone),
        can_sell=has_permission(staff.role, Permission.SELL),
        can_refund=has_permission(staff.role, Permission.REFUND),
        error=error,
        errors=errors or {},
        InvoiceStatus=InvoiceStatus,
    )
    return page, status


def _reminder_choices(invoice: Invoice) -> list[dict[str, object]]:
    """List the suggested offsets and any others already scheduled, in order."""
    scheduled = {reminder.offset_days: reminder for reminder in invoice.reminders}
    offsets = sorted(set(SUGGESTED_OFFSETS) | set(scheduled))
    choices = []
    for offset in offsets:
        reminder = scheduled.get(offset)
        choices.append(
            {
                "offset": offset,
                "label": describe_offset(offset),
                "checked": reminder is not None,
                "sent_at": reminder.sent_at if reminder else None,
                "skipped": bool(reminder and reminder.skipped),
            }
        )
    return choices


def _default_payment(invoice: Invoice, timezone: str) -> dict[str, str]:
    return {
        "amount": str(to_major(invoice.amount_due, invoice.currency)),
        "currency": invoice.currency,
        "paid_on": local_today(now_utc(), timezone).isoformat(),
        "method": ManualPaymentMethod.BANK_TRANSFER.value,
        "reference": "",
    }


def _read_manual_payment(
    values: dict[str, str], errors: dict[str, str]
) -> ManualPaymentInput | None:
    try:
        currency = normalise_currency(values["currency"])
    except CurrencyError:
        errors["currency"] = "Choose a currency from the list."
        return None
    amount = None
    try:
        amount = parse_major(values["amount"], currency)
    except ValueError as error:
        errors["amount"] = str(error)
    if amount is not None and amount <= 0:
        errors["amount"] = "Enter the amount received, above zero."
    paid_on = None
    try:
        paid_on = date.fromisoformat(values["paid_on"])
    except ValueError:
        errors["paid_on"] = "Enter the date the money arrived, as YYYY-MM-DD."
    try:
        method = ManualPaymentMethod(values["method"])
    except ValueError:
        errors["method"] = "Choose how the money was paid."
        method = None
    if len(values["reference"]) > 200:
        errors["reference"] = "Use at most 200 characters."
    if errors:
        return None
    return ManualPaymentInput(
        amount=amount,
        currency=currency,
        paid_on=paid_on,
        method=method,
        reference=values["reference"],
    )
