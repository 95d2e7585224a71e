import logging
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from portal.notifications import send_message, send_payment_confirmations
from tests.documents import builders

RECEIPT_URL = "http://127.0.0.1:5000/receipts/receipt-token"
MAILER_LOGGER = "portal.notifications.mailer"


def read_outbox(outbox) -> list[EmailMessage]:
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(outbox.iterdir())]


def test_confirmations_written_as_eml_files(mail_app, outbox):
    with mail_app():
        send_payment_confirmations(
            builders.card_payment(), builders.business(), RECEIPT_URL
        )

    files = sorted(outbox.iterdir())
    assert len(files) == 2
    for path in files:
        assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{8}\.eml", path.name)
    subjects = sorted(str(message["Subject"]) for message in read_outbox(outbox))
    assert subjects == [
        "New payment: €269.10 from aino@example.com",
        "Receipt from Nordlys Studio Oy #RCT-000042",
    ]


def test_outbox_message_keeps_attachments(mail_app, outbox):
    with mail_app():
        send_payment_confirmations(
            builders.card_payment(), builders.business(), RECEIPT_URL
        )

    [buyer] = [m for m in read_outbox(outbox) if m["To"] == "aino@example.com"]
    attachments = list(buyer.iter_attachments())
    assert len(attachments) == 2
    assert all(part.get_content().startswith(b"%PDF-") for part in attachments)


def test_outbox_write_is_logged_with_file_name(mail_app, outbox, caplog):
    message = EmailMessage()
    message["To"] = "someone@example.com"
    message["Subject"] = "Hello"
    message.set_content("Hello")

    with caplog.at_level(logging.INFO, logger=MAILER_LOGGER), mail_app():
        send_message(message)

    [path] = outbox.iterdir()
    records = [r for r in caplog.records if r.name == MAILER_LOGGER]
    assert [r.msg for r in records] == ["email written to outbox file %s"]
    assert path.name in records[0].getMessage()


def test_send_message_fills_missing_headers(mail_app, outbox):
    message = EmailMessage()
    message["To"] = "someone@example.com"
    message["Subject"] = "Hello"
    message.set_content("Hello")

    with mail_app():
        send_message(message)

    [stored] = read_outbox(outbox)
    assert stored["From"] == "kassa@nordlys.example"
    assert stored["Date"] is not None
    assert stored["Message-ID"].endswith("@nordlys.example>")
    assert stored.get_content().strip() == "Hello"
