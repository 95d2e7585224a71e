"""The quote PDF, and the signed PDF stored once with its certificate page."""

import hashlib
import re

from portal.businesses import get_business
from portal.models import Quote
from portal.quotes.documents import render_signed_pdf
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


# Terms of this many lines put a signature row across a page break with
# DejaVu fonts on A4 when rows may split (measured with WeasyPrint 70).
TERM_LINES = (10, 11, 12, 62, 63, 64, 65, 66)


def test_signature_rows_stay_on_one_page(app, db):
    quote = publish_quote(db, countersigners=("Sara Sales",))
    sign_all(app, db, quote)
    db.expire_all()
    business = get_business(db)

    for count in TERM_LINES:
        quote.terms = "\n".join(f"Term {n} of the agreement." for n in range(count))
        with app.test_request_context():
            pages = pdf_text(render_signed_pdf(quote, business)).split("\f")
        for name, role in (("Aino Virtanen", "Buyer"), ("Sara Sales", "Countersigner")):
            # The row's first line has the name and role; the typed name
            # follows the drawn signature in the signature column.
            row = re.compile(re.escape(name) + r"\s+" + role)
            name_pages = [i for i, page in enumerate(pages) if row.search(page)]
            signature_pages = [i for i, page in enumerate(pages) if f"/{name}/" in page]
            assert name_pages == signature_pages, (count, name)
    db.rollback()
