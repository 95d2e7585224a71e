"""Builders of staff-made quotes for quote tests, through ``create_quote``."""

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from portal.contacts import ContactDetails
from portal.database import now_utc
from portal.invoices.drafts import LineDraft
from portal.models import Quote, SignerRole
from portal.quotes.building import QuoteDraft, SignerDraft, create_quote

STAFF_ACTOR = "staff:1"
STATIC_ROOT = Path(__file__).resolve().parents[2] / "portal" / "static"


def buyer(name: str = "Aino Virtanen", email: str = "aino@example.com") -> SignerDraft:
    return SignerDraft(SignerRole.BUYER, name=name, email=email)


def quote_draft(**overrides: Any) -> QuoteDraft:
    """Return a valid draft: one line of 5.47 EUR, one buyer, valid for 30 days."""
    fields: dict[str, Any] = {
        "contact_id": None,
        "new_contact": ContactDetails(email="aino@example.com", name="Aino Virtanen"),
        "title": "Studio photography",
        "currency": "EUR",
        "expires_on": now_utc().date() + timedelta(days=30),
        "lines": (LineDraft(description="Half-day shoot", unit_amount=547),),
        "signers": (buyer(),),
        "terms": "Payment within the schedule below.",
        **overrides,
    }
    return QuoteDraft(**fields)


def make_quote(session: Session, **overrides: Any) -> Quote:
    """Create and commit a draft quote from ``quote_draft(**overrides)``."""
    return create_quote(
        session,
        quote_draft(**overrides),
        actor=STAFF_ACTOR,
        idempotency_key=secrets.token_hex(16),
        static_root=STATIC_ROOT,
    )
