"""Saved payment methods with Stripe: customers, SetupIntents, off-session charges."""

import pytest

from portal.models import PaymentStatus
from portal.processors.base import (
    InvalidPaymentDetails,
    PaymentError,
    PaymentMethodReference,
)
from portal.processors.stripe import StripeProcessor, read_settings
from tests.fixtures.localstripe import LocalStripe, stripe_overrides
from tests.processors.test_stripe import (
    AUTHENTICATES,
    DECLINED,
    SUCCEEDS,
    browser_card,
    pay,
)

ATTACH_DECLINED = "4000000000000002"  # localstripe declines saving this card


@pytest.fixture
def processor(localstripe: LocalStripe) -> StripeProcessor:
    return StripeProcessor(read_settings(stripe_overrides(localstripe)))


@pytest.fixture
def customer(processor) -> str:
    return processor.create_customer(
        email="aino@example.com", name="Aino Virtanen", idempotency_key="contact-1"
    )


def save_with_setup_intent(processor, localstripe, customer, number) -> str:
    """Save a card as Stripe.js confirms a SetupIntent; return the PaymentMethod."""
    setup = processor.create_setup_intent(
        customer=customer, payment_method_types=["card"], idempotency_key="setup-1"
    )
    card = {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    localstripe.call(
        "POST",
        f"/v1/setup_intents/{setup.id}/confirm",
        {
            "client_secret": setup.client_secret,
            "payment_method_data": {"type": "card", "card": card},
        },
    )
    confirmed = processor.retrieve_setup_intent(setup.id)
    assert confirmed.status == "succeeded"
    return confirmed.payment_method_id


def test_customer_created_with_contact_details(processor, localstripe, customer):
    assert customer.startswith("cus_")
    stored = localstripe.call("GET", f"/v1/customers/{customer}")
    assert stored["email"] == "aino@example.com"
    assert stored["name"] == "Aino Virtanen"


def test_setup_intent_saves_card(processor, localstripe, customer):
    setup = processor.create_setup_intent(
        customer=customer, payment_method_types=["card"], idempotency_key="setup-1"
    )
    assert setup.status == "requires_payment_method"
    assert setup.client_secret.startswith(setup.id)
    [sent] = localstripe.requests("/v1/setup_intents")
    assert sent["params"]["usage"] == "off_session"
    assert sent["params"]["customer"] == customer

    method = save_with_setup_intent(processor, localstripe, customer, SUCCEEDS)

    details = processor.saved_method_details(method)
    assert details.kind == "card"
    assert details.brand == "visa"
    assert details.last4 == "4242"
    assert (details.exp_month, details.exp_year) == (12, 2040)


def test_payment_saves_method_for_later(processor, localstripe, customer):
    method = browser_card(localstripe, SUCCEEDS)

    result = pay(processor, method, customer=customer, save_method=True)

    assert result.status is PaymentStatus.SUCCEEDED
    [sent] = localstripe.requests("/v1/payment_intents")
    assert sent["params"]["customer"] == customer
    assert sent["params"]["setup_future_usage"] == "off_session"


def test_off_session_charge_succeeds(processor, localstripe, customer):
    method = save_with_setup_intent(processor, localstripe, customer, SUCCEEDS)

    result = processor.charge_saved_method(
        customer=customer,
        payment_method=method,
        amount=1900,
        currency="EUR",
        idempotency_key="instalment-2",
        description="Instalment 2 of 3",
    )

    assert result.status is PaymentStatus.SUCCEEDED
    assert result.amount == 1900
    [sent] = localstripe.requests("/v1/payment_intents")
    assert sent["params"]["off_session"] == "true"
    assert sent["params"]["confirm"] == "true"
    assert sent["idempotency_key"] == "instalment-2"


def test_off_session_charge_needing_authentication(processor, localstripe, customer):
    method = browser_card(localstripe, AUTHENTICATES)

    result = processor.charge_saved_method(
        customer=customer,
        payment_method=method,
        amount=1900,
        currency="EUR",
        idempotency_key="instalment-3",
        description="Instalment 3 of 3",
    )

    assert result.status is PaymentStatus.REQUIRES_ACTION
    step = processor.authentication_step(result.id)
    assert step.client_secret.startswith(result.id)


def test_off_session_charge_declined(processor, localstripe, customer):
    method = browser_card(localstripe, DECLINED)

    result = processor.charge_saved_method(
        customer=customer,
        payment_method=method,
        amount=1900,
        currency="EUR",
        idempotency_key="instalment-4",
        description="Instalment 4",
    )

    assert result.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert result.error_code == "card_declined"


def save_card(processor, localstripe, customer, number, key="checkout-1"):
    return processor.save_card(
        customer=customer,
        details=PaymentMethodReference(id=browser_card(localstripe, number)),
        currency="eur",
        idempotency_key=key,
    )


def test_card_saved_without_charge(processor, localstripe, customer):
    result = save_card(processor, localstripe, customer, SUCCEEDS)

    assert result.id.startswith("seti_")
    assert result.status is PaymentStatus.SUCCEEDED
    assert result.amount == 0
    assert result.currency == "EUR"
    assert result.payment_method_id.startswith("pm_")
    [created] = localstripe.requests("/v1/setup_intents")
    assert created["params"]["customer"] == customer
    assert created["params"]["usage"] == "off_session"
    assert created["idempotency_key"] == "checkout-1"
    [confirmed] = localstripe.requests(f"/v1/setup_intents/{result.id}/confirm")
    assert confirmed["params"]["payment_method"] == result.payment_method_id
    assert confirmed["idempotency_key"] == "checkout-1-confirm"
    assert localstripe.requests("/v1/payment_intents") == []


def test_repeated_save_returns_first_setup(processor, localstripe, customer):
    method = browser_card(localstripe, SUCCEEDS)
    details = PaymentMethodReference(id=method)
    first = processor.save_card(
        customer=customer, details=details, currency="EUR", idempotency_key="k"
    )

    again = processor.save_card(
        customer=customer, details=details, currency="EUR", idempotency_key="k"
    )

    assert again.id == first.id
    assert len(localstripe.call("GET", "/v1/setup_intents")["data"]) == 1


def test_card_save_needing_authentication(processor, localstripe, customer):
    result = save_card(processor, localstripe, customer, AUTHENTICATES)

    assert result.status is PaymentStatus.REQUIRES_ACTION
    step = processor.authentication_step(result.id)
    assert step.client_secret.startswith(result.id)
    assert step.payment_method_id is None

    # localstripe's Stripe.js confirms the SetupIntent again once the check passed.
    localstripe.call(
        "POST",
        f"/v1/setup_intents/{result.id}/confirm",
        {"client_secret": step.client_secret},
    )
    done = processor.complete_action(result.id, approved=False)

    assert done.status is PaymentStatus.SUCCEEDED
    assert done.payment_method_id == result.payment_method_id


def test_card_save_failed_authentication(processor, localstripe, customer):
    result = save_card(processor, localstripe, customer, AUTHENTICATES)
    step = processor.authentication_step(result.id)

    # localstripe's Stripe.js cancels the SetupIntent when the check fails.
    localstripe.call(
        "POST",
        f"/v1/setup_intents/{result.id}/cancel",
        {"client_secret": step.client_secret},
    )
    done = processor.retrieve(result.id)

    assert done.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert done.error_code == "authentication_failed"


def test_unauthenticated_card_save_canceled(processor, localstripe, customer):
    result = save_card(processor, localstripe, customer, AUTHENTICATES)

    reversed_result = processor.reverse_payment(result.id)

    assert reversed_result.status is PaymentStatus.CANCELED
    stored = localstripe.call("GET", f"/v1/setup_intents/{result.id}")
    assert stored["status"] == "canceled"


def test_card_save_declined(processor, localstripe, customer):
    with pytest.raises(PaymentError) as raised:
        save_card(processor, localstripe, customer, ATTACH_DECLINED)

    assert raised.value.code == "card_declined"


def test_bank_account_not_saved_without_payment(processor, localstripe, customer):
    method = localstripe.sepa_debit("DE89370400440532013000")

    with pytest.raises(InvalidPaymentDetails) as raised:
        processor.save_card(
            customer=customer,
            details=PaymentMethodReference(
                id=method, allowed_kinds=frozenset({"card", "bank_debit"})
            ),
            currency="EUR",
            idempotency_key="checkout-2",
        )

    assert raised.value.code == "card_required"
    assert localstripe.requests("/v1/setup_intents") == []
