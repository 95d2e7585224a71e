"""Disputes on the payment detail page."""

from datetime import UTC, datetime

from portal.models import Dispute, DisputeStatus, StaffRole
from tests.payments.builders import paid_payment


def test_dispute_shows_on_payment(app, client, db, signed_in):
    payment_id = paid_payment(app, amount=5000)
    db.add(
        Dispute(
            payment_id=payment_id,
            processor_ref="dp_kassa1",
            amount=5000,
            currency="EUR",
            reason="product_not_received",
            status=DisputeStatus.NEEDS_RESPONSE,
            evidence_due_by=datetime(2026, 12, 20, 23, 59, tzinfo=UTC),
            opened_at=datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
        )
    )
    db.commit()
    signed_in(StaffRole.VIEWER)

    page = client.get(f"/merchant/payments/{payment_id}").get_data(as_text=True)

    assert 'id="disputes"' in page
    assert "dp_kassa1" in page
    assert "needs response" in page
    assert "product not received" in page
    assert "Send evidence in Stripe" in page


def test_payment_without_dispute_has_no_section(app, client, signed_in):
    payment_id = paid_payment(app, amount=5000)
    signed_in(StaffRole.VIEWER)

    page = client.get(f"/merchant/payments/{payment_id}").get_data(as_text=True)

    assert 'id="disputes"' not in page
