"""The quote approval threshold on the Settings page."""

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, StaffRole
from tests.factories import make_business
from tests.fixtures.staff import csrf_token
from tests.merchant.editor_pages import field_error
from tests.merchant.test_settings import VALID


@pytest.fixture
def business(db):
    business = make_business(db)
    db.commit()
    return business


def save(client, **changes):
    token = csrf_token(client, "/merchant/settings")
    return client.post("/merchant/settings", data={"csrf_token": token, **changes})


def test_threshold_saved_in_minor_units(client, db, business, signed_in):
    signed_in(StaffRole.ADMIN)

    response = save(client, **VALID, quote_approval_threshold="5000.50")

    assert response.status_code == 302
    db.refresh(business)
    assert business.quote_approval_threshold == 500050
    event = db.scalars(select(AuditEvent)).one()
    assert event.details["quote_approval_threshold"] == "500050"


def test_threshold_shown_as_decimal(client, db, business, signed_in):
    business.quote_approval_threshold = 120000
    db.commit()
    signed_in(StaffRole.OWNER)

    page = client.get("/merchant/settings").get_data(as_text=True)

    assert 'name="quote_approval_threshold"' in page
    assert 'value="1200.00"' in page


def test_empty_threshold_clears_it(client, db, business, signed_in):
    business.quote_approval_threshold = 120000
    db.commit()
    signed_in(StaffRole.OWNER)

    save(client, **VALID, quote_approval_threshold="")

    db.refresh(business)
    assert business.quote_approval_threshold is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "is negative"),
        ("lots", "is not a valid amount"),
        ("10.505", "at most 2 decimal places"),
    ],
)
def test_bad_threshold_saves_nothing(client, db, business, signed_in, typed, message):
    signed_in(StaffRole.ADMIN)

    response = save(client, **VALID, quote_approval_threshold=typed)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in field_error(page, "quote_approval_threshold")
    assert f'value="{typed}"' in page
    assert 'value="Nordlys Studio Oy"' in page
    db.refresh(business)
    assert business.quote_approval_threshold is None
    assert business.name == "Nordlys Studio"


def test_sales_cannot_set_threshold(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    token = csrf_token(client, "/merchant/account")

    response = client.post(
        "/merchant/settings",
        data={"csrf_token": token, **VALID, "quote_approval_threshold": "1"},
    )

    assert response.status_code == 403
    db.refresh(business)
    assert business.quote_approval_threshold is None
