"""Builders of contacts, payments, invoices and refunds for the index tests.

Each builder adds rows through the session and flushes, so ids are set; the
caller commits. Amounts are minor units. ``insert_invoices`` writes many
invoices with Core INSERT statements for the large-table tests.
"""

import itertools
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from portal.models import (
    Contact,
    Invoice,
    InvoiceStatus,
    ManualPayment,
    ManualPaymentMethod,
    Order,
    Payment,
    PaymentLink,
    PaymentMethodKind,
    PaymentStatus,
    Refund,
    RefundReason,
    RefundStatus,
)

_numbers = itertools.count(1)


def make_contact(session: Session, email: str, name: str | None = None) -> Contact:
    contact = Contact(email=email.lower(), name=name)
    session.add(contact)
    session.flush()
    return contact


def make_order(session: Session, total: int, currency: str = "EUR") -> Order:
    order = Order(
        currency=currency,
        subtotal=total,
        discount_total=0,
        fee_total=0,
        tax_total=0,
        total=total,
    )
    session.add(order)
    session.flush()
    return order


def make_payment(
    session: Session,
    contact: Contact,
    amount: int,
    *,
    currency: str = "EUR",
    status: PaymentStatus = PaymentStatus.SUCCEEDED,
    created_at: datetime | None = None,
    link: PaymentLink | None = None,
) -> Payment:
    """Add a card payment; a succeeded one succeeded when it was created."""
    created_at = created_at or datetime.now(UTC)
    payment = Payment(
        token=secrets.token_urlsafe(16),
        link_id=link.id if link else None,
        contact_id=contact.id,
        order=make_order(session, amount, currency),
        currency=currency,
        amount=amount,
        status=status,
        method=PaymentMethodKind.CARD,
        processor="test",
        created_at=created_at,
        succeeded_at=created_at if status is PaymentStatus.SUCCEEDED else None,
    )
    session.add(payment)
    session.flush()
    return payment


def make_refund(
    session: Session,
    payment: Payment,
    amount: int,
    status: RefundStatus = RefundStatus.SUCCEEDED,
) -> Refund:
    refund = Refund(
        payment_id=payment.id,
        amount=amount,
        currency=payment.currency,
        reason=RefundReason.REQUESTED_BY_CUSTOMER,
        status=status,
        idempotency_key=secrets.token_hex(16),
    )
    session.add(refund)
    session.flush()
    return refund


def make_invoice(
    session: Session,
    contact: Contact,
    total: int,
    *,
    status: InvoiceStatus = InvoiceStatus.OPEN,
    currency: str = "EUR",
    due_date: date | None = None,
    issue_date: date | None = None,
    created_at: datetime | None = None,
    link: PaymentLink | None = None,
) -> Invoice:
    number = None
    if status is not InvoiceStatus.DRAFT:
        number = f"INV-{next(_numbers):06d}"
    if due_date is not None and issue_date is None:
        issue_date = due_date
    invoice = Invoice(
        number=number,
        token=secrets.token_urlsafe(16),
        order=make_order(session, total, currency),
        contact_id=contact.id,
        link_id=link.id if link else None,
        status=status,
        currency=currency,
        total=total,
        issue_date=issue_date,
        due_date=due_date,
        created_at=created_at or datetime.now(UTC),
    )
    session.add(invoice)
    session.flush()
    return invoice


def make_manual_payment(
    session: Session, invoice: Invoice, paid_on: date
) -> ManualPayment:
    manual = ManualPayment(
        invoice_id=invoice.id,
        currency=invoice.currency,
        amount=invoice.total,
        paid_on=paid_on,
        method=ManualPaymentMethod.BANK_TRANSFER,
        recorded_by="staff:1",
    )
    invoice.status = InvoiceStatus.PAID
    session.add(manual)
    session.flush()
    return manual


def insert_invoices(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert invoices with one shared order, by Core statements in batches.

    Each row gives ``contact_id``, ``status``, ``currency``, ``total``,
    ``created_at`` and optionally ``due_date``; numbers and tokens are made up.
    """
    order = make_order(session, 0)
    table = Invoice.__table__
    batch = []
    for row in rows:
        serial = next(_numbers)
        status = InvoiceStatus(row["status"])
        batch.append(
            {
                "number": None
                if status is InvoiceStatus.DRAFT
                else f"BLK-{serial:07d}",
                "token": f"bulk-{serial}-{secrets.token_hex(6)}",
                "order_id": order.id,
                "contact_id": row["contact_id"],
                "link_id": row.get("link_id"),
                "status": status.value,
                "currency": row["currency"],
                "total": row["total"],
                "issue_date": row.get("due_date"),
                "due_date": row.get("due_date"),
                "created_at": row["created_at"],
            }
        )
        if len(batch) == 1000:
            session.execute(insert(table), batch)
            batch = []
    if batch:
        session.execute(insert(table), batch)
