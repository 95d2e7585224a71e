"""The refund receipt email, received by a real SMTP server after a refund."""

import secrets

import pytest

from portal.models import RefundReason, StaffRole
from portal.payments.refunds import RefundInput, refund_payment
from portal.processors import get_processor
from tests.documents.pdf_text import pdf_text
from tests.fixtures.staff import make_staff
from tests.payments.builders import BUYER_EMAIL, paid_payment


@pytest.fixture
def admin(db):
    staff = make_staff(db, role=StaffRole.ADMIN)
    db.commit()
    return staff


def refund(app, payment_id, amount, staff, reason, note=None):
    request = RefundInput(
        payment_id=payment_id,
        amount=amount,
        reason=reason,
        note=note,
        idempotency_key=secrets.token_urlsafe(24),
    )
    with app.app_context(), app.extensions["kassa.sessionmaker"]() as session:
        refund_payment(
            session,
            get_processor(),
            request,
            actor=f"staff:{staff.id}",
            staff_id=staff.id,
            client_address="192.0.2.7",
        )


def text_parts(message) -> str:
    return "\n".join(
        part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )


def test_refund_receipt_reaches_buyer(app, admin, smtp_server):
    payment_id = paid_payment(app, amount=5000)
    app.config["KASSA_SMTP_URL"] = smtp_server.url

    refund(app, payment_id, 2000, admin, RefundReason.REQUESTED_BY_CUSTOMER)

    [received] = smtp_server.messages
    message = received.message
    assert received.recipients == [BUYER_EMAIL]
    assert message["Subject"] == "Refund from Nordlys Studio #RFD-000001"
    assert message["Reply-To"] == "sales@nordlys.example"
    body = text_parts(message)
    assert "Nordlys Studio has refunded €20.00 of your payment of €50.00." in body
    assert "Remaining after refunds: €30.00" in body
    assert "Reason: Requested by you" in body
    assert "RCT-000001" in body


def test_refund_receipt_attaches_pdf(app, admin, smtp_server):
    payment_id = paid_payment(app, amount=5000)
    app.config["KASSA_SMTP_URL"] = smtp_server.url

    refund(app, payment_id, 5000, admin, RefundReason.DUPLICATE)

    [received] = smtp_server.messages
    [attachment] = list(received.message.iter_attachments())
    assert attachment.get_filename() == "refund-RFD-000001.pdf"
    text = pdf_text(attachment.get_content())
    assert "Refund receipt" in text
    assert "RFD-000001" in text
    assert "Duplicate payment" in text
    assert "€50.00" in text
    assert "Remaining after refunds" in text
    assert "€0.00" in text


def test_internal_reason_and_note_stay_hidden(app, admin, smtp_server):
    payment_id = paid_payment(app, amount=5000)
    app.config["KASSA_SMTP_URL"] = smtp_server.url

    refund(
        app,
        payment_id,
        1000,
        admin,
        RefundReason.FRAUDULENT,
        note="Card reported stolen by the bank",
    )

    [received] = smtp_server.messages
    body = text_parts(received.message)
    pdf = pdf_text(next(received.message.iter_attachments()).get_content())
    for text in (body, pdf):
        assert "Reason" not in text
        assert "raud" not in text
        assert "stolen" not in text


def test_failed_refund_sends_no_email(app, admin, smtp_server):
    payment_id = paid_payment(app, amount=5000, card="4000 0000 0000 5126")
    app.config["KASSA_SMTP_URL"] = smtp_server.url

    refund(app, payment_id, 1000, admin, RefundReason.REQUESTED_BY_CUSTOMER)

    assert smtp_server.messages == []


def test_second_refund_shows_total_refunded(app, admin, smtp_server):
    payment_id = paid_payment(app, amount=5000)
    refund(app, payment_id, 1000, admin, RefundReason.REQUESTED_BY_CUSTOMER)
    app.config["KASSA_SMTP_URL"] = smtp_server.url

    refund(app, payment_id, 1500, admin, RefundReason.REQUESTED_BY_CUSTOMER)

    [received] = smtp_server.messages
    body = text_parts(received.message)
    assert received.message["Subject"].endswith("#RFD-000002")
    assert "Refunded in total: €25.00" in body
    assert "Remaining after refunds: €25.00" in body
