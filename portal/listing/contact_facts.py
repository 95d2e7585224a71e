"""SQL conditions on what a contact paid and owes, correlated with ``Contact``.

Money received from a contact is their succeeded payments, less the refunds
of those that succeeded, plus the manual payments staff recorded against
their invoices. Failed, pending and canceled payments and refunds count for
nothing.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select

from portal.models import (
    Contact,
    Invoice,
    InvoiceStatus,
    ManualPayment,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)


def _succeeded_payment(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return (
        exists()
        .where(
            Payment.contact_id == Contact.id,
            Payment.status == PaymentStatus.SUCCEEDED,
            *conditions,
        )
        .correlate(Contact)
    )


def _manual_payment(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return (
        exists()
        .where(
            ManualPayment.invoice_id == Invoice.id,
            Invoice.contact_id == Contact.id,
            *conditions,
        )
        .correlate(Contact)
    )


def paid_since(start: datetime, start_day: date) -> ColumnElement[bool]:
    """Return the condition that a payment succeeded at or after ``start``.

    A manual payment counts from ``start_day`` on, because staff record the
    day it arrived, not the time.
    """
    return or_(
        _succeeded_payment(Payment.succeeded_at >= start),
        _manual_payment(ManualPayment.paid_on >= start_day),
    )


def paid_in_currency(currency: str) -> ColumnElement[bool]:
    return or_(
        _succeeded_payment(Payment.currency == currency),
        _manual_payment(ManualPayment.currency == currency),
    )


def paid_through_link(link_id: int) -> ColumnElement[bool]:
    return _succeeded_payment(Payment.link_id == link_id)


def has_open_invoice() -> ColumnElement[bool]:
    """Return the condition that an invoice is open, past its due date or not."""
    return (
        exists()
        .where(Invoice.contact_id == Contact.id, Invoice.status == InvoiceStatus.OPEN)
        .correlate(Contact)
    )


def has_overdue_invoice(today: date) -> ColumnElement[bool]:
    """Return the condition that an open invoice was due before ``today``."""
    return (
        exists()
        .where(
            Invoice.contact_id == Contact.id,
            Invoice.status == InvoiceStatus.OPEN,
            Invoice.due_date < today,
        )
        .correlate(Contact)
    )


def total_paid(currency: str) -> ColumnElement[Any]:
    """Minor units received from the contact in ``currency``, refunds deducted."""
    payments = (
        select(func.coalesce(func.sum(Payment.amount), 0))
        .where(
            Payment.contact_id == Contact.id,
            Payment.currency == currency,
            Payment.status == PaymentStatus.SUCCEEDED,
        )
        .correlate(Contact)
        .scalar_subquery()
    )
    refunds = (
        select(func.coalesce(func.sum(Refund.amount), 0))
        .join(Payment, Refund.payment_id == Payment.id)
        .where(
            Payment.contact_id == Contact.id,
            Refund.currency == currency,
            Refund.status == RefundStatus.SUCCEEDED,
        )
        .correlate(Contact)
        .scalar_subquery()
    )
    manual = (
        select(func.coalesce(func.sum(ManualPayment.amount), 0))
        .join(Invoice, ManualPayment.invoice_id == Invoice.id)
        .where(Invoice.contact_id == Contact.id, ManualPayment.currency == currency)
        .correlate(Contact)
        .scalar_subquery()
    )
    return payments - refunds + manual


def total_paid_between(
    currency: str, minimum: int | None, maximum: int | None
) -> ColumnElement[bool]:
    total = total_paid(currency)
    conditions = []
    if minimum is not None:
        conditions.append(total >= minimum)
    if maximum is not None:
        conditions.append(total <= maximum)
    return and_(paid_in_currency(currency), *conditions)


def succeeded_payment_count() -> ColumnElement[int]:
    return (
        select(func.count(Payment.id))
        .where(
            Payment.contact_id == Contact.id,
            Payment.status == PaymentStatus.SUCCEEDED,
        )
        .correlate(Contact)
        .scalar_subquery()
    )


def last_payment_at() -> ColumnElement[Any]:
    """When the contact's latest succeeded payment succeeded, or NULL."""
    return (
        select(func.max(Payment.succeeded_at))
        .where(
            Payment.contact_id == Contact.id,
            Payment.status == PaymentStatus.SUCCEEDED,
        )
        .correlate(Contact)
        .scalar_subquery()
    )
