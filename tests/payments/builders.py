"""Payments made through the real checkout, for tests of what follows a payment."""

import re

from flask import Flask
from sqlalchemy import select

from portal.models import Business, Collect, Payment
from tests.factories import make_business, make_link

VISA = "4242 4242 4242 4242"
REFUND_FAILING_CARD = "4000 0000 0000 5126"
BUYER_EMAIL = "aino@example.com"
TOKEN_FIELD = re.compile(r'name="token" value="([^"]+)"')


def ensure_business(app: Flask, **overrides) -> None:
    """Add the business with an address and tax ID, unless there is one."""
    with app.extensions["kassa.sessionmaker"]() as session:
        if session.scalars(select(Business)).first() is None:
            make_business(
                session,
                address="Mannerheimintie 12\n00100 Helsinki",
                tax_id="FI12345678",
                **overrides,
            )
            session.commit()


def paid_payment(
    app: Flask,
    *,
    amount: int = 5000,
    currency: str = "EUR",
    card: str = VISA,
    phone: str = "+358 40 123 4567",
    custom_answer: str = "M",
) -> int:
    """Pay ``amount`` minor units for a one-item payment link and return the payment id.

    The buyer gives a phone number, a postal address and a custom-field
    answer, so that receipts have every optional fact to show or hide.
    """
    ensure_business(app)
    with app.extensions["kassa.sessionmaker"]() as session:
        link = make_link(
            session,
            items=[{"name": "Poster", "unit_amount": amount}],
            currency=currency,
            custom_fields=[{"key": "size", "label": "Frame size", "required": True}],
            collect_phone=Collect.OPTIONAL,
            collect_address=Collect.OPTIONAL,
        )
        session.commit()
        slug = link.slug

    client = app.test_client()
    page = client.get(f"/pay/{slug}").get_data(as_text=True)
    response = client.post(
        f"/pay/{slug}",
        data={
            "action": "pay",
            "token": TOKEN_FIELD.search(page).group(1),
            "email": BUYER_EMAIL,
            "name": "Aino Virtanen",
            "phone": phone,
            "address_line1": "Aleksanterinkatu 5 B 12",
            "postal_code": "00170",
            "city": "Helsinki",
            "country": "FI",
            "custom-size": custom_answer,
            "method": "card",
            "card_number": card,
            "card_expiry": "12 / 40",
            "card_cvc": "123",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    token = response.headers["Location"].split("/receipts/")[1].split("?")[0]
    with app.extensions["kassa.sessionmaker"]() as session:
        return session.scalars(select(Payment.id).where(Payment.token == token)).one()
