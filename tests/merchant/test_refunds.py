"""Refunding from the payment detail page: roles, bad input and double submits."""

import re
import threading

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Refund, RefundStatus, StaffRole
from tests.fixtures.staff import csrf_token, sign_in
from tests.payments.builders import REFUND_FAILING_CARD, paid_payment

KEY_FIELD = re.compile(r'name="key"[^>]*value="([^"]+)"')


def detail_path(payment_id: int) -> str:
    return f"/merchant/payments/{payment_id}"


def refund_form(client, payment_id, **fields) -> dict[str, str]:
    """Read the refund form's key and CSRF token and fill in ``fields``."""
    html = client.get(detail_path(payment_id)).get_data(as_text=True)
    return {
        "csrf_token": csrf_token(client, detail_path(payment_id)),
        "key": KEY_FIELD.search(html).group(1),
        "amount": "10.00",
        "reason": "requested_by_customer",
        "note": "",
        **fields,
    }


def post_refund(client, payment_id, form):
    return client.post(f"{detail_path(payment_id)}/refunds", data=form)


def refunds(db) -> list[Refund]:
    db.expire_all()
    return list(db.scalars(select(Refund).order_by(Refund.id)))


def test_admin_refunds_part_of_payment(app, client, signed_in, db):
    payment_id = paid_payment(app, amount=5000)
    staff = signed_in(StaffRole.ADMIN)

    response = post_refund(
        client, payment_id, refund_form(client, payment_id, amount="12.50")
    )

    assert response.status_code == 303
    assert response.location.endswith(detail_path(payment_id))
    [refund] = refunds(db)
    assert refund.amount == 1250
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.staff_id == staff.id
    page = client.get(detail_path(payment_id)).get_data(as_text=True)
    assert "Refunded €12.50 as RFD-000001." in page
    assert re.search(r'id="refundable-amount">€37.50<', page)
    assert "partially refunded" in page.lower()
    assert staff.email in page


def test_refund_audit_row_names_staff(app, client, signed_in, db):
    payment_id = paid_payment(app, amount=5000)
    staff = signed_in(StaffRole.OWNER)

    post_refund(client, payment_id, refund_form(client, payment_id))

    [refund] = refunds(db)
    event = db.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "refund",
            AuditEvent.subject_id == refund.id,
            AuditEvent.action == "refund.created",
        )
    ).one()
    assert event.actor == f"staff:{staff.id}"
    assert event.client_address == "127.0.0.1"


@pytest.mark.parametrize("role", [StaffRole.VIEWER, StaffRole.SALES])
def test_role_without_refund_is_forbidden(app, client, db, role):
    payment_id = paid_payment(app)
    sign_in(client, role)
    form = {
        "csrf_token": csrf_token(client, detail_path(payment_id)),
        "key": "k" * 32,
        "amount": "10.00",
        "reason": "requested_by_customer",
    }

    response = post_refund(client, payment_id, form)

    assert response.status_code == 403
    assert refunds(db) == []


def test_refund_above_remainder_shows_remainder(app, client, signed_in, db):
    payment_id = paid_payment(app, amount=5000)
    signed_in(StaffRole.ADMIN)
    post_refund(client, payment_id, refund_form(client, payment_id, amount="30.00"))

    response = post_refund(
        client, payment_id, refund_form(client, payment_id, amount="20.01")
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "A refund of €20.01 is more than the €20.00 left to refund." in html
    assert "Enter at most €20.00." in html
    assert len(refunds(db)) == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Enter a refund amount above zero, at most €50.00."),
        ("-5.00", "Enter a refund amount above zero, at most €50.00."),
        ("abc", "&#39;abc&#39; is not a valid amount."),
        ("1.234", "EUR amounts have at most 2 decimal places."),
        ("", "Enter the amount to refund."),
    ],
)
def test_bad_amount_is_rejected(app, client, signed_in, db, amount, message):
    payment_id = paid_payment(app, amount=5000)
    signed_in(StaffRole.ADMIN)

    response = post_refund(
        client, payment_id, refund_form(client, payment_id, amount=amount)
    )

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert refunds(db) == []


def test_unknown_reason_is_rejected(app, client, signed_in, db):
    payment_id = paid_payment(app)
    signed_in(StaffRole.ADMIN)

    response = post_refund(
        client, payment_id, refund_form(client, payment_id, reason="because")
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a reason for the refund from the list." in page
    assert refunds(db) == []


def test_long_note_is_rejected(app, client, signed_in, db):
    payment_id = paid_payment(app)
    signed_in(StaffRole.ADMIN)

    response = post_refund(
        client, payment_id, refund_form(client, payment_id, note="n" * 501)
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The note can be at most 500 characters." in page
    assert refunds(db) == []


def test_missing_csrf_token_is_rejected(app, client, signed_in, db):
    payment_id = paid_payment(app)
    signed_in(StaffRole.ADMIN)
    form = refund_form(client, payment_id)
    del form["csrf_token"]

    response = post_refund(client, payment_id, form)

    assert response.status_code == 400
    assert refunds(db) == []


def test_double_submit_refunds_once(app, client, signed_in, db):
    payment_id = paid_payment(app, amount=5000)
    signed_in(StaffRole.ADMIN)
    form = refund_form(client, payment_id, amount="20.00")

    first = post_refund(client, payment_id, form)
    second = post_refund(client, payment_id, form)

    assert first.status_code == 303
    assert second.status_code == 303
    [refund] = refunds(db)
    assert refund.amount == 2000


def test_concurrent_double_submit_refunds_once(app, db):
    payment_id = paid_payment(app, amount=5000)
    client = app.test_client()
    sign_in(client, StaffRole.ADMIN)
    form = refund_form(client, payment_id, amount="20.00")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def submit() -> None:
        barrier.wait()
        statuses.append(post_refund(client, payment_id, form).status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [303, 303]
    [refund] = refunds(db)
    assert refund.status is RefundStatus.SUCCEEDED


def test_processor_failure_is_shown(app, client, signed_in, db):
    payment_id = paid_payment(app, amount=5000, card=REFUND_FAILING_CARD)
    signed_in(StaffRole.ADMIN)

    response = post_refund(client, payment_id, refund_form(client, payment_id))

    assert response.status_code == 303
    [refund] = refunds(db)
    assert refund.status is RefundStatus.FAILED
    page = client.get(detail_path(payment_id)).get_data(as_text=True)
    assert "The refund of €10.00 failed:" in page
    assert "Refund the buyer another way" in page
    assert re.search(r'id="refundable-amount">€50.00<', page)


def test_fully_refunded_payment_hides_form(app, client, signed_in):
    payment_id = paid_payment(app, amount=5000)
    signed_in(StaffRole.ADMIN)

    post_refund(client, payment_id, refund_form(client, payment_id, amount="50.00"))

    page = client.get(detail_path(payment_id)).get_data(as_text=True)
    assert 'id="refund-form"' not in page
    assert "Nothing is left to refund on this payment." in page
    assert 'id="payment-status">refunded<' in page.lower()
    assert 'id="payment-status-fact">refunded<' in page.lower()


def test_refund_receipt_pdf_link_works(app, client, signed_in):
    payment_id = paid_payment(app, amount=5000)
    signed_in(StaffRole.ADMIN)
    post_refund(client, payment_id, refund_form(client, payment_id))
    page = client.get(detail_path(payment_id)).get_data(as_text=True)

    link = re.search(r'href="(/receipts/[^"]+/refunds/RFD-000001\.pdf)"', page)
    response = client.get(link.group(1))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"


def test_history_names_refund_and_staff(app, client, signed_in):
    payment_id = paid_payment(app, amount=5000)
    admin = signed_in(StaffRole.ADMIN)

    post_refund(client, payment_id, refund_form(client, payment_id, amount="15.00"))
    post_refund(client, payment_id, refund_form(client, payment_id, amount="5.00"))

    page = client.get(detail_path(payment_id)).get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert "Refund of €15.00 succeeded" in history
    assert "Refund of €5.00 succeeded" in history
    assert admin.email in history
    assert "refund.succeeded" not in history
    assert "staff:" not in history
    assert "partially refunded → partially refunded" not in history
    assert "partially_refunded" not in history
