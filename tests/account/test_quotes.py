"""Quotes waiting for the customer's signature, listed on the account overview."""

import re
from datetime import timedelta

from portal.database import now_utc
from portal.models import QuoteStatus
from tests.account.conftest import sign_in_as
from tests.quotes.published import publish_quote, signer_path


def overview(client) -> str:
    response = client.get("/account/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_open_quote_listed_with_sign_link(aino_client, db, aino):
    quote = publish_quote(db)
    [signer] = quote.signers

    html = overview(aino_client)

    assert "Quotes waiting for your signature" in html
    row = re.search(rf'<tr id="quote-{quote.number}">(.*?)</tr>', html, re.S)
    assert row, "no row for the quote"
    assert quote.title in row.group(1)
    assert "€1,240.00" in row.group(1)
    assert f'href="{signer_path(quote, signer)}"' in row.group(1)
    assert aino_client.get(signer_path(quote, signer)).status_code == 200


def test_signed_quote_not_listed(aino_client, db, aino):
    quote = publish_quote(db)
    [signer] = quote.signers
    signer.typed_name = "Aino Virtanen"
    signer.signed_digest = "0" * 64
    signer.terms_shown_at = now_utc()
    signer.consent_version = "1"
    signer.signed_at = now_utc()
    quote.status = QuoteStatus.SIGNED
    db.commit()

    assert quote.number not in overview(aino_client)


def test_closed_quotes_not_listed(aino_client, db, aino):
    declined = publish_quote(db)
    declined.status = QuoteStatus.DECLINED
    declined.declined_at = now_utc()
    void = publish_quote(db)
    void.status = QuoteStatus.VOID
    void.voided_at = now_utc()
    expired = publish_quote(db, expires_on=now_utc().date() - timedelta(days=2))
    db.commit()

    html = overview(aino_client)

    assert "Quotes waiting for your signature" not in html
    for quote in (declined, void, expired):
        assert f'id="quote-{quote.number}"' not in html


def test_other_buyers_quote_not_listed(aino_client, db, aino, other):
    quote = publish_quote(db, buyers=(("Olli Korhonen", "olli@example.com"),))

    html = overview(aino_client)

    assert f'id="quote-{quote.number}"' not in html
    assert quote.token not in html


def test_second_buyer_sees_quote(app, client, db, aino, other):
    quote = publish_quote(
        db,
        buyers=(
            ("Aino Virtanen", "aino@example.com"),
            ("Olli Korhonen", "OLLI@example.com"),
        ),
    )
    olli_signer = next(s for s in quote.signers if s.name == "Olli Korhonen")
    sign_in_as(app, client, db, other)

    html = overview(client)

    assert f'href="{signer_path(quote, olli_signer)}"' in html


def test_section_hidden_when_switched_off(aino_client, db, aino, business):
    quote = publish_quote(db)
    business.account_shows_quotes = False
    db.commit()

    html = overview(aino_client)

    assert "Quotes waiting for your signature" not in html
    assert quote.token not in html
