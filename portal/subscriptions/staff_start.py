"""Starting a subscription that staff set up in the back office.

Staff choose the contact, the recurring prices, the start and the
collection. A subscription whose first billing date is today is billed at
once by the billing run's ``bill_subscription``, so that staff see the
first charge or invoice right away. A repeated idempotency key returns the
subscription made the first time and bills nothing again.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.billing.renewals import bill_subscription
from portal.billing.schedule import add_months
from portal.billing.summary import RunSummary
from portal.contacts import ContactDetails, upsert_contact
from portal.links.recurrence import DelayUnit, RecurrenceInput
from portal.models import (
    Contact,
    ProcessorCustomer,
    SavedPaymentMethod,
    Subscription,
)
from portal.processors.base import Processor
from portal.subscriptions.starting import StartLine, StartTerms, start_subscription

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StaffStart:
    """A checked request from staff to start a subscription."""

    contact: Contact | ContactDetails  # details for a contact saved on start
    lines: list[StartLine]
    terms: StartTerms
    locale: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class StaffStartResult:
    subscription: Subscription
    created: bool  # False when the idempotency key found an earlier subscription
    # The billing of the first period, or None when it was not due today.
    first_bill: RunSummary | None = None


def start_date(recurrence: RecurrenceInput, today: date) -> date:
    """Return the start date that the start fields of a form ask for."""
    if recurrence.start_on is not None:
        return recurrence.start_on
    if recurrence.start_delay is None:
        return today
    if recurrence.start_delay_unit is DelayUnit.MONTHS:
        return add_months(today, recurrence.start_delay)
    return today + timedelta(days=recurrence.start_delay)


def contact_methods(
    session: Session, contact: Contact, processor: Processor
) -> list[SavedPaymentMethod]:
    """Return the contact's saved payment methods that ``processor`` can charge.

    Methods saved in the other mode (test or live) or at another processor
    are left out, and so are removed ones. The newest comes first.
    """
    return list(
        session.scalars(
            select(SavedPaymentMethod)
            .join(ProcessorCustomer)
            .where(
                ProcessorCustomer.contact_id == contact.id,
                ProcessorCustomer.processor == processor.name,
                ProcessorCustomer.live_mode.is_(processor.live_mode),
                SavedPaymentMethod.removed_at.is_(None),
            )
            .order_by(SavedPaymentMethod.id.desc())
        )
    )


def has_expired(method: SavedPaymentMethod, today: date) -> bool:
    """Tell whether a card's expiry month has ended before ``today``."""
    if method.exp_year is None or method.exp_month is None:
        return False
    return (method.exp_year, method.exp_month) < (today.year, today.month)


def find_started(session: Session, idempotency_key: str) -> Subscription | None:
    return session.scalars(
        select(Subscription).where(Subscription.idempotency_key == idempotency_key)
    ).first()


def start_for_staff(
    session: Session,
    request: StaffStart,
    *,
    actor: str,
    now: datetime,
    processor: Processor | None = None,
) -> StaffStartResult:
    """Start the subscription, commit it, and bill its first period when due today.

    Raises ``StartError`` when the subscription cannot start, and the caller
    then rolls back. A second request with the same idempotency key, also
    one that loses the race to insert it, returns the first subscription.
    Needs an app context for the processor and emails.
    """
    existing = find_started(session, request.idempotency_key)
    if existing is not None:
        return StaffStartResult(existing, created=False)

    contact = request.contact
    if isinstance(contact, ContactDetails):
        contact = upsert_contact(session, contact)
    try:
        subscription = start_subscription(
            session,
            contact=contact,
            lines=request.lines,
            terms=request.terms,
            actor=actor,
            locale=request.locale,
            now=now,
            idempotency_key=request.idempotency_key,
        )
        # When another request committed this key after the lookup above,
        # start_subscription returns that subscription with its own created_at.
        created = subscription.created_at == now
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find_started(session, request.idempotency_key)
        if existing is None:
            raise
        logger.info("subscription %s already started with this key", existing.id)
        return StaffStartResult(existing, created=False)

    if not created:
        logger.info("subscription %s already started with this key", subscription.id)
        return StaffStartResult(subscription, created=False)
    first_bill = None
    if subscription.anchor_date <= request.terms.today:
        first_bill = bill_first_period(
            session, subscription, request.terms.today, processor
        )
    return StaffStartResult(subscription, created=True, first_bill=first_bill)


def bill_first_period(
    session: Session,
    subscription: Subscription,
    today: date,
    processor: Processor | None,
) -> RunSummary:
    """Bill period 0 now, as the billing run would today.

    The subscription is saved already, so an error is logged and counted,
    and the next billing run bills the period instead.
    """
    try:
        return bill_subscription(session, subscription, today, processor=processor)
    except Exception:
        logger.exception("first bill of subscription %s failed", subscription.id)
        session.rollback()
        session.refresh(subscription)
        return RunSummary(errors=1)
