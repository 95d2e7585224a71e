"""Settling a proration: charge or invoice the net, credit it, or refund unused time.

The rule that computes the amounts is in ``portal.subscriptions.proration``.
Payments and invoices written here are added to the caller's session, which
the caller commits. Receipts and invoice emails go out after that commit,
through ``send_net_charge_emails``.
"""

import logging
import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import Session

from portal import audit
from portal.businesses import get_business
from portal.checkout.payments import complete_payment, notify_payment
from portal.invoices.delivery import email_invoice
from portal.invoices.status import local_today
from portal.invoices.terms import NET_DAYS
from portal.models import (
    Invoice,
    InvoiceStatus,
    NetTerms,
    Order,
    Payment,
    PaymentStatus,
    Refund,
    RefundReason,
)
from portal.models.subscriptions import (
    CollectionMethod,
    Subscription,
    SubscriptionItem,
)
from portal.money import format_money
from portal.payments.errors import PaymentActionError
from portal.payments.intent_fields import method_fields
from portal.payments.refunds import RefundInput, refund_payment
from portal.processors.base import IntentResult, PaymentError, Processor
from portal.sequences import next_number
from portal.subscriptions.errors import ChargeDeclined, SubscriptionError
from portal.subscriptions.net_lines import net_order
from portal.subscriptions.proration import ItemPrice, Proration

logger = logging.getLogger(__name__)

# Net terms of a proration invoice when the subscription's own are custom,
# because a custom due date belongs to one invoice only.
FALLBACK_TERMS = NetTerms.NET_30


def charge_saved_method(
    subscription: Subscription,
    amount: int,
    *,
    idempotency_key: str,
    processor: Processor | None,
) -> IntentResult:
    """Charge ``amount`` to the subscription's saved payment method.

    Call it with no transaction open: the test-mode processor writes through
    a session of its own, which a row lock held here would block on SQLite.
    A repeated ``idempotency_key`` returns the first charge. Raises
    ``ChargeDeclined`` when the charge is declined or needs the customer's
    authentication, which this staff action cannot ask for; such an intent is
    canceled. Raises ``SubscriptionError`` when no method is saved.
    """
    method = subscription.saved_method
    if method is None or method.removed_at is not None:
        raise SubscriptionError(
            f"Subscription {subscription.id} has no saved payment method to charge "
            "the difference to. Ask the customer to add one first.",
        )
    processor = processor or current_app.extensions["kassa.processor"]
    shown = format_money(amount, subscription.currency)
    try:
        intent = processor.charge_saved_method(
            customer=method.customer.customer_ref,
            payment_method=method.processor_ref,
            amount=amount,
            currency=subscription.currency,
            idempotency_key=idempotency_key,
            description=f"Subscription {subscription.id} change",
        )
    except PaymentError as error:
        logger.info("proration charge of subscription %s failed", subscription.id)
        raise ChargeDeclined(
            f"The charge of {shown} failed: {error.message} Nothing was changed."
        ) from error
    if intent.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING):
        return intent
    if intent.status is PaymentStatus.REQUIRES_ACTION:
        processor.reverse_payment(intent.id)
    logger.info("proration charge of subscription %s declined", subscription.id)
    reason = intent.error_message or "The customer's bank asks them to confirm it."
    raise ChargeDeclined(
        f"The charge of {shown} to the saved payment method was declined: "
        f"{reason} Nothing was changed."
    )


def collect_net(
    session: Session,
    subscription: Subscription,
    proration: Proration,
    *,
    description: str,
    items: Sequence[SubscriptionItem | ItemPrice],
    actor: str,
    now: datetime,
    intent: IntentResult | None,
    processor_name: str,
    client_address: str | None,
) -> Proration:
    """Settle the net of ``proration`` and return it with what settled it.

    A net credit is added to the credit balance. A net charge is invoiced
    under invoice collection. Under automatic collection it is recorded as
    the payment of ``intent``, which ``charge_saved_method`` made beforehand.
    ``items`` are the subscription's items as they are after the change;
    their tax rates split the charge's tax.
    """
    net = proration.net
    if proration.period_index is None or net == 0:
        return proration
    if net < 0:
        subscription.credit_balance += -net
        return replace(proration, credited=-net)
    order = _net_order(subscription, proration, description, items)
    if subscription.collection is CollectionMethod.INVOICE:
        invoice = _open_invoice(session, subscription, order, actor, now)
        return replace(proration, invoice_id=invoice.id)
    if intent is None:
        raise ValueError("an automatic net charge needs the processor's intent")
    payment = _record_payment(
        session,
        subscription,
        order,
        intent,
        processor_name=processor_name,
        actor=actor,
        client_address=client_address,
    )
    return replace(proration, payment_id=payment.id)


def send_net_charge_emails(session: Session, proration: Proration) -> None:
    """Email the receipt or the invoice of a committed net charge, if there is one."""
    if proration.payment_id is not None:
        payment = session.get(Payment, proration.payment_id)
        if payment is not None:
            notify_payment(payment)
    if proration.invoice_id is not None:
        invoice = session.get(Invoice, proration.invoice_id)
        if invoice is not None:
            with force_locale(invoice.locale or "en"):
                email_invoice(session, invoice)


def refund_unused_time(
    session: Session,
    subscription: Subscription,
    payment: Payment,
    amount: int,
    *,
    reason: RefundReason,
    actor: str,
    processor: Processor | None,
    client_address: str | None,
) -> Refund | None:
    """Refund ``amount`` of ``payment`` for a canceled subscription's unused time.

    ``reason`` is the refund reason staff chose, which the refund receipt
    names to the customer unless it is other or fraudulent.

    Commits, like every refund. A refund the processor or the refund checks
    reject is logged and leaves an audit row on the subscription, which is
    canceled already; it returns None then.
    """
    request = RefundInput(
        payment_id=payment.id,
        amount=amount,
        reason=reason,
        note=f"Unused time of subscription {subscription.id}",
        idempotency_key=unused_time_refund_key(subscription),
    )
    try:
        return refund_payment(
            session,
            processor or current_app.extensions["kassa.processor"],
            request,
            actor=actor,
            staff_id=_staff_id(actor),
            client_address=client_address,
        )
    except PaymentActionError as error:
        session.rollback()
        logger.warning(
            "refund of unused time of subscription %s rejected", subscription.id
        )
        audit.record(
            session,
            subject_type="subscription",
            subject_id=subscription.id,
            action="subscription.refund_rejected",
            actor=actor,
            client_address=client_address,
            details={"payment": str(payment.id), "message": error.message},
        )
        session.commit()
        return None


def unused_time_refund_key(subscription: Subscription) -> str:
    """Return the idempotency key of the refund made when ``subscription`` ended."""
    return f"subscription-{subscription.id}-unused-time"


def _net_order(
    subscription: Subscription,
    proration: Proration,
    description: str,
    items: Sequence[SubscriptionItem | ItemPrice],
) -> Order:
    """Build the order of a net charge, its tax shown per rate of ``items``."""
    label = (
        f"{description}: {proration.days_unused} of {proration.days_total} days "
        "after a change"
    )[:300]
    return net_order(subscription, items, proration.net, label)


def _record_payment(
    session: Session,
    subscription: Subscription,
    order: Order,
    intent: IntentResult,
    *,
    processor_name: str,
    actor: str,
    client_address: str | None,
) -> Payment:
    payment = Payment(
        token=secrets.token_urlsafe(24),
        link_id=subscription.link_id,
        contact=subscription.contact,
        order=order,
        currency=subscription.currency,
        amount=order.total,
        status=intent.status,
        **method_fields(intent),
        processor=processor_name,
        processor_ref=intent.id,
        locale=subscription.locale,
    )
    session.add(payment)
    session.flush()
    audit.record(
        session,
        subject_type="payment",
        subject_id=payment.id,
        action="payment.created",
        actor=actor,
        to_state=payment.status.value,
        client_address=client_address,
        details={"subscription": str(subscription.id), "amount": str(payment.amount)},
    )
    if payment.status is PaymentStatus.SUCCEEDED:
        complete_payment(session, payment, actor=actor, client_address=client_address)
    return payment


def _open_invoice(
    session: Session,
    subscription: Subscription,
    order: Order,
    actor: str,
    now: datetime,
) -> Invoice:
    """Add an open, numbered invoice for the net charge, due by the net terms."""
    today = local_today(now, get_business(session).timezone)
    terms = subscription.net_terms or FALLBACK_TERMS
    if terms is NetTerms.CUSTOM:
        terms = FALLBACK_TERMS
    invoice = Invoice(
        number=next_number(session, "invoice"),
        token=secrets.token_urlsafe(24),
        order=order,
        contact=subscription.contact,
        link_id=subscription.link_id,
        status=InvoiceStatus.OPEN,
        currency=subscription.currency,
        total=order.total,
        net_terms=terms,
        issue_date=today,
        due_date=_due_date(terms, today),
        locale=subscription.locale,
        issued_at=now,
        sent_at=now,
    )
    session.add(invoice)
    session.flush()
    audit.record(
        session,
        subject_type="invoice",
        subject_id=invoice.id,
        action="invoice.sent",
        actor=actor,
        to_state=InvoiceStatus.OPEN.value,
        details={"number": invoice.number, "subscription": str(subscription.id)},
    )
    return invoice


def _due_date(terms: NetTerms, today: date) -> date:
    return today + timedelta(days=NET_DAYS[terms])


def _staff_id(actor: str) -> int | None:
    """Return the staff id in an actor such as ``staff:3``, else None."""
    kind, _, number = actor.partition(":")
    return int(number) if kind == "staff" and number.isdigit() else None
