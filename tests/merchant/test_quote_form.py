"""The staff quote form: creating and editing drafts and revising published quotes."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.database import now_utc
from portal.models import Contact, InstalmentDue, Quote, QuoteStatus, StaffRole
from portal.quotes.publishing import publish_quote
from tests.factories import (
    make_business,
    make_discount,
    make_product_price,
    make_tax_rate,
)
from tests.fixtures.staff import make_staff
from tests.merchant.editor_pages import field_error
from tests.quotes.builders import STAFF_ACTOR, make_quote
from tests.subscriptions.builders import make_recurring_price

EXPIRES = (now_utc().date() + timedelta(days=20)).isoformat()
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="([^"]+)"')


@pytest.fixture
def business(db):
    business = make_business(db, timezone="UTC", logo_url=None)
    db.commit()
    return business


def form_fields(client, path: str) -> dict[str, str]:
    """Open a form page and return its CSRF token and its key or version."""
    page = client.get(path).get_data(as_text=True)
    fields = {"csrf_token": CSRF.search(page).group(1)}
    for name, pattern in (("idempotency_key", KEY), ("version", VERSION)):
        match = pattern.search(page)
        if match:
            fields[name] = match.group(1)
    return fields


def quote_fields(**overrides: str) -> dict[str, str]:
    """Return a valid new quote: one line of 5.47 EUR split in three instalments."""
    fields = {
        "contact_email": "aino@example.com",
        "contact_name": "Aino Virtanen",
        "title": "Studio photography",
        "currency": "EUR",
        "expires_on": EXPIRES,
        "locale": "en",
        "brand_color": "#2f6f4f",
        "collect_payment": "yes",
        "terms": "Half now, half later.",
        "lines-0-description": "Half-day shoot",
        "lines-0-quantity": "1",
        "lines-0-unit_amount": "5.47",
        "buyers-0-name": "Aino Virtanen",
        "buyers-0-email": "aino@example.com",
        "instalments-0-share": "33.34%",
        "instalments-0-due": "on_signature",
        "instalments-1-share": "33.33%",
        "instalments-1-due": "days_after",
        "instalments-1-days": "30",
        "instalments-2-share": "33.33%",
        "instalments-2-due": "on_date",
        "instalments-2-due_on": EXPIRES,
    }
    fields.update(overrides)
    return fields


def create(client, **overrides: str):
    fields = {
        **form_fields(client, "/merchant/quotes/new"),
        **quote_fields(**overrides),
    }
    return client.post("/merchant/quotes/new", data=fields)


def only_quote(db) -> Quote:
    db.expire_all()
    quotes = db.scalars(select(Quote)).all()
    assert len(quotes) == 1
    return quotes[0]


def test_new_form_has_business_defaults(client, signed_in, business):
    signed_in(StaffRole.SALES)

    page = client.get("/merchant/quotes/new").get_data(as_text=True)

    assert (
        'id="brand_color" name="brand_color" type="color" value="'
        + (business.brand_color)
        in page
    )
    default_expiry = (now_utc().date() + timedelta(days=30)).isoformat()
    assert f'value="{default_expiry}"' in page
    assert 'value="yes" id="collect_payment" checked' in page


def test_percents_listed_without_exponent(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    make_discount(db, "WELCOME", percent=10, name="Welcome, 10% off")
    make_tax_rate(db, "VAT", "20")
    db.commit()

    page = client.get("/merchant/quotes/new").get_data(as_text=True)

    assert "Welcome, 10% off (10%)" in page
    assert "VAT 20%" in page
    assert "E+" not in page


def test_viewer_cannot_open_form(client, signed_in, business):
    signed_in(StaffRole.VIEWER)

    assert client.get("/merchant/quotes/new").status_code == 403


def test_create_draft_with_schedule(client, signed_in, db, business):
    signed_in(StaffRole.SALES)

    response = create(client)

    assert response.status_code == 303
    quote = only_quote(db)
    assert response.headers["Location"].endswith(f"/merchant/quotes/{quote.id}")
    assert quote.status is QuoteStatus.DRAFT
    assert quote.order.total == 547
    assert [part.amount for part in quote.instalments] == [182, 182, 183]
    assert quote.instalments[0].percent == Decimal("33.34")
    assert quote.instalments[1].due is InstalmentDue.DAYS_AFTER
    assert quote.instalments[1].days == 30
    assert quote.instalments[2].due_on.isoformat() == EXPIRES
    assert quote.brand_color == "#2f6f4f"
    assert quote.contact.name == "Aino Virtanen"
    assert [signer.email for signer in quote.signers] == ["aino@example.com"]


def test_double_submit_makes_one_quote(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    fields = {**form_fields(client, "/merchant/quotes/new"), **quote_fields()}

    first = client.post("/merchant/quotes/new", data=fields)
    second = client.post("/merchant/quotes/new", data=fields)

    assert first.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert only_quote(db) is not None


def test_catalog_recurring_and_countersigner(client, signed_in, db, business):
    staff = signed_in(StaffRole.SALES)
    price = make_product_price(db, "Lens rental", 2500)
    hosting = make_recurring_price(db, "Photo hosting", 900)
    vat = make_tax_rate(db, "VAT", "24")
    db.commit()

    response = create(
        client,
        **{
            "lines-0-price_id": str(price.id),
            "lines-0-description": "",
            "lines-0-unit_amount": "",
            "lines-0-quantity": "2",
            "lines-0-tax_rate_id": str(vat.id),
            "fees-0-description": "Travel",
            "fees-0-amount": "10.00",
            "recurring-0-price_id": str(hosting.id),
            "recurring-0-quantity": "1",
            "countersigners-0-staff_id": str(staff.id),
            "instalments-0-share": "100%",
            "instalments-1-share": "",
            "instalments-2-share": "",
        },
    )

    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    quote = only_quote(db)
    assert quote.order.lines[0].description == "Lens rental"
    assert quote.order.total == 2 * 2500 + 1200 + 1000
    assert quote.recurring_lines[0].price_id == hosting.id
    assert [signer.role.value for signer in quote.signers] == ["buyer", "countersigner"]
    assert quote.signers[1].staff_id == staff.id


def test_contact_signs_without_buyer_rows(client, signed_in, db, business):
    signed_in(StaffRole.SALES)

    create(client, **{"buyers-0-name": "", "buyers-0-email": ""})

    quote = only_quote(db)
    assert [signer.name for signer in quote.signers] == ["Aino Virtanen"]


def test_bad_schedule_keeps_input(client, signed_in, db, business):
    signed_in(StaffRole.SALES)

    response = create(client, **{"instalments-2-share": "30%"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "add up to 96.67%" in field_error(page, "instalments")
    assert 'value="Studio photography"' in page
    assert 'value="30%"' in page
    assert db.scalars(select(Quote)).first() is None
    assert db.scalars(select(Contact)).first() is None


def test_field_errors_next_to_rows(client, signed_in, db, business):
    signed_in(StaffRole.SALES)

    response = create(
        client,
        **{
            "lines-3-description": "Prints",
            "lines-3-unit_amount": "abc",
            "instalments-1-days": "soon",
            "buyers-0-email": "not an email",
        },
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "lines-3-unit_amount")
    assert "number of days" in field_error(page, "instalments-1-days")
    assert 'value="Prints"' in page
    assert 'value="not an email"' in page


@pytest.mark.parametrize("days", ["0", "3651", "100000", "soon"])
def test_days_error_gives_range(client, signed_in, db, business, days):
    signed_in(StaffRole.SALES)

    response = create(client, **{"instalments-1-days": days})

    assert response.status_code == 422
    message = field_error(response.get_data(as_text=True), "instalments-1-days")
    assert "number of days after signature, from 1 to 3650" in message


def test_domain_error_maps_to_typed_row(client, signed_in, db, business):
    signed_in(StaffRole.SALES)

    response = create(
        client,
        **{
            "buyers-0-name": "",
            "buyers-0-email": "",
            "buyers-4-name": "Eero Laine",
            "buyers-4-email": "bad@",
        },
    )

    assert response.status_code == 422
    assert "valid email" in field_error(
        response.get_data(as_text=True), "buyers-4-email"
    )


def test_past_expiry_is_rejected(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    yesterday = (now_utc().date() - timedelta(days=1)).isoformat()

    response = create(client, expires_on=yesterday)

    assert response.status_code == 422
    assert "in the past" in field_error(response.get_data(as_text=True), "expires_on")


def test_past_due_date_is_rejected(client, signed_in, db, business):
    signed_in(StaffRole.SALES)

    response = create(client, **{"instalments-2-due_on": "2020-01-01"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = field_error(page, "instalments-2-due_on")
    assert "due on 2020-01-01, which is in the past" in message
    assert 'value="2020-01-01"' in page
    assert db.scalars(select(Quote)).first() is None


def test_add_row_as_plain_post(client, signed_in, db, business):
    signed_in(StaffRole.SALES)

    response = create(client, action="add_instalments")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html" in page
    assert 'id="instalments-3-share"' in page
    assert 'value="33.34%"' in page
    assert db.scalars(select(Quote)).first() is None


def test_add_row_through_htmx(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    fields = {**form_fields(client, "/merchant/quotes/new"), **quote_fields()}

    response = client.post(
        "/merchant/quotes/new",
        data={**fields, "action": "add_countersigners"},
        headers={"HX-Request": "true"},
    )

    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="quote-signers">')
    assert 'id="countersigners-0-staff_id"' in page
    assert 'value="aino@example.com"' in page
    assert "HX-Request" in response.headers["Vary"]


def test_remove_row(client, signed_in, db, business):
    signed_in(StaffRole.SALES)

    response = create(client, action="remove_instalments:1")

    page = response.get_data(as_text=True)
    assert 'id="instalments-1-share"' not in page
    assert 'id="instalments-2-share"' in page


def test_edit_draft(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    path = f"/merchant/quotes/{quote.id}/edit"
    fields = {**form_fields(client, path), **quote_fields(title="Wedding shoot")}
    fields.pop("idempotency_key", None)

    response = client.post(path, data=fields)

    assert response.status_code == 303
    db.expire_all()
    assert quote.title == "Wedding shoot"
    assert len(quote.instalments) == 3


def test_stale_edit_is_rejected(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    path = f"/merchant/quotes/{quote.id}/edit"
    fields = {**form_fields(client, path), **quote_fields(title="Mine")}
    other = {**form_fields(client, path), **quote_fields(title="Theirs")}
    client.post(path, data=other)

    response = client.post(path, data=fields)

    assert response.status_code == 409
    assert "saved by someone else" in response.get_data(as_text=True)
    db.expire_all()
    assert quote.title == "Theirs"


def test_edit_form_is_filled_from_quote(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    create(client)
    quote = only_quote(db)

    page = client.get(f"/merchant/quotes/{quote.id}/edit").get_data(as_text=True)

    assert 'value="33.34%"' in page
    assert 'value="30"' in page
    assert 'value="Half-day shoot"' in page
    assert 'name="version"' in page
    assert 'name="idempotency_key"' not in page


def test_revise_published_quote(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    path = f"/merchant/quotes/{quote.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Revise quote" in page
    fields = {**form_fields(client, path), **quote_fields(title="Revised shoot")}

    response = client.post(path, data=fields)

    assert response.status_code == 303
    db.expire_all()
    revision = db.scalars(select(Quote).where(Quote.replaces_id == quote.id)).one()
    assert response.headers["Location"].endswith(f"/merchant/quotes/{revision.id}")
    assert quote.status is QuoteStatus.VOID
    assert revision.status is QuoteStatus.PUBLISHED
    assert revision.version == 2
    assert revision.number == quote.number
    assert revision.title == "Revised shoot"


def test_revision_emails_signers(app, client, signed_in, db, business, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    path = f"/merchant/quotes/{quote.id}/edit"
    fields = {**form_fields(client, path), **quote_fields(title="Revised shoot")}

    client.post(path, data=fields)

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.recipients == ["aino@example.com"]
    assert "has changed" in received.message["Subject"]


def test_void_quote_is_not_edited(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    quote = make_quote(db)
    quote.status = QuoteStatus.VOID
    quote.voided_at = now_utc()
    db.commit()

    response = client.get(f"/merchant/quotes/{quote.id}/edit")

    assert response.status_code == 302 or response.status_code == 303
    assert response.headers["Location"].endswith(f"/merchant/quotes/{quote.id}")


def test_countersigner_must_sell(client, signed_in, db, business):
    signed_in(StaffRole.SALES)
    viewer = make_staff(db, role=StaffRole.VIEWER, email="viewer@example.com")
    db.commit()

    response = create(client, **{"countersigners-2-staff_id": str(viewer.id)})

    assert response.status_code == 422
    message = field_error(response.get_data(as_text=True), "countersigners-2-staff_id")
    assert "viewer role" in message
