"""The subscription page: next billing, cancel at period end, undo, resubscribe."""

from datetime import UTC, datetime

from sqlalchemy import select

from portal.models import AuditEvent, Subscription, SubscriptionStatus
from tests.account.conftest import form_token, make_subscription, save_method


def post(client, path: str, **data):
    return client.post(path, data={"csrf_token": form_token(client), **data})


def test_page_shows_next_billing(aino_client, db, aino):
    subscription = make_subscription(db, aino, saved_method=save_method(db, aino))
    db.commit()

    page = aino_client.get(f"/account/subscriptions/{subscription.token}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Studio membership" in text
    assert "every month" in text
    assert "€29.00 on" in text
    assert "Visa ending in 4242" in text


def test_overview_lists_subscription(aino_client, db, aino):
    subscription = make_subscription(db, aino)
    db.commit()

    text = aino_client.get("/account/").get_data(as_text=True)

    assert f'id="subscription-{subscription.token}"' in text
    assert "Next payment: €29.00 on" in text


def test_cancel_at_period_end_with_reason(aino_client, db, aino):
    subscription = make_subscription(db, aino)
    db.commit()
    path = f"/account/subscriptions/{subscription.token}/cancel"

    first = post(aino_client, path, reason="Moving abroad")
    second = post(aino_client, path, reason="Moving abroad")

    assert first.status_code == 303
    assert second.status_code == 303
    db.expire_all()
    stored = db.get(Subscription, subscription.id)
    assert stored.cancel_at_period_end is True
    assert stored.cancel_reason == "Moving abroad"
    assert stored.status is SubscriptionStatus.ACTIVE
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "subscription.cancel_scheduled")
    ).all()
    assert len(events) == 1
    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    assert 'id="keep-subscription"' in page.get_data(as_text=True)


def test_cancel_at_period_end_said_once(aino_client, db, aino):
    subscription = make_subscription(db, aino, cancel_at_period_end=True)
    db.commit()

    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    overview = aino_client.get("/account/")

    html = page.get_data(as_text=True)
    assert '<dd id="subscription-status">Active</dd>' in html
    assert "<dt>Cancels on</dt>" in html
    assert "Ends at the end of the period" not in html
    assert "Ends at the end of the period" not in overview.get_data(as_text=True)


def test_cancel_reason_too_long(aino_client, db, aino):
    subscription = make_subscription(db, aino)
    db.commit()

    response = post(
        aino_client,
        f"/account/subscriptions/{subscription.token}/cancel",
        reason="x" * 501,
    )

    assert response.status_code == 422
    assert "Shorten the reason" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Subscription, subscription.id).cancel_at_period_end is False


def test_undo_cancel(aino_client, db, aino):
    subscription = make_subscription(db, aino, cancel_at_period_end=True)
    db.commit()

    response = post(aino_client, f"/account/subscriptions/{subscription.token}/keep")

    assert response.status_code == 303
    db.expire_all()
    assert db.get(Subscription, subscription.id).cancel_at_period_end is False


def test_resubscribe_needs_canceled(aino_client, db, aino):
    subscription = make_subscription(db, aino)
    db.commit()

    response = post(
        aino_client, f"/account/subscriptions/{subscription.token}/resubscribe"
    )

    assert response.status_code == 409
    assert "cannot be changed that way" in response.get_data(as_text=True)


def test_cancel_without_csrf_rejected(aino_client, db, aino):
    subscription = make_subscription(db, aino)
    db.commit()

    response = aino_client.post(f"/account/subscriptions/{subscription.token}/cancel")

    assert response.status_code == 400
    db.expire_all()
    assert db.get(Subscription, subscription.id).cancel_at_period_end is False


def test_resubscribe_after_cancel(aino_client, db, aino):
    subscription = make_subscription(
        db,
        aino,
        saved_method=save_method(db, aino),
        status=SubscriptionStatus.CANCELED,
        next_billing_date=None,
    )
    db.commit()
    path = f"/account/subscriptions/{subscription.token}/resubscribe"

    first = post(aino_client, path)
    second = post(aino_client, path)

    assert first.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    started = db.scalars(
        select(Subscription).where(Subscription.id != subscription.id)
    ).one()
    assert started.contact_id == aino.id
    assert started.status is not SubscriptionStatus.CANCELED
    assert first.headers["Location"] == f"/account/subscriptions/{started.token}"


def test_paused_page_explains_pause(aino_client, db, aino):
    subscription = make_subscription(
        db,
        aino,
        status=SubscriptionStatus.PAUSED,
        paused_at=datetime(2027, 3, 4, 10, 0, tzinfo=UTC),
        next_billing_date=None,
    )
    db.commit()

    page = aino_client.get(f"/account/subscriptions/{subscription.token}")

    text = page.get_data(as_text=True)
    assert 'id="paused-notice"' in text
    assert "paused since March 4, 2027" in text
    assert "Nothing is charged while it is paused." in text
    assert "Nordlys Studio resumes it" in text
    assert 'id="cancel-subscription"' in text


def test_cancel_paused_at_period_end(aino_client, db, aino):
    subscription = make_subscription(
        db,
        aino,
        status=SubscriptionStatus.PAUSED,
        paused_at=datetime(2027, 3, 4, 10, 0, tzinfo=UTC),
        next_billing_date=None,
    )
    db.commit()

    response = post(aino_client, f"/account/subscriptions/{subscription.token}/cancel")

    assert response.status_code == 303
    db.expire_all()
    stored = db.get(Subscription, subscription.id)
    assert stored.cancel_at_period_end is True
    assert stored.status is SubscriptionStatus.PAUSED
    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    assert 'id="keep-subscription"' in page.get_data(as_text=True)


def test_cancel_date_is_first_day_without_service(aino_client, db, aino):
    subscription = make_subscription(db, aino, cancel_at_period_end=True)
    db.commit()
    first_day_without = subscription.next_billing_date

    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    overview = aino_client.get("/account/")

    date_text = f"{first_day_without:%B} {first_day_without.day}, "
    date_text += str(first_day_without.year)
    text = page.get_data(as_text=True)
    assert f'<dt>Cancels on</dt><dd id="ends-on">{date_text}</dd>' in text
    assert "Ends on" not in text
    assert f"Cancels on {date_text}" in overview.get_data(as_text=True)
