"""flask stripe reconcile: repairing what missed webhooks left behind."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from portal.models import Payment, PaymentStatus, Refund, RefundStatus
from portal.processors.stripe import StripeProcessor, read_settings
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides
from tests.webhooks.builders import FAILING_IBAN, stripe_payment, wait_for


@pytest.fixture
def app(database_url: str, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path, **stripe_overrides(localstripe))
    yield app
    app.extensions["kassa.engine"].dispose()


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["stripe", "reconcile", *args])


def reload(db, payment: Payment) -> Payment:
    db.expire_all()
    return db.get(Payment, payment.id)


def test_missed_debit_failure_is_repaired(app, db, localstripe):
    payment = stripe_payment(app, localstripe, iban=FAILING_IBAN)
    wait_for(
        lambda: (
            localstripe.call("GET", f"/v1/payment_intents/{payment.processor_ref}")[
                "status"
            ]
            == "requires_payment_method"
        )
    )

    result = run(app)

    assert result.exit_code == 0, result.output
    line = (
        f"Payment {payment.id} ({payment.processor_ref}): processing -> "
        "requires_payment_method."
    )
    assert line in result.output
    assert "1 repaired, 0 to look at." in result.output
    failed = reload(db, payment)
    assert failed.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert failed.failure_message.startswith("The bank debit failed.")


def test_refund_made_in_stripe_is_added(app, db, localstripe):
    payment = stripe_payment(app, localstripe, amount=5000)
    made = localstripe.call(
        "POST", "/v1/refunds", {"payment_intent": payment.processor_ref, "amount": 1500}
    )

    result = run(app)

    assert result.exit_code == 0, result.output
    assert (
        f"Refund {made['id']} (€15.00) of payment {payment.id}: added as succeeded."
        in result.output
    )
    db.expire_all()
    [refund] = db.scalars(select(Refund)).all()
    assert refund.processor_ref == made["id"]
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.amount == 1500


def test_second_run_repairs_nothing(app, localstripe):
    payment = stripe_payment(app, localstripe, amount=5000)
    localstripe.call("POST", "/v1/refunds", {"payment_intent": payment.processor_ref})
    run(app)

    again = run(app)

    assert again.exit_code == 0, again.output
    assert "Checked 1 PaymentIntents and 1 refunds: 0 repaired, 0 to look at." in (
        again.output
    )


def test_intent_without_payment_is_reported(app, localstripe):
    method = localstripe.card("4242424242424242")
    orphan = localstripe.call(
        "POST",
        "/v1/payment_intents",
        {"amount": 1000, "currency": "eur", "payment_method": method, "confirm": True},
    )

    result = run(app)

    assert result.exit_code == 0, result.output
    assert (
        f"Needs a look: PaymentIntent {orphan['id']} (succeeded, €10.00) has no "
        "payment here" in result.output
    )


def test_since_leaves_older_intents_out(app, localstripe):
    stripe_payment(app, localstripe)

    result = run(app, "--since", "2099-01-01")

    assert result.exit_code == 0, result.output
    assert "Checking Stripe since 2099-01-01 00:00 UTC." in result.output
    assert "Checked 0 PaymentIntents and 0 refunds" in result.output


def test_unreachable_stripe_fails_clearly(app, localstripe):
    closed = {
        **stripe_overrides(localstripe),
        "KASSA_STRIPE_API_BASE": "http://127.0.0.1:9",
    }
    app.extensions["kassa.processor"] = StripeProcessor(read_settings(closed))

    result = run(app)

    assert result.exit_code == 1
    assert "Stripe could not be reached" in result.output


def test_test_mode_has_nothing_to_reconcile(database_url, tmp_path):
    test_mode = build_app(database_url, tmp_path)
    try:
        result = run(test_mode)
    finally:
        test_mode.extensions["kassa.engine"].dispose()

    assert result.exit_code == 2
    assert "KASSA_PROCESSOR is not stripe" in result.output
