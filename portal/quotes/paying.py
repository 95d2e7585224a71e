"""Paying an accepted quote: its first instalment through the invoice checkout.

The instalment is billed by an open invoice of its own, which the buyer pays
on the quote page through the same checkout code as a hosted invoice. When
that invoice is paid, ``follow_instalment_invoice`` (called by the invoice's
status change, in its transaction) marks the instalment paid, and the quote
paid once every instalment is. The recurring lines then start as
subscriptions.

Nothing here reads the request.
"""

import logging
import secrets
from datetime import date, datetime
from itertools import groupby

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.businesses import get_business
from portal.checkout.charges import copy_order
from portal.database import now_utc
from portal.invoices.status import local_today
from portal.locking import lock_row
from portal.models import (
    Business,
    CollectionMethod,
    InstalmentStatus,
    Invoice,
    InvoiceStatus,
    NetTerms,
    Order,
    OrderLine,
    OrderLineKind,
    Payment,
    PaymentStatus,
    ProcessorCustomer,
    Quote,
    QuoteInstalment,
    QuoteStatus,
    SavedPaymentMethod,
    Subscription,
)
from portal.quotes.documents import prepared_for, quote_locale
from portal.quotes.evidence import append_event
from portal.quotes.expiry import is_expired
from portal.sequences import next_number
from portal.subscriptions.starting import StartLine, StartTerms, start_subscription

logger = logging.getLogger(__name__)

SYSTEM = "system"
# Statuses of an instalment that still waits for money.
UNPAID = (
    InstalmentStatus.PENDING,
    InstalmentStatus.INVOICED,
    InstalmentStatus.FAILED,
    InstalmentStatus.UNCOLLECTIBLE,
)


def first_instalment(quote: Quote) -> QuoteInstalment | None:
    """Return the instalment paid on the quote page, the first in the schedule."""
    return quote.instalments[0] if quote.instalments else None


def later_charges(quote: Quote) -> bool:
    """Tell whether anything is charged after the first instalment.

    Paying the first instalment then requires consent to save the payment
    method.
    """
    return len(quote.instalments) > 1 or bool(quote.recurring_lines)


def payment_refusal(quote: Quote, business: Business, now: datetime) -> str | None:
    """Return why the buyer cannot pay the quote's first instalment now, or None.

    A quote is paid only once every required signature is in, so only an
    accepted quote can be paid. Its expiration date limits signing: an
    accepted quote stays payable after that date. The message is
    buyer-facing and translated.
    """
    if not quote.collect_payment or first_instalment(quote) is None:
        return _(
            "This quote is not paid online. %(business)s bills you for it.",
            business=business.name,
        )
    if quote.status is QuoteStatus.PAID:
        return _("This quote has been paid. There is nothing more to pay now.")
    if quote.status in (QuoteStatus.VOID, QuoteStatus.DECLINED):
        return _("This quote can no longer be paid.")
    if quote.status is not QuoteStatus.ACCEPTED or any(
        signer.signed_at is None for signer in quote.signers
    ):
        if (
            is_expired(quote, now, business.timezone)
            or quote.status is QuoteStatus.EXPIRED
        ):
            return _("This quote has expired and can no longer be signed or paid.")
        return _("The quote can be paid once everyone has signed it.")
    instalment = first_instalment(quote)
    if instalment.status is InstalmentStatus.PAID:
        return _(
            "The first instalment has been paid. The others are billed on their "
            "due dates."
        )
    if instalment.status is InstalmentStatus.PROCESSING:
        return _("A payment of this instalment is in progress.")
    return None


def instalment_invoice(
    session: Session, quote: Quote, instalment: QuoteInstalment
) -> Invoice:
    """Return the open invoice that bills ``instalment``, adding one if needed.

    The quote row is locked first, so two buyers paying at once get one
    invoice. A paid or voided earlier invoice is left as it is. The caller
    commits.
    """
    lock_row(session, Quote, quote.id)
    session.refresh(instalment)
    invoice = instalment.invoice
    if invoice is not None and invoice.status in (
        InvoiceStatus.OPEN,
        InvoiceStatus.UNCOLLECTIBLE,
        InvoiceStatus.PAID,
    ):
        return invoice

    business = get_business(session)
    now = now_utc()
    today = local_today(now, business.timezone)
    due_on = max(instalment.due_on or today, today)
    invoice = Invoice(
        number=next_number(session, "invoice"),
        token=secrets.token_urlsafe(24),
        order=_instalment_order(quote, instalment, business.locale),
        contact=quote.contact,
        status=InvoiceStatus.OPEN,
        currency=quote.currency,
        total=instalment.amount,
        net_terms=NetTerms.DUE_ON_RECEIPT if due_on == today else NetTerms.CUSTOM,
        issue_date=today,
        due_date=due_on,
        memo=_instalment_memo(quote, instalment, business.locale),
        locale=quote.locale,
        issued_at=now,
    )
    session.add(invoice)
    session.flush()
    instalment.invoice = invoice
    audit.record(
        session,
        subject_type="invoice",
        subject_id=invoice.id,
        action="invoice.issued_for_instalment",
        actor=SYSTEM,
        to_state=InvoiceStatus.OPEN.value,
        details={
            "quote": quote.display_number or "",
            "instalment": str(instalment.position),
        },
    )
    append_event(
        session,
        quote,
        "instalment_invoiced",
        SYSTEM,
        details={"instalment": instalment.position, "invoice": invoice.number},
    )
    logger.info("invoice %s issued for instalment %s", invoice.id, instalment.id)
    return invoice


def follow_instalment_invoice(
    session: Session, invoice: Invoice, *, actor: str
) -> None:
    """Mark the instalment that ``invoice`` bills paid once the invoice is paid.

    An invoice that bills no instalment is left alone. When every instalment
    is paid, the quote becomes paid and its recurring lines start as
    subscriptions. Runs inside the caller's transaction.
    """
    if invoice.status is not InvoiceStatus.PAID:
        return
    instalment = session.scalars(
        select(QuoteInstalment).where(QuoteInstalment.invoice_id == invoice.id)
    ).first()
    if instalment is None or instalment.status is InstalmentStatus.PAID:
        return
    quote = instalment.quote
    instalment.status = InstalmentStatus.PAID
    instalment.payment_id = invoice.payment_id
    instalment.next_attempt_at = None
    append_event(
        session,
        quote,
        "instalment_paid",
        actor,
        details={
            "instalment": instalment.position,
            "invoice": invoice.number,
            "amount": instalment.amount,
            "payment": invoice.payment_id,
        },
    )
    logger.info("instalment %s of quote %s paid", instalment.id, quote.id)
    if quote.status is QuoteStatus.ACCEPTED and all(
        each.status is InstalmentStatus.PAID for each in quote.instalments
    ):
        quote.status = QuoteStatus.PAID
        quote.paid_at = now_utc()
        append_event(session, quote, "paid", actor)
        start_recurring_lines(session, quote, actor=actor)


def attach_payment(session: Session, quote: Quote, payment: Payment) -> None:
    """Record what the checkout's payment of the first instalment left behind.

    The payment method saved with the buyer's consent becomes the quote's
    method for later instalments, and the subscriptions started from the
    quote get it too. A bank debit still processing marks the instalment
    processing. Commits.
    """
    instalment = first_instalment(quote)
    if instalment is None:
        return
    lock_row(session, Quote, quote.id)
    session.refresh(quote)
    session.refresh(instalment)
    if payment.status is PaymentStatus.PROCESSING and instalment.status in UNPAID:
        instalment.status = InstalmentStatus.PROCESSING
        instalment.payment_id = payment.id
        append_event(
            session,
            quote,
            "instalment_processing",
            "buyer",
            details={"instalment": instalment.position, "payment": payment.id},
        )
    saved = saved_method_of(session, payment)
    if saved is not None and quote.saved_method_id is None:
        quote.saved_method = saved
        append_event(
            session,
            quote,
            "payment_method_saved",
            "buyer",
            details={"saved_method": saved.id, "payment": payment.id},
        )
        for line in quote.recurring_lines:
            if line.started_subscription_id is None:
                continue
            subscription = session.get(Subscription, line.started_subscription_id)
            if subscription.saved_method_id is None:
                subscription.saved_method = saved
                subscription.collection = CollectionMethod.AUTOMATIC
    session.commit()


def saved_method_of(session: Session, payment: Payment) -> SavedPaymentMethod | None:
    """Return the payment method saved with ``payment``'s consent, if any.

    The checkout records it right after the payment, for the payment's
    contact and processor, so it is that contact's newest method consented
    to no earlier than the payment was created.
    """
    return session.scalars(
        select(SavedPaymentMethod)
        .join(ProcessorCustomer, ProcessorCustomer.id == SavedPaymentMethod.customer_id)
        .where(
            ProcessorCustomer.contact_id == payment.contact_id,
            ProcessorCustomer.processor == payment.processor,
            SavedPaymentMethod.removed_at.is_(None),
            SavedPaymentMethod.consented_at >= payment.created_at,
        )
        .order_by(SavedPaymentMethod.consented_at.desc(), SavedPaymentMethod.id.desc())
    ).first()


def start_recurring_lines(session: Session, quote: Quote, *, actor: str) -> list[int]:
    """Start the quote's recurring lines as subscriptions, once, and flush.

    Lines that recur equally often share one subscription, as a subscription
    has one billing frequency. With the quote's saved payment method the
    subscriptions are charged automatically, and without one they are
    invoiced, due on receipt. Returns the ids of the subscriptions started
    now. The caller commits.
    """
    waiting = [
        line for line in quote.recurring_lines if line.started_subscription_id is None
    ]
    if not waiting:
        return []
    business = get_business(session)
    now = now_utc()
    today = local_today(now, business.timezone)
    terms = _start_terms(quote, today)
    started = []
    by_frequency = sorted(waiting, key=lambda line: line.price.frequency.value)
    for frequency, group in groupby(
        by_frequency, key=lambda line: line.price.frequency
    ):
        lines = list(group)
        subscription = start_subscription(
            session,
            contact=quote.contact,
            lines=[
                StartLine(
                    price=line.price,
                    quantity=line.quantity,
                    description=line.description,
                    tax_rate=line.tax_rate,
                )
                for line in lines
            ],
            terms=terms,
            actor=actor,
            locale=quote_locale(quote, business),
            now=now,
            idempotency_key=f"quote-{quote.id}-{frequency.value}",
        )
        for line in lines:
            line.started_subscription_id = subscription.id
        started.append(subscription.id)
    append_event(
        session,
        quote,
        "subscriptions_started",
        actor,
        details={"subscriptions": started},
    )
    return started


def _start_terms(quote: Quote, today: date) -> StartTerms:
    if quote.saved_method is not None:
        return StartTerms(
            start=today,
            today=today,
            collection=CollectionMethod.AUTOMATIC,
            saved_method=quote.saved_method,
        )
    return StartTerms(
        start=today,
        today=today,
        collection=CollectionMethod.INVOICE,
        net_terms=NetTerms.DUE_ON_RECEIPT,
    )


def _instalment_order(quote: Quote, instalment: QuoteInstalment, locale: str) -> Order:
    """Return the order an instalment's invoice bills.

    A single instalment of the whole total bills the quote's own lines, taxes
    included. A part of the total is one line, because its tax is already in
    the quote's totals.
    """
    order = quote.order
    if instalment.amount == order.total and len(quote.instalments) == 1:
        copy = copy_order(order)
        copy.billing = prepared_for(quote)
        return copy
    description = _instalment_memo(quote, instalment, locale)
    line = OrderLine(
        position=0,
        kind=OrderLineKind.ITEM,
        description=description[:300],
        quantity=1,
        unit_amount=instalment.amount,
        gross=instalment.amount,
        total=instalment.amount,
    )
    part = Order(
        currency=quote.currency,
        subtotal=instalment.amount,
        discount_total=0,
        fee_total=0,
        tax_total=0,
        total=instalment.amount,
        custom_fields={},
    )
    part.lines.append(line)
    part.billing = prepared_for(quote)
    return part


def _instalment_memo(quote: Quote, instalment: QuoteInstalment, locale: str) -> str:
    with force_locale(quote.locale or locale):
        return _(
            "Instalment %(number)d of %(count)d of quote %(quote)s",
            number=instalment.position + 1,
            count=len(quote.instalments),
            quote=quote.display_number or "",
        )
