"""The Settings page: every field checked, nothing stored on bad input."""

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Business, StaffRole
from tests.factories import make_business
from tests.fixtures.staff import csrf_token

VALID = {
    "name": "Nordlys Studio Oy",
    "email": "Sales@Nordlys.example",
    "address": "Tehtaankatu 12 B\n00140 Helsinki",
    "tax_id": "FI12345671",
    "timezone": "Europe/Stockholm",
    "accepted_currencies": "usd, SEK; usd",
    "brand_color": "#1A2B3C",
    "logo_url": "img/demo-logo.svg",
}


@pytest.fixture
def business(db):
    business = make_business(db)
    db.commit()
    return business


def save(client, **changes):
    token = csrf_token(client, "/merchant/settings")
    return client.post("/merchant/settings", data={"csrf_token": token, **changes})


def test_settings_saved_and_audited(client, db, business, signed_in):
    admin = signed_in(StaffRole.ADMIN)

    response = save(client, **VALID)

    db.refresh(business)
    event = db.scalars(select(AuditEvent)).one()
    assert response.status_code == 302
    assert business.name == "Nordlys Studio Oy"
    assert business.email == "sales@nordlys.example"
    assert business.timezone == "Europe/Stockholm"
    assert business.accepted_currencies == ["USD", "SEK"]
    assert business.currencies == ["EUR", "USD", "SEK"]
    assert business.brand_color == "#1a2b3c"
    assert business.logo_url == "img/demo-logo.svg"
    assert event.action == "settings_changed"
    assert event.actor == f"staff:{admin.id}"
    assert event.details["timezone"] == "Europe/Stockholm"


def test_business_currency_not_stored_twice(client, db, business, signed_in):
    signed_in(StaffRole.OWNER)

    save(client, **{**VALID, "accepted_currencies": "EUR, USD"})

    db.refresh(business)
    assert business.accepted_currencies == ["USD"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "Choose a time zone from the list."),
        ("accepted_currencies", "USD, EURO", "Unknown currency code &#39;EURO&#39;"),
        ("brand_color", "red", "Invalid colour &#39;red&#39;"),
        ("brand_color", "#12345", "Invalid colour"),
        ("logo_url", "javascript:alert(1)", "is on another server"),
        ("logo_url", "http://insecure.example/logo.png", "is on another server"),
        ("logo_url", "https://cdn.example/logo.png", "is on another server"),
        ("logo_url", "//cdn.example/logo.png", "is on another server"),
        ("logo_url", "../secret.png", "Invalid logo path"),
        ("logo_url", "img/nope.png", "Logo file &#39;img/nope.png&#39; not found"),
        ("accepted_currencies", "USD, XAU", "XAU is an ISO 4217 code for a metal"),
        ("accepted_currencies", "XDR", "not money that buyers pay in"),
        ("accepted_currencies", "xts", "XTS is an ISO 4217 code"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("name", "", "Enter the business name."),
        ("name", "n" * 201, "The business name can be at most 200 characters."),
        ("tax_id", "1" * 65, "The tax ID can be at most 64 characters."),
        ("address", "a" * 1001, "The address can be at most 1000 characters."),
    ],
)
def test_bad_setting_changes_nothing(
    client, db, business, signed_in, field, value, message
):
    signed_in(StaffRole.OWNER)
    before = (business.name, business.timezone, business.brand_color)

    response = save(client, **{**VALID, field: value})

    db.refresh(business)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "nothing was saved" in page
    assert (business.name, business.timezone, business.brand_color) == before
    assert business.accepted_currencies == []
    assert db.scalars(select(AuditEvent)).all() == []


def test_unchanged_settings_write_no_audit(client, db, business, signed_in):
    signed_in(StaffRole.OWNER)
    save(client, **VALID)

    response = save(client, **VALID)

    assert response.status_code == 302
    assert len(db.scalars(select(AuditEvent)).all()) == 1


def test_settings_without_business(client, db, signed_in):
    signed_in(StaffRole.OWNER)

    page = client.get("/merchant/settings").get_data(as_text=True)
    response = save(client, **VALID)

    assert "No business is set up yet" in page
    assert response.status_code == 409
    assert db.scalars(select(Business)).all() == []


def test_timezone_is_a_list_of_zones(client, business, signed_in):
    signed_in(StaffRole.OWNER)

    page = client.get("/merchant/settings").get_data(as_text=True)

    assert '<select id="timezone" name="timezone"' in page
    assert '<option selected value="Europe/Helsinki">' in page
    assert '<option value="America/New_York">' in page
