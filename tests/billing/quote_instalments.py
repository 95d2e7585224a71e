"""Accepted quotes for tests of the instalment biller, signed and paid as buyers would.

``accepted_quote`` publishes a quote of 1,240.00 EUR (two days at 500.00 plus
24 % VAT) and signs it as its buyer. Unless ``card`` is None, it then pays
the first instalment on the quote page with that test card, saving it for
later charges.
"""

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.billing.run import bill_due
from portal.billing.summary import RunSummary
from portal.models import (
    InstalmentDue,
    Payment,
    Quote,
    QuoteEvent,
    TestModeIntent,
    TestModePaymentMethod,
)
from tests.quotes.published import Part, publish_quote
from tests.quotes.test_paying import pay, sign_all

VISA = "4242 4242 4242 4242"
# Paid and saved at checkout, declined on every later charge.
DECLINED_LATER = "4000 0000 0000 0341"

# 30 % on signature, 70 % thirty days later: 372.00 and 868.00 EUR.
TWO_PARTS = (Part("30"), Part("70", due=InstalmentDue.DAYS_AFTER, days=30))


def accepted_quote(
    app: Flask,
    client: FlaskClient,
    db: Session,
    *,
    parts: tuple[Part, ...] = TWO_PARTS,
    card: str | None = VISA,
    currency: str = "EUR",
    unit_amount: int = 50000,
) -> Quote:
    """Publish, sign and accept a quote; pay its first instalment with ``card``.

    With ``card`` None the first instalment stays unpaid and no payment
    method is saved.
    """
    quote = publish_quote(db, parts=parts, currency=currency, unit_amount=unit_amount)
    sign_all(app, db, quote)
    if card is not None:
        response = pay(client, quote, card_number=card, save_payment_method="yes")
        assert response.status_code == 303, response.get_data(as_text=True)
    db.expire_all()
    return quote


def run(app: Flask, as_of: date) -> RunSummary:
    with app.app_context():
        return bill_due(app.extensions["kassa.sessionmaker"], as_of)


def set_saved_card_behaviour(db: Session, quote: Quote, behaviour: str) -> None:
    """Make later charges of the quote's saved test card "succeed", "decline" or
    "authenticate", as a bank would after the card's funds or rules change."""
    method = db.get(TestModePaymentMethod, quote.saved_method.processor_ref)
    method.behaviour = behaviour
    db.commit()


def quote_actions(db: Session, quote: Quote) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(QuoteEvent.action)
            .where(QuoteEvent.quote_id == quote.id)
            .order_by(QuoteEvent.seq)
        )
    )


def payments_of(db: Session, quote: Quote) -> list[Payment]:
    db.expire_all()
    return list(
        db.scalars(
            select(Payment)
            .where(Payment.contact_id == quote.contact_id)
            .order_by(Payment.id)
        )
    )


def intent_keys(db: Session) -> list[str]:
    """Return the idempotency keys of the test-mode intents, oldest first."""
    db.expire_all()
    return list(
        db.scalars(
            select(TestModeIntent.idempotency_key).order_by(TestModeIntent.created_at)
        )
    )
