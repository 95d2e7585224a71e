"""Emails about a bank debit that failed after it was processing."""

import pytest

from portal.models import PaymentLink, PaymentStatus
from portal.notifications import send_payment_confirmations
from tests.documents import builders
from tests.notifications.test_payment_emails import RECEIPT_URL, body_text

# What the test-mode processor stores: written for the buyer, in their language.
FAILURE_MESSAGE = "The bank debit failed. Pay with a card or another account."
FAILED = (
    "Your bank debit of €269.10 to Nordlys Studio Oy failed, and nothing was "
    "taken from your account."
)
PAY_AGAIN_URL = "http://127.0.0.1:5000/pay/workshop-kit?lang="


def failed_debit():
    payment = builders.processing_debit()
    payment.status = PaymentStatus.REQUIRES_PAYMENT_METHOD
    payment.failure_message = FAILURE_MESSAGE
    payment.link = PaymentLink(slug="workshop-kit", title="Workshop kit")
    return payment


@pytest.fixture
def received(mail_app, smtp_server):
    """Send the emails of a failed debit and return them as (buyer, merchant)."""

    def send(locale: str = "en"):
        with mail_app(smtp_server.url):
            send_payment_confirmations(
                failed_debit(), builders.business(), RECEIPT_URL, locale
            )
        buyer, merchant = smtp_server.messages
        return buyer.message, merchant.message

    return send


def test_merchant_note_leaves_out_buyer_message(received):
    _buyer, merchant = received()

    assert merchant["Subject"] == "Payment failed: €269.10 from aino@example.com"
    for subtype in ("plain", "html"):
        body = body_text(merchant, subtype)
        assert "A bank debit of €269.10 from Aino Virtanen failed." in body
        assert "The bank debit failed." not in body
        assert "another account" not in body


def test_buyer_note_says_failure_once(received):
    buyer, _merchant = received()

    for subtype in ("plain", "html"):
        body = body_text(buyer, subtype)
        assert body.count(FAILED) == 1
        assert "The bank debit failed." not in body
        assert "another account" not in body
        assert "Pay again" in body


def test_buyer_pay_again_link_keeps_language(received):
    buyer, _merchant = received()

    assert f"Pay again: {PAY_AGAIN_URL}en" in body_text(buyer, "plain").splitlines()
    assert f'href="{PAY_AGAIN_URL}en"' in body_text(buyer, "html")


def test_finnish_buyer_pay_again_link_is_finnish(received):
    buyer, merchant = received("fi")

    lines = body_text(buyer, "plain").splitlines()
    assert [line for line in lines if PAY_AGAIN_URL in line] == [
        f"Maksa uudelleen: {PAY_AGAIN_URL}fi"
    ]
    assert f'href="{PAY_AGAIN_URL}fi"' in body_text(buyer, "html")
    assert "?lang=" not in body_text(merchant, "plain")
