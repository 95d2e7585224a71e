"""Payments made through the Stripe-mode checkout, for tests of what follows them."""

import re
import time

from flask import Flask
from sqlalchemy import select

from portal.models import Payment
from tests.factories import make_business, make_link
from tests.fixtures.localstripe import LocalStripe

VISA = "4242424242424242"
FAILING_IBAN = "DE62370400440532013001"  # localstripe fails it about 0.5 s later
TOKEN_FIELD = re.compile(r'name="token" value="([^"]+)"')


def stripe_payment(
    app: Flask,
    localstripe: LocalStripe,
    *,
    card: str | None = VISA,
    iban: str | None = None,
    amount: int = 5000,
) -> Payment:
    """Pay a one-item link in Stripe mode and return the payment."""
    with app.extensions["kassa.sessionmaker"]() as session:
        make_business(session, timezone="UTC")
        link = make_link(session, items=[{"name": "Poster", "unit_amount": amount}])
        session.commit()
        slug = link.slug

    client = app.test_client()
    page = client.get(f"/pay/{slug}").get_data(as_text=True)
    method = localstripe.sepa_debit(iban) if iban else localstripe.card(card)
    response = client.post(
        f"/pay/{slug}",
        data={
            "action": "pay",
            "token": TOKEN_FIELD.search(page).group(1),
            "email": "aino@example.com",
            "name": "Aino Virtanen",
            "payment_method": method,
        },
    )
    assert response.status_code in (303, 402), response.get_data(as_text=True)[:500]
    with app.extensions["kassa.sessionmaker"]() as session:
        return session.scalars(select(Payment).order_by(Payment.id.desc())).first()


def wait_for(check, timeout: float = 10.0):
    """Poll ``check`` until it returns a true value, or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)
