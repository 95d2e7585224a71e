"""The subscriptions index, the detail page, staff actions and the test clock."""

import csv
import io
import re
import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.database import now_utc
from portal.models import AuditEvent, BillingFrequency, Staff, StaffRole
from portal.models.subscriptions import (
    CollectionMethod,
    PeriodStatus,
    Subscription,
    SubscriptionStatus,
)
from portal.processors import get_processor
from portal.processors.base import CardDetails
from tests.factories import make_business, make_tax_rate
from tests.fixtures.staff import csrf_token
from tests.subscriptions.builders import (
    PeriodSpec,
    make_contact,
    make_recurring_price,
    make_saved_method,
    make_subscription,
)

TODAY = now_utc().date()


@pytest.fixture
def business(db):
    business = make_business(db, timezone="UTC", accepted_currencies=["JPY"])
    db.commit()
    return business


@pytest.fixture
def plans(db, business):
    """Three subscriptions: active monthly EUR, yearly JPY, canceled EUR."""
    monthly = make_recurring_price(db, "Desk", 3100)
    yearly = make_recurring_price(
        db, "Archive", 12000, currency="JPY", frequency=BillingFrequency.YEARLY
    )
    ann = make_contact(db, "ann@example.com")
    bob = make_contact(db, "bob@example.com")
    active = make_subscription(
        db, monthly, contact=ann, quantity=2, anchor=TODAY, periods=[PeriodSpec(0)]
    )
    japanese = make_subscription(
        db,
        yearly,
        contact=bob,
        anchor=TODAY,
        collection=CollectionMethod.INVOICE,
    )
    canceled = make_subscription(
        db, monthly, contact=bob, anchor=TODAY, status=SubscriptionStatus.CANCELED
    )
    canceled.next_billing_date = None
    db.commit()
    return {"active": active, "japanese": japanese, "canceled": canceled}


def post(client, path: str, **data):
    token = csrf_token(client, "/merchant/subscriptions")
    return client.post(path, data={"csrf_token": token, **data})


def history(db, subscription_id: int) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.subject_type == "subscription",
                AuditEvent.subject_id == subscription_id,
            )
            .order_by(AuditEvent.id)
        )
    )


def test_index_lists_subscriptions(client, signed_in, plans):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/subscriptions").get_data(as_text=True)

    assert "3 subscriptions" in page
    assert "ann@example.com" in page
    assert "€62.00" in page
    assert "¥12,000" in page
    assert 'href="/merchant/subscriptions"' in page  # the navigation entry


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("status=active", 2),
        ("status=canceled", 1),
        ("frequency=yearly", 1),
        ("collection=invoice", 1),
        ("currency=JPY", 1),
        ("contact=ann", 1),
        ("currency=EUR&amount_from=50", 1),
        ("currency=EUR&amount_to=31", 1),
        (f"next_billing_from={TODAY + timedelta(days=20)}", 1),
    ],
)
def test_index_filters(client, signed_in, plans, query, count):
    signed_in(StaffRole.VIEWER)

    response = client.get(f"/merchant/subscriptions?{query}")

    assert response.status_code == 200
    noun = "subscription" if count == 1 else "subscriptions"
    assert f"{count} {noun}" in response.get_data(as_text=True)


def test_amount_filter_needs_currency(client, signed_in, plans):
    signed_in(StaffRole.VIEWER)

    response = client.get("/merchant/subscriptions?amount_from=10")

    assert response.status_code == 400
    assert "Choose a currency" in response.get_data(as_text=True)


def test_index_csv(client, signed_in, plans):
    signed_in(StaffRole.VIEWER)

    response = client.get("/merchant/subscriptions.csv?sort=amount")

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["amount_per_period"] for row in rows] == ["31.00", "62.00", "12000"]
    assert rows[2]["currency"] == "JPY"
    assert rows[0]["status"] == "canceled"
    assert rows[0]["next_billing_date"] == ""


def test_saved_view_for_subscriptions(client, signed_in, plans):
    signed_in(StaffRole.VIEWER)
    token = csrf_token(client, "/merchant/subscriptions")

    response = client.post(
        "/merchant/views",
        data={
            "csrf_token": token,
            "index": "subscriptions",
            "name": "Yearly",
            "query": "frequency=yearly",
        },
    )

    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    page = client.get("/merchant/subscriptions").get_data(as_text=True)
    assert "Yearly" in page


@pytest.mark.parametrize(
    ("brand", "last4", "label"),
    [
        ("amex", "0005", "American Express ending 0005"),
        ("mastercard", "4444", "Mastercard ending 4444"),
        ("visa", "0341", "Visa ending 0341"),
    ],
)
def test_detail_names_card_brand(client, signed_in, db, plans, brand, last4, label):
    signed_in(StaffRole.VIEWER)
    active = plans["active"]
    active.saved_method = make_saved_method(
        db,
        active.contact,
        customer_ref="cus_test_9",
        method_ref="pm_test_9",
        brand=brand,
        last4=last4,
    )
    db.commit()

    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)

    assert f'id="saved-method">{label}, expires 12/2040' in page


def test_detail_shows_cancel_date(client, signed_in, db, plans):
    signed_in(StaffRole.VIEWER)
    active = plans["active"]
    active.cancel_at_period_end = True
    db.commit()
    # Period 0 runs until the next billing date, its first day without service.
    cancels_on = active.periods[0].ends_on

    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)

    assert f'<dt>Cancels on</dt><dd id="cancels-on">{cancels_on.isoformat()}' in page
    assert 'id="next-billing-date"' not in page
    assert "Ends on" not in page


def test_paused_detail_shows_cancel_date(client, signed_in, db, plans):
    signed_in(StaffRole.VIEWER)
    active = plans["active"]
    active.status = SubscriptionStatus.PAUSED
    active.next_billing_date = None
    active.cancel_at_period_end = True
    db.commit()

    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)

    cancels_on = active.periods[0].ends_on.isoformat()
    assert f'id="cancels-on">{cancels_on}' in page


def test_detail_page(client, signed_in, db, plans):
    signed_in(StaffRole.VIEWER)
    active = plans["active"]
    method = make_saved_method(
        db, active.contact, customer_ref="cus_test_9", method_ref="pm_test_9"
    )
    active.saved_method = method
    db.commit()

    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)

    assert "Desk" in page
    assert "Visa ending 4242, expires 12/2040" in page
    assert active.next_billing_date.isoformat() in page
    assert 'id="next-amount">€62.00' in page
    assert 'id="periods"' in page
    assert "Cancel now" not in page  # a viewer only reads


def test_missing_subscription_is_404(client, signed_in, business):
    signed_in(StaffRole.VIEWER)

    assert client.get("/merchant/subscriptions/999").status_code == 404


def test_viewer_cannot_pause(client, signed_in, db, plans):
    signed_in(StaffRole.VIEWER)

    response = post(client, f"/merchant/subscriptions/{plans['active'].id}/pause")

    assert response.status_code == 403
    assert history(db, plans["active"].id) == []


def test_pause_twice_pauses_once(client, signed_in, db, plans):
    staff = signed_in(StaffRole.SALES)
    path = f"/merchant/subscriptions/{plans['active'].id}/pause"

    first = post(client, path)
    second = post(client, path)

    assert first.status_code == 303
    assert second.status_code == 303
    assert history(db, plans["active"].id) == ["subscription.paused"]
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.actor == f"staff:{staff.id}"
    assert event.client_address is not None


def test_pausing_canceled_is_409(client, signed_in, db, plans):
    signed_in(StaffRole.SALES)

    response = post(client, f"/merchant/subscriptions/{plans['canceled'].id}/pause")

    assert response.status_code == 409
    assert "only an active or trialing subscription can be paused" in (
        response.get_data(as_text=True)
    )


def test_cancel_flow_over_http(client, signed_in, db, plans):
    signed_in(StaffRole.SALES)
    base = f"/merchant/subscriptions/{plans['active'].id}"

    scheduled = post(client, f"{base}/cancel-at-period-end", reason="Too expensive")
    undone = post(client, f"{base}/keep-renewing")
    canceled = post(client, f"{base}/cancel")

    assert scheduled.status_code == 303
    assert undone.status_code == 303
    assert canceled.status_code == 303
    assert history(db, plans["active"].id) == [
        "subscription.cancel_scheduled",
        "subscription.cancel_undone",
        "subscription.canceled",
    ]
    page = client.get(base).get_data(as_text=True)
    assert "Canceled" in page
    assert "Too expensive" in page


def test_change_quantity_over_http(client, signed_in, db, plans):
    signed_in(StaffRole.SALES)
    active = plans["active"]
    active.periods[0].credit_applied = 6200  # paid by an earlier credit
    db.commit()

    response = post(
        client,
        f"/merchant/subscriptions/{active.id}/items",
        item_id=str(active.items[0].id),
        price_id=str(active.items[0].price_id),
        quantity="1",
    )

    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "was added to the credit balance" in page
    db.refresh(active)
    assert active.items[0].quantity == 1
    assert active.credit_balance > 0


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"price_id": "x", "quantity": "1"}, "Choose a price from the list."),
        ({"price_id": "1", "quantity": "two"}, "Enter the quantity as a whole number"),
        ({"price_id": "1", "quantity": "0"}, "Quantity 0 is out of range"),
    ],
)
def test_change_rejects_bad_input(client, signed_in, plans, data, field_message):
    signed_in(StaffRole.SALES)

    response = post(
        client, f"/merchant/subscriptions/{plans['active'].id}/items", **data
    )

    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)


def test_clock_advances_one_period(app, client, signed_in, db, plans):
    signed_in(StaffRole.SALES)
    active = plans["active"]
    customer = "cus_test_clock"
    with app.app_context():
        details = get_processor().save_card(
            customer=customer,
            details=CardDetails("4242424242424242", 12, 2040, "123"),
            idempotency_key=secrets.token_hex(8),
        )
    active.saved_method = make_saved_method(
        db, active.contact, customer_ref=customer, method_ref=details.id
    )
    db.commit()
    next_date = active.next_billing_date

    response = post(client, f"/merchant/subscriptions/{active.id}/clock", by="period")

    assert response.status_code == 303
    db.expire_all()
    subscription = db.get(Subscription, active.id)
    assert subscription.clock_at.date() == next_date
    assert [period.index for period in subscription.periods] == [0, 1]
    assert subscription.periods[1].status is PeriodStatus.PAID
    assert subscription.next_billing_date > next_date
    assert history(db, active.id)[-1] == "subscription.clock_advanced"
    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)
    assert 'id="clock-time"' in page


def test_clock_rejects_past_date(client, signed_in, plans):
    signed_in(StaffRole.SALES)

    response = post(
        client,
        f"/merchant/subscriptions/{plans['active'].id}/clock",
        clock_to=date(2000, 1, 1).isoformat(),
    )

    assert response.status_code == 422
    assert "the subscription&#39;s current date" in response.get_data(as_text=True)


def test_cancel_now_rejects_unknown_reason(client, signed_in, db, plans):
    signed_in(StaffRole.SALES)
    active = plans["active"]

    response = post(
        client,
        f"/merchant/subscriptions/{active.id}/cancel",
        refund_unused="yes",
        refund_reason="because",
    )

    assert response.status_code == 422
    assert "Choose a refund reason from the list." in response.get_data(as_text=True)
    db.refresh(active)
    assert active.status is SubscriptionStatus.ACTIVE


def test_cancel_now_form_lists_reasons(client, signed_in, plans):
    signed_in(StaffRole.SALES)

    page = client.get(f"/merchant/subscriptions/{plans['active'].id}").get_data(
        as_text=True
    )

    assert '<option value="">No reason given</option>' in page
    assert '<option value="duplicate">Duplicate payment</option>' in page


def test_history_names_staff(client, signed_in, db, plans):
    staff = signed_in(StaffRole.SALES)
    db.get(Staff, staff.id).name = "Maija Mehiläinen"
    db.commit()
    active = plans["active"]
    post(client, f"/merchant/subscriptions/{active.id}/cancel-at-period-end")
    post(client, f"/merchant/subscriptions/{active.id}/keep-renewing")

    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)

    assert "Set to cancel at period end by Maija Mehiläinen" in page
    assert f"staff:{staff.id}" not in page


def test_history_falls_back_to_email(client, signed_in, db, plans):
    staff = signed_in(StaffRole.SALES)
    active = plans["active"]
    post(client, f"/merchant/subscriptions/{active.id}/pause")

    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)

    assert f"Paused by {staff.email}" in page


def test_history_spells_status_change(client, signed_in, db, plans):
    signed_in(StaffRole.VIEWER)
    active = plans["active"]
    db.add(
        AuditEvent(
            subject_type="subscription",
            subject_id=active.id,
            action="subscription.status_changed",
            actor="system",
            from_state="past_due",
            to_state="canceled",
            details={"reason": "retries_exhausted"},
        )
    )
    db.commit()

    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)

    assert (
        "Status changed by Kassa (Past due → Canceled): every retry of the failed "
        "charge failed"
    ) in page
    assert "subscription.status_changed" not in page
    assert "retries_exhausted" not in page


def test_item_tax_in_own_column(client, signed_in, db, plans):
    signed_in(StaffRole.VIEWER)
    active = plans["active"]
    active.items[0].tax_rate = make_tax_rate(db, "VAT", "25.5")
    db.commit()

    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)

    assert "<th>Tax</th>" in page
    assert '<td class="item-tax">VAT 25.5%</td>' in page
    assert "<td>Desk</td>" in page
    assert "(VAT)" not in page


def test_periods_numbered_from_one(client, signed_in, db, plans):
    signed_in(StaffRole.VIEWER)
    active = plans["active"]

    page = client.get(f"/merchant/subscriptions/{active.id}").get_data(as_text=True)

    periods = page.split('id="periods"', 1)[1].split("</table>", 1)[0]
    numbers = re.findall(r"<tr>\s*<td>(\d+)</td>", periods)
    assert "<th>Period</th>" in periods
    assert numbers == ["1"]
