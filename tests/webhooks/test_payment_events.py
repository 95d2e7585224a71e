"""payment_intent events move payments forward only, once each, with their emails."""

import time
from email import policy
from email.parser import BytesParser

from sqlalchemy import func, select

from portal.models import AuditEvent, Payment, PaymentStatus
from tests.webhooks.builders import FAILING_IBAN, stripe_payment, wait_for
from tests.webhooks.events import make_event, post_event


def intent(payment: Payment, status: str, **fields) -> dict:
    """The payment's PaymentIntent as Stripe sends it in an event today."""
    return {
        "id": payment.processor_ref,
        "object": "payment_intent",
        "amount": payment.amount,
        "currency": payment.currency.lower(),
        "status": status,
        "latest_charge": "ch_current",
        "payment_method": "pm_current",
        "last_payment_error": None,
        **fields,
    }


def reload(db, payment: Payment) -> Payment:
    db.expire_all()
    return db.get(Payment, payment.id)


def subjects(tmp_path) -> list[str]:
    parser = BytesParser(policy=policy.default)
    return [
        parser.parsebytes(path.read_bytes())["Subject"]
        for path in sorted((tmp_path / "outbox").glob("*.eml"))
    ]


def status_changes(db, payment: Payment) -> int:
    return db.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.subject_type == "payment",
            AuditEvent.subject_id == payment.id,
            AuditEvent.action == "payment.status_changed",
        )
    )


def test_settled_debit_succeeds_with_receipt(app, client, db, localstripe, tmp_path):
    payment = stripe_payment(app, localstripe, iban=FAILING_IBAN)
    assert payment.status is PaymentStatus.PROCESSING
    later = int(time.time()) + 60

    response = post_event(
        client,
        make_event(
            "payment_intent.succeeded", intent(payment, "succeeded"), created=later
        ),
    )

    assert response.get_json()["outcome"] == "applied"
    settled = reload(db, payment)
    assert settled.status is PaymentStatus.SUCCEEDED
    assert settled.receipt_number == "RCT-000001"
    assert settled.invoice is not None
    assert any(subject.startswith("Receipt from") for subject in subjects(tmp_path))


def test_duplicate_event_changes_nothing_more(app, client, db, localstripe, tmp_path):
    payment = stripe_payment(app, localstripe, iban=FAILING_IBAN)
    event = make_event(
        "payment_intent.succeeded",
        intent(payment, "succeeded"),
        created=int(time.time()) + 60,
    )

    post_event(client, event)
    emails = len(subjects(tmp_path))
    again = post_event(client, event)

    assert again.status_code == 200
    assert again.get_json()["outcome"] == "duplicate"
    assert status_changes(db, payment) == 1
    assert len(subjects(tmp_path)) == emails
    assert reload(db, payment).receipt_number == "RCT-000001"


def test_older_event_after_newer_is_stale(app, client, db, localstripe):
    payment = stripe_payment(app, localstripe, iban=FAILING_IBAN)
    now = int(time.time())
    succeeded = make_event(
        "payment_intent.succeeded", intent(payment, "succeeded"), created=now + 60
    )
    processing = make_event(
        "payment_intent.processing", intent(payment, "processing"), created=now + 30
    )

    post_event(client, succeeded)
    late = post_event(client, processing)

    assert late.status_code == 200
    assert late.get_json()["outcome"] in ("stale", "unchanged")
    assert reload(db, payment).status is PaymentStatus.SUCCEEDED


def test_succeeded_never_returns_to_processing(app, client, db, localstripe):
    payment = stripe_payment(app, localstripe)
    assert payment.status is PaymentStatus.SUCCEEDED

    late = post_event(
        client,
        make_event(
            "payment_intent.processing",
            intent(payment, "processing"),
            created=int(time.time()) + 3600,
        ),
    )

    assert late.get_json()["outcome"] == "stale"
    assert reload(db, payment).status is PaymentStatus.SUCCEEDED
    assert status_changes(db, payment) == 0


def test_failed_debit_is_reported(app, client, db, localstripe, tmp_path):
    payment = stripe_payment(app, localstripe, iban=FAILING_IBAN)
    error = {"code": "insufficient_funds", "message": "Insufficient funds."}

    post_event(
        client,
        make_event(
            "payment_intent.payment_failed",
            intent(payment, "requires_payment_method", last_payment_error=error),
            created=int(time.time()) + 60,
        ),
    )

    failed = reload(db, payment)
    assert failed.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert failed.failure_message == (
        "The bank debit failed. Pay with a card or another account."
    )
    assert any("failed" in subject for subject in subjects(tmp_path))


def test_old_requires_action_after_failure_is_stale(app, client, db, localstripe):
    payment = stripe_payment(app, localstripe, iban=FAILING_IBAN)
    now = int(time.time())
    error = {"code": "insufficient_funds"}
    post_event(
        client,
        make_event(
            "payment_intent.payment_failed",
            intent(payment, "requires_payment_method", last_payment_error=error),
            created=now + 60,
        ),
    )

    late = post_event(
        client,
        make_event(
            "payment_intent.requires_action",
            intent(payment, "requires_action"),
            created=now + 30,
        ),
    )

    assert late.get_json()["outcome"] == "stale"
    assert reload(db, payment).status is PaymentStatus.REQUIRES_PAYMENT_METHOD


def test_unknown_intent_is_recorded(client):
    response = post_event(
        client,
        make_event(
            "payment_intent.succeeded",
            {
                "id": "pi_elsewhere",
                "amount": 100,
                "currency": "eur",
                "status": "succeeded",
            },
        ),
    )

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "unknown_object"


def test_localstripe_webhook_fails_debit(app, db, localstripe, live_server):
    """A real webhook, signed by localstripe, in its 2017 event shape."""
    localstripe.add_webhook(f"{live_server}/webhooks/stripe")

    payment = stripe_payment(app, localstripe, iban=FAILING_IBAN)

    failed = wait_for(
        lambda: reload(db, payment).status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    )
    assert failed
    assert reload(db, payment).failure_message.startswith("The bank debit failed.")


def test_event_before_checkout_records_is_redelivered(client, db):
    from portal.models import AttemptState, CheckoutAttempt, ProcessorEvent
    from tests.factories import make_link

    link = make_link(db, items=[{"name": "Poster", "unit_amount": 5000}])
    attempt = CheckoutAttempt(key="attempt-in-flight", link_id=link.id)
    db.add(attempt)
    db.commit()
    event = make_event(
        "payment_intent.succeeded",
        {
            "id": "pi_not_recorded_yet",
            "amount": 5000,
            "currency": "eur",
            "status": "succeeded",
            "metadata": {"kassa_idempotency_key": "checkout-attempt-in-flight"},
        },
    )

    early = post_event(client, event)
    attempt.state = AttemptState.FAILED
    db.commit()
    later = post_event(client, event)

    assert early.status_code == 503
    assert later.status_code == 200
    assert later.get_json()["outcome"] == "unknown_object"
    assert len(db.scalars(select(ProcessorEvent)).all()) == 1
