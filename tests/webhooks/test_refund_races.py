"""Refund events that arrive while the refund service records the same refund.

Stripe can send ``refund.created`` before the refund call has returned to the
service, or after its response was lost. Whichever of the two records the
outcome first wins. The other changes nothing and sends no second email.
"""

import secrets
import threading
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from portal.locking import lock_row
from portal.models import AuditEvent, Payment, Refund, RefundReason, RefundStatus
from portal.payments.refund_results import record_refund_failure
from portal.payments.refunds import record_refund_result
from portal.processors.base import RefundResult
from portal.processors.stripe.client import UNAVAILABLE_MESSAGE
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides
from tests.webhooks.builders import stripe_payment, wait_for
from tests.webhooks.events import make_event, post_event

STAFF = "staff:1"


@pytest.fixture
def pg_stripe_app(
    postgres_database_url: str, tmp_path: Path, localstripe: LocalStripe
) -> Iterator[Flask]:
    """An app that takes payments through Stripe, on PostgreSQL only."""
    app = build_app(postgres_database_url, tmp_path, **stripe_overrides(localstripe))
    yield app
    app.extensions["kassa.engine"].dispose()


def refund_in_flight(
    app: Flask, localstripe: LocalStripe, payment: Payment, amount: int
) -> tuple[int, RefundResult, dict]:
    """Reserve a refund and make it in Stripe, as the refund service does.

    Returns the pending refund's id, the adapter's result and Stripe's Refund
    object: what the service has before it records the result.
    """
    key = secrets.token_urlsafe(24)
    with app.extensions["kassa.sessionmaker"]() as session:
        refund = Refund(
            payment_id=payment.id,
            amount=amount,
            currency=payment.currency,
            reason=RefundReason.REQUESTED_BY_CUSTOMER,
            status=RefundStatus.PENDING,
            idempotency_key=key,
        )
        session.add(refund)
        session.commit()
        refund_id = refund.id
    with app.app_context():
        # The service sends the form's key to the processor with this prefix.
        result = app.extensions["kassa.processor"].refund(
            payment.processor_ref,
            amount=amount,
            idempotency_key=f"refund-{key}",
            reason=None,
        )
    return refund_id, result, localstripe.call("GET", f"/v1/refunds/{result.id}")


def record_as_service(app: Flask, refund_id: int, result: RefundResult) -> None:
    """Record the processor's result as the service's second transaction does."""
    with app.app_context(), app.extensions["kassa.sessionmaker"]() as session:
        refund = session.get(Refund, refund_id)
        record_refund_result(session, refund, result, actor=STAFF, client_address=None)


def load_refund(app: Flask, refund_id: int) -> Refund:
    with app.extensions["kassa.sessionmaker"]() as session:
        return session.get(Refund, refund_id)


def audit_count(app: Flask, action: str, subject_id: int) -> int:
    with app.extensions["kassa.sessionmaker"]() as session:
        return session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == action, AuditEvent.subject_id == subject_id
            )
        )


def refund_receipts(tmp_path: Path) -> list[str]:
    """Return the subjects of the refund receipt emails in the outbox."""
    parser = BytesParser(policy=policy.default)
    subjects = [
        parser.parsebytes(path.read_bytes())["Subject"]
        for path in sorted((tmp_path / "outbox").glob("*.eml"))
    ]
    return [subject for subject in subjects if subject.startswith("Refund from")]


def sessions_waiting_for_locks(app: Flask) -> int:
    with app.extensions["kassa.sessionmaker"]() as session:
        return session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


def test_service_and_event_at_once(pg_stripe_app, localstripe, tmp_path):
    """The service and a webhook record one success together: one row, one email."""
    app = pg_stripe_app
    payment = stripe_payment(app, localstripe, amount=5000)
    refund_id, result, stripe_refund = refund_in_flight(app, localstripe, payment, 2000)
    event = make_event("refund.created", stripe_refund)
    responses = []
    errors: list[BaseException] = []

    def service() -> None:
        try:
            record_as_service(app, refund_id, result)
        except BaseException as error:
            errors.append(error)

    def webhook() -> None:
        try:
            responses.append(post_event(app.test_client(), event))
        except BaseException as error:
            errors.append(error)

    # Holding the refund's row lock lines both writers up behind it, so that
    # they start recording at the same moment once it is released.
    with app.extensions["kassa.sessionmaker"]() as gate:
        assert lock_row(gate, Refund, refund_id)
        threads = [threading.Thread(target=service), threading.Thread(target=webhook)]
        for thread in threads:
            thread.start()
        wait_for(lambda: sessions_waiting_for_locks(app) == 2)
        gate.commit()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    [response] = responses
    assert response.status_code == 200
    assert response.get_json()["outcome"] in ("applied", "unchanged")
    refund = load_refund(app, refund_id)
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.processor_ref == result.id
    assert refund.receipt_number == "RFD-000001"
    assert audit_count(app, "refund.succeeded", refund_id) == 1
    assert audit_count(app, "payment.refunded", payment.id) == 1
    assert len(refund_receipts(tmp_path)) == 1


def test_event_before_service_records(app, client, localstripe, tmp_path):
    payment = stripe_payment(app, localstripe, amount=5000)
    refund_id, result, stripe_refund = refund_in_flight(app, localstripe, payment, 2000)

    response = post_event(client, make_event("refund.created", stripe_refund))
    record_as_service(app, refund_id, result)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "applied"
    refund = load_refund(app, refund_id)
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.processor_ref == result.id
    assert audit_count(app, "refund.succeeded", refund_id) == 1
    assert audit_count(app, "payment.refunded", payment.id) == 1
    assert len(refund_receipts(tmp_path)) == 1


def test_event_after_service_records(app, client, localstripe, tmp_path):
    payment = stripe_payment(app, localstripe, amount=5000)
    refund_id, result, stripe_refund = refund_in_flight(app, localstripe, payment, 2000)

    record_as_service(app, refund_id, result)
    response = post_event(client, make_event("refund.created", stripe_refund))

    assert response.get_json()["outcome"] == "unchanged"
    assert load_refund(app, refund_id).status is RefundStatus.SUCCEEDED
    assert audit_count(app, "refund.succeeded", refund_id) == 1
    assert len(refund_receipts(tmp_path)) == 1


def test_lost_refund_response_then_event(app, client, localstripe, tmp_path):
    """A refund marked failed after its response was lost takes Stripe's state."""
    payment = stripe_payment(app, localstripe, amount=5000)
    refund_id, _result, stripe_refund = refund_in_flight(
        app, localstripe, payment, 2000
    )
    # The service marks the refund failed when the call raised, such as
    # ProcessorUnavailable after Stripe's response was lost on the network.
    with app.app_context(), app.extensions["kassa.sessionmaker"]() as session:
        record_refund_failure(
            session,
            session.get(Refund, refund_id),
            UNAVAILABLE_MESSAGE,
            actor=STAFF,
            client_address=None,
        )
        session.commit()

    response = post_event(client, make_event("refund.created", stripe_refund))

    assert response.get_json()["outcome"] == "applied"
    refund = load_refund(app, refund_id)
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.processor_ref == stripe_refund["id"]
    assert refund.failure_message is None
    assert refund.receipt_number == "RFD-000001"
    assert audit_count(app, "refund.failed", refund_id) == 1
    assert audit_count(app, "refund.succeeded", refund_id) == 1
    assert len(refund_receipts(tmp_path)) == 1


def test_success_after_failure_is_stale(app, client, localstripe, tmp_path):
    """A refund that succeeded and then failed gets its events in reverse order."""
    payment = stripe_payment(app, localstripe, amount=5000)
    refund_id, result, stripe_refund = refund_in_flight(app, localstripe, payment, 2000)
    failed = {**stripe_refund, "status": "failed", "failure_reason": "unknown"}
    post_event(client, make_event("refund.failed", failed))

    late = post_event(client, make_event("refund.updated", stripe_refund))
    record_as_service(app, refund_id, result)

    assert late.get_json()["outcome"] == "stale"
    refund = load_refund(app, refund_id)
    assert refund.status is RefundStatus.FAILED
    assert refund.receipt_number is None
    assert audit_count(app, "refund.succeeded", refund_id) == 0
    assert refund_receipts(tmp_path) == []


def test_pending_after_success_is_stale(app, client, localstripe, tmp_path):
    """The event of a refund's pending state arrives after its success."""
    payment = stripe_payment(app, localstripe, amount=5000)
    refund_id, result, stripe_refund = refund_in_flight(app, localstripe, payment, 2000)
    record_as_service(app, refund_id, result)

    late = post_event(
        client, make_event("refund.created", {**stripe_refund, "status": "pending"})
    )

    assert late.get_json()["outcome"] == "stale"
    assert load_refund(app, refund_id).status is RefundStatus.SUCCEEDED
    assert len(refund_receipts(tmp_path)) == 1
