"""A test card that requires authentication is saved only once it is approved."""

import re

from sqlalchemy import select

from portal.models import PeriodStatus, SavedPaymentMethod, Subscription
from tests.account.conftest import make_subscription, save_method
from tests.account.test_payment_method import card, form_fields
from tests.account.test_resubscribing import FAILED_CARD, canceled, started_from

AUTHENTICATES = "4000 0025 0000 3155"
FORM = re.compile(r'name="(csrf_token|form)" value="([^"]+)"')


def decide(client, location: str, decision: str):
    page = client.get(location)
    assert page.status_code == 200
    fields = dict(FORM.findall(page.get_data(as_text=True)))
    return client.post(location.split("?")[0], data={**fields, "decision": decision})


def saved_last4(db) -> list[str]:
    db.expire_all()
    return [method.last4 for method in db.scalars(select(SavedPaymentMethod))]


def test_card_update_waits_for_approval(aino_client, db, aino):
    old = save_method(db, aino)
    subscription = make_subscription(db, aino, saved_method=old)
    db.commit()
    path = f"/account/subscriptions/{subscription.token}/payment-method"

    response = aino_client.post(
        path, data={**form_fields(aino_client, path), **card(AUTHENTICATES)}
    )

    location = response.headers["Location"]
    assert response.status_code == 303
    assert "/card-authentication/update" in location
    assert "3155" not in saved_last4(db)
    assert db.get(Subscription, subscription.id).saved_method_id == old.id
    page = aino_client.get(location).get_data(as_text=True)
    assert "Authenticate your card" in page
    assert "Test mode" in page

    approved = decide(aino_client, location, "approve")

    assert approved.status_code == 303
    assert (
        approved.headers["Location"] == f"/account/subscriptions/{subscription.token}"
    )
    db.expire_all()
    assert db.get(Subscription, subscription.id).saved_method.last4 == "3155"


def test_failed_authentication_keeps_old_card(aino_client, db, aino):
    old = save_method(db, aino)
    subscription = make_subscription(db, aino, saved_method=old)
    db.commit()
    path = f"/account/subscriptions/{subscription.token}/payment-method"
    response = aino_client.post(
        path, data={**form_fields(aino_client, path), **card(AUTHENTICATES)}
    )

    failed = decide(aino_client, response.headers["Location"], "fail")

    assert failed.status_code == 303
    assert failed.headers["Location"] == path
    page = aino_client.get(path).get_data(as_text=True)
    assert "The card could not be authenticated, so it was not saved." in page
    assert "3155" not in saved_last4(db)
    assert db.get(Subscription, subscription.id).saved_method_id == old.id


def test_resubscribe_card_authenticated_then_charged(app, aino_client, db, aino):
    subscription = canceled(app, db, aino, failed=True, number=FAILED_CARD)
    path = f"/account/subscriptions/{subscription.token}/resubscribe/card"
    response = aino_client.post(
        path, data={**form_fields(aino_client, path), **card(AUTHENTICATES)}
    )
    assert "/card-authentication/resubscribe" in response.headers["Location"]
    assert started_from(db, subscription) is None

    approved = decide(aino_client, response.headers["Location"], "approve")

    started = started_from(db, subscription)
    assert approved.headers["Location"] == f"/account/subscriptions/{started.token}"
    assert started.saved_method.last4 == "3155"
    [period] = started.periods
    assert period.status is PeriodStatus.PAID


def test_forged_form_token_rejected(aino_client, db, aino):
    subscription = make_subscription(db, aino, saved_method=save_method(db, aino))
    db.commit()
    base = f"/account/subscriptions/{subscription.token}/card-authentication/update"

    response = aino_client.get(f"{base}?form=forged")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/payment-method")
