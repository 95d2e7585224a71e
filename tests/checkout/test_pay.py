import logging
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import (
    AuditEvent,
    Contact,
    Discount,
    Invoice,
    InvoiceStatus,
    PaymentMethodKind,
    PaymentStatus,
)
from tests.checkout.conftest import (
    checkout_token,
    kit_form,
    open_checkout,
    payments,
    text_of,
)


def pay(client, **overrides):
    html, token = open_checkout(client, "workshop-kit")
    return client.post("/pay/workshop-kit", data=kit_form(html, token, **overrides))


def invoices(db) -> list[Invoice]:
    db.expire_all()
    return list(db.scalars(select(Invoice).order_by(Invoice.id)))


def test_card_payment_lands_on_receipt(client, db, kit_link):
    response = pay(client)

    assert response.status_code == 303
    receipt = client.get(response.headers["Location"])
    html = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    assert text_of(html, "receipt-number") == "RCT-000001"
    assert text_of(html, "invoice-number") == "INV-000001"
    assert text_of(html, "payment-method") == "Visa ending in 4242"
    assert text_of(html, "amount-paid") == "€281.91"
    assert "See you at the workshop." in html
    assert "receipt.pdf" in html
    assert "invoice.pdf" in html


def test_card_payment_records_payment_contact_and_invoice(client, db, kit_link):
    pay(client, **{"discount_code": "TEN", "custom-attendees": "3"})

    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount == 25435
    assert payment.currency == "EUR"
    assert payment.card_brand == "visa"
    assert payment.card_last4 == "4242"
    assert payment.link_id == kit_link.id
    assert payment.contact.email == "aino@example.com"
    assert payment.contact.name == "Aino Virtanen"
    assert payment.order.tax_total == 1440
    assert payment.order.custom_fields == {"T-shirt size": "M", "Attendees": "3"}
    [invoice] = invoices(db)
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.number == "INV-000001"
    assert invoice.payment_id == payment.id
    assert invoice.contact_id == payment.contact_id
    assert invoice.link_id == kit_link.id
    assert invoice.total == 25435
    discount = db.scalars(select(Discount).where(Discount.code == "TEN")).one()
    assert discount.times_redeemed == 1


def test_second_payment_updates_contact(client, db, kit_link):
    pay(client)
    pay(client, email="aino@example.com", name="Aino V.", phone="+358 40 123 4567")

    contacts = list(db.scalars(select(Contact)))
    assert len(contacts) == 1
    assert contacts[0].name == "Aino V."
    assert contacts[0].phone == "+358 40 123 4567"
    assert [invoice.number for invoice in invoices(db)] == ["INV-000001", "INV-000002"]


def test_card_number_is_never_stored(client, db, kit_link):
    pay(client)

    [payment] = payments(db)
    stored = [str(value) for value in payment.__dict__.values()]
    stored += [str(event.details) for event in db.scalars(select(AuditEvent))]
    stored += [str(payment.order.custom_fields)]
    assert not any("4242424242424242" in value for value in stored)


def test_payment_writes_audit_rows(client, db, kit_link):
    pay(client)

    events = list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [(event.action, event.to_state) for event in events] == [
        ("payment.created", "succeeded"),
        ("invoice.paid", "paid"),
    ]
    assert events[0].client_address == "127.0.0.1"
    assert events[0].actor == "buyer"


DECLINES = [
    ("4000 0000 0000 0002", "Your card was declined.", "card_number"),
    ("4000 0000 0000 9995", "Your card has insufficient funds.", "card_number"),
    ("4000 0000 0000 0069", "Your card has expired.", "card_expiry"),
    ("4000 0000 0000 0127", "The security code (CVC) is incorrect.", "card_cvc"),
    ("4000 0000 0000 0119", "An error occurred while processing", "card_number"),
]


@pytest.mark.parametrize(("card", "message", "field"), DECLINES)
def test_declined_card_keeps_form_and_pays_nothing(
    client, db, kit_link, card, message, field
):
    response = pay(client, card_number=card, phone="+358 40 555 0101")

    html = response.get_data(as_text=True)
    assert response.status_code == 402
    assert message in text_of(html, "checkout-message")
    assert f'aria-describedby="{field}-error"' in html
    assert 'value="Aino@Example.com"' in html or 'value="aino@example.com"' in html
    assert 'value="Aino Virtanen"' in html
    assert 'value="+358 40 555 0101"' in html
    assert "<option selected>M</option>" in html
    assert card.replace(" ", "") not in html
    assert card not in html
    assert 'value="123"' not in html
    assert invoices(db) == []
    [payment] = payments(db)
    assert payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD


def test_retry_after_decline_succeeds(client, db, kit_link):
    declined = pay(client, card_number="4000000000000002")
    html = declined.get_data(as_text=True)

    form = kit_form(html, checkout_token(html))
    response = client.post("/pay/workshop-kit", data=form)

    assert response.status_code == 303
    assert [p.status for p in payments(db)] == [
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        PaymentStatus.SUCCEEDED,
    ]


def test_unknown_card_asks_for_test_card(client, db, kit_link):
    response = pay(client, card_number="4111 1111 1111 1111")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "use a test card such as 4242 4242 4242 4242" in html
    assert payments(db) == []


def authenticate(client, response, decision):
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Authenticate your payment" in html
    return client.post(
        response.headers["Location"],
        data={"token": checkout_token(html), "decision": decision},
    )


def test_authentication_approved_settles_payment(client, db, kit_link):
    response = pay(client, card_number="4000 0025 0000 3155")
    assert "/pay/authenticate/" in response.headers["Location"]
    assert payments(db)[0].status is PaymentStatus.REQUIRES_ACTION
    assert invoices(db) == []

    approved = authenticate(client, response, "approve")

    assert approved.status_code == 303
    assert "/receipts/" in approved.headers["Location"]
    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.receipt_number == "RCT-000001"
    assert len(invoices(db)) == 1


def test_authentication_failed_returns_to_form(client, db, kit_link):
    response = pay(client, card_number="4000 0025 0000 3155")

    failed = authenticate(client, response, "fail")

    html = failed.get_data(as_text=True)
    assert failed.status_code == 402
    assert "could not authenticate" in html
    assert 'value="Aino Virtanen"' in html
    assert payments(db)[0].status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert invoices(db) == []


@pytest.mark.parametrize("decision", ["maybe", ""])
def test_authentication_needs_a_decision(client, db, kit_link, decision):
    response = pay(client, card_number="4000 0025 0000 3155")

    answer = authenticate(client, response, decision)

    assert answer.status_code == 400
    assert payments(db)[0].status is PaymentStatus.REQUIRES_ACTION


def test_authentication_page_of_paid_payment_redirects(client, db, kit_link):
    response = pay(client, card_number="4000 0025 0000 3155")
    authenticate(client, response, "approve")

    again = client.get(response.headers["Location"])

    assert again.status_code == 303
    assert "/receipts/" in again.headers["Location"]


def test_authentication_page_of_failed_payment_shows_the_form(client, db, kit_link):
    response = pay(client, card_number="4000 0025 0000 3155")
    authenticate(client, response, "fail")

    again = client.get(response.headers["Location"])

    html = again.get_data(as_text=True)
    assert again.status_code == 402
    assert "could not authenticate" in html
    assert 'value="Aino Virtanen"' in html
    assert 'action="/pay/workshop-kit"' in html


BANK = {
    "method": "bank_debit",
    "routing_number": "110000000",
    "account_number": "000123456789",
    "account_holder": "Aino Virtanen",
}


@pytest.mark.parametrize(
    ("routing_number", "account_number", "field"),
    [
        ("110000001", "000123456789", "routing_number"),
        ("110000000", "0001", "account_number"),
    ],
)
def test_unknown_bank_details_are_shown_at_their_field(
    client, db, kit_link, routing_number, account_number, field
):
    response = pay(
        client,
        **{**BANK, "routing_number": routing_number, "account_number": account_number},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This is test mode" in html
    assert f'aria-describedby="{field}-error"' in html
    assert payments(db) == []


def test_bank_debit_stays_processing_until_settled(app, client, db, kit_link):
    response = pay(client, **BANK)

    receipt = client.get(response.headers["Location"])
    html = receipt.get_data(as_text=True)
    assert text_of(html, "payment-state") == "Processing"
    assert "receipt.pdf" not in html
    [payment] = payments(db)
    assert payment.status is PaymentStatus.PROCESSING
    assert payment.method is PaymentMethodKind.BANK_DEBIT
    assert payment.bank_last4 == "6789"
    assert invoices(db) == []

    result = app.test_cli_runner().invoke(
        args=["payments", "settle-test-debits", "--all"]
    )

    assert result.exit_code == 0, result.output
    assert "Settled 1 test debit: 1 paid, 0 failed." in result.output
    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert len(invoices(db)) == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text_of(html, "payment-state") == "Paid"


def test_bank_debit_not_yet_due_is_left_processing(app, client, db, kit_link):
    pay(client, **BANK)

    result = app.test_cli_runner().invoke(args=["payments", "settle-test-debits"])

    assert "No test debits were due" in result.output
    assert payments(db)[0].status is PaymentStatus.PROCESSING


def test_failing_bank_debit_fails_on_settlement(app, client, db, kit_link):
    pay(client, **{**BANK, "account_number": "000111111116"})

    app.test_cli_runner().invoke(args=["payments", "settle-test-debits", "--all"])

    [payment] = payments(db)
    assert payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert "bank debit failed" in payment.failure_message
    assert invoices(db) == []


def test_failed_bank_debit_notice(app, client, db, kit_link):
    response = pay(client, **{**BANK, "account_number": "000111111116"})
    outbox = Path(app.config["KASSA_OUTBOX"])
    before = set(outbox.glob("*.eml"))

    app.test_cli_runner().invoke(args=["payments", "settle-test-debits", "--all"])

    messages = [
        BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for path in sorted(set(outbox.glob("*.eml")) - before)
    ]
    subjects = {message["To"]: message["Subject"] for message in messages}
    # The buyer typed Aino@Example.com. The emails go to that address as submitted,
    # with only the domain in lower case.
    assert subjects == {
        "Aino@example.com": "Your payment to Nordlys Studio failed",
        "sales@nordlys.example": "Payment failed: €281.91 from Aino@example.com",
    }
    [buyer] = [m for m in messages if m["To"] == "Aino@example.com"]
    buyer_text = buyer.get_body(("plain",)).get_content()
    assert "nothing was taken from your account" in buyer_text
    assert "/pay/workshop-kit?lang=en" in buyer_text
    assert "The bank debit failed." not in buyer_text
    [merchant] = [m for m in messages if m["To"] == "sales@nordlys.example"]
    merchant_text = merchant.get_body(("plain",)).get_content()
    assert "failed. Nothing was paid." in merchant_text
    assert "The bank debit failed." not in merchant_text
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text_of(html, "payment-state") == "Failed"
    assert "The bank debit failed." in html
    assert 'id="pay-again" href="/pay/workshop-kit"' in html
    assert "receipt.pdf" not in html
    receipt_pdf = client.get(response.headers["Location"] + "/receipt.pdf")
    assert receipt_pdf.status_code == 404


def test_full_discount_completes_without_card(client, db, kit_link):
    kit_link.fees.clear()
    db.commit()

    response = pay(
        client, discount_code="FREE", card_number="", card_expiry="", card_cvc=""
    )

    assert response.status_code == 303
    [payment] = payments(db)
    assert payment.amount == 0
    assert payment.method is PaymentMethodKind.NONE
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.processor_ref is None
    assert invoices(db)[0].status is InvoiceStatus.PAID


def test_yen_payment_sends_whole_yen(client, db, yen_link):
    _html, token = open_checkout(client, "tokyo-print")

    response = client.post(
        "/pay/tokyo-print",
        data={"action": "pay", "token": token, "email": "k@example.jp", **VALID},
    )

    assert response.status_code == 303
    [payment] = payments(db)
    assert payment.amount == 80
    from portal.models import TestModeIntent

    intent = db.get(TestModeIntent, payment.processor_ref)
    assert intent.amount == 80
    assert intent.currency == "JPY"


VALID = {
    "method": "card",
    "card_number": "4242424242424242",
    "card_expiry": "12/40",
    "card_cvc": "123",
}


def test_card_number_never_reaches_the_log(client, kit_link, caplog):
    caplog.set_level(logging.DEBUG)
    pay(client)
    html, token = open_checkout(client, "workshop-kit")
    client.post(
        "/pay/workshop-kit",
        data=kit_form(html, token, card_number="4000 0000 0000 0002"),
    )

    logged = caplog.text.replace(" ", "")
    assert caplog.records
    assert "4242424242424242" not in logged
    assert "4000000000000002" not in logged


def test_email_to_international_domain_is_sent_in_ascii(app, client, db, kit_link):
    response = pay(client, email="aino@ääkköset.fi")

    assert response.status_code == 303
    outbox = Path(app.config["KASSA_OUTBOX"])
    messages = [
        BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for path in outbox.glob("*.eml")
    ]
    recipients = sorted(str(message["To"]) for message in messages)
    assert recipients == ["aino@xn--kkset-fraa0m.fi", "sales@nordlys.example"]
    [merchant] = [m for m in messages if m["To"] == "sales@nordlys.example"]
    assert merchant["Reply-To"] == "aino@xn--kkset-fraa0m.fi"
