"""Refunds through Stripe, full and partial, against localstripe."""

import pytest

from portal.models.refunds import RefundStatus
from portal.processors.base import RefundError
from portal.processors.stripe import StripeProcessor, read_settings
from portal.processors.stripe.intents import to_refund_result
from tests.fixtures.localstripe import LocalStripe, stripe_overrides
from tests.processors.test_stripe import DECLINED, SUCCEEDS, browser_card, pay


@pytest.fixture
def processor(localstripe: LocalStripe) -> StripeProcessor:
    return StripeProcessor(read_settings(stripe_overrides(localstripe)))


@pytest.fixture
def paid(processor, localstripe):
    return pay(
        processor, browser_card(localstripe, SUCCEEDS), amount=8000, currency="JPY"
    )


def test_full_refund(processor, localstripe, paid):
    refund = processor.refund(
        paid.id, amount=8000, idempotency_key="refund-1", reason="requested_by_customer"
    )

    assert refund.id.startswith("re_")
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.amount == 8000
    assert refund.currency == "JPY"
    [sent] = localstripe.requests("/v1/refunds")
    assert sent["params"]["payment_intent"] == paid.id
    assert sent["params"]["amount"] == "8000"
    assert sent["params"]["reason"] == "requested_by_customer"
    assert sent["idempotency_key"] == "refund-1"


def test_partial_refunds_add_up(processor, paid):
    processor.refund(paid.id, amount=3000, idempotency_key="part-1", reason=None)
    processor.refund(paid.id, amount=2000, idempotency_key="part-2", reason="duplicate")

    refunds = [to_refund_result(found) for found in processor.list_refunds(paid.id)]

    assert sorted(refund.amount for refund in refunds) == [2000, 3000]
    assert {refund.status for refund in refunds} == {RefundStatus.SUCCEEDED}


def test_refund_without_reason_sends_none(processor, localstripe, paid):
    processor.refund(paid.id, amount=100, idempotency_key="no-reason", reason=None)

    [sent] = localstripe.requests("/v1/refunds")
    assert "reason" not in sent["params"]


def test_repeated_refund_key_refunds_once(processor, paid):
    first = processor.refund(paid.id, amount=500, idempotency_key="again", reason=None)
    second = processor.refund(paid.id, amount=500, idempotency_key="again", reason=None)

    assert second.id == first.id
    assert len(processor.list_refunds(paid.id)) == 1


def test_refund_of_declined_payment_is_refused(processor, localstripe):
    declined = pay(processor, browser_card(localstripe, DECLINED))

    with pytest.raises(RefundError) as caught:
        processor.refund(declined.id, amount=100, idempotency_key="r", reason=None)

    assert caught.value.message
    assert processor.list_refunds(declined.id) == []
