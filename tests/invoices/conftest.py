"""A business, a contact and builders of staff invoices for invoice tests."""

import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.contacts import ContactDetails, upsert_contact
from portal.database import now_utc
from portal.invoices.drafts import FeeDraft, InvoiceDraft, LineDraft, create_draft
from portal.invoices.lifecycle import send_invoice
from portal.models import AuditEvent, Contact, Invoice, NetTerms
from tests.factories import make_business, make_tax_rate

STAFF = "staff:7"
# An issue date in the past, for invoices that a test marks paid by hand: a
# manual payment may not be dated before the issue date or after today.
LAST_WEEK = now_utc().date() - timedelta(days=7)


@pytest.fixture
def business(db):
    business = make_business(db, accepted_currencies=["USD"])
    db.commit()
    return business


@pytest.fixture
def contact(db, business) -> Contact:
    contact = upsert_contact(
        db,
        ContactDetails(
            email="aino@example.com",
            name="Aino Virtanen",
            address_line1="Mannerheimintie 1",
            postal_code="00100",
            city="Helsinki",
            country="FI",
        ),
    )
    db.commit()
    return contact


@pytest.fixture
def vat(db, business):
    rate = make_tax_rate(db, "VAT", "24")
    db.commit()
    return rate


def consulting_draft(contact: Contact, **overrides) -> InvoiceDraft:
    """Two days of consulting at 500.00 EUR, net 30 from 1 March 2027."""
    fields = {
        "contact_id": contact.id,
        "currency": "EUR",
        "issue_date": date(2027, 3, 1),
        "lines": (
            LineDraft(description="Consulting day", unit_amount=50000, quantity=2),
        ),
        "net_terms": NetTerms.NET_30,
        **overrides,
    }
    return InvoiceDraft(**fields)


def new_draft(db, contact: Contact, **overrides) -> Invoice:
    return create_draft(
        db,
        consulting_draft(contact, **overrides),
        actor=STAFF,
        idempotency_key=secrets.token_urlsafe(16),
    )


def open_invoice(db, contact: Contact, **overrides) -> Invoice:
    """Add a draft and send it without email, as the buyer would receive it."""
    invoice = new_draft(db, contact, **overrides)
    send_invoice(db, invoice, actor=STAFF)
    return invoice


def audit_rows(db, invoice: Invoice) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == "invoice",
                AuditEvent.subject_id == invoice.id,
            )
            .order_by(AuditEvent.id)
        )
    )


__all__ = ["STAFF", "FeeDraft", "LineDraft"]
