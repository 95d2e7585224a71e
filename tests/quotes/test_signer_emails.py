"""Emails to the next signer and the signed copy, through a real SMTP server."""

from portal.quotes.signing import SignatureInput, decline, show_terms, sign
from tests.fixtures.staff import make_staff
from tests.quotes.published import publish_quote, signer_path
from tests.quotes.test_paying import sign_all


def sign_as_buyer(app, db, signer) -> None:
    with app.test_request_context():
        show_terms(db, signer, client_address="127.0.0.1")
        sign(
            db,
            signer,
            SignatureInput(
                typed_name=signer.name,
                consented=True,
                client_address="127.0.0.1",
                user_agent="pytest",
            ),
        )


def test_next_buyer_gets_their_link(app, db, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    quote = publish_quote(
        db,
        buyers=(
            ("Aino Virtanen", "aino@example.com"),
            ("Eero Laine", "eero@example.com"),
        ),
    )

    sign_as_buyer(app, db, quote.buyers[0])

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.recipients == ["eero@example.com"]
    message = received.message
    assert "ready for your signature" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert signer_path(quote, quote.buyers[1]) in body
    assert quote.buyers[0].token not in body


def test_countersigner_emailed_after_buyers(app, db, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    quote = publish_quote(db, countersigners=("Sara Sales",))
    countersigner = quote.countersigners[0]

    sign_as_buyer(app, db, quote.buyers[0])

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.recipients == [countersigner.email]
    assert received.message["Subject"].startswith("Countersign quote")
    body = received.message.get_body(("plain",)).get_content()
    assert f"/merchant/quotes/{quote.id}" in body


def test_buyers_get_signed_copy(app, db, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    quote = publish_quote(db, countersigners=("Sara Sales",))

    sign_all(app, db, quote)

    accepted = [
        received
        for received in smtp_server.messages
        if "is accepted" in received.message["Subject"]
    ]
    assert len(accepted) == 1
    assert accepted[0].recipients == ["aino@example.com"]
    attachments = list(accepted[0].message.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/pdf"
    db.expire_all()
    assert attachments[0].get_content() == quote.signed_pdf


def decline_as_buyer(app, db, signer, reason: str) -> None:
    with app.test_request_context():
        show_terms(db, signer, client_address="127.0.0.1")
        decline(db, signer, reason, client_address="127.0.0.1", user_agent="pytest")


def test_staff_emailed_when_declined(app, db, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    app.config["KASSA_PUBLIC_URL"] = "https://pay.nordlys.example"
    quote = publish_quote(db)
    creator = make_staff(db, role="sales", email="sara@nordlys.example")
    quote.created_by = f"staff:{creator.id}"
    db.commit()

    decline_as_buyer(app, db, quote.buyers[0], "The budget was cut.")

    recipients = sorted(
        recipient
        for received in smtp_server.messages
        for recipient in received.recipients
    )
    assert recipients == ["sales@nordlys.example", "sara@nordlys.example"]
    message = smtp_server.messages[0].message
    assert message["Subject"] == f"Quote {quote.number} was declined by Aino Virtanen"
    assert message["Reply-To"] == "aino@example.com"
    text = message.get_body(("plain",)).get_content()
    assert "Reason: The budget was cut." in text
    assert f"https://pay.nordlys.example/merchant/quotes/{quote.id}" in text


def test_declined_email_skips_missing_creator(app, db, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    quote = publish_quote(db)
    quote.created_by = "staff:999999"
    db.commit()

    decline_as_buyer(app, db, quote.buyers[0], "Too expensive.")

    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].recipients == ["sales@nordlys.example"]
