"""Published quotes for tests of the buyer's side, built straight from the models.

``publish_quote(db, ...)`` adds a business (unless one exists), a contact, an
order priced with ``portal.pricing``, the signers and the payment schedule,
then numbers the quote, stores its content digest and commits. The staff
side's own builder is not used, so these tests only depend on the models.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.contacts import ContactDetails, upsert_contact
from portal.database import now_utc
from portal.invoices.drafts import contact_billing
from portal.models import (
    BillingFrequency,
    Business,
    InstalmentDue,
    Order,
    Price,
    PriceKind,
    Product,
    Quote,
    QuoteInstalment,
    QuoteRecurringLine,
    QuoteSigner,
    QuoteStatus,
    SignerRole,
)
from portal.order_lines import item_line, tax_rule
from portal.pricing import LineInput, price_order
from portal.quotes.consent import CONSENT_VERSION
from portal.quotes.content import content_digest
from portal.quotes.schedule import InstalmentInput, split_total
from tests.factories import make_business, make_tax_rate
from tests.fixtures.staff import make_staff

_numbers = iter(range(1, 1_000_000))


@dataclass(frozen=True)
class Part:
    """One instalment: a percent of the total and its due rule."""

    percent: str
    due: InstalmentDue = InstalmentDue.ON_SIGNATURE
    days: int | None = None
    due_on: date | None = None


def business_of(db) -> Business:
    business = db.scalars(select(Business)).first()
    if business is None:
        business = make_business(db, accepted_currencies=["EUR"])
    return business


def publish_quote(
    db,
    *,
    buyers: tuple[tuple[str, str], ...] = (("Aino Virtanen", "aino@example.com"),),
    countersigners: tuple[str, ...] = (),
    parts: tuple[Part, ...] = (Part("100"),),
    recurring: bool = False,
    collect_payment: bool = True,
    expires_on: date | None = None,
    terms: str = "Payment within the schedule below.\nWork starts on acceptance.",
    locale: str | None = None,
    currency: str = "EUR",
    unit_amount: int = 50000,
) -> Quote:
    """Add and commit a published quote: two consulting days at 500.00 EUR + 24% VAT.

    ``countersigners`` are the names of staff members added as countersigners
    after the buyers. ``currency`` and ``unit_amount`` (minor units) change
    the price of a day.
    """
    business_of(db)
    contact = upsert_contact(
        db,
        ContactDetails(
            email=buyers[0][1],
            name=buyers[0][0],
            address_line1="Mannerheimintie 1",
            postal_code="00100",
            city="Helsinki",
            country="FI",
        ),
    )
    vat = make_tax_rate(db, "VAT", "24")
    totals = price_order(
        currency,
        [
            LineInput(
                description="Consulting day",
                unit_amount=unit_amount,
                quantity=2,
                tax=tax_rule(vat),
            )
        ],
    )
    order = Order(
        currency=currency,
        subtotal=totals.subtotal,
        discount_total=totals.discount,
        fee_total=totals.fee_total,
        tax_total=totals.tax,
        total=totals.total,
        custom_fields={},
    )
    order.billing = contact_billing(contact)
    order.lines.append(item_line(0, totals.lines[0], price_id=None, tax_rate=vat))

    now = now_utc()
    quote = Quote(
        token=secrets.token_urlsafe(32),
        number=f"Q-{next(_numbers):06d}",
        version=1,
        contact=contact,
        title="Website redesign",
        status=QuoteStatus.DRAFT,
        currency=currency,
        order=order,
        terms=terms,
        cover_text="Thank you for the meeting.\nHere is our offer.",
        brand_color="#2f6f4f",
        expires_on=expires_on or (now.date() + timedelta(days=30)),
        collect_payment=collect_payment,
        consent_version=CONSENT_VERSION,
        published_at=now,
        locale=locale,
        created_by="staff:1",
    )
    position = 0
    for name, email in buyers:
        quote.signers.append(
            QuoteSigner(
                position=position,
                role=SignerRole.BUYER,
                name=name,
                email=email,
                token=secrets.token_urlsafe(32),
            )
        )
        position += 1
    for name in countersigners:
        staff = make_staff(db, role="sales", name=name)
        quote.signers.append(
            QuoteSigner(
                position=position,
                role=SignerRole.COUNTERSIGNER,
                name=name,
                email=staff.email,
                staff_id=staff.id,
            )
        )
        position += 1

    inputs = [
        InstalmentInput(
            due=part.due,
            percent=Decimal(part.percent),
            days=part.days,
            due_on=part.due_on,
        )
        for part in parts
    ]
    amounts = split_total(order.total, currency, inputs) if parts else []
    for index, (part, amount) in enumerate(zip(inputs, amounts, strict=True)):
        quote.instalments.append(
            QuoteInstalment(
                position=index,
                percent=part.percent,
                due=part.due,
                days=part.days,
                due_on=part.due_on,
                amount=amount,
            )
        )
    if recurring:
        price = Price(
            product=Product(name="Hosting"),
            currency="EUR",
            unit_amount=2500,
            kind=PriceKind.RECURRING,
            frequency=BillingFrequency.MONTHLY,
        )
        db.add(price)
        db.flush()
        quote.recurring_lines.append(
            QuoteRecurringLine(
                position=0,
                price=price,
                description="Hosting",
                quantity=1,
                unit_amount=2500,
            )
        )
    db.add(quote)
    db.flush()
    quote.content_digest = content_digest(quote)
    quote.status = QuoteStatus.PUBLISHED
    db.commit()
    return quote


def buyer(quote: Quote, position: int = 0) -> QuoteSigner:
    return quote.buyers[position]


def signer_path(quote: Quote, signer: QuoteSigner) -> str:
    return f"/quotes/{quote.token}/sign/{signer.token}"
