"""Payout events: recorded once, moved only forward."""

from datetime import date

from sqlalchemy import select

from portal.models import AuditEvent, Payout, PayoutStatus, ProcessorEvent
from tests.webhooks.events import make_event, payout, post_event


def the_payout(db) -> Payout:
    db.expire_all()
    return db.scalars(select(Payout)).one()


def test_payout_is_recorded(client, db):
    post_event(client, make_event("payout.created", payout()))

    recorded = the_payout(db)
    assert recorded.processor_ref == "po_kassa1"
    assert recorded.amount == 123456
    assert recorded.currency == "EUR"
    assert recorded.status is PayoutStatus.PENDING
    assert recorded.arrival_date == date(2026, 12, 5)


def test_payout_moves_to_paid(client, db):
    post_event(client, make_event("payout.created", payout()))
    post_event(client, make_event("payout.updated", payout("in_transit")))
    post_event(client, make_event("payout.paid", payout("paid")))

    assert the_payout(db).status is PayoutStatus.PAID
    actions = db.scalars(
        select(AuditEvent.to_state)
        .where(AuditEvent.subject_type == "payout")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["pending", "in_transit", "paid"]


def test_duplicate_event_has_no_second_effect(client, db):
    event = make_event("payout.created", payout())

    first = post_event(client, event)
    second = post_event(client, event)

    assert first.get_json()["outcome"] == "applied"
    assert second.status_code == 200
    assert second.get_json()["outcome"] == "duplicate"
    assert len(db.scalars(select(ProcessorEvent)).all()) == 1
    audit_rows = db.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "payout")
    ).all()
    assert len(audit_rows) == 1


def test_older_event_after_newer_keeps_paid(client, db):
    post_event(client, make_event("payout.paid", payout("paid")))

    late = post_event(client, make_event("payout.updated", payout("in_transit")))

    assert late.status_code == 200
    assert late.get_json()["outcome"] == "stale"
    assert the_payout(db).status is PayoutStatus.PAID


def test_paid_payout_can_still_fail(client, db):
    post_event(client, make_event("payout.paid", payout("paid")))

    post_event(
        client,
        make_event(
            "payout.failed",
            payout(
                "failed",
                failure_code="account_closed",
                failure_message="The bank account has been closed.",
            ),
        ),
    )

    failed = the_payout(db)
    assert failed.status is PayoutStatus.FAILED
    assert failed.failure_code == "account_closed"
    assert failed.failure_message == "The bank account has been closed."


def test_unhandled_event_type_is_recorded_and_ignored(client, db):
    response = post_event(client, make_event("customer.created", {"id": "cus_1"}))

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"
    assert db.scalars(select(ProcessorEvent.outcome)).one() == "ignored"


def test_live_event_is_ignored_in_test_mode(client, db):
    response = post_event(client, make_event("payout.created", payout(), livemode=True))

    assert response.get_json()["outcome"] == "ignored"
    assert db.scalars(select(Payout)).all() == []
