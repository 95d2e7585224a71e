"""Proration: what a mid-period change of a subscription credits and charges.

The rule, in days of the current period (the billed period whose start date
is on or before the subscription's local date and whose end date is after):

- ``days_unused`` counts from that local date, included, to the period's end
  date, excluded. A change takes effect on the day it is made, so that day
  is billed at the new price.
- The credit for unused time is the current items' price for one period
  times ``days_unused / days_total``. It is never more than what was
  actually paid for that period: the money collected for it (its payment, a
  paid invoice, or money recorded as paid by hand, at most the period's
  amount, plus any earlier proration charges for the same period) minus
  refunds, pending refunds included, plus the credit balance applied to it.
  An unpaid period gives no credit.
- The charge for the remaining time is the new items' price for one period
  times ``days_unused / days_total``.
- Each of the two is rounded half-up to the currency's minor unit once
  (``portal.money.round_minor``), so JPY amounts stay whole yen.
- The net, charge minus credit, is charged at once to the saved payment
  method (automatic collection) or invoiced with the subscription's net
  terms (invoice collection). A negative net is added to the subscription's
  credit balance, which later bills use up first.

Outside a billed period, as in a trial, before the start date or after a
renewal that the billing run has not billed yet, a change only swaps the
items: the next bill charges the new price for the whole period.

Prices for one period come from ``price_items``: the items with their tax
rates and the subscription's discount, priced by ``portal.pricing``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.discounts import as_rule
from portal.models import AuditEvent, Invoice, InvoiceStatus, Payment, PaymentStatus
from portal.models.subscriptions import (
    PeriodStatus,
    Subscription,
    SubscriptionItem,
    SubscriptionPeriod,
)
from portal.money import round_minor
from portal.order_lines import tax_rule
from portal.payments.refunds import refunded_total
from portal.pricing import LineInput, OrderTotals, price_order

# The audit action written for each change of items. When the change was
# prorated, its details name the period index and any payment or invoice that
# collected the net charge, so that the paid amount of a period counts them.
ITEMS_CHANGED_ACTION = "subscription.items_changed"


@dataclass(frozen=True, slots=True)
class ItemPrice:
    """One item as it is billed: the fields that ``price_items`` reads."""

    description: str
    unit_amount: int  # minor units per period
    quantity: int
    tax_rate: object | None = None  # a TaxRate, or None for no tax


@dataclass(frozen=True, slots=True)
class Proration:
    """The credit and charge of a mid-period change; amounts in minor units."""

    currency: str
    period_index: int | None  # None outside a billed period: nothing prorated
    days_total: int
    days_unused: int
    old_amount: int  # the current items' price for one whole period
    new_amount: int  # the new items' price for one whole period
    paid: int  # collected for the period, minus refunds, plus credit applied
    credit: int  # for the unused time at the old price, at most ``paid``
    charge: int  # for the unused time at the new price
    # How the net was settled, once it was: the payment that charged it, the
    # invoice that bills it, or the amount added to the credit balance.
    payment_id: int | None = None
    invoice_id: int | None = None
    credited: int = 0

    @property
    def net(self) -> int:
        """The charge minus the credit: above zero is owed by the customer."""
        return self.charge - self.credit


def prorate(
    *,
    currency: str,
    period_index: int | None,
    starts_on: date,
    ends_on: date,
    today: date,
    old_amount: int,
    new_amount: int,
    paid: int,
) -> Proration:
    """Apply the module's rule to one period and return the credit and charge."""
    days_total = (ends_on - starts_on).days
    if days_total <= 0:
        raise ValueError(f"period {starts_on} to {ends_on} has no days")
    days_unused = min(max((ends_on - today).days, 0), days_total)
    share = Decimal(days_unused) / Decimal(days_total)
    credit = min(round_minor(Decimal(old_amount) * share), max(paid, 0))
    charge = round_minor(Decimal(new_amount) * share)
    return Proration(
        currency=currency,
        period_index=period_index,
        days_total=days_total,
        days_unused=days_unused,
        old_amount=old_amount,
        new_amount=new_amount,
        paid=max(paid, 0),
        credit=credit,
        charge=charge,
    )


def no_proration(currency: str, old_amount: int, new_amount: int) -> Proration:
    """Return the proration of a change outside a billed period: nothing."""
    return Proration(
        currency=currency,
        period_index=None,
        days_total=0,
        days_unused=0,
        old_amount=old_amount,
        new_amount=new_amount,
        paid=0,
        credit=0,
        charge=0,
    )


def price_items(
    subscription: Subscription, items: Iterable[SubscriptionItem | ItemPrice]
) -> OrderTotals:
    """Price one period of ``items`` with their taxes and the discount."""
    lines = [
        LineInput(
            description=item.description,
            unit_amount=item.unit_amount,
            quantity=item.quantity,
            tax=tax_rule(item.tax_rate),
        )
        for item in items
    ]
    discount = subscription.discount
    rule = None
    if discount is not None and (
        discount.percent is not None or discount.currency == subscription.currency
    ):
        rule = as_rule(discount)
    return price_order(subscription.currency, lines, rule)


def current_period(
    subscription: Subscription, today: date
) -> SubscriptionPeriod | None:
    """Return the billed period that ``today`` falls in, or None."""
    for period in subscription.periods:
        if period.status is PeriodStatus.VOID:
            continue
        if period.starts_on <= today < period.ends_on:
            return period
    return None


def paid_for_period(session: Session, period: SubscriptionPeriod) -> int:
    """Return what was actually paid for ``period``, in minor units.

    Counts the period's own payment or paid invoice, at most the period's
    amount because a checkout payment may also have paid one-time items,
    then the proration charges collected for the same period and the credit
    balance applied to it. Every refund of those payments that is pending or
    succeeded comes off.
    """
    own = _collected(session, [period.payment], [period.invoice])
    charges = _proration_charges(session, period)
    extra = _collected(
        session,
        [session.get(Payment, payment_id) for payment_id, _ in charges],
        [session.get(Invoice, invoice_id) for _, invoice_id in charges],
    )
    return min(own, period.amount) + extra + period.credit_applied


def _collected(
    session: Session,
    payments: Iterable[Payment | None],
    invoices: Iterable[Invoice | None],
) -> int:
    """Sum what the payments and paid invoices collected, minus their refunds."""
    found = {payment.id: payment for payment in payments if payment is not None}
    total = 0
    for invoice in invoices:
        if invoice is None or invoice.status is not InvoiceStatus.PAID:
            continue
        if invoice.payment is not None:
            found[invoice.payment.id] = invoice.payment
        elif invoice.manual_payment is not None:
            total += invoice.manual_payment.amount
    for payment in found.values():
        if payment.status is PaymentStatus.SUCCEEDED:
            total += payment.amount - refunded_total(session, payment.id)
    return max(total, 0)


def _proration_charges(
    session: Session, period: SubscriptionPeriod
) -> list[tuple[int | None, int | None]]:
    """Return the (payment id, invoice id) of each proration charge of ``period``."""
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "subscription",
            AuditEvent.subject_id == period.subscription_id,
            AuditEvent.action == ITEMS_CHANGED_ACTION,
        )
    )
    charges = []
    for event in events:
        details = event.details or {}
        if details.get("period_index") != str(period.index):
            continue
        charges.append(
            (_int_or_none(details.get("payment")), _int_or_none(details.get("invoice")))
        )
    return charges


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None
