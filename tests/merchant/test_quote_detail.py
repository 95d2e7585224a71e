"""The staff quote detail page and its actions: publish, approve, extend, void."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.database import now_utc
from portal.merchant.quote_detail import INSTALMENT_LABELS
from portal.models import (
    InstalmentDue,
    InstalmentStatus,
    Quote,
    QuoteEvent,
    QuoteStatus,
    StaffRole,
)
from portal.quotes.publishing import publish_quote
from tests.factories import make_business
from tests.fixtures.staff import csrf_token, sign_in
from tests.quotes.builders import STAFF_ACTOR, make_quote
from tests.quotes.published import Part
from tests.quotes.published import publish_quote as published_quote
from tests.quotes.test_signer_emails import sign_as_buyer

TODAY = now_utc().date()


@pytest.fixture
def business(db):
    business = make_business(db, timezone="UTC")
    db.commit()
    return business


def post(client, path: str, **data):
    token = csrf_token(client, "/merchant/quotes")
    return client.post(path, data={"csrf_token": token, **data})


def actions(db, quote) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(QuoteEvent.action)
            .where(QuoteEvent.quote_id == quote.id)
            .order_by(QuoteEvent.seq)
        )
    )


def test_draft_page_offers_publish(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)

    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)

    assert f"Draft #{quote.id}" in page
    assert 'id="publish-quote">Publish<' in page
    assert 'id="edit-quote"' in page
    assert 'id="buyer-links"' not in page
    assert "Chain intact: 1 event checked." in page
    assert "Half-day shoot" in page


def test_viewer_sees_no_actions(client, signed_in, db, business):
    signed_in(StaffRole.VIEWER)
    quote = make_quote(db)

    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)

    assert 'id="quote-actions"' not in page
    assert post(client, f"/merchant/quotes/{quote.id}/publish").status_code == 403


def test_missing_quote_is_404(client, signed_in, business):
    signed_in(StaffRole.VIEWER)

    assert client.get("/merchant/quotes/999").status_code == 404


def test_publish_shows_buyer_url(client, signed_in, db, business, smtp_server, app):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    signed_in(StaffRole.SALES)
    quote = make_quote(db)

    response = post(client, f"/merchant/quotes/{quote.id}/publish")

    assert response.status_code == 303
    db.expire_all()
    assert quote.status is QuoteStatus.PUBLISHED
    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)
    assert f"/quotes/{quote.token}" in page
    assert f"/quotes/{quote.token}/sign/{quote.buyers[0].token}" in page
    assert "aino@example.com was emailed a signing link" in page
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].recipients == ["aino@example.com"]


def test_publish_twice_publishes_once(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)

    post(client, f"/merchant/quotes/{quote.id}/publish")
    again = post(client, f"/merchant/quotes/{quote.id}/publish")

    assert again.status_code == 303
    assert actions(db, quote) == ["created", "published"]


def test_above_threshold_waits_for_admin(app, client, signed_in, db, business):
    business.quote_approval_threshold = 100
    db.commit()
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)
    assert 'id="publish-quote">Submit for approval<' in page

    post(client, f"/merchant/quotes/{quote.id}/publish")
    refused = post(client, f"/merchant/quotes/{quote.id}/approve")

    assert refused.status_code == 403
    db.expire_all()
    assert quote.status is QuoteStatus.PENDING_APPROVAL

    admin = app.test_client()
    sign_in(admin, StaffRole.ADMIN)
    approved = post(admin, f"/merchant/quotes/{quote.id}/approve")

    assert approved.status_code == 303
    db.expire_all()
    assert quote.status is QuoteStatus.PUBLISHED
    assert quote.approved_by is not None
    assert actions(db, quote)[-3:] == [
        "submitted_for_approval",
        "approved",
        "published",
    ]


def test_extend_expiry(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    later = quote.expires_on + timedelta(days=10)

    response = post(client, f"/merchant/quotes/{quote.id}/extend", expires_on=later)

    assert response.status_code == 303
    db.expire_all()
    assert quote.expires_on == later
    assert actions(db, quote)[-1] == "expiry_extended"


def test_extend_to_earlier_date_is_rejected(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    earlier = quote.expires_on - timedelta(days=1)

    response = post(client, f"/merchant/quotes/{quote.id}/extend", expires_on=earlier)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="expires_on-error">Choose an expiration date after' in page
    assert f'value="{earlier.isoformat()}"' in page


def test_extend_bad_date_keeps_text(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)

    response = post(client, f"/merchant/quotes/{quote.id}/extend", expires_on="soon")

    assert response.status_code == 422
    assert 'value="soon"' in response.get_data(as_text=True)


def test_void_quote(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)
    assert "data-confirm=" in page

    response = post(client, f"/merchant/quotes/{quote.id}/void", reason="Duplicate")

    assert response.status_code == 303
    db.expire_all()
    assert quote.status is QuoteStatus.VOID
    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)
    assert "reason: Duplicate" in page
    assert 'id="void-quote"' not in page


def test_versions_link_each_other(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    path = f"/merchant/quotes/{quote.id}/edit"
    page = client.get(path).get_data(as_text=True)
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {
        "csrf_token": token,
        "idempotency_key": key,
        "contact_email": "aino@example.com",
        "title": "Second version",
        "currency": "EUR",
        "expires_on": quote.expires_on.isoformat(),
        "lines-0-description": "Full-day shoot",
        "lines-0-unit_amount": "9.00",
        "buyers-0-name": "Aino Virtanen",
        "buyers-0-email": "aino@example.com",
        "collect_payment": "yes",
    }
    client.post(path, data=form)
    revision = db.scalars(select(Quote).where(Quote.replaces_id == quote.id)).one()

    old_page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)
    new_page = client.get(f"/merchant/quotes/{revision.id}").get_data(as_text=True)

    assert (
        f'href="/merchant/quotes/{revision.id}">version 2</a> replaced it' in old_page
    )
    assert f'href="/merchant/quotes/{quote.id}">Version 1</a>' in new_page
    assert 'id="revise-quote"' not in old_page


def test_signature_evidence_shown(app, client, signed_in, db, business):
    signed_in(StaffRole.VIEWER)
    quote = published_quote(db)
    sign_as_buyer(app, db, quote.buyers[0])

    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)

    assert "Signed " in page
    assert "as “Aino Virtanen”" in page
    assert "127.0.0.1" in page
    assert "pytest" in page
    assert quote.content_digest in page
    assert 'id="signed-pdf"' in page


def test_changed_event_breaks_chain(client, signed_in, db, business):
    signed_in(StaffRole.VIEWER)
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    event = db.scalars(
        select(QuoteEvent).where(QuoteEvent.quote_id == quote.id)
    ).first()
    event.actor = "staff:999"
    db.commit()

    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)

    assert "The evidence is not intact" in page
    assert "Event 1 (created) was changed after it was written." in page


def test_signed_pdf_served_as_stored(app, client, signed_in, db, business):
    signed_in(StaffRole.VIEWER)
    quote = published_quote(db)
    sign_as_buyer(app, db, quote.buyers[0])
    db.expire_all()

    response = client.get(f"/merchant/quotes/{quote.id}/signed.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == quote.signed_pdf


def test_draft_pdf_preview(client, signed_in, db, business):
    signed_in(StaffRole.VIEWER)
    quote = make_quote(db)

    response = client.get(f"/merchant/quotes/{quote.id}/pdf")

    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert client.get(f"/merchant/quotes/{quote.id}/signed.pdf").status_code == 404


def test_countersign_panel_included(client, signed_in, db, business):
    staff = signed_in(StaffRole.SALES)
    quote = published_quote(db, countersigners=("Sara Sales",))
    signer = quote.countersigners[0]
    signer.staff_id = staff.id
    db.commit()

    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)

    assert 'id="countersign"' in page


def test_every_instalment_status_has_a_label():
    assert set(INSTALMENT_LABELS) == {status.value for status in InstalmentStatus}


def test_percents_shown_without_exponent(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = published_quote(
        db,
        parts=(Part("50"), Part("50", due=InstalmentDue.DAYS_AFTER, days=30)),
    )

    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)

    assert page.count("<td>50%</td>") == 2
    assert "(VAT 24%)" in page
    assert "E+" not in page


def test_instalment_due_today_is_due(app, client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = published_quote(
        db,
        parts=(
            Part("30"),
            Part("40", due=InstalmentDue.DAYS_AFTER, days=30),
            Part("30", due=InstalmentDue.DAYS_AFTER, days=60),
        ),
    )
    sign_as_buyer(app, db, quote.buyers[0])
    quote.instalments[2].due_on = TODAY - timedelta(days=1)
    db.commit()

    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)

    rows = page[page.index('id="instalments"') :].split("<tr>")[2:5]
    assert "Due today" in rows[0]
    assert "Not due yet" in rows[1]
    assert "Overdue" in rows[2]
