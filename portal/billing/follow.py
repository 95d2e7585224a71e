"""Periods that follow their payment or invoice when it changes later.

A charge held for authentication, a bank debit that settles days later and
an invoice paid on its hosted page all change outside the billing run. The
checkout's ``apply_intent`` and the invoice status changes call these hooks
inside their own transaction, so the period moves in the same commit.
"""

import logging
from email.message import EmailMessage

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.billing.collection import fail_period
from portal.billing.states import (
    local_date,
    set_period_status,
    set_subscription_status,
    settle_period,
)
from portal.businesses import get_business
from portal.database import now_utc
from portal.models import (
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentStatus,
    PeriodStatus,
    SubscriptionPeriod,
    SubscriptionStatus,
)
from portal.notifications import MailConfigError, MailDeliveryError, send_message
from portal.notifications.subscriptions import build_renewal_failed_message
from portal.notifications.suppression import email_suppressed
from portal.subscriptions.actions import subscription_now

logger = logging.getLogger(__name__)

_PENDING_EMAILS = "kassa.billing.pending_emails"


def follow_payment(session: Session, payment: Payment, *, actor: str) -> None:
    """Move the period that ``payment`` charged to match the payment's status.

    A payment that charged no period is left alone. A bank debit that fails
    after it was processing schedules a retry, and the customer is emailed
    after the caller commits. The quote instalment that the payment charged,
    if any, follows it as well.
    """
    # Imported here because the instalment modules import this one.
    from portal.billing.instalment_follow import follow_instalment_payment

    follow_instalment_payment(session, payment, actor=actor)
    period = session.scalars(
        select(SubscriptionPeriod).where(SubscriptionPeriod.payment_id == payment.id)
    ).first()
    if period is None:
        return
    status = payment.status
    if status is PaymentStatus.SUCCEEDED:
        if period.status is PeriodStatus.PAID:
            return
        period.invoice = payment.invoice or period.invoice
        settle_period(session, period, payment.succeeded_at or now_utc(), actor=actor)
        subscription = period.subscription
        if subscription.status is SubscriptionStatus.TRIALING:
            set_subscription_status(
                session, subscription, SubscriptionStatus.ACTIVE, actor=actor
            )
        return
    if status is PaymentStatus.PROCESSING:
        set_period_status(session, period, PeriodStatus.PROCESSING, actor=actor)
        return
    if not payment.failed:
        return
    if period.status is PeriodStatus.REQUIRES_ACTION:
        # The customer failed to authenticate; the retry set when the charge
        # was held stays as it is.
        set_period_status(session, period, PeriodStatus.FAILED, actor=actor)
        return
    if period.status is PeriodStatus.PROCESSING:
        _fail_settled_debit(session, period, payment)


def follow_invoice(session: Session, invoice: Invoice, *, actor: str) -> None:
    """Move the period that ``invoice`` bills to match the invoice's status."""
    period = session.scalars(
        select(SubscriptionPeriod).where(SubscriptionPeriod.invoice_id == invoice.id)
    ).first()
    if period is None or period.status is PeriodStatus.PAID:
        return
    if invoice.status is InvoiceStatus.PAID:
        if invoice.payment is not None:
            period.payment = invoice.payment
        settle_period(session, period, invoice.paid_at or now_utc(), actor=actor)
    elif invoice.status is InvoiceStatus.VOID:
        set_period_status(session, period, PeriodStatus.VOID, actor=actor)
    elif invoice.status is InvoiceStatus.UNCOLLECTIBLE:
        set_period_status(session, period, PeriodStatus.UNCOLLECTIBLE, actor=actor)


def _fail_settled_debit(
    session: Session, period: SubscriptionPeriod, payment: Payment
) -> None:
    subscription = period.subscription
    business = get_business(session)
    moment = subscription_now(subscription, now_utc())
    today = local_date(moment, business.timezone)
    period.next_attempt_at = None
    collection = fail_period(
        session,
        subscription,
        period,
        business=business,
        today=today,
        moment=moment,
        reason=payment.failure_message or "",
    )
    if email_suppressed("failed renewal", subscription.id):
        return
    message = build_renewal_failed_message(subscription, business, collection.failure)
    send_after_commit(session, subscription.id, message)


def send_after_commit(
    session: Session,
    record_id: int,
    message: EmailMessage,
    *,
    about: str = "the failed renewal of subscription",
) -> None:
    """Send ``message`` once the session's transaction commits; drop it on rollback.

    ``about`` and ``record_id`` name the email in the log if sending fails.
    """
    session.info.setdefault(_PENDING_EMAILS, []).append((about, record_id, message))
    if not event.contains(session, "after_commit", _send_pending):
        event.listen(session, "after_commit", _send_pending)
        event.listen(session, "after_rollback", _drop_pending)


def _send_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING_EMAILS, [])
    for about, record_id, message in pending:
        try:
            send_message(message)
        except (MailDeliveryError, MailConfigError, OSError):
            logger.exception("emailing %s %s failed", about, record_id)


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING_EMAILS, None)
