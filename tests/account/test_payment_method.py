"""Updating a subscription's card in test mode."""

import re

from sqlalchemy import select

from portal.models import SavedPaymentMethod, Subscription, SubscriptionStatus
from tests.account.conftest import make_subscription, save_method

FIELD = re.compile(r'name="(csrf_token|token)" value="([^"]+)"')


def form_fields(client, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200
    return dict(FIELD.findall(page.get_data(as_text=True)))


def card(number: str = "5555 5555 5555 4444") -> dict[str, str]:
    return {
        "card_number": number,
        "card_expiry": "12 / 34",
        "card_cvc": "123",
        "consent": "yes",
    }


def test_new_card_replaces_old(aino_client, db, aino):
    old = save_method(db, aino)
    subscription = make_subscription(db, aino, saved_method=old)
    db.commit()
    path = f"/account/subscriptions/{subscription.token}/payment-method"
    fields = form_fields(aino_client, path)

    first = aino_client.post(path, data={**fields, **card()})
    second = aino_client.post(path, data={**fields, **card()})

    assert first.status_code == 303
    assert second.status_code == 303
    db.expire_all()
    stored = db.get(Subscription, subscription.id)
    assert stored.saved_method_id != old.id
    assert stored.saved_method.last4 == "4444"
    assert stored.saved_method.removed_at is None
    assert db.get(SavedPaymentMethod, old.id).removed_at is not None
    methods = db.scalars(select(SavedPaymentMethod)).all()
    assert len(methods) == 2
    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    assert "Mastercard ending in 4444" in page.get_data(as_text=True)


def test_declined_card_keeps_old(aino_client, db, aino):
    old = save_method(db, aino)
    subscription = make_subscription(db, aino, saved_method=old)
    db.commit()
    path = f"/account/subscriptions/{subscription.token}/payment-method"

    response = aino_client.post(
        path, data={**form_fields(aino_client, path), **card("4000000000000002")}
    )

    assert response.status_code == 402
    assert "Your card was declined" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Subscription, subscription.id).saved_method_id == old.id
    assert db.get(SavedPaymentMethod, old.id).removed_at is None


def test_invalid_card_number(aino_client, db, aino):
    subscription = make_subscription(db, aino, saved_method=save_method(db, aino))
    db.commit()
    path = f"/account/subscriptions/{subscription.token}/payment-method"

    response = aino_client.post(
        path, data={**form_fields(aino_client, path), **card("1234")}
    )

    assert response.status_code == 422
    assert "Enter a valid card number." in response.get_data(as_text=True)


def test_consent_required(aino_client, db, aino):
    subscription = make_subscription(db, aino, saved_method=save_method(db, aino))
    db.commit()
    path = f"/account/subscriptions/{subscription.token}/payment-method"
    data = {**form_fields(aino_client, path), **card()}
    del data["consent"]

    response = aino_client.post(path, data=data)

    assert response.status_code == 422
    assert "Agree to save your card" in response.get_data(as_text=True)


def test_token_of_other_subscription_rejected(aino_client, db, aino):
    first = make_subscription(db, aino, saved_method=save_method(db, aino))
    second = make_subscription(db, aino, saved_method=save_method(db, aino, "1111"))
    db.commit()
    first_path = f"/account/subscriptions/{first.token}/payment-method"
    second_path = f"/account/subscriptions/{second.token}/payment-method"

    response = aino_client.post(
        second_path, data={**form_fields(aino_client, first_path), **card()}
    )

    assert response.status_code == 400


def test_ended_subscription_sends_to_its_page(aino_client, db, aino):
    subscription = make_subscription(
        db,
        aino,
        saved_method=save_method(db, aino),
        status=SubscriptionStatus.CANCELED,
        next_billing_date=None,
    )
    db.commit()
    path = f"/account/subscriptions/{subscription.token}/payment-method"

    response = aino_client.get(path)

    assert response.status_code == 303
    assert (
        response.headers["Location"] == f"/account/subscriptions/{subscription.token}"
    )
    page = aino_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This subscription has ended, so its payment method cannot change." in page
    assert 'id="resubscribe"' in page
