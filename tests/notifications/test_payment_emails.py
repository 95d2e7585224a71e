from email.message import EmailMessage

import pytest

from portal.notifications import MailDeliveryError, send_payment_confirmations
from tests.documents import builders
from tests.fixtures.smtp import running_smtp_server

RECEIPT_URL = "http://127.0.0.1:5000/receipts/receipt-token"
FULL_CARD_NUMBER = "4242424242424242"


def send_and_collect(mail_app, smtp_server, payment, locale="en"):
    with mail_app(smtp_server.url):
        send_payment_confirmations(payment, builders.business(), RECEIPT_URL, locale)
    return smtp_server.messages


def body_text(message: EmailMessage, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def pdf_attachments(message: EmailMessage) -> list[EmailMessage]:
    return [
        part
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


def all_text(message: EmailMessage) -> str:
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def test_two_messages_reach_buyer_and_merchant(mail_app, smtp_server):
    received = send_and_collect(mail_app, smtp_server, builders.card_payment())

    assert len(received) == 2
    buyer, merchant = received
    assert buyer.recipients == ["aino@example.com"]
    assert merchant.recipients == ["sales@nordlys.example"]
    assert buyer.sender == "kassa@nordlys.example"


def test_buyer_receipt_subject_and_headers(mail_app, smtp_server):
    buyer = send_and_collect(mail_app, smtp_server, builders.card_payment())[0]

    message = buyer.message
    assert message["Subject"] == "Receipt from Nordlys Studio Oy #RCT-000042"
    assert message["To"] == "aino@example.com"
    assert message["Reply-To"] == "sales@nordlys.example"
    assert message["From"] == "Nordlys Studio Oy <kassa@nordlys.example>"
    assert message["Message-ID"].endswith("@nordlys.example>")
    assert message["Date"] is not None


def test_buyer_receipt_text_and_html(mail_app, smtp_server):
    message = send_and_collect(mail_app, smtp_server, builders.card_payment())[
        0
    ].message

    text = body_text(message, "plain")
    html = body_text(message, "html")
    for body in (text, html):
        assert "€269.10" in body
        assert "Workshop kit" in body
        assert "Glaze set: sävy yö" in body
        assert "Shipping" in body
        assert "Visa ending in 4242" in body
        assert "RCT-000042" in body
        assert "INV-000123" in body
        assert RECEIPT_URL in body
    assert f'href="{RECEIPT_URL}"' in html


def test_buyer_receipt_attaches_both_pdfs(mail_app, smtp_server):
    message = send_and_collect(mail_app, smtp_server, builders.card_payment())[
        0
    ].message

    attachments = pdf_attachments(message)

    assert [part.get_filename() for part in attachments] == [
        "receipt-RCT-000042.pdf",
        "invoice-INV-000123.pdf",
    ]
    for part in attachments:
        assert part.get_content().startswith(b"%PDF-")


def test_payment_without_invoice_attaches_receipt_only(mail_app, smtp_server):
    payment = builders.card_payment()
    payment.invoice = None

    message = send_and_collect(mail_app, smtp_server, payment)[0].message

    assert [part.get_filename() for part in pdf_attachments(message)] == [
        "receipt-RCT-000042.pdf"
    ]


def test_merchant_note_summarises_payment(mail_app, smtp_server):
    merchant = send_and_collect(mail_app, smtp_server, builders.card_payment())[1]

    message = merchant.message
    text = body_text(message, "plain")
    assert message["Subject"] == "New payment: €269.10 from aino@example.com"
    assert message["Reply-To"] == "aino@example.com"
    assert "Aino Virtanen" in text
    assert "Workshop kit" in text
    assert "Visa ending in 4242" in text
    assert "T-shirt size: M" in text
    assert RECEIPT_URL in text
    assert pdf_attachments(message) == []


def test_no_message_contains_full_card_number(mail_app, smtp_server):
    received = send_and_collect(mail_app, smtp_server, builders.card_payment())

    for item in received:
        text = all_text(item.message)
        assert FULL_CARD_NUMBER not in text.replace(" ", "")
        assert "4242" in text


def test_processing_debit_sends_note_without_pdf(mail_app, smtp_server):
    buyer, merchant = send_and_collect(
        mail_app, smtp_server, builders.processing_debit()
    )

    text = body_text(buyer.message, "plain")
    assert buyer.message["Subject"] == "Your payment to Nordlys Studio Oy is processing"
    assert "is processing" in text
    assert "Bank debit ending in 6789" in text
    assert "€269.10" in text
    assert pdf_attachments(buyer.message) == []
    assert merchant.message["Subject"] == (
        "Payment processing: €269.10 from aino@example.com"
    )


def test_buyer_email_in_finnish_merchant_in_english(mail_app, smtp_server):
    buyer, merchant = send_and_collect(
        mail_app, smtp_server, builders.card_payment(), locale="fi"
    )

    buyer_text = body_text(buyer.message, "plain").replace("\xa0", " ")
    merchant_text = body_text(merchant.message, "plain").replace("\xa0", " ")
    assert "269,10 €" in buyer_text
    assert "Visa, loppunumerot 4242" in buyer_text
    assert "€269.10" in merchant_text
    assert "Visa ending in 4242" in merchant_text


def test_merchant_note_sent_when_buyer_rejected(mail_app):
    rejecting = running_smtp_server(rejected_recipients=["aino@example.com"])

    with (
        rejecting as server,
        mail_app(server.url),
        pytest.raises(MailDeliveryError, match=r"127\.0\.0\.1"),
    ):
        send_payment_confirmations(
            builders.card_payment(), builders.business(), RECEIPT_URL
        )

    [merchant] = server.messages
    assert merchant.recipients == ["sales@nordlys.example"]
    assert merchant.message["Subject"].startswith("New payment:")
