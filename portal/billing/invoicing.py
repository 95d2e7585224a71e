"""Collection by invoice: each period's invoice, issued with the subscription's terms.

The invoice is issued on the period's billing date through the staff
invoices' own ``send_invoice``, which numbers it, opens it and commits, and
is then emailed with the hosted page's link. The period stays open until
the invoice is paid; ``portal.billing.follow`` marks it paid then.
"""

import logging
import secrets

from sqlalchemy.orm import Session

from portal import audit
from portal.billing.states import SYSTEM
from portal.invoices.lifecycle import send_invoice
from portal.invoices.terms import due_date_for
from portal.models import (
    Invoice,
    InvoiceStatus,
    NetTerms,
    Subscription,
    SubscriptionPeriod,
)

logger = logging.getLogger(__name__)

# The terms of a period's invoice when the subscription's are custom, because
# a custom due date belongs to a single invoice.
FALLBACK_TERMS = NetTerms.NET_30


def period_terms(subscription: Subscription) -> NetTerms:
    terms = subscription.net_terms
    if terms is None or terms is NetTerms.CUSTOM:
        return FALLBACK_TERMS
    return terms


def add_period_invoice(
    session: Session, subscription: Subscription, period: SubscriptionPeriod
) -> Invoice:
    """Add the period's invoice as a draft, dated on its billing date.

    The invoice bills the period's order for the amount left after credit.
    """
    # TODO: the invoice page and PDF list the order's lines and total but not
    # the credit taken off, so a period paid partly by credit shows a total
    # above the amount due.
    terms = period_terms(subscription)
    invoice = Invoice(
        token=secrets.token_urlsafe(24),
        order=period.order,
        contact=subscription.contact,
        link_id=subscription.link_id,
        status=InvoiceStatus.DRAFT,
        currency=subscription.currency,
        total=period.amount,
        net_terms=terms,
        issue_date=period.starts_on,
        due_date=due_date_for(terms, period.starts_on),
        locale=subscription.locale,
    )
    session.add(invoice)
    period.invoice = invoice
    session.flush()
    audit.record(
        session,
        subject_type="invoice",
        subject_id=invoice.id,
        action="invoice.created",
        actor=SYSTEM,
        to_state=InvoiceStatus.DRAFT.value,
        details={
            "subscription": str(subscription.id),
            "period": str(period.index),
            "total": str(invoice.total),
            "currency": invoice.currency,
        },
    )
    return invoice


def issue_period_invoice(session: Session, invoice: Invoice) -> None:
    """Number and open the period's invoice, and commit with the period.

    This commit is the billing step's own, so the period, the subscription's
    next billing date and the invoice are written together.
    """
    send_invoice(session, invoice, actor=SYSTEM)
    logger.info("invoice %s issued for a subscription period", invoice.id)
