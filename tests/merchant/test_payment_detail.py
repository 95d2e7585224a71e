"""The payment detail page: what it shows, to whom, and resending the receipt."""

import re
from email import policy
from email.parser import BytesParser

from sqlalchemy import select

from portal.models import AuditEvent, StaffRole
from tests.fixtures.smtp import running_smtp_server
from tests.fixtures.staff import csrf_token
from tests.payments.builders import BUYER_EMAIL, paid_payment

KEY_FIELD = re.compile(r'name="key"[^>]*value="([^"]+)"')


def detail_path(payment_id: int) -> str:
    return f"/merchant/payments/{payment_id}"


def outbox_messages(tmp_path):
    parser = BytesParser(policy=policy.default)
    return [
        parser.parsebytes(path.read_bytes())
        for path in sorted((tmp_path / "outbox").glob("*.eml"))
    ]


def resend_form(client, payment_id, **fields):
    html = client.get(detail_path(payment_id)).get_data(as_text=True)
    keys = KEY_FIELD.findall(html)
    return {
        "csrf_token": csrf_token(client, detail_path(payment_id)),
        "key": keys[-1],  # the resend form comes after the refund form
        **fields,
    }


def test_detail_shows_payment_facts(app, client, signed_in):
    payment_id = paid_payment(app, amount=5000)
    signed_in(StaffRole.VIEWER)

    response = client.get(detail_path(payment_id))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "€50.00" in html
    assert "Visa ending in 4242" in html
    assert BUYER_EMAIL in html
    assert "Aino Virtanen" in html
    assert "+358 40 123 4567" in html
    assert "Poster" in html
    assert "RCT-000001" in html
    assert "INV-000001" in html
    assert 'id="payment-link"' in html
    assert "Frame size" in html


def test_detail_date_in_business_zone(app, client, signed_in):
    payment_id = paid_payment(app)
    signed_in(StaffRole.VIEWER)

    html = client.get(detail_path(payment_id)).get_data(as_text=True)

    # The test business is in Europe/Helsinki, two or three hours ahead of UTC.
    date = re.search(r'id="payment-date">([^<]+)<', html).group(1)
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d EES?T", date)


def test_detail_shows_state_history(app, client, signed_in):
    payment_id = paid_payment(app)
    signed_in(StaffRole.VIEWER)

    html = client.get(detail_path(payment_id)).get_data(as_text=True)

    history = html[html.index('id="history"') :]
    assert "Payment created" in history
    assert "Invoice paid" in history
    assert "buyer" in history


def test_viewer_sees_no_refund_or_resend_form(app, client, signed_in):
    payment_id = paid_payment(app)
    signed_in(StaffRole.VIEWER)

    html = client.get(detail_path(payment_id)).get_data(as_text=True)

    assert 'id="refund-form"' not in html
    assert 'id="resend-form"' not in html


def test_admin_sees_refund_form_with_remainder(app, client, signed_in):
    payment_id = paid_payment(app, amount=5000)
    signed_in(StaffRole.ADMIN)

    html = client.get(detail_path(payment_id)).get_data(as_text=True)

    assert 'id="refund-form"' in html
    assert re.search(r'name="amount"[^>]*value="50.00"', html)
    assert KEY_FIELD.search(html)
    assert 'id="resend-form"' in html


def test_refund_form_key_changes_per_render(app, client, signed_in):
    payment_id = paid_payment(app)
    signed_in(StaffRole.ADMIN)

    first = KEY_FIELD.search(client.get(detail_path(payment_id)).get_data(True))
    second = KEY_FIELD.search(client.get(detail_path(payment_id)).get_data(True))

    assert first.group(1) != second.group(1)


def test_unknown_payment_is_not_found(app, client, signed_in):
    paid_payment(app)
    signed_in(StaffRole.VIEWER)

    assert client.get(detail_path(999999)).status_code == 404


def test_anonymous_is_sent_to_sign_in(app, client):
    payment_id = paid_payment(app)

    response = client.get(detail_path(payment_id))

    assert response.status_code == 302
    assert response.location.startswith("/merchant/login")


def test_resend_receipt_to_buyer(app, client, signed_in, tmp_path, db):
    payment_id = paid_payment(app)
    staff = signed_in(StaffRole.SALES)
    sent_before = len(outbox_messages(tmp_path))

    response = client.post(
        f"{detail_path(payment_id)}/resend-receipt",
        data=resend_form(client, payment_id, to=""),
    )

    assert response.status_code == 303
    messages = outbox_messages(tmp_path)
    assert len(messages) == sent_before + 1
    resent = messages[-1]
    assert resent["To"] == BUYER_EMAIL
    assert resent["Subject"] == "Receipt from Nordlys Studio #RCT-000001"
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "receipt.resent")
    ).one()
    assert event.actor == f"staff:{staff.id}"
    assert event.details["to"] == BUYER_EMAIL


def test_resend_receipt_to_other_address(app, client, signed_in, tmp_path):
    payment_id = paid_payment(app)
    signed_in(StaffRole.SALES)

    response = client.post(
        f"{detail_path(payment_id)}/resend-receipt",
        data=resend_form(client, payment_id, to="Bookkeeping@Example.org"),
    )

    assert response.status_code == 303
    assert outbox_messages(tmp_path)[-1]["To"] == "Bookkeeping@example.org"
    page = client.get(detail_path(payment_id)).get_data(as_text=True)
    assert "The receipt was sent to Bookkeeping@example.org." in page


def test_resend_to_invalid_address_is_rejected(app, client, signed_in, tmp_path):
    payment_id = paid_payment(app)
    signed_in(StaffRole.SALES)
    sent_before = len(outbox_messages(tmp_path))

    response = client.post(
        f"{detail_path(payment_id)}/resend-receipt",
        data=resend_form(client, payment_id, to="not an address"),
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "&#39;not an address&#39; is not a valid email address" in html
    assert "leave the field empty to send to the buyer" in html
    assert len(outbox_messages(tmp_path)) == sent_before


def test_resend_rejects_non_ascii_local_part(app, client, signed_in, tmp_path):
    payment_id = paid_payment(app)
    signed_in(StaffRole.SALES)
    sent_before = len(outbox_messages(tmp_path))

    response = client.post(
        f"{detail_path(payment_id)}/resend-receipt",
        data=resend_form(client, payment_id, to="üñí@exämple.com"),
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is not a valid email address" in html
    assert len(outbox_messages(tmp_path)) == sent_before


def test_resend_to_international_domain(app, client, signed_in, tmp_path):
    payment_id = paid_payment(app)
    signed_in(StaffRole.SALES)

    response = client.post(
        f"{detail_path(payment_id)}/resend-receipt",
        data=resend_form(client, payment_id, to="kirjanpito@ääkköset.fi"),
    )

    assert response.status_code == 303
    assert outbox_messages(tmp_path)[-1]["To"] == "kirjanpito@xn--kkset-fraa0m.fi"


def test_resend_double_submit_sends_once(app, client, signed_in, tmp_path):
    payment_id = paid_payment(app)
    signed_in(StaffRole.SALES)
    sent_before = len(outbox_messages(tmp_path))
    form = resend_form(client, payment_id, to="")

    first = client.post(f"{detail_path(payment_id)}/resend-receipt", data=form)
    second = client.post(f"{detail_path(payment_id)}/resend-receipt", data=form)

    assert first.status_code == 303
    assert second.status_code == 303
    assert len(outbox_messages(tmp_path)) == sent_before + 1


def test_viewer_cannot_resend_receipt(app, client, signed_in, tmp_path):
    payment_id = paid_payment(app)
    signed_in(StaffRole.VIEWER)
    sent_before = len(outbox_messages(tmp_path))

    response = client.post(
        f"{detail_path(payment_id)}/resend-receipt",
        data={
            "csrf_token": csrf_token(client, detail_path(payment_id)),
            "key": "k" * 32,
        },
    )

    assert response.status_code == 403
    assert len(outbox_messages(tmp_path)) == sent_before


def test_failed_resend_is_reported(app, client, signed_in, db):
    payment_id = paid_payment(app)
    signed_in(StaffRole.SALES)
    form = resend_form(client, payment_id, to="bounce@example.org")

    with running_smtp_server(rejected_recipients=["bounce@example.org"]) as server:
        app.config["KASSA_SMTP_URL"] = server.url
        response = client.post(f"{detail_path(payment_id)}/resend-receipt", data=form)

    assert response.status_code == 502
    html = response.get_data(as_text=True)
    assert "Sending the receipt to bounce@example.org failed." in html
    assert server.messages == []
    actions = db.scalars(
        select(AuditEvent.action).where(
            AuditEvent.subject_type == "payment", AuditEvent.subject_id == payment_id
        )
    ).all()
    assert "receipt.resent" in actions
    assert "receipt.resend_failed" in actions
