"""Two published demo quotes: one signed by the buyer alone, one countersigned.

They are made through ``portal.quotes.building.create_quote`` with stable
idempotency keys, which is also how a later seed finds them, and published
through ``portal.quotes.publishing``. Seeding sends no emails.
"""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.businesses import get_business
from portal.contacts import ContactDetails
from portal.database import now_utc
from portal.invoices.drafts import LineDraft
from portal.invoices.status import local_today
from portal.models import (
    InstalmentDue,
    Price,
    PriceKind,
    Quote,
    QuoteStatus,
    SignerRole,
    Staff,
    TaxRate,
)
from portal.quotes.building import QuoteDraft, SignerDraft, create_quote
from portal.quotes.lines import RecurringDraft
from portal.quotes.publishing import publish_quote
from portal.quotes.schedule import InstalmentInput

VALID_DAYS = 30
TERMS = (
    "Prices include the work described above. Changes to the scope are quoted "
    "separately. Cancellation later than 14 days before the shoot is charged "
    "at 50 %."
)


def seed_demo_quotes(session: Session, owner: Staff, static_root: Path) -> list[Quote]:
    """Add and publish the demo quotes that are missing, and return both."""
    business = get_business(session)
    expires_on = local_today(now_utc(), business.timezone) + timedelta(VALID_DAYS)
    vat = session.scalars(select(TaxRate).where(TaxRate.name == "VAT")).first()
    actor = f"staff:{owner.id}"
    drafts = {
        "demo-quote-buyer-only": _buyer_only(expires_on, vat),
        "demo-quote-countersigned": _countersigned(session, expires_on, vat, owner),
    }
    quotes = []
    for key, draft in drafts.items():
        quote = create_quote(
            session, draft, actor=actor, idempotency_key=key, static_root=static_root
        )
        if quote.status is QuoteStatus.DRAFT:
            publish_quote(session, quote, actor=actor)
        quotes.append(quote)
    return quotes


def _buyer_only(expires_on: date, vat: TaxRate | None) -> QuoteDraft:
    tax_rate_id = vat.id if vat else None
    return QuoteDraft(
        contact_id=None,
        new_contact=ContactDetails(email="aino@example.com", name="Aino Virtanen"),
        title="Family portrait session",
        currency="EUR",
        expires_on=expires_on,
        lines=(
            LineDraft("Portrait session, 2 hours", 32000, tax_rate_id=tax_rate_id),
            LineDraft("Retouched prints, 30 x 40 cm", 4500, 3, tax_rate_id=tax_rate_id),
        ),
        signers=(SignerDraft(SignerRole.BUYER, "Aino Virtanen", "aino@example.com"),),
        terms=TERMS,
        cover_text="Thank you for asking us for a quote.",
        instalments=(
            InstalmentInput(InstalmentDue.ON_SIGNATURE, percent=Decimal(50)),
            InstalmentInput(
                InstalmentDue.DAYS_AFTER, percent=Decimal(50), days=VALID_DAYS
            ),
        ),
    )


def _countersigned(
    session: Session, expires_on: date, vat: TaxRate | None, owner: Staff
) -> QuoteDraft:
    tax_rate_id = vat.id if vat else None
    recurring_price = session.scalars(
        select(Price)
        .where(
            Price.kind == PriceKind.RECURRING,
            Price.currency == "EUR",
            Price.active.is_(True),
        )
        .order_by(Price.id)
    ).first()
    recurring = (RecurringDraft(recurring_price.id),) if recurring_price else ()
    return QuoteDraft(
        contact_id=None,
        new_contact=ContactDetails(email="mikko@example.com", name="Mikko Laine"),
        title="Brand photography for Laine Design",
        currency="EUR",
        expires_on=expires_on,
        lines=(
            LineDraft("Brand photography, full day", 120000, tax_rate_id=tax_rate_id),
            LineDraft("Image licence, 2 years", 40000, tax_rate_id=tax_rate_id),
        ),
        recurring=recurring,
        signers=(
            SignerDraft(SignerRole.BUYER, "Mikko Laine", "mikko@example.com"),
            SignerDraft(SignerRole.COUNTERSIGNER, staff_id=owner.id),
        ),
        terms=TERMS,
        cover_text="A full day on location, with the images licensed for two years.",
        instalments=(
            InstalmentInput(InstalmentDue.ON_SIGNATURE, percent=Decimal("33.34")),
            InstalmentInput(
                InstalmentDue.DAYS_AFTER, percent=Decimal("33.33"), days=14
            ),
            InstalmentInput(
                InstalmentDue.DAYS_AFTER, percent=Decimal("33.33"), days=44
            ),
        ),
    )
