"""Receipt settings in the buyer's receipt email; the merchant's note ignores them."""

from dataclasses import replace

from portal.notifications import send_payment_confirmations
from tests.documents import builders
from tests.documents.pdf_text import pdf_text

RECEIPT_URL = "http://127.0.0.1:5000/receipts/receipt-token"

ALL_SHOWN = {
    "receipt_show_business_address": True,
    "receipt_show_tax_id": True,
    "receipt_show_payment_method": True,
    "receipt_show_custom_fields": True,
    "receipt_show_buyer_phone": True,
    "receipt_show_buyer_address": True,
    "receipt_footer": "Returns within 30 days.",
}
NONE_SHOWN = {
    "receipt_show_business_address": False,
    "receipt_show_tax_id": False,
    "receipt_show_payment_method": False,
    "receipt_show_custom_fields": False,
    "receipt_show_buyer_phone": False,
    "receipt_show_buyer_address": False,
    "receipt_footer": None,
}
FACTS = {
    "business address": "Mannerheimintie 12",
    "tax ID": "FI12345678",
    "payment method": "Visa ending in 4242",
    "custom field": "Dietary needs",
    "buyer phone": "+358 40 765 4321",
    "buyer address": "Aleksanterinkatu 5 B 12",
    "footer": "Returns within 30 days.",
}


def payment_with_phone():
    payment = builders.card_payment()
    payment.order.billing = replace(payment.order.billing, phone="+358 40 765 4321")
    return payment


def send(mail_app, smtp_server, settings, **business_fields):
    business = builders.business(**settings, **business_fields)
    with mail_app(smtp_server.url):
        send_payment_confirmations(payment_with_phone(), business, RECEIPT_URL)
    buyer, merchant = smtp_server.messages
    return buyer.message, merchant.message


def text_of(message) -> str:
    return "\n".join(
        part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )


def receipt_pdf_text(message) -> str:
    receipt = next(
        part
        for part in message.iter_attachments()
        if part.get_filename().startswith("receipt-")
    )
    return pdf_text(receipt.get_content())


def test_buyer_email_shows_every_fact(mail_app, smtp_server):
    buyer, _merchant = send(mail_app, smtp_server, ALL_SHOWN)

    text = text_of(buyer)
    for fact, shown in FACTS.items():
        assert text.count(shown) == 2, fact  # once in plain text, once in HTML


def test_buyer_email_hides_every_fact(mail_app, smtp_server):
    buyer, _merchant = send(mail_app, smtp_server, NONE_SHOWN)

    text = text_of(buyer)
    for fact, shown in FACTS.items():
        assert shown not in text, fact


def test_attached_pdf_follows_settings(mail_app, smtp_server):
    buyer, _merchant = send(mail_app, smtp_server, NONE_SHOWN)

    text = receipt_pdf_text(buyer)
    for fact, shown in FACTS.items():
        assert shown not in text, fact


def test_merchant_note_keeps_payment_method(mail_app, smtp_server):
    _buyer, merchant = send(mail_app, smtp_server, NONE_SHOWN)

    assert "Visa ending in 4242" in text_of(merchant)


def test_buyer_email_shows_logo_and_colour(mail_app, smtp_server):
    buyer, merchant = send(
        mail_app, smtp_server, NONE_SHOWN, logo_url="img/demo-logo.svg"
    )

    html = buyer.get_body(preferencelist=("html",)).get_content()
    assert '<img src="http://127.0.0.1:5000/static/img/demo-logo.svg"' in html
    assert "background:#2f6f4f" in html
    merchant_html = merchant.get_body(preferencelist=("html",)).get_content()
    assert "<img" not in merchant_html


def test_absolute_logo_url_kept(mail_app, smtp_server):
    buyer, _merchant = send(
        mail_app,
        smtp_server,
        NONE_SHOWN,
        logo_url="https://cdn.nordlys.example/logo.png",
    )

    html = buyer.get_body(preferencelist=("html",)).get_content()
    assert '<img src="https://cdn.nordlys.example/logo.png"' in html
