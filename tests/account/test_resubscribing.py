"""Subscribing again: real time, the first period charged at once, a new card."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.database import now_utc
from portal.invoices.status import local_today
from portal.models import (
    Order,
    Payment,
    PaymentStatus,
    PeriodStatus,
    Subscription,
    SubscriptionPeriod,
    SubscriptionStatus,
)
from tests.account.conftest import form_token, make_subscription
from tests.account.test_payment_method import card, form_fields
from tests.subscriptions.test_changes import saved_card

FAILED_CARD = "4000000000000341"  # saves, then declines later charges


def canceled(app, db, contact, *, failed: bool, number: str = "4242424242424242"):
    """Add a canceled subscription on a real test-mode card, its last bill failed."""
    method = saved_card(app, db, contact, number)
    subscription = make_subscription(
        db,
        contact,
        status=SubscriptionStatus.CANCELED,
        next_billing_date=None,
        saved_method=method,
        clock_at=datetime(2031, 6, 1, 12, 0, tzinfo=UTC),
    )
    today = now_utc().date()
    subscription.periods.append(
        SubscriptionPeriod(
            index=0,
            starts_on=today - timedelta(days=31),
            ends_on=today,
            status=PeriodStatus.UNCOLLECTIBLE if failed else PeriodStatus.PAID,
            currency="EUR",
            amount=2900,
            order=Order(
                currency="EUR",
                subtotal=2900,
                discount_total=0,
                fee_total=0,
                tax_total=0,
                total=2900,
            ),
        )
    )
    db.commit()
    return subscription


def started_from(db, subscription) -> Subscription | None:
    db.expire_all()
    return db.scalars(
        select(Subscription).where(
            Subscription.idempotency_key == f"resubscribe-{subscription.id}"
        )
    ).first()


def resubscribe(client, subscription):
    return client.post(
        f"/account/subscriptions/{subscription.token}/resubscribe",
        data={"csrf_token": form_token(client)},
    )


def test_good_card_charged_at_once(app, aino_client, db, aino):
    subscription = canceled(app, db, aino, failed=False)

    response = resubscribe(aino_client, subscription)

    started = started_from(db, subscription)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/account/subscriptions/{started.token}"
    assert started.status is SubscriptionStatus.ACTIVE
    [period] = started.periods
    assert period.status is PeriodStatus.PAID
    payment = db.get(Payment, period.payment_id)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount == 2900
    page = aino_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "€29.00 was charged to Visa ending in 4242." in page


def test_real_time_not_old_clock(app, aino_client, db, aino, business):
    subscription = canceled(app, db, aino, failed=False)

    resubscribe(aino_client, subscription)

    started = started_from(db, subscription)
    assert started.clock_at is None
    assert started.start_date == local_today(now_utc(), business.timezone)
    assert started.created_at.year == now_utc().year


def test_failed_card_asks_for_new(app, aino_client, db, aino):
    subscription = canceled(app, db, aino, failed=True, number=FAILED_CARD)
    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    assert "you enter a new card next" in page.get_data(as_text=True)

    response = resubscribe(aino_client, subscription)

    card_page = f"/account/subscriptions/{subscription.token}/resubscribe/card"
    assert response.status_code == 303
    assert response.headers["Location"] == card_page
    assert started_from(db, subscription) is None
    html = aino_client.get(card_page).get_data(as_text=True)
    assert "Your saved card cannot be charged again." in html
    assert "the first payment of €29.00 is charged to it right away" in html
    assert "Save card and pay €29.00" in html


def test_new_card_starts_and_pays(app, aino_client, db, aino):
    subscription = canceled(app, db, aino, failed=True, number=FAILED_CARD)
    old_method_id = subscription.saved_method_id
    path = f"/account/subscriptions/{subscription.token}/resubscribe/card"
    fields = form_fields(aino_client, path)

    first = aino_client.post(path, data={**fields, **card()})
    second = aino_client.post(path, data={**fields, **card()})

    started = started_from(db, subscription)
    assert first.status_code == 303
    assert second.status_code == 303
    assert first.headers["Location"] == f"/account/subscriptions/{started.token}"
    assert second.headers["Location"] == first.headers["Location"]
    assert started.saved_method_id != old_method_id
    assert started.saved_method.last4 == "4444"
    [period] = started.periods
    assert period.status is PeriodStatus.PAID
    assert db.get(Payment, period.payment_id).card_last4 == "4444"
    assert db.scalars(select(Subscription)).all().__len__() == 2


def test_declined_new_card_starts_nothing(app, aino_client, db, aino):
    subscription = canceled(app, db, aino, failed=True, number=FAILED_CARD)
    path = f"/account/subscriptions/{subscription.token}/resubscribe/card"

    response = aino_client.post(
        path, data={**form_fields(aino_client, path), **card("4000000000000002")}
    )

    assert response.status_code == 402
    assert "Your card was declined." in response.get_data(as_text=True)
    assert started_from(db, subscription) is None
