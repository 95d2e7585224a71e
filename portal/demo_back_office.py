"""Demo data for the back office: contacts, payments, invoices, a view and a list.

Events are dated in days before the seed's local date, so whenever the demo
is seeded its invoice due 15 days ago is overdue and its payments lie within
the last six weeks. Every event is looked up by a stable key before it is
done, so seeding again adds nothing twice.
"""

import logging
from collections.abc import Iterable
from datetime import time
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.businesses import get_business
from portal.contact_lists.criteria import Criterion, CriterionKind
from portal.contact_lists.store import create_list
from portal.database import now_utc
from portal.demo_invoices import (
    DemoInvoice,
    DemoLine,
    issue,
    pay_by_bank_transfer,
    void,
)
from portal.demo_sales import (
    FAILING_ACCOUNT,
    MASTERCARD,
    VISA,
    DemoPayment,
    add_contact,
    pay,
    refund_in_part,
    settle_debit,
)
from portal.demo_timeline import DemoShop, Event, run_timeline
from portal.invoices.status import local_today
from portal.listing.invoices import INVOICES
from portal.listing.saved_views import save_view
from portal.models import (
    ContactList,
    IndexName,
    NetTerms,
    PaymentLink,
    RefundReason,
    SavedView,
    Staff,
)
from portal.notifications.suppression import emails_suppressed
from portal.processors.testmode import TestModeProcessor

logger = logging.getLogger(__name__)

UNPAID_VIEW_NAME = "Unpaid invoices"
UNPAID_VIEW_QUERY = "status=open&status=overdue"
RECENT_PAYERS_LIST_NAME = "Paid in the last 30 days"
RECENT_PAYERS_DAYS = 30

TOKYO_PRINT = DemoPayment("demo-payment-tokyo-print", "kenji", "tokyo-print", VISA)
POSTER = DemoPayment("demo-payment-poster-card", "aino", "poster", VISA)
WORKSHOP_KIT = DemoPayment(
    "demo-payment-workshop-kit",
    "mikko",
    "workshop-kit",
    quantities={0: 1, 1: 1, 2: 2},
    discount_code="WELCOME10",
    custom_answers={"tshirt_size": "L", "company": "Korhonen Design Oy"},
)
STICKERS = DemoPayment(
    "demo-payment-sticker-sets", "emilie", "embed-demo", MASTERCARD, quantities={0: 2}
)
FAILED_DEBIT = DemoPayment(
    "demo-payment-poster-debit", "sofia", "poster", account=FAILING_ACCOUNT
)
POSTER_AFTER_DEBIT = DemoPayment("demo-payment-poster-retry", "sofia", "poster", VISA)

OVERDUE_INVOICE = DemoInvoice(
    "demo-invoice-tokyo-wholesale",
    "kenji",
    issue_days_ago=45,
    net_terms=NetTerms.NET_30,
    lines=(
        DemoLine(10, "poster", discount_percent=Decimal(20), taxed=False),
        DemoLine(
            5, description="Aurora poster, 30 x 40 cm", unit_amount=2400, taxed=False
        ),
    ),
    fees=(("Shipping to Japan", 4500, False),),
    memo="Wholesale order for the Tokyo pop-up shop. Sold outside the EU, so "
    "no VAT is charged.",
)
PAID_INVOICE = DemoInvoice(
    "demo-invoice-flyers",
    "sofia",
    issue_days_ago=35,
    net_terms=NetTerms.NET_15,
    lines=(
        DemoLine(description="Risograph printing, 200 A5 flyers", unit_amount=18000),
    ),
)
VOID_INVOICE = DemoInvoice(
    "demo-invoice-sticker-order",
    "emilie",
    issue_days_ago=28,
    net_terms=NetTerms.NET_15,
    lines=(DemoLine(20, "embed-demo"),),
    memo="Sticker sets for the Lyon print fair.",
)
OPEN_INVOICE = DemoInvoice(
    "demo-invoice-team-workshop",
    "mikko",
    issue_days_ago=3,
    net_terms=NetTerms.NET_30,
    lines=(DemoLine(8, "workshop-kit", discount_percent=Decimal(10)),),
    fees=(("Travel to Tampere", 12000, True),),
    memo="Linocut workshop for the Korhonen Design team, eight people.",
)
DRAFT_INVOICE = DemoInvoice(
    "demo-invoice-framed-poster",
    "aino",
    issue_days_ago=1,
    net_terms=NetTerms.NET_15,
    lines=(
        DemoLine(1, "poster"),
        DemoLine(description="Oak frame, 50 x 70 cm", unit_amount=8500),
    ),
    send=False,
)
STICKER_REFUND_KEY = "demo-refund-one-sticker-set"

# Events of the demo shop: days before the seed's local date, the local time
# of day, and the event. Each contact is added just before its
# first invoice or payment, as staff would enter a known customer.
TIMELINE = (
    Event(45, time(9, 20), add_contact("kenji")),
    Event(45, time(9, 30), issue(OVERDUE_INVOICE)),
    Event(40, time(3, 12), pay(TOKYO_PRINT)),
    Event(35, time(10, 5), add_contact("sofia")),
    Event(35, time(10, 15), issue(PAID_INVOICE)),
    Event(28, time(13, 50), add_contact("emilie")),
    Event(28, time(14, 0), issue(VOID_INVOICE)),
    Event(25, time(9, 10), void(VOID_INVOICE.key)),
    Event(24, time(19, 35), add_contact("aino")),
    Event(24, time(19, 40), pay(POSTER)),
    Event(
        22,
        time(11, 0),
        pay_by_bank_transfer(PAID_INVOICE.key, 22, "RF18 5390 0754 7034"),
    ),
    Event(19, time(9, 0), add_contact("mikko")),
    Event(19, time(9, 5), pay(WORKSHOP_KIT)),
    Event(16, time(6, 0), settle_debit(WORKSHOP_KIT.key)),
    Event(10, time(16, 25), pay(STICKERS)),
    Event(
        8,
        time(10, 15),
        refund_in_part(
            STICKERS.key,
            STICKER_REFUND_KEY,
            2,
            RefundReason.REQUESTED_BY_CUSTOMER,
            "One of the two sticker sets arrived creased.",
        ),
    ),
    Event(6, time(11, 50), pay(FAILED_DEBIT)),
    Event(4, time(6, 0), settle_debit(FAILED_DEBIT.key)),
    Event(4, time(12, 30), pay(POSTER_AFTER_DEBIT)),
    Event(3, time(13, 0), issue(OPEN_INVOICE)),
    Event(1, time(16, 0), issue(DRAFT_INVOICE)),
)


def seed_back_office(
    session: Session, owner: Staff, links: Iterable[PaymentLink]
) -> None:
    """Add the back office's demo records that are missing. Commits as it goes.

    Payments go through a test-mode processor of their own whose bank debits
    are due at once, so that the timeline settles them on its own dates.
    Emails are suppressed meanwhile. The checkout and refunds would otherwise
    email each demo buyer a receipt with PDFs attached, whose rendering took
    most of the seeding time, and write them to the outbox or the SMTP server.

    NOTE: with ``KASSA_PROCESSOR=stripe`` the demo payments are still
    test-mode ones, which the back office cannot refund through Stripe.
    """
    business = get_business(session)
    shop = DemoShop(
        session=session,
        processor=TestModeProcessor(
            current_app.extensions["kassa.sessionmaker"], debit_delay=0
        ),
        owner=owner,
        links={link.slug: link for link in links},
        timezone=business.timezone,
        today=local_today(now_utc(), business.timezone),
    )
    with emails_suppressed():
        run_timeline(shop, TIMELINE)
    ensure_unpaid_view(session, owner)
    ensure_recent_payers_list(session, owner)
    logger.info("demo back-office data seeded")


def ensure_unpaid_view(session: Session, owner: Staff) -> SavedView:
    """Add the owner's shared invoices view of open and overdue invoices."""
    view = session.scalars(
        select(SavedView).where(
            SavedView.owner_id == owner.id,
            SavedView.index_name == IndexName.INVOICES,
            SavedView.name == UNPAID_VIEW_NAME,
        )
    ).first()
    if view is None:
        view = save_view(
            session,
            owner,
            INVOICES,
            name=UNPAID_VIEW_NAME,
            query=UNPAID_VIEW_QUERY,
            shared=True,
        )
        session.commit()
    return view


def ensure_recent_payers_list(session: Session, owner: Staff) -> ContactList:
    """Add the owner's shared list of contacts who paid in the last 30 days."""
    contact_list = session.scalars(
        select(ContactList).where(
            ContactList.owner_id == owner.id,
            ContactList.name == RECENT_PAYERS_LIST_NAME,
        )
    ).first()
    if contact_list is None:
        contact_list = create_list(
            session,
            owner,
            name=RECENT_PAYERS_LIST_NAME,
            criteria=[
                Criterion(CriterionKind.PAID_WITHIN_DAYS, days=RECENT_PAYERS_DAYS)
            ],
            shared=True,
        )
        session.commit()
    return contact_list
