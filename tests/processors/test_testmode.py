"""The test-mode processor: test cards, bank debits, authentication, idempotency."""

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.database import now_utc
from portal.models import PaymentStatus
from portal.models import testmode as testmode_models
from portal.processors import testmode
from portal.processors.base import (
    BankDetails,
    CardDetails,
    InvalidPaymentDetails,
    PaymentError,
)

# Imported through their modules: pytest would try to collect any class whose
# name starts with "Test" that sits in a test module's namespace.
INTENTS = testmode_models.TestModeIntent.__table__

DEBIT_DELAY = 60  # seconds
ROUTING_NUMBER = "110000000"
SETTLING_ACCOUNT = "000123456789"
FAILING_ACCOUNT = "000111111116"


@pytest.fixture
def processor(app):
    return testmode.TestModeProcessor(app.extensions["kassa.sessionmaker"], DEBIT_DELAY)


def card(number: str) -> CardDetails:
    return CardDetails(number=number, exp_month=12, exp_year=2040, cvc="123")


def bank(account_number: str, routing_number: str = ROUTING_NUMBER) -> BankDetails:
    return BankDetails(
        routing_number=routing_number,
        account_number=account_number,
        holder_name="Aino Virtanen",
    )


def pay(processor, details, *, amount=2500, currency="EUR", key=None):
    return processor.create_payment(
        amount=amount,
        currency=currency,
        details=details,
        idempotency_key=key or secrets.token_hex(8),
        description="Test order",
    )


@pytest.mark.parametrize(
    ("number", "status", "error_code", "brand"),
    [
        ("4242424242424242", PaymentStatus.SUCCEEDED, None, "visa"),
        ("5555555555554444", PaymentStatus.SUCCEEDED, None, "mastercard"),
        (
            "4000000000000002",
            PaymentStatus.REQUIRES_PAYMENT_METHOD,
            "card_declined",
            "visa",
        ),
        (
            "4000000000009995",
            PaymentStatus.REQUIRES_PAYMENT_METHOD,
            "insufficient_funds",
            "visa",
        ),
        (
            "4000000000000069",
            PaymentStatus.REQUIRES_PAYMENT_METHOD,
            "expired_card",
            "visa",
        ),
        (
            "4000000000000127",
            PaymentStatus.REQUIRES_PAYMENT_METHOD,
            "incorrect_cvc",
            "visa",
        ),
        (
            "4000000000000119",
            PaymentStatus.REQUIRES_PAYMENT_METHOD,
            "processing_error",
            "visa",
        ),
        ("4000002500003155", PaymentStatus.REQUIRES_ACTION, None, "visa"),
    ],
)
def test_card_outcomes(processor, number, status, error_code, brand):
    result = pay(processor, card(number), amount=1999)

    assert result.status is status
    assert result.error_code == error_code
    assert result.card_brand == brand
    assert result.last4 == number[-4:]
    assert result.method == "card"
    assert result.amount == 1999
    assert result.currency == "EUR"
    assert result.id.startswith("pi_test_")
    if error_code is None:
        assert result.error_message is None
    else:
        assert result.error_message


def test_zero_decimal_amount_kept_as_given(processor):
    result = pay(processor, card("4242424242424242"), amount=8000, currency="JPY")

    assert result.amount == 8000
    assert result.currency == "JPY"


def test_unknown_card_is_rejected(processor, db):
    with pytest.raises(InvalidPaymentDetails) as raised:
        pay(processor, card("4111111111111111"))

    assert raised.value.code == "invalid_number"
    assert "test card" in raised.value.message
    assert db.scalar(select(func.count()).select_from(INTENTS)) == 0


def test_unknown_bank_account_is_rejected(processor, db):
    with pytest.raises(InvalidPaymentDetails) as raised:
        pay(processor, bank("000999999999", ROUTING_NUMBER))

    assert raised.value.code == "invalid_bank_account"
    assert "routing number 110000000" in raised.value.message
    assert "account number 000123456789" in raised.value.message
    assert db.scalar(select(func.count()).select_from(INTENTS)) == 0


def test_unknown_routing_number_is_rejected(processor, db):
    with pytest.raises(InvalidPaymentDetails) as raised:
        pay(processor, bank(SETTLING_ACCOUNT, "021000021"))

    assert raised.value.code == "routing_number_invalid"
    assert "routing number 110000000" in raised.value.message
    assert db.scalar(select(func.count()).select_from(INTENTS)) == 0


def test_only_last4_is_stored(processor, db):
    pay(processor, card("4242424242424242"))
    pay(processor, card("4000000000000002"))
    pay(processor, bank(SETTLING_ACCOUNT))

    rows = db.execute(select(INTENTS)).mappings().all()
    stored = [str(value) for row in rows for value in row.values()]

    assert len(rows) == 3
    assert sorted(row["last4"] for row in rows) == ["0002", "4242", "6789"]
    for full_number in ("4242424242424242", "4000000000000002", SETTLING_ACCOUNT):
        assert not [value for value in stored if full_number in value]


def test_repeated_idempotency_key_returns_first_intent(processor, db):
    first = pay(processor, card("4242424242424242"), amount=1000, key="attempt-1")
    again = pay(processor, card("4000000000000002"), amount=2000, key="attempt-1")

    assert again.id == first.id
    assert again.status is PaymentStatus.SUCCEEDED
    assert again.amount == 1000
    assert again.error_code is None
    assert db.scalar(select(func.count()).select_from(INTENTS)) == 1


def test_approved_authentication_succeeds(processor):
    intent = pay(processor, card("4000002500003155"))

    result = processor.complete_action(intent.id, approved=True)

    assert result.status is PaymentStatus.SUCCEEDED
    assert result.error_code is None
    assert processor.retrieve(intent.id).status is PaymentStatus.SUCCEEDED


def test_failed_authentication_needs_new_method(processor):
    intent = pay(processor, card("4000002500003155"))

    result = processor.complete_action(intent.id, approved=False)

    assert result.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert result.error_code == "authentication_failed"
    assert result.error_message
    assert processor.retrieve(intent.id).error_code == "authentication_failed"


def test_finished_authentication_is_not_repeated(processor):
    intent = pay(processor, card("4000002500003155"))
    processor.complete_action(intent.id, approved=True)

    result = processor.complete_action(intent.id, approved=False)

    assert result.status is PaymentStatus.SUCCEEDED
    assert result.error_code is None


def test_unknown_intent_raises(processor):
    with pytest.raises(PaymentError) as raised:
        processor.retrieve("pi_test_missing")

    assert raised.value.code == "resource_missing"


def test_bank_debit_settles_when_due(processor):
    intent = pay(processor, bank(SETTLING_ACCOUNT))

    settled = processor.settle_due_debits(
        as_of=now_utc() + timedelta(seconds=DEBIT_DELAY + 1)
    )

    assert intent.status is PaymentStatus.PROCESSING
    assert intent.method == "bank_debit"
    assert intent.last4 == "6789"
    assert [result.id for result in settled] == [intent.id]
    assert settled[0].status is PaymentStatus.SUCCEEDED
    assert processor.retrieve(intent.id).status is PaymentStatus.SUCCEEDED


def test_failing_bank_debit_fails_when_due(processor):
    intent = pay(processor, bank(FAILING_ACCOUNT))

    settled = processor.settle_due_debits(
        as_of=now_utc() + timedelta(seconds=DEBIT_DELAY + 1)
    )

    assert intent.status is PaymentStatus.PROCESSING
    assert [result.id for result in settled] == [intent.id]
    retrieved = processor.retrieve(intent.id)
    assert retrieved.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert retrieved.error_code == "debit_failed"
    assert retrieved.error_message


def test_bank_debit_not_due_stays_processing(processor):
    intent = pay(processor, bank(SETTLING_ACCOUNT))

    settled = processor.settle_due_debits(
        as_of=now_utc() + timedelta(seconds=DEBIT_DELAY - 5)
    )

    assert settled == []
    assert processor.retrieve(intent.id).status is PaymentStatus.PROCESSING


def test_settled_debit_is_not_settled_again(processor):
    intent = pay(processor, bank(SETTLING_ACCOUNT))
    later = now_utc() + timedelta(seconds=DEBIT_DELAY + 1)
    processor.settle_due_debits(as_of=later)

    assert processor.settle_due_debits(as_of=later) == []
    assert processor.retrieve(intent.id).status is PaymentStatus.SUCCEEDED
