"""Suppressed emails: nothing is built or sent inside the block, and only there."""

import logging
import threading
from email.message import EmailMessage

from portal.notifications import send_message, send_payment_confirmations
from portal.notifications.suppression import emails_suppressed
from tests.documents import builders

RECEIPT_URL = "http://127.0.0.1:5000/receipts/receipt-token"


def message_to(address: str) -> EmailMessage:
    message = EmailMessage()
    message["To"] = address
    message["Subject"] = "Hello"
    message.set_content("Hello.")
    return message


def test_suppressed_confirmations_write_no_outbox_file(mail_app, outbox, caplog):
    caplog.set_level(logging.INFO, logger="portal.notifications.suppression")

    with mail_app(), emails_suppressed():
        send_payment_confirmations(
            builders.card_payment(), builders.business(), RECEIPT_URL
        )

    assert not outbox.exists()
    assert "payment confirmation email for" in caplog.text


def test_suppressed_message_skips_smtp(mail_app, smtp_server):
    with mail_app(smtp_server.url), emails_suppressed():
        send_message(message_to("someone@example.com"))

    assert smtp_server.messages == []


def test_messages_sent_again_after_block(mail_app, outbox):
    with mail_app():
        with emails_suppressed():
            send_message(message_to("first@example.com"))
        send_message(message_to("second@example.com"))

    assert len(list(outbox.iterdir())) == 1


def test_suppression_holds_in_own_thread_only(mail_app, outbox):
    with mail_app() as app, emails_suppressed():

        def send_from_other_thread() -> None:
            with app.app_context():
                send_message(message_to("other@example.com"))

        thread = threading.Thread(target=send_from_other_thread)
        thread.start()
        thread.join(timeout=10)
        send_message(message_to("same@example.com"))

    [path] = outbox.iterdir()
    assert "other@example.com" in path.read_text()
