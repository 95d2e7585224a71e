"""The Subscriptions section of the settings: retry days, reminders, account area."""

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Business, StaffRole
from portal.subscriptions.settings import (
    InvalidSubscriptionSetting,
    parse_retry_days,
)
from tests.factories import make_business
from tests.fixtures.staff import csrf_token

PATH = "/merchant/settings/subscriptions"
VALID = {
    "subscription_retry_days": "2, 4; 9",
    "subscription_after_retries": "unpaid",
    "renewal_reminder_days": "30",
    "account_shows_invoices": "y",
    "account_allows_cancel": "y",
}


@pytest.fixture
def business(db):
    business = make_business(db)
    db.commit()
    return business


def save(client, **changes):
    data = {"csrf_token": csrf_token(client, PATH), **VALID, **changes}
    return client.post(PATH, data={k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    ("text", "days"),
    [("1, 3, 5, 7", [1, 3, 5, 7]), ("2 4", [2, 4]), ("", []), (" 60 ", [60])],
)
def test_retry_days_parsed(text, days):
    assert parse_retry_days(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1, x", "'x' is not a whole number of days"),
        ("0, 3", "Retry day 0 is out of range"),
        ("1, 61", "Retry day 61 is out of range"),
        ("3, 1", "Retry day 1 is not after 3"),
        ("1, 1", "Retry day 1 is not after 1"),
        ("-1", "'-1' is not a whole number"),
        (", ".join(str(day) for day in range(1, 12)), "11 retries are too many"),
    ],
)
def test_retry_days_rejected(text, message):
    with pytest.raises(InvalidSubscriptionSetting, match=message):
        parse_retry_days(text)


def test_owner_saves_settings(client, signed_in, db, business):
    signed_in(StaffRole.OWNER)

    response = save(client)

    assert response.status_code == 303
    db.expire_all()
    saved = db.scalars(select(Business)).one()
    assert saved.subscription_retry_days == [2, 4, 9]
    assert saved.subscription_after_retries == "unpaid"
    assert saved.renewal_reminder_days == 30
    assert saved.account_shows_invoices is True
    assert saved.account_shows_payments is False
    assert saved.account_allows_method_update is False
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "subscription_settings_changed")
    ).one()
    assert event.details["subscription_retry_days"] == "[2, 4, 9]"


def test_page_shows_saved_values(client, signed_in, business):
    signed_in(StaffRole.ADMIN)

    page = client.get(PATH).get_data(as_text=True)

    assert 'value="1, 3, 5, 7"' in page
    assert 'value="14"' in page
    assert "Show quotes waiting for a signature" in page


def test_after_retries_choices_have_labels(client, signed_in, business):
    signed_in(StaffRole.ADMIN)

    page = client.get(PATH).get_data(as_text=True)

    assert '<option selected value="canceled">Cancel the subscription</option>' in page
    assert '<option value="unpaid">Mark it unpaid</option>' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subscription_retry_days": "5, 2"}, "Retry day 2 is not after 5"),
        ({"renewal_reminder_days": "400"}, "from 0 to 365"),
        ({"renewal_reminder_days": None}, "Enter a number of days"),
        ({"subscription_after_retries": "delete"}, "subscription_after_retries-error"),
    ],
)
def test_invalid_settings_save_nothing(
    client, signed_in, db, business, changes, message
):
    signed_in(StaffRole.OWNER)

    response = save(client, **changes)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalars(select(Business)).one().subscription_retry_days == [1, 3, 5, 7]


def test_sales_cannot_open_settings(client, signed_in, business):
    signed_in(StaffRole.SALES)

    assert client.get(PATH).status_code == 403


def test_unknown_after_retries_message(client, signed_in, business):
    signed_in(StaffRole.OWNER)

    response = save(client, subscription_after_retries="delete")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose what happens when every retry failed" in html
    assert "Choose a when" not in html


def test_fractional_reminder_days_one_message(client, signed_in, business):
    signed_in(StaffRole.OWNER)

    response = save(client, renewal_reminder_days="2.5")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("Enter the reminder days as a whole number from 0 to 365") == 1
    assert "Not a valid integer value." not in html
