"""The quote PDF, and the signed PDF stored once with its certificate page."""

import hashlib

from portal.models import Quote
from tests.documents.pdf_text import pdf_text
from tests.quotes.published import publish_quote
from tests.quotes.test_paying import sign_all


def test_quote_pdf_has_whole_quote(client, db):
    quote = publish_quote(db, recurring=True)

    response = client.get(f"/quotes/{quote.token}/pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert quote.number in text
    assert "Website redesign" in text
    assert "Consulting day" in text
    assert "Hosting" in text
    assert "VAT 24%" in text
    assert "€1,240.00" in text
    assert "Payment schedule" in text
    assert "Work starts on acceptance." in text
    assert "Signature certificate" not in text


def test_signed_pdf_stored_with_digest(app, db):
    quote = publish_quote(db, countersigners=("Sara Sales",))

    sign_all(app, db, quote)

    db.expire_all()
    assert quote.signed_pdf is not None
    assert quote.signed_pdf_digest == hashlib.sha256(quote.signed_pdf).hexdigest()


def test_certificate_lists_evidence(app, db):
    quote = publish_quote(db, countersigners=("Sara Sales",))

    sign_all(app, db, quote)

    db.expire_all()
    text = pdf_text(quote.signed_pdf)
    certificate = text[text.index("Signature certificate") :]
    assert quote.content_digest in certificate.replace("\n", "")
    assert "Aino Virtanen" in certificate
    assert "Sara Sales" in certificate
    assert "Countersigner" in certificate
    assert "127.0.0.1" in certificate
    assert "pytest" in certificate
    assert quote.consent_version in certificate
    assert "I agree to sign this quote electronically." in certificate
    for signer in quote.signers:
        assert signer.signed_at.strftime("%Y-%m-%d %H:%M:%S UTC") in certificate


def test_download_serves_stored_bytes(app, client, db):
    quote = publish_quote(db)
    sign_all(app, db, quote)
    db.expire_all()
    stored = quote.signed_pdf
    # A later change to the quote row must not change the signed copy.
    db.get(Quote, quote.id).title = "Renamed after signing"
    db.commit()

    response = client.get(f"/quotes/{quote.token}/signed.pdf")

    assert response.status_code == 200
    assert response.data == stored
    assert response.headers["Digest"] == f"sha-256={quote.signed_pdf_digest}"
    assert "-signed.pdf" in response.headers["Content-Disposition"]
