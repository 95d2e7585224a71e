"""The business's account settings hide sections and reject their actions."""

from sqlalchemy import func, select

from portal.models import Subscription, SubscriptionStatus
from portal.subscriptions.settings import ACCOUNT_SWITCHES
from tests.account.conftest import form_token, make_subscription, save_method
from tests.account.test_other_customers import make_payment


def switch_off(db, business, name: str) -> None:
    setattr(business, name, False)
    db.commit()


def test_hidden_subscriptions(aino_client, db, business, aino):
    subscription = make_subscription(db, aino)
    switch_off(db, business, "account_shows_subscriptions")

    overview = aino_client.get("/account/").get_data(as_text=True)
    page = aino_client.get(f"/account/subscriptions/{subscription.token}")

    assert 'id="subscriptions"' not in overview
    assert page.status_code == 404


def test_hidden_payments(aino_client, db, business, aino):
    payment = make_payment(db, aino)
    switch_off(db, business, "account_shows_payments")

    overview = aino_client.get("/account/").get_data(as_text=True)

    assert 'id="payments"' not in overview
    assert aino_client.get(f"/account/payments/{payment.token}").status_code == 404
    pdf = aino_client.get(f"/account/payments/{payment.token}/receipt.pdf")
    assert pdf.status_code == 404


def test_hidden_invoices(aino_client, db, business, aino):
    switch_off(db, business, "account_shows_invoices")

    overview = aino_client.get("/account/").get_data(as_text=True)

    assert 'id="invoices"' not in overview


def test_cancel_not_allowed(aino_client, db, business, aino):
    subscription = make_subscription(db, aino)
    switch_off(db, business, "account_allows_cancel")

    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    response = aino_client.post(
        f"/account/subscriptions/{subscription.token}/cancel",
        data={"csrf_token": form_token(aino_client)},
    )

    text = page.get_data(as_text=True)
    assert 'id="cancel-subscription"' not in text
    assert "To cancel this subscription, contact Nordlys Studio." in text
    assert response.status_code == 403
    assert "Contact Nordlys Studio to cancel" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Subscription, subscription.id).cancel_at_period_end is False


def test_resubscribe_not_allowed(aino_client, db, business, aino):
    subscription = make_subscription(
        db,
        aino,
        saved_method=save_method(db, aino),
        status=SubscriptionStatus.CANCELED,
        next_billing_date=None,
    )
    switch_off(db, business, "account_allows_cancel")

    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    response = aino_client.post(
        f"/account/subscriptions/{subscription.token}/resubscribe",
        data={"csrf_token": form_token(aino_client)},
    )

    text = page.get_data(as_text=True)
    assert 'id="resubscribe"' not in text
    assert 'id="resubscribe-terms"' not in text
    assert response.status_code == 403
    assert "Contact Nordlys Studio to subscribe again" in response.get_data(
        as_text=True
    )
    assert db.scalar(select(func.count(Subscription.id))) == 1


def test_cancel_switch_label_names_resubscribing():
    label = ACCOUNT_SWITCHES["account_allows_cancel"]

    assert "cancel at period end" in label
    assert "subscribe again" in label


def test_method_update_not_allowed(aino_client, db, business, aino):
    subscription = make_subscription(db, aino, saved_method=save_method(db, aino))
    switch_off(db, business, "account_allows_method_update")

    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    response = aino_client.get(
        f"/account/subscriptions/{subscription.token}/payment-method"
    )

    assert 'id="update-method"' not in page.get_data(as_text=True)
    assert response.status_code == 403


def test_billing_details_not_allowed(aino_client, db, business, aino):
    switch_off(db, business, "account_allows_billing_details")

    overview = aino_client.get("/account/").get_data(as_text=True)
    response = aino_client.post(
        "/account/billing-details",
        data={"csrf_token": form_token(aino_client), "name": "Someone Else"},
    )

    assert 'id="billing-details"' not in overview
    assert response.status_code == 404
    db.expire_all()
    assert aino.name == "Aino Virtanen"
