"""The demo seed's monthly and yearly subscription links, printed and payable."""

from sqlalchemy import select

from portal.demo import seed_demo
from portal.models import (
    BillingFrequency,
    PaymentLink,
    PriceKind,
    Subscription,
    SubscriptionStatus,
)
from tests.checkout.conftest import VALID_CARD, open_checkout


def link(session, slug: str) -> PaymentLink:
    return session.scalars(select(PaymentLink).where(PaymentLink.slug == slug)).one()


def test_seed_adds_monthly_link(db):
    seed_demo(db)
    db.commit()

    membership = link(db, "studio-membership")
    [item] = membership.items
    assert item.price.kind is PriceKind.RECURRING
    assert item.price.frequency is BillingFrequency.MONTHLY
    assert (item.price.unit_amount, item.price.currency) == (1500, "EUR")
    assert membership.trial_days is None


def test_seed_adds_yearly_link_with_trial(db):
    seed_demo(db)
    db.commit()

    club = link(db, "print-club")
    yearly, welcome = club.items
    assert yearly.price.frequency is BillingFrequency.YEARLY
    assert yearly.price.unit_amount == 9900
    assert welcome.price.kind is PriceKind.ONE_TIME
    assert club.trial_days == 14


def test_seed_command_prints_subscription_links(app, db, monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/pay/studio-membership" in result.output
    assert "http://127.0.0.1:8123/pay/print-club" in result.output
    assert "Studio membership: a subscription billed every month" in result.output
    assert "Print club: a subscription billed every year" in result.output


def test_demo_monthly_link_can_be_paid(app, client, db):
    app.test_cli_runner().invoke(args=["demo", "seed"])
    _page, token = open_checkout(client, "studio-membership")

    response = client.post(
        "/pay/studio-membership",
        data={
            "action": "pay",
            "token": token,
            "email": "aino@example.com",
            "save_payment_method": "yes",
            **VALID_CARD,
        },
    )

    assert response.status_code == 303
    db.expire_all()
    [subscription] = db.scalars(select(Subscription))
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert subscription.link.slug == "studio-membership"
