"""Sending, paying by hand, voiding and marking invoices uncollectible."""

from datetime import timedelta

import pytest

from portal.database import now_utc
from portal.invoices.errors import InvoiceError, InvoiceStateError
from portal.invoices.lifecycle import (
    ManualPaymentInput,
    mark_paid_manually,
    mark_uncollectible,
    send_invoice,
    void_invoice,
)
from portal.models import InvoiceStatus, ManualPaymentMethod
from tests.invoices.conftest import (
    LAST_WEEK,
    STAFF,
    audit_rows,
    new_draft,
    open_invoice,
)

TODAY = now_utc().date()
YESTERDAY = TODAY - timedelta(days=1)


def bank_transfer(**overrides) -> ManualPaymentInput:
    fields = {
        "amount": 100000,
        "currency": "EUR",
        "paid_on": YESTERDAY,
        "method": ManualPaymentMethod.BANK_TRANSFER,
        "reference": "RF18 5390 0754 7034",
        **overrides,
    }
    return ManualPaymentInput(**fields)


def test_send_numbers_and_opens_draft(db, contact):
    invoice = new_draft(db, contact)

    sent = send_invoice(db, invoice, actor=STAFF)

    assert sent is True
    assert invoice.number == "INV-000001"
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.sent_at is not None
    assert invoice.issued_at is not None


def test_second_send_changes_nothing(db, contact):
    invoice = new_draft(db, contact)
    send_invoice(db, invoice, actor=STAFF)

    sent_again = send_invoice(db, invoice, actor=STAFF)

    assert sent_again is False
    assert invoice.number == "INV-000001"
    assert [row.action for row in audit_rows(db, invoice)] == [
        "invoice.created",
        "invoice.sent",
    ]


def test_numbers_follow_each_other(db, contact):
    first = open_invoice(db, contact)
    second = open_invoice(db, contact)

    assert (first.number, second.number) == ("INV-000001", "INV-000002")


def test_manual_payment_marks_paid(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)

    mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)

    db.expire_all()
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.amount_due == 0
    assert invoice.paid_at is not None
    payment = invoice.manual_payment
    assert payment.amount == 100000
    assert payment.paid_on == YESTERDAY
    assert payment.method is ManualPaymentMethod.BANK_TRANSFER
    assert payment.reference == "RF18 5390 0754 7034"
    assert payment.recorded_by == STAFF


def test_manual_payment_audited_with_staff(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)

    mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)

    row = audit_rows(db, invoice)[-1]
    assert row.action == "invoice.paid_manually"
    assert row.actor == STAFF
    assert (row.from_state, row.to_state) == ("open", "paid")
    assert row.details["method"] == "bank_transfer"
    assert row.details["amount"] == "100000"


def test_manual_payment_in_other_currency_rejected(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)

    with pytest.raises(InvoiceError) as raised:
        mark_paid_manually(db, invoice, bank_transfer(currency="USD"), actor=STAFF)

    assert raised.value.status_code == 422
    assert raised.value.field == "currency"
    assert "in USD" in raised.value.message
    db.rollback()
    db.expire_all()
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.manual_payment is None
    assert audit_rows(db, invoice)[-1].action == "invoice.sent"


def test_manual_payment_for_wrong_amount_rejected(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)

    with pytest.raises(InvoiceError) as raised:
        mark_paid_manually(db, invoice, bank_transfer(amount=50000), actor=STAFF)

    assert raised.value.field == "amount"
    assert "€1,000.00" in raised.value.message


def test_manual_payment_dated_in_future_rejected(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    tomorrow = TODAY + timedelta(days=2)

    with pytest.raises(InvoiceError) as raised:
        mark_paid_manually(db, invoice, bank_transfer(paid_on=tomorrow), actor=STAFF)

    assert raised.value.field == "paid_on"


def test_manual_payment_of_draft_rejected(db, contact):
    invoice = new_draft(db, contact)

    with pytest.raises(InvoiceStateError):
        mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)


def test_same_manual_payment_twice_records_once(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)

    mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)
    mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)

    actions = [row.action for row in audit_rows(db, invoice)]
    assert actions.count("invoice.paid_manually") == 1


def test_other_manual_payment_on_paid_invoice_rejected(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)

    with pytest.raises(InvoiceStateError) as raised:
        mark_paid_manually(db, invoice, bank_transfer(reference="other"), actor=STAFF)

    assert "already paid" in raised.value.message
    assert raised.value.status_code == 409


def test_uncollectible_invoice_can_be_paid_by_hand(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    mark_uncollectible(db, invoice, actor=STAFF)

    mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)

    assert invoice.status is InvoiceStatus.PAID


def test_void_open_invoice(db, contact):
    invoice = open_invoice(db, contact)

    void_invoice(db, invoice, actor=STAFF)

    assert invoice.status is InvoiceStatus.VOID
    assert invoice.voided_at is not None
    assert invoice.amount_due == 0
    row = audit_rows(db, invoice)[-1]
    assert (row.action, row.actor, row.to_state) == ("invoice.voided", STAFF, "void")


def test_void_twice_records_once(db, contact):
    invoice = open_invoice(db, contact)

    void_invoice(db, invoice, actor=STAFF)
    void_invoice(db, invoice, actor=STAFF)

    actions = [row.action for row in audit_rows(db, invoice)]
    assert actions.count("invoice.voided") == 1


def test_paid_invoice_cannot_be_voided(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)

    with pytest.raises(InvoiceStateError) as raised:
        void_invoice(db, invoice, actor=STAFF)

    assert "Refund the payment instead" in raised.value.message
    assert invoice.status is InvoiceStatus.PAID


def test_draft_cannot_be_voided(db, contact):
    invoice = new_draft(db, contact)

    with pytest.raises(InvoiceStateError):
        void_invoice(db, invoice, actor=STAFF)


def test_uncollectible_cannot_be_voided(db, contact):
    invoice = open_invoice(db, contact)
    mark_uncollectible(db, invoice, actor=STAFF)

    with pytest.raises(InvoiceStateError):
        void_invoice(db, invoice, actor=STAFF)


def test_void_invoice_cannot_be_paid_by_hand(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    void_invoice(db, invoice, actor=STAFF)

    with pytest.raises(InvoiceStateError):
        mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)


def test_mark_uncollectible_audited(db, contact):
    invoice = open_invoice(db, contact)

    mark_uncollectible(db, invoice, actor=STAFF)
    mark_uncollectible(db, invoice, actor=STAFF)

    assert invoice.status is InvoiceStatus.UNCOLLECTIBLE
    actions = [row.action for row in audit_rows(db, invoice)]
    assert actions.count("invoice.marked_uncollectible") == 1


def test_paid_invoice_cannot_become_uncollectible(db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    mark_paid_manually(db, invoice, bank_transfer(), actor=STAFF)

    with pytest.raises(InvoiceStateError):
        mark_uncollectible(db, invoice, actor=STAFF)
