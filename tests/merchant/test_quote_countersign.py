"""Countersigning a quote in the back office."""

import pytest
from flask import render_template_string
from flask_login import login_user

from portal.models import Quote, QuoteStatus, Staff, StaffRole
from portal.quotes.consent import COUNTERSIGN_CONSENT_VERSION
from portal.quotes.content import content_digest
from tests.fixtures.staff import csrf_token, sign_in
from tests.merchant.editor_pages import field_error
from tests.quotes.published import publish_quote
from tests.quotes.test_signer_emails import sign_as_buyer

PANEL = '{% include "merchant/quotes/partials/countersign.html" %}'


def countersign(client, quote_id: int, **fields):
    data = {
        "csrf_token": csrf_token(client, "/merchant/invoices"),
        "consent": "yes",
        "typed_name": "Sara Sales",
        **fields,
    }
    return client.post(f"/merchant/quotes/{quote_id}/countersign", data=data)


def quote_for(db, staff: Staff) -> Quote:
    """Publish a quote that ``staff`` countersigns after its buyer."""
    quote = publish_quote(db, countersigners=("Sara Sales",))
    signer = quote.countersigners[0]
    signer.staff_id = staff.id
    signer.email = staff.email
    # The signers are part of the signed content, so publish it again.
    quote.content_digest = content_digest(quote)
    db.commit()
    return quote


def render_panel(app, db, staff: Staff, quote: Quote) -> str:
    """Render the partial as the quote detail page includes it."""
    with app.test_request_context():
        login_user(db.get(Staff, staff.id))
        return render_template_string(PANEL, quote=db.get(Quote, quote.id))


def test_countersign_accepts_quote(app, client, db):
    staff = sign_in(client, StaffRole.SALES)
    quote = quote_for(db, staff)
    signer = quote.countersigners[0]
    sign_as_buyer(app, db, quote.buyers[0])

    response = countersign(client, quote.id)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/merchant/quotes/{quote.id}")
    db.expire_all()
    assert quote.status is QuoteStatus.ACCEPTED
    assert signer.typed_name == "Sara Sales"
    assert signer.signed_digest == quote.content_digest
    assert signer.client_address == "127.0.0.1"
    assert signer.consent_version == COUNTERSIGN_CONSENT_VERSION
    assert quote.signed_pdf_digest is not None


def test_countersign_waits_for_buyers(app, client, db):
    staff = sign_in(client, StaffRole.SALES)
    quote = quote_for(db, staff)
    signer = quote.countersigners[0]

    countersign(client, quote.id)

    db.expire_all()
    assert signer.signed_at is None
    assert quote.status is QuoteStatus.PUBLISHED


def test_other_staff_cannot_countersign(app, client, db):
    sign_in(client, StaffRole.OWNER)
    quote = publish_quote(db, countersigners=("Sara Sales",))
    sign_as_buyer(app, db, quote.buyers[0])

    response = countersign(client, quote.id)

    assert response.status_code == 403
    db.expire_all()
    assert quote.status is QuoteStatus.SIGNED


@pytest.mark.parametrize(
    ("fields", "field_id", "message", "kept"),
    [
        (
            {"consent": ""},
            "countersign_consent",
            "Agree to sign electronically to countersign the quote.",
            'value="Sara Sales"',
        ),
        (
            {"typed_name": "   "},
            "countersign_name",
            "Type your full name to sign.",
            'value="yes" id="countersign-consent" checked',
        ),
        (
            {"typed_name": "S" * 201},
            "countersign_name",
            "Shorten your name to at most 200 characters.",
            'value="' + "S" * 201 + '"',
        ),
        (
            {"typed_name": "Sara\x07Sales"},
            "countersign_name",
            "Remove the special characters from your name.",
            'value="yes" id="countersign-consent" checked',
        ),
    ],
)
def test_countersign_error_keeps_input(
    app, client, db, fields, field_id, message, kept
):
    staff = sign_in(client, StaffRole.SALES)
    quote = quote_for(db, staff)
    signer = quote.countersigners[0]
    sign_as_buyer(app, db, quote.buyers[0])

    response = countersign(client, quote.id, **fields)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in field_error(page, field_id)
    assert kept in page
    db.expire_all()
    assert signer.signed_at is None
    assert quote.status is QuoteStatus.SIGNED


def test_unknown_quote_is_not_found(client, db):
    sign_in(client, StaffRole.SALES)

    assert countersign(client, 999_999).status_code == 404


def test_panel_shows_form_in_turn(app, client, db):
    staff = sign_in(client, StaffRole.SALES)
    quote = quote_for(db, staff)

    before = render_panel(app, db, staff, quote)
    sign_as_buyer(app, db, quote.buyers[0])
    in_turn = render_panel(app, db, staff, quote)

    assert 'id="countersign-button"' not in before
    assert "once every buyer has signed" in before
    assert 'id="countersign-button"' in in_turn
    assert "I agree to countersign this quote electronically" in in_turn
    assert "I agree to sign this quote electronically." not in in_turn
    assert "draw" not in in_turn
    assert "for a copy" not in in_turn
