"""The test-mode processor saves cards and bank accounts and charges them later."""

import secrets

import pytest

from portal.models import PaymentStatus
from portal.processors import testmode
from portal.processors.base import (
    BankDetails,
    CardDetails,
    InvalidPaymentDetails,
    PaymentError,
)
from portal.processors.testmode import AuthenticationRequired

DEBIT_DELAY = 60  # seconds


@pytest.fixture
def processor(app):
    return testmode.TestModeProcessor(app.extensions["kassa.sessionmaker"], DEBIT_DELAY)


@pytest.fixture
def customer(processor):
    return processor.create_customer(
        email="aino@example.com", name="Aino", idempotency_key=secrets.token_hex(8)
    )


def card(number: str) -> CardDetails:
    return CardDetails(number=number, exp_month=12, exp_year=2040, cvc="123")


def pay_and_save(processor, customer, details, key=None):
    return processor.create_payment(
        amount=1200,
        currency="EUR",
        details=details,
        idempotency_key=key or secrets.token_hex(8),
        description="Membership",
        customer=customer,
        save_method=True,
    )


def charge(processor, customer, method_id, key=None):
    return processor.charge_saved_method(
        customer=customer,
        payment_method=method_id,
        amount=1200,
        currency="EUR",
        idempotency_key=key or secrets.token_hex(8),
        description="Membership renewal",
    )


def test_same_key_gives_same_customer(processor):
    first = processor.create_customer(
        email="a@example.com", name=None, idempotency_key="k1"
    )
    again = processor.create_customer(
        email="a@example.com", name=None, idempotency_key="k1"
    )
    other = processor.create_customer(
        email="a@example.com", name=None, idempotency_key="k2"
    )

    assert first == again
    assert first.startswith("cus_test_")
    assert other != first


def test_paying_with_consent_saves_the_card(processor, customer):
    intent = pay_and_save(processor, customer, card("4242424242424242"))

    assert intent.status is PaymentStatus.SUCCEEDED
    saved = processor.saved_method_details(intent.payment_method_id)
    assert (saved.kind, saved.brand, saved.last4) == ("card", "visa", "4242")
    assert (saved.exp_month, saved.exp_year) == (12, 2040)


def test_paying_without_saving_names_no_method(processor, customer):
    intent = processor.create_payment(
        amount=1200,
        currency="EUR",
        details=card("4242424242424242"),
        idempotency_key=secrets.token_hex(8),
        description="One-off",
    )

    assert intent.payment_method_id is None


def test_declined_payment_saves_nothing(processor, customer):
    intent = pay_and_save(processor, customer, card("4000000000000002"))

    assert intent.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert intent.payment_method_id is None


def test_repeated_key_returns_the_first_payment_and_method(processor, customer):
    first = pay_and_save(processor, customer, card("4242424242424242"), key="same")
    again = pay_and_save(processor, customer, card("4242424242424242"), key="same")

    assert again.id == first.id
    assert again.payment_method_id == first.payment_method_id


def test_saved_card_is_charged_off_session(processor, customer):
    saved = pay_and_save(processor, customer, card("4242424242424242"))

    renewal = charge(processor, customer, saved.payment_method_id)

    assert renewal.status is PaymentStatus.SUCCEEDED
    assert renewal.id != saved.id
    assert (renewal.card_brand, renewal.last4) == ("visa", "4242")


def test_card_0341_pays_at_checkout_and_declines_later(processor, customer):
    saved = pay_and_save(processor, customer, card("4000000000000341"))

    renewal = charge(processor, customer, saved.payment_method_id)

    assert saved.status is PaymentStatus.SUCCEEDED
    assert renewal.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert renewal.error_code == "card_declined"
    assert renewal.error_message


def test_card_3184_needs_authentication_for_every_charge(processor, customer):
    saved = pay_and_save(processor, customer, card("4000002760003184"))

    renewal = charge(processor, customer, saved.payment_method_id)
    authenticated = processor.complete_action(renewal.id, approved=True)

    assert saved.status is PaymentStatus.REQUIRES_ACTION
    assert renewal.status is PaymentStatus.REQUIRES_ACTION
    assert authenticated.status is PaymentStatus.SUCCEEDED


def test_repeated_charge_key_charges_once(processor, customer):
    saved = pay_and_save(processor, customer, card("4242424242424242"))

    first = charge(processor, customer, saved.payment_method_id, key="renewal-1")
    again = charge(processor, customer, saved.payment_method_id, key="renewal-1")

    assert again.id == first.id


def test_another_customers_method_is_refused(processor, customer):
    saved = pay_and_save(processor, customer, card("4242424242424242"))
    stranger = processor.create_customer(
        email="b@example.com", name=None, idempotency_key="stranger"
    )

    with pytest.raises(InvalidPaymentDetails):
        charge(processor, stranger, saved.payment_method_id)


def test_saved_bank_account_is_debited_later(processor, customer):
    account = BankDetails(
        routing_number="110000000", account_number="000123456789", holder_name="Aino"
    )
    saved = pay_and_save(processor, customer, account)

    renewal = charge(processor, customer, saved.payment_method_id)

    details = processor.saved_method_details(saved.payment_method_id)
    assert (details.kind, details.brand, details.last4) == ("bank_debit", None, "6789")
    assert renewal.status is PaymentStatus.PROCESSING


def test_save_card_without_charging(processor, customer):
    saved = processor.save_card(
        customer=customer, details=card("5555555555554444"), idempotency_key="setup-1"
    )
    again = processor.save_card(
        customer=customer, details=card("5555555555554444"), idempotency_key="setup-1"
    )

    assert again == saved
    assert (saved.brand, saved.last4) == ("mastercard", "4444")
    assert charge(processor, customer, saved.id).status is PaymentStatus.SUCCEEDED


def test_save_card_refuses_a_declined_card(processor, customer):
    with pytest.raises(PaymentError) as refused:
        processor.save_card(
            customer=customer, details=card("4000000000000002"), idempotency_key="s"
        )

    assert refused.value.code == "card_declined"


def test_unknown_saved_method_is_reported(processor):
    with pytest.raises(InvalidPaymentDetails):
        processor.saved_method_details("pm_test_missing")


def test_authenticated_payment_still_names_its_saved_method(processor, customer):
    started = pay_and_save(processor, customer, card("4000002500003155"))

    authenticated = processor.complete_action(started.id, approved=True)

    assert started.status is PaymentStatus.REQUIRES_ACTION
    assert authenticated.status is PaymentStatus.SUCCEEDED
    assert authenticated.payment_method_id == started.payment_method_id
    assert processor.retrieve(started.id).payment_method_id == started.payment_method_id


def test_save_card_waits_for_authentication(processor, customer):
    with pytest.raises(AuthenticationRequired) as waiting:
        processor.save_card(
            customer=customer, details=card("4000002500003155"), idempotency_key="s3"
        )
    with pytest.raises(AuthenticationRequired) as again:
        processor.save_card(
            customer=customer, details=card("4000002500003155"), idempotency_key="s3"
        )

    with pytest.raises(InvalidPaymentDetails):
        processor.saved_method_details(waiting.value.setup_id)
    approved = processor.complete_setup(waiting.value.setup_id, approved=True)
    saved = processor.save_card(
        customer=customer, details=card("4000002500003155"), idempotency_key="s3"
    )

    assert again.value.setup_id == waiting.value.setup_id
    assert approved == saved
    assert saved.last4 == "3155"
    assert processor.saved_method_details(saved.id).last4 == "3155"
    assert charge(processor, customer, saved.id).status is PaymentStatus.SUCCEEDED


def test_failed_authentication_saves_nothing(processor, customer):
    with pytest.raises(AuthenticationRequired) as waiting:
        processor.save_card(
            customer=customer, details=card("4000002500003155"), idempotency_key="s4"
        )

    with pytest.raises(PaymentError) as failed:
        processor.complete_setup(waiting.value.setup_id, approved=False)

    assert failed.value.code == "authentication_failed"
    with pytest.raises(PaymentError) as caught:
        processor.save_card(
            customer=customer, details=card("4000002500003155"), idempotency_key="s4"
        )
    assert caught.value.code == "authentication_failed"
