"""Emails name the buyer by the details submitted with the order."""

from dataclasses import replace

from portal.models import BillingDetails
from portal.notifications import send_payment_confirmations
from tests.documents import builders
from tests.notifications.test_payment_emails import RECEIPT_URL, body_text

PHONE = "+358 40 123 4567"


def merchant_message(mail_app, smtp_server, payment):
    with mail_app(smtp_server.url):
        send_payment_confirmations(payment, builders.business(), RECEIPT_URL)
    [_buyer, merchant] = smtp_server.messages
    return merchant.message


def test_merchant_text_shows_phone_and_address(mail_app, smtp_server):
    payment = builders.card_payment()
    payment.order.billing = replace(payment.order.billing, phone=PHONE)

    text = body_text(merchant_message(mail_app, smtp_server, payment), "plain")

    assert "Email: aino@example.com" in text
    assert f"Phone: {PHONE}" in text
    assert "Billing address: Aleksanterinkatu 5 B 12, 00170 Helsinki, Finland" in text


def test_merchant_html_shows_phone_and_address(mail_app, smtp_server):
    payment = builders.card_payment()
    payment.order.billing = replace(payment.order.billing, phone=PHONE)

    html = body_text(merchant_message(mail_app, smtp_server, payment), "html")

    assert 'href="mailto:aino@example.com"' in html
    assert f">{PHONE}<" in html
    assert "Aleksanterinkatu 5 B 12<br>00170 Helsinki<br>Finland" in html


def test_merchant_note_without_phone_or_address(mail_app, smtp_server):
    payment = builders.card_payment()
    payment.order.billing = BillingDetails(email="aino@example.com")

    message = merchant_message(mail_app, smtp_server, payment)

    for subtype in ("plain", "html"):
        body = body_text(message, subtype)
        assert "aino@example.com" in body
        assert "Phone" not in body
        assert "Billing address" not in body


def test_emails_use_order_details_not_contact(mail_app, smtp_server):
    payment = builders.card_payment()
    payment.contact.email = "someone.else@example.com"
    payment.contact.name = "Someone Else"
    payment.contact.city = "Stockholm"

    with mail_app(smtp_server.url):
        send_payment_confirmations(payment, builders.business(), RECEIPT_URL)

    buyer, merchant = smtp_server.messages
    assert buyer.recipients == ["aino@example.com"]
    assert merchant.message["Reply-To"] == "aino@example.com"
    assert merchant.message["Subject"] == ("New payment: €269.10 from aino@example.com")
    text = body_text(merchant.message, "plain")
    assert "from Aino Virtanen" in text
    assert "Someone Else" not in text
    assert "Stockholm" not in text
