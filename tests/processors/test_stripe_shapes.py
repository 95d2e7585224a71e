"""Stripe objects in the current API shape, which localstripe does not return."""

import pytest

from portal.models import PaymentStatus
from portal.models.refunds import RefundStatus
from portal.processors.stripe.intents import (
    intent_payment_method_id,
    payment_method_types,
    to_intent_result,
    to_refund_result,
)


def intent(**fields) -> dict:
    return {
        "id": "pi_current",
        "object": "payment_intent",
        "amount": 80,
        "currency": "jpy",
        "status": "succeeded",
        "latest_charge": "ch_current",
        "payment_method": "pm_current",
        "last_payment_error": None,
        **fields,
    }


def test_current_shape_succeeded():
    result = to_intent_result(intent(), kind="card")

    assert result.status is PaymentStatus.SUCCEEDED
    assert result.amount == 80
    assert result.currency == "JPY"
    assert result.method == "card"


def test_off_session_authentication_required_needs_action():
    error = {
        "code": "authentication_required",
        "decline_code": "authentication_required",
        "payment_method": {"id": "pm_saved", "type": "card"},
    }
    found = intent(
        status="requires_payment_method", payment_method=None, last_payment_error=error
    )

    result = to_intent_result(found, kind="card")

    assert result.status is PaymentStatus.REQUIRES_ACTION
    assert result.error_code == "authentication_required"
    assert intent_payment_method_id(found) == "pm_saved"


@pytest.mark.parametrize(
    ("error", "kind", "code"),
    [
        (
            {"code": "card_declined", "decline_code": "insufficient_funds"},
            "card",
            "insufficient_funds",
        ),
        (
            {"code": "card_declined", "decline_code": "stolen_card"},
            "card",
            "card_declined",
        ),
        (
            {"code": "card_declined", "decline_code": "generic_decline"},
            "card",
            "card_declined",
        ),
        ({"code": "expired_card"}, "card", "expired_card"),
        ({"code": "incorrect_cvc"}, "card", "incorrect_cvc"),
        (
            {"code": "payment_intent_authentication_failure"},
            "card",
            "authentication_failed",
        ),
        ({"code": "insufficient_funds"}, "bank_debit", "debit_failed"),
    ],
)
def test_failure_codes(error, kind, code):
    found = intent(status="requires_payment_method", last_payment_error=error)

    result = to_intent_result(found, kind=kind)

    assert result.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert result.error_code == code


def test_expanded_bank_debit_method():
    method = {
        "id": "pm_x",
        "type": "us_bank_account",
        "us_bank_account": {"last4": "6789"},
    }

    result = to_intent_result(intent(status="processing", payment_method=method))

    assert result.status is PaymentStatus.PROCESSING
    assert result.method == "bank_debit"
    assert result.last4 == "6789"
    assert result.card_brand is None


@pytest.mark.parametrize(
    ("currency", "allow_bank_debit", "types"),
    [
        ("EUR", True, ["card", "sepa_debit"]),
        ("USD", True, ["card", "us_bank_account"]),
        ("JPY", True, ["card"]),
        ("EUR", False, ["card"]),
    ],
)
def test_payment_method_types(currency, allow_bank_debit, types):
    assert payment_method_types(currency, allow_bank_debit) == types


def test_failed_refund_has_a_message_for_staff():
    refund = {
        "id": "re_x",
        "amount": 500,
        "currency": "eur",
        "status": "failed",
        "failure_reason": "expired_or_canceled_card",
    }

    result = to_refund_result(refund)

    assert result.status is RefundStatus.FAILED
    assert "expired" in result.failure_message
