"""The Stripe adapter against localstripe: payments, declines, authentication."""

import pytest

from portal.models import PaymentStatus
from portal.processors.base import (
    CardDetails,
    InvalidPaymentDetails,
    PaymentMethodReference,
    ProcessorUnavailable,
)
from portal.processors.stripe import StripeProcessor, read_settings
from tests.fixtures.localstripe import LocalStripe, stripe_overrides

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000341"  # localstripe declines this card when it is charged
AUTHENTICATES = "4000002500003155"
FAILING_IBAN = "DE62370400440532013001"  # localstripe fails this debit after a moment
CARD_ONLY = frozenset({"card"})
CARD_OR_DEBIT = frozenset({"card", "bank_debit"})


@pytest.fixture
def processor(localstripe: LocalStripe) -> StripeProcessor:
    return StripeProcessor(read_settings(stripe_overrides(localstripe)))


def browser_card(localstripe: LocalStripe, number: str) -> str:
    """Create a card PaymentMethod as Stripe.js does in the buyer's browser."""
    card = {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    return localstripe.call(
        "POST", "/v1/payment_methods", {"type": "card", "card": card}
    )["id"]


def browser_debit(localstripe: LocalStripe, iban: str) -> str:
    data = {"type": "sepa_debit", "sepa_debit": {"iban": iban}}
    return localstripe.call("POST", "/v1/payment_methods", data)["id"]


def pay(processor, method_id, *, amount=2500, currency="EUR", key="order-1", **extra):
    allowed = extra.pop("allowed", CARD_ONLY)
    return processor.create_payment(
        amount=amount,
        currency=currency,
        details=PaymentMethodReference(
            id=method_id,
            allowed_kinds=allowed,
            client_address="203.0.113.9",
            user_agent="Chromium",
        ),
        idempotency_key=key,
        description="Workshop kit",
        **extra,
    )


def test_card_payment_succeeds(processor, localstripe):
    result = pay(processor, browser_card(localstripe, SUCCEEDS))

    assert result.status is PaymentStatus.SUCCEEDED
    assert result.id.startswith("pi_")
    assert result.amount == 2500
    assert result.currency == "EUR"
    assert result.method == "card"
    assert result.card_brand == "visa"
    assert result.last4 == "4242"


@pytest.mark.parametrize(
    ("amount", "currency", "sent_amount", "sent_currency"),
    [
        (80, "JPY", "80", "jpy"),
        (1234, "EUR", "1234", "eur"),
        (1500, "KWD", "1500", "kwd"),
    ],
)
def test_amount_sent_in_minor_units(
    processor, localstripe, amount, currency, sent_amount, sent_currency
):
    pay(
        processor, browser_card(localstripe, SUCCEEDS), amount=amount, currency=currency
    )

    [sent] = localstripe.requests("/v1/payment_intents")
    assert sent["params"]["amount"] == sent_amount
    assert sent["params"]["currency"] == sent_currency


def test_payment_sends_idempotency_key_and_confirms(processor, localstripe):
    method = browser_card(localstripe, SUCCEEDS)

    pay(processor, method, key="checkout-abc")

    [sent] = localstripe.requests("/v1/payment_intents")
    assert sent["idempotency_key"] == "checkout-abc"
    assert sent["params"]["confirm"] == "true"
    assert sent["params"]["payment_method"] == method
    assert sent["params"]["payment_method_types[0]"] == "card"
    assert sent["params"]["description"] == "Workshop kit"
    assert sent["params"]["metadata[kassa_idempotency_key]"] == "checkout-abc"
    assert "setup_future_usage" not in sent["params"]
    assert "mandate_data[customer_acceptance][type]" not in sent["params"]


def test_repeated_key_returns_first_intent(processor, localstripe):
    method = browser_card(localstripe, SUCCEEDS)

    first = pay(processor, method, key="same-key")
    second = pay(processor, method, key="same-key")

    assert second.id == first.id
    assert len(localstripe.call("GET", "/v1/payment_intents")["data"]) == 1


def test_lost_answer_is_retried_with_same_key(processor, localstripe):
    method = browser_card(localstripe, SUCCEEDS)
    localstripe.drop_next_responses("/v1/payment_intents")

    result = pay(processor, method, key="lost-answer")

    assert result.status is PaymentStatus.SUCCEEDED
    sent = localstripe.requests("/v1/payment_intents")
    assert [request["idempotency_key"] for request in sent] == ["lost-answer"] * 2
    assert len(localstripe.call("GET", "/v1/payment_intents")["data"]) == 1


def test_declined_card_is_a_failed_result(processor, localstripe):
    result = pay(processor, browser_card(localstripe, DECLINED))

    assert result.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert result.error_code == "card_declined"
    assert result.id.startswith("pi_")
    assert result.last4 == "0341"


def test_authentication_approved_in_browser(processor, localstripe):
    result = pay(processor, browser_card(localstripe, AUTHENTICATES))
    assert result.status is PaymentStatus.REQUIRES_ACTION

    step = processor.authentication_step(result.id)
    assert step.client_secret.startswith(result.id)
    assert step.payment_method_id is None
    # What Stripe.js does when the buyer passes the bank's check.
    localstripe.call(
        "POST",
        f"/v1/payment_intents/{result.id}/_authenticate?success=true",
        {"client_secret": step.client_secret},
    )

    assert processor.complete_action(result.id, approved=False).status is (
        PaymentStatus.SUCCEEDED
    )


def test_authentication_failed_in_browser(processor, localstripe):
    result = pay(processor, browser_card(localstripe, AUTHENTICATES))
    step = processor.authentication_step(result.id)
    localstripe.call(
        "POST",
        f"/v1/payment_intents/{result.id}/_authenticate?success=false",
        {"client_secret": step.client_secret},
    )

    failed = processor.complete_action(result.id, approved=True)

    assert failed.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert failed.error_code == "authentication_failed"


def test_bank_debit_processes_with_mandate(processor, localstripe):
    method = browser_debit(localstripe, FAILING_IBAN)

    result = pay(processor, method, allowed=CARD_OR_DEBIT)

    assert result.status is PaymentStatus.PROCESSING
    assert result.method == "bank_debit"
    assert result.last4 == "3001"
    [sent] = localstripe.requests("/v1/payment_intents")
    params = sent["params"]
    assert params["payment_method_types[0]"] == "sepa_debit"
    assert params["mandate_data[customer_acceptance][type]"] == "online"
    assert params["mandate_data[customer_acceptance][online][ip_address]"] == (
        "203.0.113.9"
    )
    assert params["mandate_data[customer_acceptance][online][user_agent]"] == "Chromium"


def test_bank_debit_refused_where_not_allowed(processor, localstripe):
    method = browser_debit(localstripe, "DE89370400440532013000")

    with pytest.raises(InvalidPaymentDetails) as caught:
        pay(processor, method, allowed=CARD_ONLY)

    assert caught.value.code == "payment_method_not_allowed"
    assert localstripe.requests("/v1/payment_intents") == []


def test_unknown_payment_method_is_invalid(processor, localstripe):
    with pytest.raises(InvalidPaymentDetails) as caught:
        pay(processor, "pm_doesnotexist")

    assert caught.value.code == "payment_method_missing"


def test_raw_card_details_are_never_sent(processor, localstripe):
    card = CardDetails(number=SUCCEEDS, exp_month=12, exp_year=2040, cvc="123")

    with pytest.raises(InvalidPaymentDetails):
        processor.create_payment(
            amount=100,
            currency="EUR",
            details=card,
            idempotency_key="raw",
            description="Raw",
        )

    assert localstripe.requests() == []


def test_unreachable_stripe_is_unavailable(localstripe):
    closed = {
        **stripe_overrides(localstripe),
        "KASSA_STRIPE_API_BASE": "http://127.0.0.1:9",
    }
    processor = StripeProcessor(read_settings(closed))

    with pytest.raises(ProcessorUnavailable) as caught:
        processor.retrieve("pi_anything")

    assert caught.value.code == "processor_unavailable"


def test_reverse_refunds_a_succeeded_payment(processor, localstripe):
    result = pay(processor, browser_card(localstripe, SUCCEEDS))

    reversed_intent = processor.reverse_payment(result.id)

    assert reversed_intent.status is PaymentStatus.CANCELED
    [refund] = processor.list_refunds(result.id)
    assert refund["amount"] == 2500


def test_reverse_cancels_an_unauthenticated_payment(processor, localstripe):
    result = pay(processor, browser_card(localstripe, AUTHENTICATES))

    reversed_intent = processor.reverse_payment(result.id)

    assert reversed_intent.status is PaymentStatus.CANCELED
    assert processor.retrieve(result.id).status is PaymentStatus.CANCELED
