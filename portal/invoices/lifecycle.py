"""Status changes of a staff invoice: send, pay, void, mark uncollectible.

Each action locks the invoice row, checks the status, writes an audit row
naming the actor and commits. Repeating an action that already took effect
changes nothing and returns the invoice as it is, so a double submit ends in
one change.
"""

import logging
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal import audit
from portal.businesses import get_business
from portal.database import now_utc
from portal.invoices.attempts import live_attempts, lock_invoice
from portal.invoices.drafts import contact_billing
from portal.invoices.errors import InvoiceError, InvoiceStateError
from portal.invoices.status import local_today
from portal.models import (
    Invoice,
    InvoiceStatus,
    ManualPayment,
    ManualPaymentMethod,
    Payment,
)
from portal.money import format_money
from portal.sequences import next_number

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ManualPaymentInput:
    amount: int  # minor units
    currency: str
    paid_on: date
    method: ManualPaymentMethod
    reference: str = ""


def send_invoice(
    session: Session,
    invoice: Invoice,
    *,
    actor: str,
    client_address: str | None = None,
) -> bool:
    """Finalize a draft: number it, open it and commit.

    Returns True when this call sent it and False when it was already sent,
    so that the caller emails the buyer once. The bill-to details are copied
    from the contact as they read now, and the issued invoice keeps them.
    """
    lock_invoice(session, invoice)
    if invoice.status is not InvoiceStatus.DRAFT:
        return False
    now = now_utc()
    invoice.number = next_number(session, "invoice")
    invoice.status = InvoiceStatus.OPEN
    invoice.issued_at = now
    invoice.sent_at = now
    invoice.order.billing = contact_billing(invoice.contact)
    _record(
        session,
        invoice,
        "invoice.sent",
        actor=actor,
        from_state=InvoiceStatus.DRAFT,
        client_address=client_address,
        details={"number": invoice.number},
    )
    session.commit()
    logger.info("invoice %s sent as %s", invoice.id, invoice.number)
    return True


def mark_paid_manually(
    session: Session,
    invoice: Invoice,
    payment: ManualPaymentInput,
    *,
    actor: str,
    client_address: str | None = None,
) -> Invoice:
    """Record money received outside Kassa as the invoice's full payment.

    The payment must be in the invoice's currency, for the amount due, and
    dated from the issue date to today in the business's time zone. Recording the
    same payment again returns the invoice unchanged.
    """
    lock_invoice(session, invoice)
    if payment.currency != invoice.currency:
        raise InvoiceError(
            f"The payment is in {payment.currency}, but invoice {invoice.number} is "
            f"in {invoice.currency}. Record the amount received in "
            f"{invoice.currency}.",
            "currency",
        )
    if invoice.status is InvoiceStatus.PAID:
        if _same_payment(invoice.manual_payment, payment):
            return invoice
        raise InvoiceStateError(f"Invoice {invoice.number} is already paid.")
    _check_payable(session, invoice)
    if payment.amount != invoice.amount_due:
        due = format_money(invoice.amount_due, invoice.currency)
        raise InvoiceError(
            f"Enter the amount due, {due}. An invoice is paid in full, once.",
            "amount",
        )
    today = local_today(now_utc(), get_business(session).timezone)
    if payment.paid_on > today:
        raise InvoiceError(
            f"The payment date {payment.paid_on.isoformat()} is in the future. "
            "Enter the day the money arrived.",
            "paid_on",
        )
    if invoice.issue_date is not None and payment.paid_on < invoice.issue_date:
        raise InvoiceError(
            f"The payment date {payment.paid_on.isoformat()} is before the issue "
            f"date {invoice.issue_date.isoformat()}. Enter the day the money "
            "arrived, on or after the issue date.",
            "paid_on",
        )
    if len(payment.reference) > 200:
        raise InvoiceError("Use at most 200 characters.", "reference")

    previous = invoice.status
    invoice.manual_payment = ManualPayment(
        currency=payment.currency,
        amount=payment.amount,
        paid_on=payment.paid_on,
        method=payment.method,
        reference=payment.reference.strip() or None,
        recorded_by=actor,
    )
    invoice.status = InvoiceStatus.PAID
    invoice.paid_at = now_utc()
    _record(
        session,
        invoice,
        "invoice.paid_manually",
        actor=actor,
        from_state=previous,
        client_address=client_address,
        details={
            "amount": str(payment.amount),
            "currency": payment.currency,
            "paid_on": payment.paid_on.isoformat(),
            "method": payment.method.value,
            "reference": payment.reference.strip(),
        },
    )
    _follow_period(session, invoice, actor)
    session.commit()
    logger.info("invoice %s marked paid by hand", invoice.id)
    return invoice


def void_invoice(
    session: Session,
    invoice: Invoice,
    *,
    actor: str,
    client_address: str | None = None,
) -> Invoice:
    """Void an open invoice, so that it can no longer be paid, and commit."""
    lock_invoice(session, invoice)
    if invoice.status is InvoiceStatus.PAID:
        raise InvoiceStateError(
            f"Invoice {invoice.number} is paid and cannot be voided. Refund the "
            "payment instead."
        )
    _close_open_invoice(
        session,
        invoice,
        InvoiceStatus.VOID,
        "voided",
        action="invoice.voided",
        actor=actor,
        client_address=client_address,
    )
    return invoice


def mark_uncollectible(
    session: Session,
    invoice: Invoice,
    *,
    actor: str,
    client_address: str | None = None,
) -> Invoice:
    """Mark an open invoice as not expected to be paid, and commit.

    The buyer can still pay it through the hosted page.
    """
    lock_invoice(session, invoice)
    _close_open_invoice(
        session,
        invoice,
        InvoiceStatus.UNCOLLECTIBLE,
        "marked uncollectible",
        action="invoice.marked_uncollectible",
        actor=actor,
        client_address=client_address,
    )
    return invoice


# The column that stores when an open invoice moved to each closing status.
_CLOSED_AT = {
    InvoiceStatus.VOID: "voided_at",
    InvoiceStatus.UNCOLLECTIBLE: "uncollectible_at",
}


def _close_open_invoice(
    session: Session,
    invoice: Invoice,
    status: InvoiceStatus,
    change: str,
    *,
    action: str,
    actor: str,
    client_address: str | None,
) -> None:
    """Move a locked open invoice to ``status``, audit the change and commit.

    Does nothing when the invoice has that status already. Raises
    ``InvoiceStateError`` for any other status, with ``change`` ("voided")
    naming the change, or while a payment of the invoice is running.
    """
    if invoice.status is status:
        return
    if invoice.status is not InvoiceStatus.OPEN:
        raise InvoiceStateError(
            f"Only an open invoice can be {change}, and this one is "
            f"{invoice.status.value}."
        )
    _check_no_payment_running(session, invoice)
    invoice.status = status
    setattr(invoice, _CLOSED_AT[status], now_utc())
    _record(
        session,
        invoice,
        action,
        actor=actor,
        from_state=InvoiceStatus.OPEN,
        client_address=client_address,
    )
    _follow_period(session, invoice, actor)
    session.commit()
    logger.info("invoice %s moved from open to %s", invoice.id, status.value)


def settle_with_payment(
    session: Session,
    invoice: Invoice,
    payment: Payment,
    *,
    actor: str,
    client_address: str | None,
) -> None:
    """Mark the invoice paid by a succeeded checkout payment, in the caller's commit.

    The checkout takes no payment for an invoice that is not open or
    uncollectible, so any other status here means a race that the locks did
    not stop. It is logged and the invoice left as it is.
    """
    if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE):
        logger.error(
            "payment %s succeeded for invoice %s, which is %s",
            payment.id,
            invoice.id,
            invoice.status.value,
        )
        return
    previous = invoice.status
    invoice.status = InvoiceStatus.PAID
    invoice.payment = payment
    invoice.paid_at = payment.succeeded_at or now_utc()
    _record(
        session,
        invoice,
        "invoice.paid",
        actor=actor,
        from_state=previous,
        client_address=client_address,
        details={"payment": str(payment.id), "number": invoice.number or ""},
    )
    _follow_period(session, invoice, actor)


def payable_reason(invoice: Invoice) -> str | None:
    """Return why the buyer cannot pay the invoice, or None when they can.

    The message is buyer-facing and translated.
    """
    if invoice.status is InvoiceStatus.PAID:
        return _("This invoice has been paid. There is nothing more to pay.")
    if invoice.status is InvoiceStatus.VOID:
        return _("This invoice has been voided and cannot be paid.")
    if invoice.status is InvoiceStatus.DRAFT:
        return _("This invoice has not been sent yet.")
    return None


def _check_payable(session: Session, invoice: Invoice) -> None:
    if invoice.status is InvoiceStatus.DRAFT:
        raise InvoiceStateError("Send the invoice before you record a payment.")
    if invoice.status is InvoiceStatus.VOID:
        raise InvoiceStateError(f"Invoice {invoice.number} is void and cannot be paid.")
    _check_no_payment_running(session, invoice)


def _check_no_payment_running(session: Session, invoice: Invoice) -> None:
    if live_attempts(session, invoice.id, now_utc()):
        raise InvoiceStateError(
            f"The buyer is paying invoice {invoice.number} right now, or a bank "
            "debit for it is processing. Wait until the payment finishes."
        )


def _follow_period(session: Session, invoice: Invoice, actor: str) -> None:
    """Move the subscription period or quote instalment the invoice bills along."""
    # Imported here because the billing and quotes packages import the
    # checkout, which imports this module.
    from portal.billing.follow import follow_invoice
    from portal.quotes.paying import follow_instalment_invoice

    follow_invoice(session, invoice, actor=actor)
    follow_instalment_invoice(session, invoice, actor=actor)


def _same_payment(recorded: ManualPayment | None, payment: ManualPaymentInput) -> bool:
    if recorded is None:
        return False
    return (
        recorded.amount == payment.amount
        and recorded.currency == payment.currency
        and recorded.paid_on == payment.paid_on
        and recorded.method is payment.method
        and (recorded.reference or "") == payment.reference.strip()
    )


def _record(
    session: Session,
    invoice: Invoice,
    action: str,
    *,
    actor: str,
    from_state: InvoiceStatus | None,
    client_address: str | None,
    details: dict[str, str] | None = None,
) -> None:
    session.flush()
    audit.record(
        session,
        subject_type="invoice",
        subject_id=invoice.id,
        action=action,
        actor=actor,
        from_state=from_state.value if from_state else None,
        to_state=invoice.status.value,
        client_address=client_address,
        details=details,
    )
