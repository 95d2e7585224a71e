"""Buyers open, sign and decline a quote through their own links."""

import base64
import re
from datetime import timedelta
from itertools import pairwise

from sqlalchemy import select

from portal.database import now_utc
from portal.models import QuoteEvent, QuoteStatus
from portal.quotes.consent import CONSENT_VERSION
from portal.quotes.evidence import GENESIS_DIGEST, event_digest
from tests.fixtures.staff import csrf_token
from tests.quotes.published import publish_quote, signer_path

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) QuoteTest/1.0"
# A 1x1 PNG, as the signature pad sends it.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def open_signer_page(client, quote, signer):
    response = client.get(
        signer_path(quote, signer), headers={"User-Agent": USER_AGENT}
    )
    assert response.status_code == 200
    return CSRF_FIELD.search(response.get_data(as_text=True)).group(1)


def post_signature(client, quote, signer, token, **fields):
    data = {"csrf_token": token, "consent": "yes", "typed_name": signer.name, **fields}
    return client.post(
        signer_path(quote, signer), data=data, headers={"User-Agent": USER_AGENT}
    )


def events(db, quote) -> list[QuoteEvent]:
    db.expire_all()
    return list(
        db.scalars(
            select(QuoteEvent)
            .where(QuoteEvent.quote_id == quote.id)
            .order_by(QuoteEvent.seq)
        )
    )


def test_quote_page_shows_whole_quote(client, db):
    quote = publish_quote(db, recurring=True)

    response = client.get(f"/quotes/{quote.token}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Website redesign" in page
    assert "Consulting day" in page
    assert "Hosting" in page
    assert "every month" in page
    assert "VAT 24%" in page
    assert "€1,240.00" in page
    assert "Work starts on acceptance." in page
    assert "Thank you for the meeting." in page
    assert "Instalment 1 of 1" in page
    assert "Aino Virtanen" in page
    assert response.headers["Cache-Control"] == "private, no-store"


def test_opening_moves_published_to_viewed(client, db):
    quote = publish_quote(db)

    client.get(f"/quotes/{quote.token}")
    client.get(f"/quotes/{quote.token}")

    db.refresh(quote)
    assert quote.status is QuoteStatus.VIEWED
    assert quote.viewed_at is not None
    viewed = [event for event in events(db, quote) if event.action == "viewed"]
    assert len(viewed) == 1
    assert viewed[0].actor == "buyer"


def test_unknown_tokens_are_not_found(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]

    assert client.get("/quotes/no-such-token").status_code == 404
    assert client.get(f"/quotes/{quote.token}/sign/no-such-signer").status_code == 404
    assert client.get(f"/quotes/no-such-token/sign/{signer.token}").status_code == 404
    assert client.get(f"/quotes/{quote.token}/signed.pdf").status_code == 404


def test_draft_quote_is_not_found(client, db):
    quote = publish_quote(db)
    quote.status = QuoteStatus.DRAFT
    quote.content_digest = None
    quote.number = None
    quote.published_at = None
    db.commit()

    assert client.get(f"/quotes/{quote.token}").status_code == 404


def test_signer_page_records_terms_shown(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]

    open_signer_page(client, quote, signer)

    db.refresh(signer)
    assert signer.terms_shown_at is not None
    shown = [event for event in events(db, quote) if event.action == "terms_shown"]
    assert len(shown) == 1
    assert shown[0].actor == f"signer:{signer.id}"


def test_signature_stores_evidence(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)
    drawing = "data:image/png;base64," + base64.b64encode(TINY_PNG).decode()

    response = post_signature(
        client,
        quote,
        signer,
        token,
        typed_name="  Aino   Virtanen ",
        drawn_signature=drawing,
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(signer_path(quote, signer))
    db.expire_all()
    assert signer.typed_name == "Aino Virtanen"
    assert signer.drawn_signature == drawing
    assert signer.signed_digest == quote.content_digest
    assert signer.signed_at.tzinfo is not None
    assert now_utc() - signer.signed_at < timedelta(minutes=1)
    assert signer.client_address == "127.0.0.1"
    assert signer.user_agent == USER_AGENT
    assert signer.consent_version == CONSENT_VERSION
    assert signer.terms_shown_at <= signer.signed_at


def test_last_buyer_signature_accepts(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)

    post_signature(client, quote, signer, token)

    db.expire_all()
    assert quote.status is QuoteStatus.ACCEPTED
    assert quote.accepted_at is not None
    assert quote.instalments[0].due_on is not None
    actions = [event.action for event in events(db, quote)]
    assert actions[-3:] == ["signed", "accepted", "signed_pdf_stored"]


def test_blank_name_is_rejected(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)

    for blank in ("", "   ", "\t \n"):
        response = post_signature(client, quote, signer, token, typed_name=blank)

        assert response.status_code == 422
        assert "Type your full name to sign." in response.get_data(as_text=True)
    db.expire_all()
    assert signer.signed_at is None
    assert quote.status is QuoteStatus.VIEWED


def test_other_name_is_rejected(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)

    response = post_signature(client, quote, signer, token, typed_name="Someone Else")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Type it as shown: Aino Virtanen." in page
    assert 'value="Someone Else"' in page
    db.expire_all()
    assert signer.signed_at is None
    assert quote.status is QuoteStatus.VIEWED


def test_name_matches_without_case_or_accents(client, db):
    quote = publish_quote(db, buyers=(("Päivi Järvinen", "paivi@example.com"),))
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)

    response = post_signature(
        client, quote, signer, token, typed_name="paivi   JARVINEN"
    )

    assert response.status_code == 303
    db.expire_all()
    assert signer.signed_at is not None
    assert signer.typed_name == "paivi JARVINEN"


def test_consent_is_required(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)

    response = post_signature(client, quote, signer, token, consent="")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Agree to sign electronically to sign the quote." in page
    assert 'value="Aino Virtanen"' in page
    db.expire_all()
    assert signer.signed_at is None


def test_forged_drawing_is_rejected(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)
    svg = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()

    for drawing in (
        svg,
        "data:image/png;base64,not base64!",
        "data:image/png;base64,AAAA",
    ):
        response = post_signature(client, quote, signer, token, drawn_signature=drawing)

        assert response.status_code == 422
    db.expire_all()
    assert signer.signed_at is None


def test_no_signature_before_terms_shown(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    # A session's CSRF token from any page, without opening the signer's page.
    token = csrf_token(client)

    response = post_signature(client, quote, signer, token)

    assert response.status_code == 409
    assert "read it before you sign" in response.get_data(as_text=True)
    db.expire_all()
    assert signer.signed_at is None


def test_buyers_sign_in_order(client, db):
    quote = publish_quote(
        db,
        buyers=(
            ("Aino Virtanen", "aino@example.com"),
            ("Eero Laine", "eero@example.com"),
        ),
    )
    first, second = quote.buyers

    page = client.get(signer_path(quote, second)).get_data(as_text=True)
    assert "Aino Virtanen signs before you." in page
    assert 'id="sign-form"' not in page
    db.expire_all()
    assert second.terms_shown_at is None

    token = open_signer_page(client, quote, first)
    post_signature(client, quote, first, token)
    db.expire_all()
    assert quote.status is QuoteStatus.VIEWED

    token = open_signer_page(client, quote, second)
    post_signature(client, quote, second, token)
    db.expire_all()
    assert quote.status is QuoteStatus.ACCEPTED


def test_signing_out_of_order_is_rejected(client, db):
    quote = publish_quote(
        db,
        buyers=(
            ("Aino Virtanen", "aino@example.com"),
            ("Eero Laine", "eero@example.com"),
        ),
    )
    first, second = quote.buyers
    token = open_signer_page(client, quote, first)
    # Shown earlier, as if the second buyer had opened the page in turn.
    second.terms_shown_at = now_utc()
    db.commit()

    response = post_signature(client, quote, second, token)

    assert response.status_code == 409
    db.expire_all()
    assert second.signed_at is None


def test_double_submit_signs_once(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)

    first = post_signature(client, quote, signer, token)
    second = post_signature(client, quote, signer, token, typed_name="Someone Else")

    assert first.status_code == 303
    assert second.status_code == 303
    db.expire_all()
    assert signer.typed_name == "Aino Virtanen"
    actions = [event.action for event in events(db, quote)]
    assert actions.count("signed") == 1
    assert actions.count("accepted") == 1


def test_expired_quote_cannot_be_signed(client, db):
    quote = publish_quote(db, expires_on=now_utc().date() - timedelta(days=2))
    signer = quote.buyers[0]

    page = client.get(signer_path(quote, signer))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This quote expired at the end of its expiration date" in text
    assert 'id="sign-form"' not in text
    assert "Expired" in text

    token = csrf_token(client)
    signer.terms_shown_at = now_utc()
    db.commit()
    response = post_signature(client, quote, signer, token)

    assert response.status_code == 409
    db.expire_all()
    assert signer.signed_at is None


def test_void_version_cannot_be_signed(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)
    quote.status = QuoteStatus.VOID
    quote.voided_at = now_utc()
    db.commit()

    response = post_signature(client, quote, signer, token)

    assert response.status_code == 409
    assert "withdrawn or replaced" in response.get_data(as_text=True)
    db.expire_all()
    assert signer.signed_at is None


def test_changed_content_cannot_be_signed(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)
    quote.terms = "Different terms, changed without a new version."
    db.commit()

    response = post_signature(client, quote, signer, token)

    assert response.status_code == 409
    db.expire_all()
    assert signer.signed_at is None


def test_decline_with_reason(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)

    response = client.post(
        f"/quotes/{quote.token}/decline/{signer.token}",
        data={"csrf_token": token, "reason": "The budget was cut."},
    )

    assert response.status_code == 303
    db.expire_all()
    assert quote.status is QuoteStatus.DECLINED
    assert quote.decline_reason == "The budget was cut."
    assert signer.declined_at is not None
    page = client.get(f"/quotes/{quote.token}").get_data(as_text=True)
    assert "The budget was cut." in page


def test_declined_page_says_it_once(client, db):
    quote = publish_quote(
        db,
        buyers=(
            ("Aino Virtanen", "aino@example.com"),
            ("Eero Laine", "eero@example.com"),
        ),
    )
    first, second = quote.buyers
    token = open_signer_page(client, quote, first)
    client.post(
        f"/quotes/{quote.token}/decline/{first.token}",
        data={"csrf_token": token, "reason": "The budget was cut."},
    )

    for path in (
        f"/quotes/{quote.token}",
        signer_path(quote, first),
        signer_path(quote, second),
    ):
        page = client.get(path).get_data(as_text=True)
        assert page.count("This quote was declined") == 1, path
        assert "Reason: The budget was cut." in page, path


def test_decline_needs_a_reason(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)

    response = client.post(
        f"/quotes/{quote.token}/decline/{signer.token}",
        data={"csrf_token": token, "reason": "   "},
    )

    assert response.status_code == 422
    assert "Enter the reason you decline the quote." in response.get_data(as_text=True)
    db.expire_all()
    assert quote.status is QuoteStatus.VIEWED


def test_declined_quote_cannot_be_signed(client, db):
    quote = publish_quote(
        db,
        buyers=(
            ("Aino Virtanen", "aino@example.com"),
            ("Eero Laine", "eero@example.com"),
        ),
    )
    first, second = quote.buyers
    token = open_signer_page(client, quote, first)
    client.post(
        f"/quotes/{quote.token}/decline/{first.token}",
        data={"csrf_token": token, "reason": "No."},
    )
    second.terms_shown_at = now_utc()
    db.commit()

    response = post_signature(client, quote, second, token)

    assert response.status_code == 409
    db.expire_all()
    assert second.signed_at is None


def test_sign_form_needs_csrf_token(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    open_signer_page(client, quote, signer)

    response = post_signature(client, quote, signer, "")

    assert response.status_code == 400
    db.expire_all()
    assert signer.signed_at is None


def test_event_chain_links_every_row(client, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]
    token = open_signer_page(client, quote, signer)
    post_signature(client, quote, signer, token)

    rows = events(db, quote)

    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_digest == GENESIS_DIGEST
    for previous, row in pairwise(rows):
        assert row.prev_digest == previous.digest
    for row in rows:
        assert row.digest == event_digest(row)
