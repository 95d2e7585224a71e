"""The hosted invoice page and paying it through the checkout."""

import re
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.checkout.payments import settle_test_debits
from portal.database import now_utc
from portal.invoices.errors import InvoiceStateError
from portal.invoices.lifecycle import (
    ManualPaymentInput,
    mark_paid_manually,
    mark_uncollectible,
    void_invoice,
)
from portal.models import (
    CheckoutAttempt,
    InvoiceStatus,
    ManualPaymentMethod,
    Payment,
    PaymentStatus,
)
from portal.processors import get_processor
from tests.documents.pdf_text import pdf_text
from tests.invoices.conftest import (
    LAST_WEEK,
    STAFF,
    audit_rows,
    new_draft,
    open_invoice,
)

CARD = {
    "method": "card",
    "card_number": "4242 4242 4242 4242",
    "card_expiry": "12 / 40",
    "card_cvc": "123",
}


def page_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def open_page(client, invoice) -> str:
    response = client.get(f"/invoices/{invoice.token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def pay(client, invoice, **fields):
    html = open_page(client, invoice)
    form = {"token": page_token(html), **CARD, **fields}
    return client.post(f"/invoices/{invoice.token}", data=form)


def payments(db) -> list[Payment]:
    db.expire_all()
    return list(db.scalars(select(Payment).order_by(Payment.id)))


def test_page_shows_invoice_details(client, db, contact):
    invoice = open_invoice(db, contact, memo="Thanks for the March work.")

    html = open_page(client, invoice)

    assert "INV-000001" in html
    assert "Aino Virtanen" in html
    assert "Mannerheimintie 1" in html
    assert "Nordlys Studio" in html
    assert "Consulting day" in html
    assert "March 31, 2027" in html
    assert "Net 30 days" in html
    assert "Thanks for the March work." in html
    assert 'id="invoice-status">Open<' in html
    assert "€1,000.00" in html
    assert f'href="/invoices/{invoice.token}/pdf"' in html
    assert 'id="pay-button"' in html
    assert 'id="method-bank"' in html


def test_page_is_not_stored(client, db, contact):
    invoice = open_invoice(db, contact)

    response = client.get(f"/invoices/{invoice.token}")

    assert response.headers["Cache-Control"] == "private, no-store"


def test_unknown_token_is_404(client, db, contact):
    assert client.get("/invoices/no-such-token").status_code == 404
    assert client.get("/invoices/no-such-token/pdf").status_code == 404


def test_draft_is_404(client, db, contact):
    invoice = new_draft(db, contact)

    assert client.get(f"/invoices/{invoice.token}").status_code == 404


def test_overdue_invoice_says_so(client, db, contact):
    issued = now_utc().date() - timedelta(days=40)
    invoice = open_invoice(db, contact, issue_date=issued)

    html = open_page(client, invoice)

    assert 'id="invoice-status">Overdue<' in html
    assert 'id="invoice-overdue"' in html


def test_card_payment_pays_invoice(client, db, contact):
    invoice = open_invoice(db, contact)

    response = pay(client, invoice)

    [payment] = payments(db)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/receipts/{payment.token}")
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount == 100000
    assert payment.currency == "EUR"
    assert payment.link_id is None
    assert payment.contact_id == contact.id
    assert payment.order_id != invoice.order_id
    assert payment.order.total == invoice.order.total
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.payment_id == payment.id
    assert invoice.amount_due == 0
    assert payment.receipt_number == "RCT-000001"


def test_card_payment_audited_as_buyer(client, db, contact):
    invoice = open_invoice(db, contact)

    pay(client, invoice)

    row = audit_rows(db, invoice)[-1]
    assert (row.action, row.actor) == ("invoice.paid", "buyer")
    assert (row.from_state, row.to_state) == ("open", "paid")


def test_receipt_names_invoice(client, db, contact):
    invoice = open_invoice(db, contact)
    receipt = pay(client, invoice).headers["Location"]

    html = client.get(receipt).get_data(as_text=True)

    assert 'id="invoice-number">INV-000001<' in html


def test_paid_page_shows_paid(client, db, contact):
    invoice = open_invoice(db, contact)
    pay(client, invoice)

    html = open_page(client, invoice)

    assert 'id="invoice-status">Paid<' in html
    assert 'id="pay-button"' not in html
    assert 'id="view-receipt"' in html


def test_double_submit_pays_once(client, db, contact):
    invoice = open_invoice(db, contact)
    form = {"token": page_token(open_page(client, invoice)), **CARD}

    first = client.post(f"/invoices/{invoice.token}", data=form)
    second = client.post(f"/invoices/{invoice.token}", data=form)

    assert len(payments(db)) == 1
    assert first.status_code == 303
    assert second.status_code in (303, 409)
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID


def test_second_tab_cannot_pay_again(client, db, contact):
    invoice = open_invoice(db, contact)
    first_tab = page_token(open_page(client, invoice))
    second_tab = page_token(open_page(client, invoice))
    client.post(f"/invoices/{invoice.token}", data={"token": first_tab, **CARD})

    response = client.post(
        f"/invoices/{invoice.token}", data={"token": second_tab, **CARD}
    )

    assert response.status_code == 409
    assert "has been paid" in response.get_data(as_text=True)
    assert len(payments(db)) == 1


def test_declined_card_leaves_invoice_open(client, db, contact):
    invoice = open_invoice(db, contact)

    response = pay(client, invoice, card_number="4000 0000 0000 0002")

    assert response.status_code == 402
    assert "Your card was declined." in response.get_data(as_text=True)
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.OPEN
    assert pay(client, invoice).status_code == 303
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID


def test_void_invoice_cannot_be_paid(client, db, contact):
    invoice = open_invoice(db, contact)
    html = open_page(client, invoice)
    void_invoice(db, invoice, actor=STAFF)

    response = client.post(
        f"/invoices/{invoice.token}", data={"token": page_token(html), **CARD}
    )

    assert response.status_code == 409
    assert "has been voided and cannot be paid" in response.get_data(as_text=True)
    assert payments(db) == []


def test_paid_by_hand_invoice_cannot_be_paid(client, db, contact):
    invoice = open_invoice(db, contact, issue_date=LAST_WEEK)
    html = open_page(client, invoice)
    mark_paid_manually(
        db,
        invoice,
        ManualPaymentInput(
            amount=100000,
            currency="EUR",
            paid_on=now_utc().date(),
            method=ManualPaymentMethod.CASH,
        ),
        actor=STAFF,
    )

    response = client.post(
        f"/invoices/{invoice.token}", data={"token": page_token(html), **CARD}
    )

    assert response.status_code == 409
    assert payments(db) == []


def test_uncollectible_invoice_can_still_be_paid(client, db, contact):
    invoice = open_invoice(db, contact)
    mark_uncollectible(db, invoice, actor=STAFF)

    assert 'id="invoice-status">Open<' in open_page(client, invoice)
    assert pay(client, invoice).status_code == 303

    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID


def test_forged_token_rejected(client, db, contact):
    invoice = open_invoice(db, contact)

    response = client.post(
        f"/invoices/{invoice.token}", data={"token": "forged", **CARD}
    )

    assert response.status_code == 400
    assert payments(db) == []


def test_token_of_other_invoice_rejected(client, db, contact):
    invoice = open_invoice(db, contact)
    other = open_invoice(db, contact)

    response = client.post(
        f"/invoices/{invoice.token}",
        data={"token": page_token(open_page(client, other)), **CARD},
    )

    assert response.status_code == 400


def test_invalid_card_shows_field_error(client, db, contact):
    invoice = open_invoice(db, contact)

    response = pay(client, invoice, card_number="1234")

    assert response.status_code == 422
    assert "Enter a valid card number." in response.get_data(as_text=True)
    assert payments(db) == []


def test_authentication_step_pays_invoice(client, db, contact):
    invoice = open_invoice(db, contact)

    response = pay(client, invoice, card_number="4000 0025 0000 3155")
    [payment] = payments(db)
    assert response.headers["Location"].endswith(f"/pay/authenticate/{payment.token}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    approved = client.post(
        f"/pay/authenticate/{payment.token}",
        data={"token": page_token(page), "decision": "approve"},
    )

    assert approved.status_code == 303
    assert approved.headers["Location"].endswith(f"/receipts/{payment.token}")
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID


def test_failed_authentication_returns_to_invoice(client, db, contact):
    invoice = open_invoice(db, contact)
    response = pay(client, invoice, card_number="4000 0025 0000 3155")
    [payment] = payments(db)
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    failed = client.post(
        f"/pay/authenticate/{payment.token}",
        data={"token": page_token(page), "decision": "fail"},
    )

    assert failed.status_code == 402
    assert "could not authenticate" in failed.get_data(as_text=True)
    assert 'id="pay-button"' in failed.get_data(as_text=True)
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.OPEN


def test_bank_debit_pays_invoice_when_settled(app, client, db, contact):
    invoice = open_invoice(db, contact)

    response = pay(
        client,
        invoice,
        method="bank_debit",
        account_holder="Aino Virtanen",
        routing_number="110000000",
        account_number="000123456789",
    )

    [payment] = payments(db)
    assert response.status_code == 303
    assert payment.status is PaymentStatus.PROCESSING
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.OPEN
    html = open_page(client, invoice)
    assert 'id="payment-running"' in html
    assert 'id="pay-button"' not in html

    with app.app_context():
        settle_test_debits(db, get_processor(), now_utc() + timedelta(days=1))

    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.payment_id == payment.id


def test_void_refused_while_debit_processing(client, db, contact):
    invoice = open_invoice(db, contact)
    pay(
        client,
        invoice,
        method="bank_debit",
        account_holder="Aino Virtanen",
        routing_number="110000000",
        account_number="000123456789",
    )

    with pytest.raises(InvoiceStateError, match="bank debit for it is processing"):
        void_invoice(db, invoice, actor=STAFF)


def test_attempt_names_invoice_not_link(client, db, contact):
    invoice = open_invoice(db, contact)

    pay(client, invoice)

    attempt = db.scalars(select(CheckoutAttempt)).one()
    assert attempt.invoice_id == invoice.id
    assert attempt.link_id is None


def test_pdf_has_number_terms_and_amount_due(client, db, contact):
    invoice = open_invoice(db, contact, memo="Work in March", footer="IBAN FI00 1234")

    response = client.get(f"/invoices/{invoice.token}/pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "INV-000001" in text
    assert "Due date" in text
    assert "March 31, 2027" in text
    assert "Net 30 days" in text
    assert "Work in March" in text
    assert "IBAN FI00 1234" in text
    assert "Consulting day" in text
    assert "OPEN" in text
    assert "€1,000.00" in text


def test_failed_debit_offers_invoice_again(app, client, db, contact):
    invoice = open_invoice(db, contact)
    receipt = pay(
        client,
        invoice,
        method="bank_debit",
        account_holder="Aino Virtanen",
        routing_number="110000000",
        account_number="000111111116",
    ).headers["Location"]

    with app.app_context():
        settle_test_debits(db, get_processor(), now_utc() + timedelta(days=1))

    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.OPEN
    html = client.get(receipt).get_data(as_text=True)
    assert f'id="pay-again" href="/invoices/{invoice.token}"' in html
    assert 'id="pay-button"' in open_page(client, invoice)
    [failure_email] = [
        message
        for message in outbox_messages(app)
        if message["Subject"] == "Your payment to Nordlys Studio failed"
    ]
    text = failure_email.get_body(preferencelist=("plain",)).get_content()
    assert f"/invoices/{invoice.token}?lang=en" in text


def outbox_messages(app) -> list[EmailMessage]:
    folder = Path(app.config["KASSA_OUTBOX"])
    parser = BytesParser(policy=policy.default)
    return [
        parser.parsebytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))
    ]


def test_abandoned_authentication_offered_again(client, db, contact):
    invoice = open_invoice(db, contact)
    pay(client, invoice, card_number="4000 0025 0000 3155")
    [payment] = payments(db)

    html = open_page(client, invoice)

    assert 'id="pay-button"' not in html
    assert f'href="/pay/authenticate/{payment.token}"' in html


def test_page_and_pdf_show_the_buyers_tax_id(client, db, contact):
    contact.tax_id = "FI12345678"
    db.commit()
    invoice = open_invoice(db, contact)

    html = open_page(client, invoice)
    text = pdf_text(client.get(f"/invoices/{invoice.token}/pdf").data)

    assert "Tax ID: FI12345678" in html
    assert "FI12345678" in text
    assert invoice.order.billing.tax_id == "FI12345678"
