"""The invoice email: sent once, with the hosted page link and the PDF."""

import pytest

from portal.invoices.delivery import send_and_email
from portal.models import InvoiceStatus
from tests.documents.pdf_text import pdf_text
from tests.invoices.conftest import STAFF, new_draft


@pytest.fixture
def smtp_app(app, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    app.config["KASSA_PUBLIC_URL"] = "https://pay.nordlys.example"
    return app


def send(app, db, invoice) -> bool:
    with app.app_context():
        return send_and_email(db, invoice, actor=STAFF)


def test_sent_invoice_emailed_to_buyer(smtp_app, smtp_server, db, contact):
    invoice = new_draft(db, contact, memo="Thanks for the March work.")

    emailed = send(smtp_app, db, invoice)

    assert emailed is True
    [received] = smtp_server.messages
    assert received.recipients == ["aino@example.com"]
    message = received.message
    assert message["Subject"] == "Invoice INV-000001 from Nordlys Studio"
    assert message["Reply-To"] == "sales@nordlys.example"


def test_email_links_hosted_page(smtp_app, smtp_server, db, contact):
    invoice = new_draft(db, contact)

    send(smtp_app, db, invoice)

    message = smtp_server.messages[0].message
    link = f"https://pay.nordlys.example/invoices/{invoice.token}?lang=en"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert link in text
    assert link.replace("&", "&amp;") in html
    assert "€1,000.00" in text
    assert "March 31, 2027" in text


def test_email_attaches_invoice_pdf(smtp_app, smtp_server, db, contact):
    invoice = new_draft(db, contact)

    send(smtp_app, db, invoice)

    message = smtp_server.messages[0].message
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "invoice-INV-000001.pdf"
    text = pdf_text(attachment.get_content())
    assert "INV-000001" in text
    assert "Aino Virtanen" in text
    assert "Consulting day" in text
    assert "€1,000.00" in text


def test_second_send_sends_no_second_email(smtp_app, smtp_server, db, contact):
    invoice = new_draft(db, contact)

    send(smtp_app, db, invoice)
    send(smtp_app, db, invoice)

    assert len(smtp_server.messages) == 1


def test_failed_email_leaves_invoice_open(app, db, contact):
    app.config["KASSA_SMTP_URL"] = "smtp://127.0.0.1:9?timeout=2"
    invoice = new_draft(db, contact)

    emailed = send(app, db, invoice)

    assert emailed is False
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.number == "INV-000001"
