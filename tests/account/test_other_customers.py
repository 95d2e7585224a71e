"""Another customer's records are a 404 on every account page."""

import pytest

from portal.database import now_utc
from portal.models import (
    BillingDetails,
    Order,
    Payment,
    PaymentMethodKind,
    PaymentStatus,
)
from tests.account.conftest import form_token, make_subscription, save_method


def make_payment(db, contact) -> Payment:
    order = Order(
        currency="EUR",
        subtotal=2900,
        discount_total=0,
        fee_total=0,
        tax_total=0,
        total=2900,
    )
    order.billing = BillingDetails(email=contact.email, name=contact.name)
    payment = Payment(
        token=f"pay-{contact.id}-token",
        contact_id=contact.id,
        order=order,
        currency="EUR",
        amount=2900,
        status=PaymentStatus.SUCCEEDED,
        method=PaymentMethodKind.CARD,
        card_brand="visa",
        card_last4="4242",
        processor="test",
        receipt_number=f"R-{contact.id}",
        succeeded_at=now_utc(),
    )
    db.add(payment)
    db.flush()
    return payment


@pytest.fixture
def olli_records(db, other):
    subscription = make_subscription(db, other, saved_method=save_method(db, other))
    payment = make_payment(db, other)
    db.commit()
    return subscription, payment


def test_own_receipt_shown(aino_client, db, aino):
    payment = make_payment(db, aino)
    db.commit()

    page = aino_client.get(f"/account/payments/{payment.token}")
    pdf = aino_client.get(f"/account/payments/{payment.token}/receipt.pdf")

    assert page.status_code == 200
    assert f"R-{aino.id}" in page.get_data(as_text=True)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"


def test_other_customers_pages_404(aino_client, olli_records):
    subscription, payment = olli_records
    pages = [
        f"/account/payments/{payment.token}",
        f"/account/payments/{payment.token}/receipt.pdf",
        f"/account/subscriptions/{subscription.token}",
        f"/account/subscriptions/{subscription.token}/payment-method",
        "/account/subscriptions/not-a-token",
        "/account/payments/not-a-token",
    ]
    for path in pages:
        assert aino_client.get(path).status_code == 404, path


def test_other_customers_actions_404(aino_client, db, olli_records):
    subscription, _payment = olli_records
    token = form_token(aino_client)
    actions = ["cancel", "keep", "resubscribe", "payment-method"]
    for action in actions:
        response = aino_client.post(
            f"/account/subscriptions/{subscription.token}/{action}",
            data={"csrf_token": token},
        )
        assert response.status_code == 404, action
    db.expire_all()
    assert subscription.cancel_at_period_end is False


def test_overview_lists_only_own(aino_client, olli_records):
    subscription, payment = olli_records

    text = aino_client.get("/account/").get_data(as_text=True)

    assert subscription.token not in text
    assert payment.token not in text


def test_signed_out_pages_redirect(client, olli_records):
    subscription, payment = olli_records
    for path in (
        "/account/",
        f"/account/subscriptions/{subscription.token}",
        f"/account/payments/{payment.token}",
        "/account/subscriptions/no-such-token",
        "/account/billing-details",
    ):
        response = client.get(path)
        assert response.status_code == 303, path
        expected = "/account/sign-in"
        if path != "/account/":
            # Every account path is echoed back, so the redirect does not
            # reveal whether a record exists.
            expected += f"?next={path}"
        assert response.headers["Location"] == expected
