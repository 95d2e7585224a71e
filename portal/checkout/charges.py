"""The charge of one checkout attempt: a payment link's priced order or an invoice.

The checkout in ``portal.checkout.payments`` charges, records and follows up
a payment the same way for both. This module prepares the part that differs.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.businesses import get_business
from portal.checkout.availability import unavailable_reason
from portal.checkout.form import CheckoutSubmission
from portal.checkout.order import build_order, price_link
from portal.checkout.subscription_plan import (
    SubscriptionPlan,
    business_today,
    items_charged_now,
    plan_subscription,
)
from portal.discounts import DiscountCodeError, find_code, reserve_redemption
from portal.invoices.lifecycle import payable_reason
from portal.models import (
    Contact,
    Discount,
    Invoice,
    Order,
    OrderLine,
    PaymentLink,
)
from portal.money import format_money
from portal.processors.base import MAX_AMOUNT


class ChargeRejected(Exception):
    """A reason to charge nothing, with a buyer-facing message.

    ``unavailable`` is True when the link or invoice takes no payment at all
    now, whatever the buyer types.
    """

    def __init__(
        self, message: str, field: str | None = None, *, unavailable: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.unavailable = unavailable


@dataclass(frozen=True)
class Charge:
    currency: str
    total: int  # minor units
    description: str  # sent to the processor
    make_order: Callable[[], Order]
    audit_details: dict[str, str]
    discount: Discount | None = None  # a redemption reserved for this charge
    link_id: int | None = None
    # The payer, or None to find or create the contact from the buyer's email.
    contact: Contact | None = None
    # The subscription that the payment starts, for a link with recurring prices.
    plan: SubscriptionPlan | None = None


def link_charge(
    session: Session,
    link: PaymentLink,
    submission: CheckoutSubmission,
    locale: str,
    now: datetime,
) -> Charge:
    """Price the link for the buyer's selection and reserve its discount code.

    For a link with recurring prices, only what is due today is charged (see
    ``portal.checkout.subscription_plan``). Raises ``ChargeRejected`` when
    the link takes no payment now, the code does not apply or is used up, or
    the total is above ``MAX_AMOUNT``.
    """
    reason = unavailable_reason(session, link, now)
    if reason is not None:
        raise ChargeRejected(reason, unavailable=True)

    discount = None
    code = submission.selection.discount_code
    if code:
        try:
            discount = find_code(session, code, link.currency, now)
        except DiscountCodeError as error:
            raise ChargeRejected(error.message, "discount_code") from error

    plan = plan_subscription(link, business_today(_timezone(session), now))
    charged = items_charged_now(link, plan)
    totals = price_link(link, submission.selection.quantities, discount, charged)
    _check_limit(totals.total, link.currency, locale)
    if discount is not None and not reserve_redemption(session, discount):
        raise ChargeRejected(
            _("The code %(code)s has been used up.", code=discount.code),
            "discount_code",
        )

    def make_order() -> Order:
        return build_order(
            link,
            totals,
            discount,
            submission.custom_answers,
            buyer=submission.buyer,
            items=charged,
        )

    return Charge(
        currency=link.currency,
        total=totals.total,
        description=link.title,
        make_order=make_order,
        audit_details={"link": link.slug, "amount": str(totals.total)},
        discount=discount,
        link_id=link.id,
        plan=plan,
    )


def _timezone(session: Session) -> str:
    business = get_business(session)
    return business.timezone if business is not None else "UTC"


def invoice_charge(invoice: Invoice, locale: str) -> Charge:
    """Charge the amount due of a sent invoice.

    The payment gets its own copy of the invoice's order, because every
    payment has an order of its own and a declined attempt keeps its payment.
    Raises ``ChargeRejected`` when the invoice is paid, void or a draft.
    """
    reason = payable_reason(invoice)
    if reason is not None:
        raise ChargeRejected(reason, unavailable=True)
    _check_limit(invoice.amount_due, invoice.currency, locale)
    return Charge(
        currency=invoice.currency,
        total=invoice.amount_due,
        description=_("Invoice %(number)s", number=invoice.number),
        make_order=lambda: copy_order(invoice.order),
        audit_details={
            "invoice": invoice.number or "",
            "amount": str(invoice.amount_due),
        },
        contact=invoice.contact,
    )


def copy_order(order: Order) -> Order:
    """Return a new order with the same amounts, bill-to details and lines."""
    copy = Order(
        currency=order.currency,
        subtotal=order.subtotal,
        discount_total=order.discount_total,
        fee_total=order.fee_total,
        tax_total=order.tax_total,
        total=order.total,
        custom_fields=dict(order.custom_fields or {}),
        billing=order.billing,
    )
    for line in order.lines:
        copy.lines.append(
            OrderLine(
                position=line.position,
                kind=line.kind,
                description=line.description,
                price_id=line.price_id,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                gross=line.gross,
                discount=line.discount,
                discount_percent=line.discount_percent,
                tax=line.tax,
                tax_name=line.tax_name,
                tax_percent=line.tax_percent,
                tax_inclusive=line.tax_inclusive,
                total=line.total,
                extra=dict(line.extra or {}),
            )
        )
    return copy


def _check_limit(total: int, currency: str, locale: str) -> None:
    if total > MAX_AMOUNT:
        limit = format_money(MAX_AMOUNT, currency, locale)
        raise ChargeRejected(
            _(
                "The total is above %(limit)s, the most one payment can be.",
                limit=limit,
            )
        )
