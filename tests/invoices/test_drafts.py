"""Draft invoices: pricing, input checks and one draft per form submit."""

import secrets
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.contacts import ContactDetails
from portal.database import now_utc
from portal.invoices.drafts import (
    InvoiceDraft,
    create_draft,
    draft_version,
    update_draft,
)
from portal.invoices.errors import (
    ContactNotFound,
    DraftChanged,
    InvoiceError,
    InvoiceStateError,
)
from portal.models import Contact, Invoice, InvoiceStatus, NetTerms, OrderLineKind
from tests.factories import make_product_price
from tests.invoices.conftest import (
    STAFF,
    FeeDraft,
    LineDraft,
    audit_rows,
    consulting_draft,
    new_draft,
    open_invoice,
)


def invoice_count(db) -> int:
    return db.scalar(select(func.count(Invoice.id)))


def test_draft_priced_with_discount_fee_and_tax(db, contact, vat):
    invoice = new_draft(
        db,
        contact,
        lines=(
            LineDraft(
                description="Consulting day",
                unit_amount=50000,
                quantity=2,
                discount_percent=Decimal(10),
                tax_rate_id=vat.id,
            ),
        ),
        fees=(FeeDraft(description="Travel", amount=4000, tax_rate_id=vat.id),),
    )

    order = invoice.order
    assert invoice.status is InvoiceStatus.DRAFT
    assert invoice.number is None
    assert order.subtotal == 100000
    assert order.discount_total == 10000
    assert order.fee_total == 4000
    # 24% of 900.00 is 216.00 and of 40.00 is 9.60.
    assert order.tax_total == 21600 + 960
    assert invoice.total == 90000 + 21600 + 4000 + 960
    assert order.total == invoice.total
    assert [line.kind for line in order.lines] == [
        OrderLineKind.ITEM,
        OrderLineKind.FEE,
    ]
    assert order.lines[0].discount_percent == Decimal(10)


def test_draft_due_date_follows_terms(db, contact):
    invoice = new_draft(db, contact, net_terms=NetTerms.NET_15)

    assert invoice.issue_date == date(2027, 3, 1)
    assert invoice.due_date == date(2027, 3, 16)


def test_draft_copies_contact_as_bill_to(db, contact):
    invoice = new_draft(db, contact)

    billing = invoice.order.billing
    assert billing.email == "aino@example.com"
    assert billing.name == "Aino Virtanen"
    assert billing.city == "Helsinki"


def test_line_from_product_price(db, contact):
    price = make_product_price(db, "Poster", 3900)
    db.commit()

    invoice = new_draft(db, contact, lines=(LineDraft(price_id=price.id, quantity=3),))

    line = invoice.order.lines[0]
    assert line.description == "Poster"
    assert line.unit_amount == 3900
    assert line.price_id == price.id
    assert invoice.total == 11700


def test_price_in_other_currency_rejected(db, contact):
    price = make_product_price(db, "Print", 8000, currency="JPY")
    db.commit()

    with pytest.raises(InvoiceError) as raised:
        new_draft(db, contact, lines=(LineDraft(price_id=price.id),))

    assert raised.value.field == "lines-0-price_id"
    assert "priced in JPY" in raised.value.message


def test_second_submit_with_same_key_makes_one_draft(db, contact):
    draft = consulting_draft(contact)

    first = create_draft(db, draft, actor=STAFF, idempotency_key="form-key-1")
    second = create_draft(db, draft, actor=STAFF, idempotency_key="form-key-1")

    assert second.id == first.id
    assert invoice_count(db) == 1
    assert [row.action for row in audit_rows(db, first)] == ["invoice.created"]


def test_create_is_audited_with_actor(db, contact):
    invoice = new_draft(db, contact)

    [row] = audit_rows(db, invoice)
    assert row.action == "invoice.created"
    assert row.actor == STAFF
    assert row.to_state == "draft"


def test_currency_not_accepted_rejected(db, contact):
    with pytest.raises(InvoiceError) as raised:
        new_draft(db, contact, currency="SEK")

    assert raised.value.field == "currency"
    assert "SEK is not a currency this business accepts" in raised.value.message
    assert "EUR, USD" in raised.value.message
    assert invoice_count(db) == 0


def test_accepted_other_currency_allowed(db, contact):
    invoice = new_draft(db, contact, currency="USD")

    assert invoice.currency == "USD"


def test_unknown_contact_rejected(db, contact):
    with pytest.raises(ContactNotFound) as raised:
        new_draft(db, contact, contact_id=contact.id + 100)

    assert raised.value.status_code == 404
    assert raised.value.field == "contact"
    assert invoice_count(db) == 0


def test_due_date_before_issue_date_rejected(db, contact):
    with pytest.raises(InvoiceError) as raised:
        new_draft(
            db,
            contact,
            net_terms=NetTerms.CUSTOM,
            custom_due_date=date(2027, 2, 28),
        )

    assert raised.value.field == "due_date"
    assert invoice_count(db) == 0


@pytest.mark.parametrize("unit_amount", [0, -500])
def test_zero_or_negative_unit_amount_rejected(db, contact, unit_amount):
    with pytest.raises(InvoiceError) as raised:
        new_draft(
            db,
            contact,
            lines=(LineDraft(description="Nothing", unit_amount=unit_amount),),
        )

    assert raised.value.field == "lines-0-unit_amount"
    assert "above zero" in raised.value.message
    assert invoice_count(db) == 0


@pytest.mark.parametrize("amount", [0, -100])
def test_zero_or_negative_fee_rejected(db, contact, amount):
    with pytest.raises(InvoiceError) as raised:
        new_draft(db, contact, fees=(FeeDraft(description="Travel", amount=amount),))

    assert raised.value.field == "fees-0-amount"


def test_zero_quantity_rejected(db, contact):
    with pytest.raises(InvoiceError) as raised:
        new_draft(
            db,
            contact,
            lines=(LineDraft(description="Day", unit_amount=100, quantity=0),),
        )

    assert raised.value.field == "lines-0-quantity"


def test_discount_above_line_amount_rejected(db, contact):
    with pytest.raises(InvoiceError) as raised:
        new_draft(
            db,
            contact,
            lines=(
                LineDraft(description="Day", unit_amount=1000, discount_amount=1001),
            ),
        )

    assert raised.value.field == "lines-0-discount"
    assert "more than the line's amount" in raised.value.message


def test_full_discount_leaving_zero_total_rejected(db, contact):
    with pytest.raises(InvoiceError) as raised:
        new_draft(
            db,
            contact,
            lines=(
                LineDraft(
                    description="Day", unit_amount=1000, discount_percent=Decimal(100)
                ),
            ),
        )

    assert "total is zero" in raised.value.message


def test_draft_without_lines_rejected(db, contact):
    with pytest.raises(InvoiceError) as raised:
        new_draft(db, contact, lines=())

    assert raised.value.field == "lines"


def test_edit_replaces_lines_and_terms(db, contact):
    invoice = new_draft(db, contact)

    update_draft(
        db,
        invoice,
        consulting_draft(
            contact,
            lines=(
                LineDraft(description="Workshop", unit_amount=120000),
                LineDraft(description="Materials", unit_amount=2500, quantity=4),
            ),
            net_terms=NetTerms.NET_7,
            memo="Thank you for the workshop.",
        ),
        expected_version=draft_version(invoice),
        actor=STAFF,
    )

    db.expire_all()
    assert [line.description for line in invoice.order.lines] == [
        "Workshop",
        "Materials",
    ]
    assert invoice.total == 130000
    assert invoice.due_date == date(2027, 3, 8)
    assert invoice.memo == "Thank you for the workshop."
    assert [row.action for row in audit_rows(db, invoice)] == [
        "invoice.created",
        "invoice.edited",
    ]


def test_sent_invoice_cannot_be_edited(db, contact):
    invoice = open_invoice(db, contact)

    with pytest.raises(InvoiceStateError):
        update_draft(
            db,
            invoice,
            consulting_draft(contact),
            expected_version=draft_version(invoice),
            actor=STAFF,
        )


def test_edit_of_changed_draft_is_409(db, contact):
    invoice = new_draft(db, contact)
    opened = draft_version(invoice)
    update_draft(
        db,
        invoice,
        consulting_draft(contact, memo="Saved in the first tab."),
        expected_version=opened,
        actor=STAFF,
    )

    with pytest.raises(DraftChanged) as raised:
        update_draft(
            db,
            invoice,
            consulting_draft(contact, footer="Saved in the second tab."),
            expected_version=opened,
            actor=STAFF,
        )

    db.rollback()
    db.expire_all()
    assert raised.value.status_code == 409
    assert "Reload the page" in raised.value.message
    assert invoice.memo == "Saved in the first tab."
    assert invoice.footer is None


def test_version_follows_saved_content(db, contact):
    invoice = new_draft(db, contact)
    before = draft_version(invoice)

    update_draft(
        db,
        invoice,
        consulting_draft(contact, memo="Changed."),
        expected_version=before,
        actor=STAFF,
    )

    assert draft_version(invoice) != before


@pytest.mark.parametrize(
    "issue_date", [date(1, 1, 1), date(1900, 1, 1), date(1999, 12, 31)]
)
def test_issue_date_before_2000_rejected(db, contact, issue_date):
    with pytest.raises(InvoiceError) as raised:
        new_draft(db, contact, issue_date=issue_date)

    assert raised.value.field == "issue_date"
    assert "Enter a date from 2000-01-01" in raised.value.message
    assert invoice_count(db) == 0


@pytest.mark.parametrize("net_terms", list(NetTerms))
def test_issue_date_far_ahead_rejected(db, contact, net_terms):
    with pytest.raises(InvoiceError) as raised:
        new_draft(
            db,
            contact,
            issue_date=date(9999, 12, 31),
            net_terms=net_terms,
            custom_due_date=date(9999, 12, 31),
        )

    assert raised.value.field == "issue_date"
    assert "at most one year from today" in raised.value.message
    assert invoice_count(db) == 0


def test_issue_date_one_year_ahead_allowed(db, contact):
    latest = now_utc().date() + timedelta(days=364)

    invoice = new_draft(db, contact, issue_date=latest)

    assert invoice.issue_date == latest


def test_new_contact_saved_only_with_valid_draft(db, business):
    details = ContactDetails(email="ulla@example.com", name="Ulla Probe")

    with pytest.raises(InvoiceError):
        create_draft(
            db,
            InvoiceDraft(
                contact_id=None,
                new_contact=details,
                currency="EUR",
                issue_date=date(2027, 3, 1),
                lines=(LineDraft(description="Consulting day", unit_amount=0),),
            ),
            actor=STAFF,
            idempotency_key=secrets.token_urlsafe(16),
        )
    db.rollback()

    assert db.scalars(select(Contact)).all() == []
