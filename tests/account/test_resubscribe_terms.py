"""What subscribing again costs, and how it is paid, on a canceled subscription."""

from sqlalchemy import select

from portal.database import now_utc
from portal.models import Subscription, SubscriptionStatus
from tests.account.conftest import form_token, make_subscription, save_method


def canceled(db, contact, **overrides) -> Subscription:
    subscription = make_subscription(
        db,
        contact,
        status=SubscriptionStatus.CANCELED,
        next_billing_date=None,
        **overrides,
    )
    db.commit()
    return subscription


def page_of(client, subscription: Subscription) -> str:
    response = client.get(f"/account/subscriptions/{subscription.token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_saved_card_named_before_resubscribing(aino_client, db, aino):
    subscription = canceled(db, aino, saved_method=save_method(db, aino))

    html = page_of(aino_client, subscription)

    assert "Subscribe again for €29.00 every month." in html
    assert "The first payment is charged to Visa ending in 4242 right away." in html


def test_removed_card_asks_for_card(aino_client, db, aino):
    method = save_method(db, aino)
    method.removed_at = now_utc()
    subscription = canceled(db, aino, saved_method=method)

    html = page_of(aino_client, subscription)

    assert "Subscribe again for €29.00 every month." in html
    assert "you enter a new card next" in html
    assert "is charged to Visa" not in html


def test_current_price_quoted_and_charged(aino_client, db, aino):
    subscription = canceled(db, aino, saved_method=save_method(db, aino))
    [item] = subscription.items
    item.price.unit_amount = 3500
    db.commit()

    html = page_of(aino_client, subscription)
    aino_client.post(
        f"/account/subscriptions/{subscription.token}/resubscribe",
        data={"csrf_token": form_token(aino_client)},
    )

    assert "Subscribe again for €35.00 every month." in html
    started = db.scalars(
        select(Subscription).where(Subscription.id != subscription.id)
    ).one()
    assert [line.unit_amount for line in started.items] == [3500]


def test_active_subscription_has_no_offer(aino_client, db, aino):
    subscription = make_subscription(db, aino, saved_method=save_method(db, aino))
    db.commit()

    assert 'id="resubscribe-terms"' not in page_of(aino_client, subscription)
