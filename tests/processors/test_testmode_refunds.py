"""Refunds in the test-mode processor: remainders, idempotency and failures."""

import secrets
import threading

import pytest
from sqlalchemy import func, select

from portal.models import PaymentStatus, RefundStatus
from portal.models import testmode as testmode_models
from portal.processors import testmode
from portal.processors.base import CardDetails, RefundError

# Imported through its module, as pytest collects classes named Test*.
REFUNDS = testmode_models.TestModeRefund.__table__

SUCCEEDING_CARD = "4242424242424242"
REFUND_FAILING_CARD = "4000000000005126"


def make_processor(app):
    return testmode.TestModeProcessor(app.extensions["kassa.sessionmaker"], 60)


@pytest.fixture
def processor(app):
    return make_processor(app)


def pay(processor, number=SUCCEEDING_CARD, amount=5000, currency="EUR"):
    return processor.create_payment(
        amount=amount,
        currency=currency,
        details=CardDetails(number=number, exp_month=12, exp_year=2040, cvc="123"),
        idempotency_key=secrets.token_hex(8),
        description="Test order",
    )


def refund(processor, intent_id, amount, key=None, reason="requested_by_customer"):
    return processor.refund(
        intent_id,
        amount=amount,
        idempotency_key=key or secrets.token_hex(8),
        reason=reason,
    )


def test_partial_refund_succeeds(processor):
    intent = pay(processor)

    result = refund(processor, intent.id, 1500)

    assert result.status is RefundStatus.SUCCEEDED
    assert result.amount == 1500
    assert result.currency == "EUR"
    assert result.id.startswith("re_test_")
    assert result.failure_message is None


def test_refunds_up_to_captured_amount(processor):
    intent = pay(processor, amount=5000)

    first = refund(processor, intent.id, 3000)
    second = refund(processor, intent.id, 2000)

    assert first.status is RefundStatus.SUCCEEDED
    assert second.status is RefundStatus.SUCCEEDED


def test_refund_above_remainder_is_rejected(processor, db):
    intent = pay(processor, amount=5000)
    refund(processor, intent.id, 3000)

    with pytest.raises(RefundError) as raised:
        refund(processor, intent.id, 2001)

    assert raised.value.code == "amount_too_large"
    assert "2000" in raised.value.message
    assert db.scalar(select(func.count()).select_from(REFUNDS)) == 1


def test_fully_refunded_payment_is_rejected(processor):
    intent = pay(processor, amount=5000)
    refund(processor, intent.id, 5000)

    with pytest.raises(RefundError) as raised:
        refund(processor, intent.id, 1)

    assert raised.value.code == "charge_already_refunded"


@pytest.mark.parametrize("amount", [0, -100])
def test_refund_of_non_positive_amount_is_rejected(processor, amount):
    intent = pay(processor)

    with pytest.raises(RefundError) as raised:
        refund(processor, intent.id, amount)

    assert raised.value.code == "parameter_invalid_integer"


def test_declined_payment_cannot_be_refunded(processor):
    intent = pay(processor, number="4000000000000002")
    assert intent.status is PaymentStatus.REQUIRES_PAYMENT_METHOD

    with pytest.raises(RefundError) as raised:
        refund(processor, intent.id, 100)

    assert raised.value.code == "payment_intent_unexpected_state"


def test_unknown_intent_is_rejected(processor):
    with pytest.raises(RefundError) as raised:
        refund(processor, "pi_test_missing", 100)

    assert raised.value.code == "resource_missing"


def test_repeated_key_returns_first_refund(processor, db):
    intent = pay(processor, amount=5000)

    first = refund(processor, intent.id, 4000, key="refund-1")
    again = refund(processor, intent.id, 4000, key="refund-1")

    assert again == first
    assert db.scalar(select(func.count()).select_from(REFUNDS)) == 1


def test_key_reused_for_other_amount_is_rejected(processor):
    intent = pay(processor, amount=5000)
    refund(processor, intent.id, 1000, key="refund-1")

    with pytest.raises(RefundError) as raised:
        refund(processor, intent.id, 2000, key="refund-1")

    assert raised.value.code == "idempotency_error"


def test_refund_failing_card_returns_failed_refund(processor):
    intent = pay(processor, number=REFUND_FAILING_CARD)
    assert intent.status is PaymentStatus.SUCCEEDED

    result = refund(processor, intent.id, 1000)

    assert result.status is RefundStatus.FAILED
    assert "another way" in result.failure_message


def test_failed_refund_leaves_amount_refundable(processor):
    intent = pay(processor, number=REFUND_FAILING_CARD, amount=5000)
    refund(processor, intent.id, 5000)

    # The failed refund returned nothing, so the whole amount is still there.
    again = refund(processor, intent.id, 5000)

    assert again.status is RefundStatus.FAILED


def test_zero_decimal_refund_kept_as_given(processor):
    intent = pay(processor, amount=8000, currency="JPY")

    result = refund(processor, intent.id, 8000)

    assert result.amount == 8000
    assert result.currency == "JPY"


def test_concurrent_refunds_never_exceed_payment(app):
    processor = make_processor(app)
    intent = pay(processor, amount=5000)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def refund_at_once() -> None:
        barrier.wait()
        try:
            outcomes.append(refund(processor, intent.id, 3000))
        except RefundError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=refund_at_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    errors = [outcome for outcome in outcomes if isinstance(outcome, RefundError)]
    assert len(outcomes) == 2
    assert len(errors) == 1
    assert errors[0].code == "amount_too_large"
