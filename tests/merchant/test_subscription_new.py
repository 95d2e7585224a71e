"""Staff start a subscription from the New subscription form."""

import re
import secrets

import pytest
from sqlalchemy import select
from sqlalchemy.orm import object_session

from portal.database import now_utc
from portal.models import (
    AuditEvent,
    BillingFrequency,
    Contact,
    Invoice,
    NetTerms,
    SavedPaymentMethod,
    StaffRole,
)
from portal.models.subscriptions import (
    CollectionMethod,
    PeriodStatus,
    Subscription,
    SubscriptionStatus,
)
from portal.processors import get_processor
from portal.processors.base import CardDetails
from tests.factories import make_business, make_product_price, make_tax_rate
from tests.fixtures.staff import csrf_token
from tests.subscriptions.builders import (
    make_contact,
    make_recurring_price,
    make_saved_method,
)

PATH = "/merchant/subscriptions/new"
TODAY = now_utc().date()
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


@pytest.fixture
def business(db):
    business = make_business(db, timezone="UTC", accepted_currencies=["JPY"])
    db.commit()
    return business


@pytest.fixture
def catalog(db, business):
    """A monthly desk, a monthly locker, a yearly JPY archive and a one-time price."""
    prices = {
        "desk": make_recurring_price(db, "Desk", 3100),
        "locker": make_recurring_price(db, "Locker", 500),
        "archive": make_recurring_price(
            db, "Archive", 12000, currency="JPY", frequency=BillingFrequency.YEARLY
        ),
        "yearly_desk": make_recurring_price(
            db, "Desk for a year", 30000, frequency=BillingFrequency.YEARLY
        ),
        "poster": make_product_price(db, "Poster", 1500),
    }
    db.commit()
    return prices


@pytest.fixture
def card_holder(app, db, business):
    """Aino, with a visa card saved at the test-mode processor."""
    customer = "cus_test_new_subscription"
    with app.app_context():
        details = get_processor().save_card(
            customer=customer,
            details=CardDetails("4242424242424242", 12, 2040, "123"),
            idempotency_key=secrets.token_hex(8),
        )
    contact = make_contact(db)
    method = make_saved_method(
        db, contact, customer_ref=customer, method_ref=details.id
    )
    db.commit()
    return contact, method


def add_card(beside: SavedPaymentMethod, reference: str, last4: str, **fields):
    """Record another card of the same processor customer as ``beside``."""
    card = SavedPaymentMethod(
        customer=beside.customer,
        processor_ref=reference,
        kind="card",
        brand="visa",
        last4=last4,
        exp_month=12,
        exp_year=fields.pop("exp_year", 2040),
        consent_text=beside.consent_text,
        consented_at=beside.consented_at,
        **fields,
    )
    object_session(beside).add(card)
    return card


def open_form(client) -> tuple[str, str]:
    """Return the form's CSRF token and idempotency key."""
    page = client.get(PATH).get_data(as_text=True)
    match = KEY.search(page)
    assert match, page[:500]
    return csrf_token(client, PATH), match.group(1)


def submit(client, **fields):
    token, key = open_form(client)
    data = {
        "csrf_token": token,
        "idempotency_key": key,
        "contact_email": "aino@example.com",
        "locale": "en",
        "start": "now",
        "start_delay_unit": "days",
        "collection": "automatic",
        "net_terms": "net_30",
        "items-0-quantity": "1",
        **fields,
    }
    return client.post(PATH, data={k: v for k, v in data.items() if v is not None})


def only_subscription(db) -> Subscription:
    db.expire_all()
    return db.scalars(select(Subscription)).one()


def test_index_links_new_form(client, signed_in, business):
    signed_in(StaffRole.SALES)

    page = client.get("/merchant/subscriptions").get_data(as_text=True)

    assert f'href="{PATH}"' in page
    assert "New subscription" in page


def test_viewer_sees_no_new_button(client, signed_in, business):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/subscriptions").get_data(as_text=True)

    assert f'href="{PATH}"' not in page
    assert client.get(PATH).status_code == 403


def test_form_lists_recurring_prices(client, signed_in, catalog):
    signed_in(StaffRole.SALES)

    page = client.get(PATH).get_data(as_text=True)

    assert "Desk: €31.00 monthly" in page
    assert "Archive: ¥12,000 yearly" in page
    assert "Poster" not in page  # a one-time price


def test_automatic_start_bills_period_zero(client, signed_in, db, catalog, card_holder):
    staff = signed_in(StaffRole.SALES)
    contact, method = card_holder

    response = submit(
        client,
        **{
            "items-0-price_id": str(catalog["desk"].id),
            "items-0-quantity": "2",
            "saved_method_id": str(method.id),
        },
    )

    assert response.status_code == 303
    subscription = only_subscription(db)
    assert response.location.endswith(f"/merchant/subscriptions/{subscription.id}")
    assert subscription.contact_id == contact.id
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert subscription.collection is CollectionMethod.AUTOMATIC
    assert subscription.saved_method_id == method.id
    assert subscription.created_by == f"staff:{staff.id}"
    assert [period.index for period in subscription.periods] == [0]
    assert subscription.periods[0].status is PeriodStatus.PAID
    assert subscription.periods[0].amount == 6200
    assert subscription.periods[0].payment is not None
    assert subscription.next_period == 1
    page = client.get(response.location).get_data(as_text=True)
    assert f"Subscription {subscription.id} is started. Period 0 is paid: €62.00." in (
        page
    )
    assert "tag-paid" in page


def test_double_submit_starts_once(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder
    token, key = open_form(client)
    data = {
        "csrf_token": token,
        "idempotency_key": key,
        "contact_email": "aino@example.com",
        "locale": "en",
        "start": "now",
        "collection": "automatic",
        "saved_method_id": str(method.id),
        "items-0-price_id": str(catalog["desk"].id),
        "items-0-quantity": "1",
    }

    first = client.post(PATH, data=data)
    second = client.post(PATH, data=data)

    assert first.status_code == 303
    assert second.status_code == 303
    assert first.location == second.location
    subscription = only_subscription(db)
    assert len(subscription.periods) == 1
    started = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "subscription_started")
    ).all()
    assert len(started) == 1


def test_invoice_start_issues_first_invoice(client, signed_in, db, catalog, business):
    signed_in(StaffRole.ADMIN)

    response = submit(
        client,
        contact_email="Bea@Example.com",
        contact_name="Bea Lind",
        collection="invoice",
        net_terms="net_15",
        **{"items-0-price_id": str(catalog["desk"].id)},
    )

    assert response.status_code == 303
    subscription = only_subscription(db)
    assert subscription.contact.email == "bea@example.com"
    assert subscription.contact.name == "Bea Lind"
    assert subscription.collection is CollectionMethod.INVOICE
    assert subscription.net_terms is NetTerms.NET_15
    [period] = subscription.periods
    assert period.status is PeriodStatus.OPEN
    invoice = db.get(Invoice, period.invoice_id)
    assert invoice.number is not None
    assert invoice.net_terms is NetTerms.NET_15
    page = client.get(response.location).get_data(as_text=True)
    assert f"Invoice {invoice.number} for €31.00 is issued for period 0." in page


def test_two_prices_and_tax(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder
    vat = make_tax_rate(db)
    db.commit()

    response = submit(
        client,
        saved_method_id=str(method.id),
        **{
            "items-0-price_id": str(catalog["desk"].id),
            "items-3-price_id": str(catalog["locker"].id),
            "items-3-quantity": "3",
            "items-3-tax_rate_id": str(vat.id),
        },
    )

    assert response.status_code == 303
    subscription = only_subscription(db)
    items = [(item.description, item.quantity) for item in subscription.items]
    assert items == [("Desk", 1), ("Locker", 3)]
    assert subscription.items[1].tax_rate_id == vat.id
    assert subscription.periods[0].amount == 3100 + 1500 + 360


def test_future_start_is_scheduled(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder

    response = submit(
        client,
        start="after_delay",
        start_delay="2",
        start_delay_unit="months",
        saved_method_id=str(method.id),
        **{"items-0-price_id": str(catalog["desk"].id)},
    )

    assert response.status_code == 303
    subscription = only_subscription(db)
    assert subscription.status is SubscriptionStatus.SCHEDULED
    assert subscription.start_date > TODAY
    assert subscription.periods == []
    page = client.get(response.location).get_data(as_text=True)
    assert f"It is first billed on {subscription.start_date.isoformat()}." in page


def test_trial_bills_nothing_yet(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder

    response = submit(
        client,
        trial_days="14",
        saved_method_id=str(method.id),
        **{"items-0-price_id": str(catalog["desk"].id)},
    )

    assert response.status_code == 303
    subscription = only_subscription(db)
    assert subscription.status is SubscriptionStatus.TRIALING
    assert subscription.trial_end == subscription.start_date.fromordinal(
        subscription.start_date.toordinal() + 14
    )
    assert subscription.periods == []


def test_start_on_date(client, signed_in, db, catalog):
    signed_in(StaffRole.SALES)
    day = TODAY.replace(year=TODAY.year + 1, day=1)

    response = submit(
        client,
        contact_name="Aino Virtanen",
        start="on_date",
        start_on=day.isoformat(),
        collection="invoice",
        **{"items-0-price_id": str(catalog["desk"].id)},
    )

    assert response.status_code == 303
    subscription = only_subscription(db)
    assert subscription.start_date == day
    assert subscription.next_billing_date == day


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"contact_email": ""}, "contact_email", "Enter the contact&#39;s email"),
        ({"contact_email": "not-an-email"}, "contact_email", "is not a valid email"),
        (
            {"contact_email": "new@example.com", "collection": "invoice"},
            "contact_name",
            "No contact has the email new@example.com",
        ),
        ({"items-0-price_id": ""}, "items", "Choose at least one recurring price."),
        ({"items-0-price_id": "999"}, "items-0-price_id", "Choose an active price"),
        ({"items-0-quantity": "0"}, "items-0-quantity", "from 1 to 9999"),
        ({"start": "on_date", "start_on": "2001-01-01"}, "start_on", "in the past"),
        ({"start": "on_date", "start_on": "31.1."}, "start_on", "not a valid date"),
        ({"start": "after_delay", "start_delay": "x"}, "start_delay", "from 1 to"),
        ({"trial_days": "-3"}, "trial_days", "Enter a whole number from 1 to 730"),
        ({"collection": ""}, "collection", "Choose how the subscription is paid"),
        ({"saved_method_id": ""}, "saved_method_id", "Choose one of the contact"),
        (
            {"collection": "invoice", "net_terms": "custom"},
            "net_terms",
            "Choose payment terms",
        ),
        ({"locale": "xx"}, "locale", "Choose a language"),
    ],
)
def test_bad_input_is_rejected(
    client, signed_in, db, catalog, card_holder, fields, field, message
):
    signed_in(StaffRole.SALES)
    data = {"items-0-price_id": str(catalog["desk"].id), **fields}

    response = submit(client, **data)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert "Nothing was saved." in page
    db.expire_all()
    assert db.scalars(select(Subscription)).all() == []


def test_bad_input_keeps_typed_values(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)

    response = submit(
        client,
        contact_email="new@example.com",
        contact_name="",
        start="after_delay",
        start_delay="3",
        start_delay_unit="months",
        trial_days="10",
        collection="invoice",
        net_terms="net_45",
        **{"items-0-price_id": str(catalog["desk"].id), "items-0-quantity": "4"},
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="new@example.com"' in page
    assert 'id="items-0-quantity" name="items-0-quantity"' in page
    assert 'value="4"' in page
    assert f'<option value="{catalog["desk"].id}" selected>' in page
    assert 'value="after_delay" id="start-after-delay" checked' in page
    assert (
        'id="start_delay" name="start_delay" inputmode="numeric" size="5" value="3"'
        in page
    )
    assert '<option value="months" selected>' in page
    assert 'value="10"' in page
    assert 'value="invoice" id="collection-invoice" checked' in page
    assert '<option value="net_45" selected>' in page


def test_mixed_currencies_are_rejected(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder

    response = submit(
        client,
        saved_method_id=str(method.id),
        **{
            "items-0-price_id": str(catalog["desk"].id),
            "items-1-price_id": str(catalog["archive"].id),
        },
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        "Archive is priced in JPY, but Desk in EUR. A subscription has one "
        "currency: choose a EUR price, or start a separate subscription."
    ) in page
    assert 'id="items-1-price_id-error"' in page


def test_mixed_frequencies_are_rejected(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder

    response = submit(
        client,
        saved_method_id=str(method.id),
        **{
            "items-0-price_id": str(catalog["desk"].id),
            "items-1-price_id": str(catalog["yearly_desk"].id),
        },
    )

    assert response.status_code == 422
    assert "Desk for a year is billed yearly, but Desk monthly." in (
        response.get_data(as_text=True)
    )


def test_one_time_price_is_rejected(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)

    response = submit(client, **{"items-0-price_id": str(catalog["poster"].id)})

    assert response.status_code == 422
    assert "Poster is a one-time price. Choose a recurring price." in (
        response.get_data(as_text=True)
    )


def test_same_price_twice_is_rejected(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder
    desk = str(catalog["desk"].id)

    response = submit(
        client,
        saved_method_id=str(method.id),
        **{"items-0-price_id": desk, "items-1-price_id": desk},
    )

    assert response.status_code == 422
    assert "Desk is chosen twice." in response.get_data(as_text=True)


def test_contact_without_card_offers_invoice(client, signed_in, db, catalog):
    signed_in(StaffRole.SALES)
    make_contact(db, "bea@example.com")
    db.commit()

    response = submit(
        client,
        contact_email="bea@example.com",
        **{"items-0-price_id": str(catalog["desk"].id)},
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "bea@example.com has no saved payment method" in page
    assert "Choose Send an invoice instead." in page
    assert 'id="collection-invoice"' in page


def test_methods_listed_for_contact(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder
    add_card(method, "pm_test_old", "1111", exp_year=2020)
    add_card(method, "pm_test_gone", "2222", removed_at=now_utc())
    db.commit()
    token, key = open_form(client)

    response = client.post(
        PATH,
        data={
            "csrf_token": token,
            "idempotency_key": key,
            "contact_email": "AINO@example.com",
            "action": "show_methods",
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Visa ending 4242, expires 12/2040" in page
    assert "Visa ending 1111, expires 12/2020 (expired)" in page
    assert "2222" not in page
    assert 'id="contact_email-error"' not in page
    assert db.scalars(select(Subscription)).all() == []


def test_expired_card_is_rejected(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder
    method.exp_year = 2020
    db.commit()

    response = submit(
        client,
        saved_method_id=str(method.id),
        **{"items-0-price_id": str(catalog["desk"].id)},
    )

    assert response.status_code == 422
    assert "The card ending 4242 expired at the end of 12/2020." in (
        response.get_data(as_text=True)
    )


def test_other_contacts_card_is_rejected(client, signed_in, db, catalog, card_holder):
    signed_in(StaffRole.SALES)
    _contact, method = card_holder
    make_contact(db, "bea@example.com")
    db.commit()

    response = submit(
        client,
        contact_email="bea@example.com",
        saved_method_id=str(method.id),
        **{"items-0-price_id": str(catalog["desk"].id)},
    )

    assert response.status_code == 422
    assert db.scalars(select(Subscription)).all() == []


def test_rows_added_and_removed(client, signed_in, catalog):
    signed_in(StaffRole.SALES)
    token, key = open_form(client)
    base = {"csrf_token": token, "idempotency_key": key}

    added = client.post(
        PATH,
        data={
            **base,
            "items-0-price_id": str(catalog["desk"].id),
            "action": "add_item",
        },
    )
    removed = client.post(
        PATH,
        data={
            **base,
            "items-0-price_id": str(catalog["desk"].id),
            "items-1-price_id": "",
            "action": "remove_item:0",
        },
    )

    assert added.status_code == 200
    assert 'name="items-1-price_id"' in added.get_data(as_text=True)
    assert "Nothing was saved." not in added.get_data(as_text=True)
    assert removed.status_code == 200
    page = removed.get_data(as_text=True)
    assert 'name="items-0-price_id"' not in page
    assert 'name="items-1-price_id"' in page


def test_missing_key_is_400(client, signed_in, catalog):
    signed_in(StaffRole.SALES)
    token = csrf_token(client, PATH)

    response = client.post(PATH, data={"csrf_token": token, "action": "start"})

    assert response.status_code == 400


def test_new_contact_saved_with_subscription(client, signed_in, db, catalog):
    signed_in(StaffRole.SALES)

    response = submit(
        client,
        contact_email="cai@example.com",
        contact_name="Cai Berg",
        collection="invoice",
        trial_days="7",
        **{"items-0-price_id": str(catalog["desk"].id)},
    )

    assert response.status_code == 303
    contact = db.scalars(
        select(Contact).where(Contact.email == "cai@example.com")
    ).one()
    assert contact.name == "Cai Berg"
