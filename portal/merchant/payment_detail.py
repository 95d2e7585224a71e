"""The payment detail page and its actions: refund and resend receipt."""

import logging

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from sqlalchemy.orm import selectinload

from portal.database import get_session
from portal.documents.facts import bill_to, payment_method_label
from portal.documents.refunds import refund_state_label
from portal.documents.summary import summarise_order
from portal.extensions import client_address
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff, staff_actor
from portal.merchant.payment_forms import (
    RefundForm,
    ResendReceiptForm,
    new_idempotency_key,
)
from portal.merchant.permissions import Permission, has_permission
from portal.models import Payment, RefundReason, RefundStatus
from portal.money import format_money, parse_major, to_major
from portal.payments.errors import PaymentActionError, RefundRejected
from portal.payments.history import payment_history
from portal.payments.receipts import resend_receipt
from portal.payments.refunds import RefundInput, refund_payment
from portal.processors import get_processor

logger = logging.getLogger(__name__)

# The back office is in English whatever language the browser requests.
LOCALE = "en"


@blueprint.get("/payments/<int:payment_id>")
@requires(Permission.VIEW)
def payment_detail(payment_id: int):
    return _render_detail(_load_payment(payment_id))


@blueprint.post("/payments/<int:payment_id>/refunds")
@requires(Permission.REFUND)
def refund(payment_id: int):
    payment = _load_payment(payment_id)
    form = RefundForm()
    if not form.validate_on_submit():
        return _render_detail(payment, refund_form=form, status=422)
    try:
        amount = parse_major(form.amount.data, payment.currency)
    except ValueError as error:
        form.amount.errors.append(f"{error} Enter the amount in {payment.currency}.")
        return _render_detail(payment, refund_form=form, status=422)

    staff = current_staff()
    request = RefundInput(
        payment_id=payment.id,
        amount=amount,
        reason=RefundReason(form.reason.data),
        note=(form.note.data or "").strip() or None,
        idempotency_key=form.key.data,
    )
    try:
        made = refund_payment(
            get_session(),
            get_processor(),
            request,
            actor=staff_actor(staff),
            staff_id=staff.id,
            client_address=client_address(),
        )
    except PaymentActionError as error:
        return _rejected(payment, form, error)

    _flash_refund(made)
    return redirect(url_for("merchant.payment_detail", payment_id=payment.id), 303)


@blueprint.post("/payments/<int:payment_id>/resend-receipt")
@requires(Permission.SELL)
def resend_payment_receipt(payment_id: int):
    payment = _load_payment(payment_id)
    form = ResendReceiptForm()
    if not form.validate_on_submit():
        return _render_detail(payment, resend_form=form, status=422)
    try:
        address = resend_receipt(
            get_session(),
            payment.id,
            to=form.to.data,
            idempotency_key=form.key.data,
            actor=staff_actor(current_staff()),
            client_address=client_address(),
        )
    except PaymentActionError as error:
        target = form.to if error.field == "to" else form.key
        target.errors.append(error.message)
        form.key.data = new_idempotency_key()
        return _render_detail(payment, resend_form=form, status=error.status_code)

    flash(f"The receipt was sent to {address}.", "success")
    return redirect(url_for("merchant.payment_detail", payment_id=payment.id), 303)


def _load_payment(payment_id: int) -> Payment:
    payment = get_session().get(
        Payment, payment_id, options=[selectinload(Payment.refunds)]
    )
    if payment is None:
        abort(404)
    return payment


def _rejected(payment: Payment, form: RefundForm, error: PaymentActionError):
    """Re-render the page with the message at its field; nothing was saved."""
    session = get_session()
    session.rollback()
    session.refresh(payment)
    if isinstance(error, RefundRejected):
        form.amount.errors.append(error.message)
    elif error.field == "note":
        form.note.errors.append(error.message)
    else:
        form.amount.errors.append(error.message)
    logger.info("refund of payment %s rejected", payment.id)
    return _render_detail(payment, refund_form=form, status=error.status_code)


def _flash_refund(refund) -> None:
    amount = format_money(refund.amount, refund.currency, LOCALE)
    if refund.status is RefundStatus.SUCCEEDED:
        flash(f"Refunded {amount} as {refund.receipt_number}.", "success")
    elif refund.status is RefundStatus.PENDING:
        flash(f"The refund of {amount} is pending at the processor.", "success")
    else:
        flash(
            f"The refund of {amount} failed: {refund.failure_message}",
            "error",
        )


def _render_detail(
    payment: Payment,
    *,
    refund_form: RefundForm | None = None,
    resend_form: ResendReceiptForm | None = None,
    status: int = 200,
):
    staff = current_staff()
    refundable = payment.refundable_amount
    with force_locale(LOCALE):
        page = render_template(
            "merchant/payments/detail.html",
            payment=payment,
            order=payment.order,
            billing=bill_to(payment.order) if payment.order.billing else None,
            summary=summarise_order(payment.order, LOCALE),
            method=payment_method_label(payment),
            refund_state=refund_state_label(payment),
            history=payment_history(get_session(), payment),
            refundable=refundable,
            refund_form=refund_form or _new_refund_form(payment, refundable),
            resend_form=resend_form or _new_resend_form(),
            can_refund=has_permission(staff.role, Permission.REFUND),
            can_resend=has_permission(staff.role, Permission.SELL),
            endpoint_exists=lambda name: name in current_app.view_functions,
        )
    return page, status


def _new_refund_form(payment: Payment, refundable: int) -> RefundForm:
    form = RefundForm(formdata=None)
    form.amount.data = str(to_major(refundable, payment.currency))
    form.reason.data = RefundReason.REQUESTED_BY_CUSTOMER.value
    form.key.data = new_idempotency_key()
    return form


def _new_resend_form() -> ResendReceiptForm:
    form = ResendReceiptForm(formdata=None)
    form.key.data = new_idempotency_key()
    return form
