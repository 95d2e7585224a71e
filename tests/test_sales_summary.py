"""Counts and sums of succeeded payments per currency, by the business's day."""

import secrets
from datetime import UTC, datetime

from portal.models import (
    Contact,
    Order,
    Payment,
    PaymentMethodKind,
    PaymentStatus,
)
from portal.sales_summary import CurrencyTotal, local_day_start, succeeded_totals

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def add_payment(session, amount, currency, status, succeeded_at):
    contact = Contact(email=f"{secrets.token_hex(4)}@example.com")
    order = Order(
        currency=currency,
        subtotal=amount,
        discount_total=0,
        fee_total=0,
        tax_total=0,
        total=amount,
    )
    session.add_all([contact, order])
    session.flush()
    session.add(
        Payment(
            token=secrets.token_hex(16),
            contact_id=contact.id,
            order_id=order.id,
            currency=currency,
            amount=amount,
            status=status,
            method=PaymentMethodKind.CARD,
            processor="test",
            succeeded_at=succeeded_at,
        )
    )
    session.flush()


def test_day_starts_at_local_midnight():
    start = local_day_start(NOW, "Europe/Helsinki")

    assert start == datetime(2027, 3, 9, 22, 0, tzinfo=UTC)


def test_days_back_counts_local_days():
    start = local_day_start(NOW, "Europe/Helsinki", days_back=29)

    assert start == datetime(2027, 2, 8, 22, 0, tzinfo=UTC)


def test_totals_per_currency(db):
    succeeded = PaymentStatus.SUCCEEDED
    add_payment(db, 1000, "EUR", succeeded, datetime(2027, 3, 10, 8, tzinfo=UTC))
    add_payment(db, 2550, "EUR", succeeded, datetime(2027, 3, 10, 9, tzinfo=UTC))
    add_payment(db, 8000, "JPY", succeeded, datetime(2027, 3, 10, 10, tzinfo=UTC))
    # Before the period, and not succeeded: neither counts.
    add_payment(db, 700, "EUR", succeeded, datetime(2027, 3, 9, 21, tzinfo=UTC))
    add_payment(db, 900, "EUR", PaymentStatus.PROCESSING, None)
    db.commit()

    totals = succeeded_totals(db, local_day_start(NOW, "Europe/Helsinki"), NOW)

    assert totals == [
        CurrencyTotal("EUR", 2, 3550),
        CurrencyTotal("JPY", 1, 8000),
    ]
